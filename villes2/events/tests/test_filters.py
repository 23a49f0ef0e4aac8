"""The agenda's filters (`EventFilterSet`): each parameter on the founding programme,
and bad values explained in French on their field, never a 500."""

import datetime

import pytest
from lxml import html

from villes2.events.filters import EventFilterSet
from villes2.events.models import Event
from villes2.events.selectors import agenda

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(agenda, "today", lambda: datetime.date(2026, 5, 15))


def slugs(**params) -> set[str]:
    filterset = EventFilterSet(params, queryset=Event.objects.public())
    assert filterset.is_valid(), filterset.form.errors
    return set(filterset.qs.values_list("slug", flat=True))


CYCLE = {
    "formation-action-discriminations-politiques-locales",
    "egalite-des-chances-acces-emploi",
    "egalite-des-chances-acces-logement",
}
POITOU_CHARENTES = {
    "clauses-insertion-projets-oru-2007",  # Niort
    "rencontre-nationale-utilite-sociale-mediation",  # Angoulême
    "reunion-lancement-centre-ressources",  # Poitiers, both former regions
    "atelier-interregional-evaluation-cucs-pru",  # both former regions
}


def test_strand(reference_data):
    assert slugs(volet="volet-urbain") == {
        "2e-rencontre-regionale-centre-2007",
        "conditions-reussite-residentialisation-2007",
        "clauses-insertion-projets-oru-2007",
    }
    assert slugs(volet="transversal") == {
        "reunion-lancement-centre-ressources",
        "atelier-interregional-evaluation-cucs-pru",
    }


def test_kind(reference_data):
    assert slugs(type="formation-action") == {"formation-action-discriminations-politiques-locales"}
    assert slugs(type="colloque") == set()


def test_organiser(reference_data):
    assert slugs(organisateur="sgar-centre") == CYCLE
    assert slugs(organisateur="omega") == {"rencontre-nationale-utilite-sociale-mediation"}


def test_organiser_of_no_public_event_is_understood_not_refused(reference_data):
    silent = factories.organisation(name="Réseau discret", slug="reseau-discret")
    assert slugs(organisateur=silent.slug) == set()


def test_theme_includes_narrower_concepts(reference_data):
    assert slugs(theme="mediation-sociale") == {"rencontre-nationale-utilite-sociale-mediation"}
    # "rénovation urbaine et cadre de vie" is broader than "rénovation urbaine" (and its
    # narrower ORU and PRU) and "résidentialisation".
    assert slugs(theme="renovation-urbaine-cadre-de-vie") == {
        "2e-rencontre-regionale-centre-2007",
        "conditions-reussite-residentialisation-2007",
        "clauses-insertion-projets-oru-2007",
        "reunion-lancement-centre-ressources",
        "atelier-interregional-evaluation-cucs-pru",
    }


def test_theme_choices_are_a_tree_of_the_themes_in_use(reference_data):
    choices = dict(EventFilterSet({}, queryset=Event.objects.public()).form.fields["theme"].choices)
    assert choices[""] == "Tous les thèmes"
    assert choices["renovation-urbaine-cadre-de-vie"] == "Rénovation urbaine et cadre de vie"
    assert choices["residentialisation"] == "\u2003résidentialisation"
    assert "sante" not in choices  # a theme of no event


def test_territory_concerned_or_place_or_inside(reference_data):
    assert slugs(territoire="ancienne-region-54") == POITOU_CHARENTES
    assert slugs(territoire="commune-37261") == {
        "formation-action-discriminations-politiques-locales",
        "egalite-des-chances-acces-logement",
    }
    assert slugs(territoire="departement-79") == {"clauses-insertion-projets-oru-2007"}
    # What the territory picker sends works as well.
    assert slugs(territoire="Angoulême — commune 16015") == {
        "rencontre-nationale-utilite-sociale-mediation"
    }


def test_month_overlapping(reference_data):
    assert slugs(mois="2007-10") == {
        "reunion-lancement-centre-ressources",  # 9 October
        "clauses-insertion-projets-oru-2007",  # 11 October
        "formation-action-discriminations-politiques-locales",  # 18 and 19 October
        "atelier-interregional-evaluation-cucs-pru",  # some time in 2007
    }
    assert slugs(mois="2008-02") == {"egalite-des-chances-acces-logement"}


def test_year(reference_data):
    assert slugs(annee="2008") == {
        "egalite-des-chances-acces-emploi",
        "egalite-des-chances-acces-logement",
    }
    assert len(slugs(annee="2007")) == 8


def test_filters_combine(reference_data):
    assert slugs(volet="volet-humain", territoire="ancienne-region-54") == {
        "rencontre-nationale-utilite-sociale-mediation"
    }


def test_list_page_with_filters_and_the_territory_shown_by_its_name(client, reference_data):
    response = client.get("/agenda/", {"territoire": "ancienne-region-54"})
    tree = html.fromstring(response.content.decode())
    titles = tree.xpath('//section[@aria-labelledby="passes"]//tbody/tr/th/a/text()')
    assert len(titles) == 4
    assert tree.xpath('//input[@name="territoire"]/@value') == [
        "Poitou-Charentes — ancienne-region 54"
    ]
    assert "Retirer les filtres" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"volet": "maritime"}, "volet", "Sélectionnez un choix valide"),
        ({"type": "fete"}, "type", "Sélectionnez un choix valide"),
        ({"organisateur": "inconnu"}, "organisateur", "Sélectionnez un choix valide"),
        ({"theme": "inconnu"}, "theme", "Sélectionnez un choix valide"),
        ({"territoire": "commune-99999"}, "territoire", "Aucun territoire ne correspond"),
        ({"territoire": "x" * 200}, "territoire", "Saisissez au plus 120 caractères."),
        ({"mois": "2007-13"}, "mois", "Saisissez un mois sous la forme année-mois"),
        ({"mois": "octobre"}, "mois", "Saisissez un mois sous la forme année-mois"),
        ({"mois": "0000-01"}, "mois", "Saisissez un mois sous la forme année-mois"),
        ({"annee": "deux mille"}, "annee", "Saisissez un nombre entier."),
        ({"annee": "99999"}, "annee", "inférieure ou égale à 2200"),
        ({"annee": "2007.5"}, "annee", "Saisissez un nombre entier."),
    ],
)
def test_bad_values_give_a_french_error_on_their_field(
    client, reference_data, params, field, message
):
    response = client.get("/agenda/", params)
    assert response.status_code == 200
    content = response.content.decode()
    tree = html.fromstring(content)
    errors = " ".join(tree.xpath(f'//ul[@id="id_{field}_error"]//text()'))
    assert message in errors
    assert "Un filtre n'a pas pu être compris" in content
    assert tree.xpath('//section[@aria-labelledby="passes"]') == []


def test_nul_character_is_refused_cleanly(client, reference_data):
    response = client.get("/agenda/", {"territoire": "Tours\x00", "mois": "2007\x00-10"})
    assert response.status_code == 200
    assert "Un filtre n'a pas pu être compris" in response.content.decode()


def test_bad_page_number_shows_the_first_or_last_page(client, reference_data):
    assert client.get("/agenda/", {"page": "abc"}).status_code == 200
    assert client.get("/agenda/", {"page": "9999"}).status_code == 200
