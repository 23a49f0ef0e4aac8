"""Events in the shared search: found by title, themes, organisers, places and
speakers; unpublished events only for the staff; facets; re-indexed when an organiser
is renamed or a speaker erased."""

import datetime

import pytest
from lxml import html

from villes2.accounts import roles
from villes2.actors.models import ErasureReason, Person
from villes2.actors.services import person_erase
from villes2.core.models import SearchEntry
from villes2.core.search import SearchRequest, reindex_dependents, run_search
from villes2.core.testing import staff_user
from villes2.events.services import SpeakerInput

from . import factories

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    tree = html.fromstring(response.content.decode())
    return [a.text_content().strip() for a in tree.xpath('//h3[@class="hit-title"]/a')]


def test_a_published_event_is_found_an_unpublished_one_is_not(client, territories):
    factories.event(title="Rencontre sur la gouvernance des quartiers")
    factories.event(title="Atelier gouvernance en préparation", published=False)
    response = client.get("/recherche/", {"q": "gouvernance"})
    assert response.status_code == 200
    assert _titles(response) == ["Rencontre sur la gouvernance des quartiers"]
    events_tab = client.get("/recherche/", {"q": "gouvernance", "quoi": "events"})
    assert _titles(events_tab) == ["Rencontre sur la gouvernance des quartiers"]
    client.force_login(staff_user("equipe", role=roles.PROJECT_OFFICER))
    staff = client.get("/recherche/", {"q": "gouvernance"})
    assert sorted(_titles(staff)) == [
        "Atelier gouvernance en préparation",
        "Rencontre sur la gouvernance des quartiers",
    ]
    assert "Non publié" in staff.content.decode()


def test_the_founding_programme_is_found_by_organiser_place_speaker_and_theme(reference_data):
    def found(q: str) -> set[str]:
        hits = run_search(SearchRequest(q=q, kinds=("events",))).hits
        return {hit.object.slug for hit in hits}

    assert found("Oméga") == {"rencontre-nationale-utilite-sociale-mediation"}
    assert found("Angoulême") == {"rencontre-nationale-utilite-sociale-mediation"}
    assert found("Claude Ruche") == {"formation-action-discriminations-politiques-locales"}
    assert "egalite-des-chances-acces-emploi" in found("accès à l'emploi")
    assert found("Hémicycle") == {"initiative-economique-habitants-2007"}


def test_facets_type_theme_territory_year(client, reference_data):
    results = run_search(
        SearchRequest(kinds=("events",), filters={"territory": ("ancienne-region-54",)})
    )
    assert {hit.object.slug for hit in results.hits} == {
        "clauses-insertion-projets-oru-2007",
        "rencontre-nationale-utilite-sociale-mediation",
        "reunion-lancement-centre-ressources",
        "atelier-interregional-evaluation-cucs-pru",
    }
    types = {option.value: (option.label, option.count) for option in results.facets["type"]}
    assert types == {"evenement": ("Événement", 4)}
    years = {option.value: option.count for option in results.facets["year"]}
    assert years == {"2007": 4}
    page = client.get("/recherche/", {"quoi": "events", "annee": "2008"})
    assert sorted(_titles(page)) == [
        "Favoriser l'égalité des chances dans l'accès au logement",
        "Favoriser l'égalité des chances dans l'accès à l'emploi",
    ]


def test_renaming_an_organiser_reindexes_its_events(territories):
    network = factories.organisation(name="Réseau Alpha")
    event = factories.event(title="Rencontre annuelle", organisers=[network])
    network.name = "Réseau Oméga-Zêta"
    network.save()
    reindex_dependents("actors.Organisation", [network.pk])
    hits = run_search(SearchRequest(q="Zêta", kinds=("events",))).hits
    assert [hit.object.pk for hit in hits] == [event.pk]


def test_erasing_a_speaker_removes_their_name_from_the_index(territories):
    person = Person.objects.create(
        first_name="Anatole", last_name="Zébulon", slug="anatole-zebulon"
    )
    event = factories.event(
        title="Séminaire du printemps",
        start_date=datetime.date(2026, 4, 2),
        speakers=[SpeakerInput(person_id=person.pk)],
    )
    assert [h.object.pk for h in run_search(SearchRequest(q="Zébulon")).hits] == [event.pk]
    person_erase(person=person, reason=ErasureReason.REQUEST)
    assert run_search(SearchRequest(q="Zébulon")).hits == []
    assert SearchEntry.objects.filter(kind="events", object_id=event.pk).count() == 1
