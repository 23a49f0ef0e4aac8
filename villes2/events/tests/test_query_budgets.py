"""Query budgets of the public agenda pages: fixed whatever the number of events and of
their organisers, places, themes and speakers (an N+1 would add queries per row)."""

import datetime

import pytest

from villes2.events.models import Cycle, Event
from villes2.events.selectors import agenda
from villes2.events.services import SpeakerInput
from villes2.taxonomy.models import Concept

from . import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(agenda, "today", lambda: TODAY)


@pytest.fixture
def busy(territories):
    """Upcoming and past events in a cycle, each with several organisers, places,
    themes, territories and speakers, on top of the founding programme."""
    cycle = Cycle.objects.create(title="Cycle de test", slug="cycle-de-test")
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk")[:3])
    places = [territories.get(kind="commune", code=code) for code in ("37261", "45234", "86194")]
    events = []
    upcoming = [datetime.date(2026, 6, day) for day in (2, 9, 16)]
    past = [datetime.date(2025, 11, day) for day in (4, 18)]
    for number, day in enumerate(upcoming + past):
        events.append(
            factories.event(
                title=f"Séance {number}",
                start_date=day,
                cycle=cycle,
                cycle_position=number + 1,
                organisers=[factories.organisation(acronym=f"R{number}{n}") for n in range(3)],
                themes=themes,
                territories=places[:2],
                places=places,
                speakers=[
                    SpeakerInput(name=f"Intervenant {n}", confirmed=n != 1) for n in range(3)
                ],
                place_confirmed=False,
            )
        )
    return {"cycle": cycle, "events": events}


def test_list(client, busy, django_assert_num_queries):
    # Filter choices: themes (1), the theme tree (1), organisers (1). Past events:
    # count (1), page (1), organisers and places of the page (2). Upcoming events: count
    # (1), page (1), organisers and places (2). Years with a programme: events (1),
    # lines (1).
    with django_assert_num_queries(13):
        assert client.get("/agenda/").status_code == 200


def test_list_filtered(client, busy, django_assert_num_queries):
    theme = busy["events"][0].themes.first().slug
    # As above, plus the territory of the filter (1); the theme's narrower concepts are
    # known from the choices (no query).
    with django_assert_num_queries(14):
        response = client.get("/agenda/", {"territoire": "commune-37261", "theme": theme})
    assert response.status_code == 200
    assert len(response.context["upcoming"]) == 3


def test_month(client, busy, django_assert_num_queries):
    # Events of the month (1), organisers and places (2).
    with django_assert_num_queries(3):
        assert client.get("/agenda/mois/2026/6/").status_code == 200


def test_programme(client, busy, django_assert_num_queries):
    # Events (1), organisers, places, speakers (3), lines of action (1), years (2).
    with django_assert_num_queries(7):
        response = client.get("/agenda/programme/2026/")
    assert response.status_code == 200
    # The cycle started in 2025: in 2026 only its sessions of 2026.
    assert [len(e.sessions) for g in response.context["programme"].strands for e in g.entries] == [
        3
    ]


def test_event_page(client, busy, django_assert_num_queries):
    event = busy["events"][1]
    # Event with cycle (1), organisers, themes, territories, places, speakers (5), the
    # cycle's sessions (1). Registration closed: no count.
    with django_assert_num_queries(7):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_event_page_with_registration(client, busy, django_assert_num_queries):
    event = busy["events"][1]
    Event.objects.filter(pk=event.pk).update(registration_open=True, capacity=10)
    # As above, plus the registration counts (1).
    with django_assert_num_queries(8):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_cycle_page(client, busy, django_assert_num_queries):
    # Cycle (1), its themes (1), sessions (1), their organisers and places (2).
    with django_assert_num_queries(5):
        assert client.get(busy["cycle"].get_absolute_url()).status_code == 200


def test_budgets_hold_on_the_founding_programme(client, reference_data, django_assert_num_queries):
    with django_assert_num_queries(7):
        assert client.get("/agenda/evenements/egalite-des-chances-acces-emploi/").status_code == 200
    with django_assert_num_queries(7):
        assert client.get("/agenda/programme/2007/").status_code == 200
    # Lines of action, with their themes (+1).
    with django_assert_num_queries(8):
        assert client.get("/agenda/programme/2008/").status_code == 200


def test_upcoming_events_are_paginated(client, territories, monkeypatch):
    monkeypatch.setattr(agenda, "UPCOMING_PAGE_SIZE", 2)
    for day in (3, 4, 5):
        factories.event(title=f"Atelier du {day} juin", start_date=datetime.date(2026, 6, day))
    first = client.get("/agenda/")
    assert [e.title for e in first.context["upcoming"]] == [
        "Atelier du 3 juin",
        "Atelier du 4 juin",
    ]
    content = first.content.decode()
    assert 'href="?a_venir=2#a-venir" rel="next"' in content
    second = client.get("/agenda/", {"a_venir": 2})
    assert [e.title for e in second.context["upcoming"]] == ["Atelier du 5 juin"]
    assert 'href="?a_venir=1#a-venir" rel="prev"' in second.content.decode()
