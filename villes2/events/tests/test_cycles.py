"""Cycles: public only with a published session (page, feed, sitemap: test_pages for
the page and the sitemap); saved through `cycle_save`, also from the back office, which
re-indexes their events (they quote the cycle's title); the history of the planned
lines of action."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from villes2.accounts import roles
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.events import services
from villes2.events.models import Cycle, Event, ProgrammeLine
from villes2.taxonomy.models import Concept

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Written feeds are cached per index state, which a test's rollback brings back."""
    cache.clear()
    yield
    cache.clear()


def _found(q: str) -> list[str]:
    return sorted(hit.object.slug for hit in run_search(SearchRequest(q=q, kinds=("events",))).hits)


# --- Public only with a published session ---------------------------------------------


def test_public_cycles_are_those_with_a_published_session(territories):
    with_public = Cycle.objects.create(title="Cycle public", slug="cycle-public")
    factories.event(cycle=with_public, published=False)
    factories.event(cycle=with_public)
    planned = Cycle.objects.create(title="Cycle en préparation", slug="cycle-en-preparation")
    factories.event(cycle=planned, published=False)
    Cycle.objects.create(title="Cycle sans séance", slug="cycle-sans-seance")
    assert list(Cycle.objects.public().filter(slug__startswith="cycle-")) == [with_public]


def test_the_feed_of_a_cycle_without_a_public_session_is_404(client, territories):
    planned = Cycle.objects.create(title="Cycle en préparation", slug="cycle-en-preparation")
    factories.event(cycle=planned, published=False)
    empty = Cycle.objects.create(title="Cycle sans séance", slug="cycle-sans-seance")
    for cycle in (planned, empty):
        assert client.get(reverse("events:ical_cycle", args=[cycle.slug])).status_code == 404


# --- Saved through the service ----------------------------------------------------------


@pytest.fixture
def cycle_with_sessions(territories):
    cycle = Cycle.objects.create(title="Cycle Alpha", slug="cycle-alpha")
    sessions = [
        factories.event(
            title=f"Séance {number}",
            slug=f"seance-{number}",
            cycle=cycle,
            cycle_position=number,
            start_date=datetime.date(2030, 3, number),
        )
        for number in (1, 2)
    ]
    return cycle, sessions


def test_saving_a_cycle_reindexes_and_touches_its_events(client, cycle_with_sessions):
    cycle, sessions = cycle_with_sessions
    other = factories.event(title="Hors cycle", slug="hors-cycle")
    assert _found("Alpha") == ["seance-1", "seance-2"]
    feed = client.get(reverse("events:ical")).content.decode().replace("\r\n ", "")
    assert "Cycle : Cycle Alpha" in feed
    before = {e.pk: e.modified for e in Event.objects.all()}
    cycle.title = "Cycle Oméga-Zêta"
    services.cycle_save(cycle)
    assert _found("Alpha") == []
    assert _found("Zêta") == ["seance-1", "seance-2"]
    after = {e.pk: e.modified for e in Event.objects.all()}
    assert [pk for pk in before if after[pk] != before[pk]] == [s.pk for s in sessions]
    assert after[other.pk] == before[other.pk]
    # A new index state: the feed is written again, with the new title.
    feed = client.get(reverse("events:ical")).content.decode().replace("\r\n ", "")
    assert "Cycle : Cycle Oméga-Zêta" in feed and "Cycle Alpha" not in feed


def test_cycle_save_validates_and_sets_the_themes(territories):
    theme = Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk").first()
    cycle = services.cycle_save(Cycle(title="Cycle Bêta", slug="cycle-beta"), themes=[theme])
    assert list(cycle.themes.all()) == [theme]
    with pytest.raises(ValidationError) as refused:
        services.cycle_save(Cycle(title="Autre", slug="cycle beta ?"))
    assert list(refused.value.message_dict) == ["slug"]
    assert not Cycle.objects.filter(title="Autre").exists()


def test_the_back_office_saves_a_cycle_through_the_service(client, cycle_with_sessions):
    cycle, _sessions = cycle_with_sessions
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    response = client.post(
        reverse("admin:events_cycle_change", args=[cycle.pk]),
        {
            "title": "Cycle Oméga-Zêta",
            "slug": cycle.slug,
            "strand": "",
            "description": "",
            "themes": [],
            "source": "",
            "seen_version": str(cycle.version),
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.title, cycle.version) == ("Cycle Oméga-Zêta", 2)
    assert _found("Zêta") == ["seance-1", "seance-2"]
    assert cycle.history.first().history_user.username == "officer"


def test_a_cycle_with_events_cannot_be_deleted_one_without_can(client, cycle_with_sessions):
    cycle, _sessions = cycle_with_sessions
    empty = services.cycle_save(Cycle(title="Cycle vide", slug="cycle-vide"))
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    for target in (cycle, empty):
        client.post(reverse("admin:events_cycle_delete", args=[target.pk]), {"post": "yes"})
    assert list(Cycle.objects.filter(slug__in=["cycle-alpha", "cycle-vide"])) == [cycle]


# --- History of the lines of action -------------------------------------------------------


def test_lines_of_action_keep_their_history(client, reference_data):
    line = ProgrammeLine.objects.get(year=2008, order=1)
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    theme = line.themes.first()
    response = client.post(
        reverse("admin:events_programmeline_change", args=[line.pk]),
        {
            "year": "2008",
            "order": "1",
            "text": "Texte corrigé",
            "themes": [str(theme.pk)],
            "source": line.source,
        },
    )
    assert response.status_code == 302
    latest = line.history.first()
    assert (latest.text, latest.history_type, latest.history_user.username) == (
        "Texte corrigé",
        "~",
        "officer",
    )
    assert [row.concept_id for row in latest.themes.all()] == [theme.pk]
    page = client.get(reverse("admin:events_programmeline_history", args=[line.pk]))
    assert page.status_code == 200
