"""RSS 2.0 and Atom feeds of newly published experience records (`/flux/experiences.rss`,
`.atom`): newest first by first publication, an edit or a new review moves nothing,
and only published records appear."""

import pytest
from lxml import etree

from villes2.actors.tests.factories import OrganisationFactory
from villes2.api.tests.factories import at, utc
from villes2.practices import services
from villes2.practices.feeds import FEED_SIZE
from villes2.practices.models import ActorRole, PracticeStatus
from villes2.practices.services import ActorInput
from villes2.practices.tests.factories import NON_PUBLIC_STATUSES, PracticeFactory
from villes2.taxonomy.models import Concept

pytestmark = pytest.mark.django_db
S = PracticeStatus
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def rss_items(client):
    response = client.get("/flux/experiences.rss")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return etree.fromstring(response.content).findall("channel/item")


def atom_entries(client):
    response = client.get("/flux/experiences.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return etree.fromstring(response.content).findall("a:entry", ATOM)


@pytest.fixture
def records(reference_data):
    health = Concept.objects.get(scheme__slug="themes", slug="sante")
    lead = OrganisationFactory(name="Ville de Tours (test)")
    partner = OrganisationFactory(name="Partenaire (test)")
    with at(utc(2024, 1, 10, 9)):
        old = PracticeFactory(
            published=True,
            title="Ancienne",
            summary="Résumé de l’ancienne.",
            themes=[health],
            actors=[ActorInput(lead.pk, ActorRole.LEAD), ActorInput(partner.pk, ActorRole.PARTNER)],
        )
    with at(utc(2024, 2, 10, 9)):
        new = PracticeFactory(published=True, title="Récente")
    # Reviewed again and edited after "Récente" was published: "Ancienne" stays second.
    with at(utc(2024, 3, 1)):
        services.practice_review_record(old, user=old.last_reviewed_by, comment="Relue.")
        old.title = "Ancienne, revue"
        services.practice_save(old)
    return {"old": old, "new": new}


def test_rss_lists_published_records_newest_first(client, records):
    items = rss_items(client)
    assert [item.findtext("title") for item in items] == ["Récente", "Ancienne, revue"]
    old = items[1]
    assert old.findtext("link") == f"http://testserver/experiences/{records['old'].pk}/"
    assert old.findtext("description") == "Résumé de l’ancienne."
    assert old.findtext("pubDate") == "Wed, 10 Jan 2024 09:00:00 +0000"
    assert [c.text for c in old.findall("category")] == ["Santé"]
    channel = etree.fromstring(client.get("/flux/experiences.rss").content).find("channel")
    assert channel.findtext("title") == "Villes² : nouvelles fiches expérience"
    assert channel.findtext("link") == "http://testserver/experiences/"


def test_atom_feed(client, records):
    entries = atom_entries(client)
    assert [e.findtext("a:title", namespaces=ATOM) for e in entries] == [
        "Récente",
        "Ancienne, revue",
    ]
    old = entries[1]
    assert old.findtext("a:published", namespaces=ATOM) == "2024-01-10T09:00:00+00:00"
    assert old.findtext("a:updated", namespaces=ATOM) == "2024-03-01T00:00:00+00:00"
    # The lead organisations, never the lead contact (a person).
    assert old.findtext("a:author/a:name", namespaces=ATOM) == "Ville de Tours (test)"


def test_feeds_are_french_whatever_the_browser_asks(client, records):
    response = client.get("/flux/experiences.atom", HTTP_ACCEPT_LANGUAGE="en")
    assert "Villes² : nouvelles fiches expérience".encode() in response.content


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_only_published_records_appear(client, records, status):
    hidden = PracticeFactory(status=status, title="Cachée")
    assert "Cachée" not in [item.findtext("title") for item in rss_items(client)]
    assert "Cachée" not in [e.findtext("a:title", namespaces=ATOM) for e in atom_entries(client)]
    if status == S.WITHDRAWN:
        # Republished: back in the feed, at its first publication date.
        services.practice_transition(hidden, to_status=S.IN_REVIEW, user=hidden.last_reviewed_by)
        services.practice_transition(hidden, to_status=S.PUBLISHED, user=hidden.last_reviewed_by)
        assert "Cachée" in [item.findtext("title") for item in rss_items(client)]


def test_withdrawing_removes_a_record_from_the_feeds(client, records):
    new = records["new"]
    services.practice_transition(new, to_status=S.WITHDRAWN, user=new.last_reviewed_by)
    assert [item.findtext("title") for item in rss_items(client)] == ["Ancienne, revue"]


@pytest.mark.parametrize("size", [2, 6])
def test_feed_uses_a_constant_number_of_queries(
    client, reference_data, django_assert_num_queries, size
):
    health = Concept.objects.get(scheme__slug="themes", slug="sante")
    lead = OrganisationFactory()
    for n in range(size):
        PracticeFactory(
            published=True,
            title=f"Fiche {n}",
            themes=[health],
            actors=[ActorInput(lead.pk, ActorRole.LEAD)],
        )
    with django_assert_num_queries(3):
        assert len(rss_items(client)) == size


def test_the_feed_holds_the_newest_records_only(client, reference_data, monkeypatch):
    monkeypatch.setattr("villes2.practices.feeds.FEED_SIZE", 2)
    for n in range(3):
        with at(utc(2024, 1, 1 + n)):
            PracticeFactory(published=True, title=f"Fiche {n}")
    assert [item.findtext("title") for item in rss_items(client)] == ["Fiche 2", "Fiche 1"]
    assert FEED_SIZE == 30
