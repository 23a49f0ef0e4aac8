"""vCards parse with a standard library and hold only what the viewer may see."""

import random

import pytest
import vobject
from django.urls import reverse

from villes2.actors.models import PublicField

from .factories import ConsentFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

PRIVATE = {
    "email": "claire.martin@example.org",
    "phone": "02 47 00 00 01",
    "address": "3 rue des Halles, Tours",
    "biography": "Spécialiste de la médiation sociale.",
}
FIELD_OF = {
    "email": lambda card: [c.value for c in card.contents.get("email", [])],
    "phone": lambda card: [c.value for c in card.contents.get("tel", [])],
    "address": lambda card: [c.value for c in card.contents.get("label", [])],
    "biography": lambda card: [c.value for c in card.contents.get("note", [])],
}


def _cards(response):
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    return list(vobject.readComponents(response.content.decode()))


def test_founding_person_vcard_has_name_title_and_no_contact(client, territories):
    response = client.get(reverse("actors:person_vcard", args=["alain-baudin"]))
    [card] = _cards(response)
    assert card.fn.value == "Alain Baudin"
    assert card.n.value.family == "Baudin"
    assert card.title.value == "Maire de Niort, vice-président d'Aire 198"
    assert card.url.value.endswith("/annuaire/personnes/alain-baudin/")
    assert "email" not in card.contents and "tel" not in card.contents


@pytest.mark.parametrize("seed", range(12))
def test_person_vcard_holds_exactly_the_consented_fields(client, db, seed):
    chooser = random.Random(seed)
    person = PersonFactory(**PRIVATE)
    MembershipFactory(person=person)
    published = {field for field in PRIVATE if chooser.random() < 0.5}
    ConsentFactory(person=person, fields=sorted(published))
    [card] = _cards(client.get(reverse("actors:person_vcard", args=[person.slug])))
    for field, value in PRIVATE.items():
        assert FIELD_OF[field](card) == ([value] if field in published else [])
    assert PublicField.THEMES.value not in card.contents


def test_selection_vcard_follows_the_filters_and_each_consent(client, db):
    shown = PersonFactory(last_name="Zorgli", **PRIVATE)
    MembershipFactory(person=shown, role="Cheffe de projet")
    ConsentFactory(person=shown, fields=["email"])
    hidden = PersonFactory(last_name="Zorglub", email="secret@example.org")
    MembershipFactory(person=hidden)
    cards = _cards(client.get(reverse("actors:persons_vcard"), {"q": "zorgli"}))
    assert [card.fn.value for card in cards] == [str(shown)]
    everyone = _cards(client.get(reverse("actors:persons_vcard"), {"q": "zorg"}))
    assert sorted(card.fn.value for card in everyone) == sorted([str(shown), str(hidden)])
    text = client.get(reverse("actors:persons_vcard"), {"q": "zorg"}).content.decode()
    assert "secret@example.org" not in text and PRIVATE["email"] in text


def test_organisation_vcard(client, territories):
    [card] = _cards(client.get(reverse("actors:organisation_vcard", args=["ush-centre"])))
    assert card.fn.value == "USH Centre"
    assert card.org.value == ["USH Centre"]


def test_vcard_of_an_unknown_entry_is_404(client, db):
    assert client.get(reverse("actors:person_vcard", args=["personne"])).status_code == 404
