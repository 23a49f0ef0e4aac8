"""The founding data of the note, its reload, and the SIREN validator."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from villes2.actors.models import Mandate, Membership, Organisation, Person
from villes2.actors.services import NOTE_SOURCE
from villes2.actors.validators import validate_siren

pytestmark = pytest.mark.django_db

BOARD = {
    ("Michel", "Lussault"): "president",
    ("Alain", "Baudin"): "vice-president",
    ("Jean-Patrick", "Gille"): "vice-president",
    ("Brigitte", "Jallet"): "tresorier",
    ("Daniel", "Beaufort"): "tresorier-adjoint",
    ("Pierre", "Jolly"): "secretaire",
    ("Gilles", "Coatrieux"): "secretaire-adjoint",
    ("Yves", "Dauge"): "assesseur",
    ("Jean-Claude", "Bonnefon"): "assesseur",
}


def test_the_note_gives_34_organisations_9_persons_16_roles_9_mandates(territories):
    assert Organisation.objects.count() == 34
    assert Person.objects.count() == 9
    assert Membership.objects.count() == 16
    assert Mandate.objects.count() == 9


def test_the_board_of_nine_with_their_offices_from_29_may_2007(territories):
    mandates = Mandate.objects.select_related("person")
    assert {(m.person.first_name, m.person.last_name): m.office for m in mandates} == BOARD
    assert {m.start_date for m in mandates} == {datetime.date(2007, 5, 29)}
    assert {m.end_date for m in mandates} == {None}


def test_functions_at_the_time_are_roles_in_organisations(territories):
    baudin = Person.objects.get(slug="alain-baudin")
    roles = {
        (m.organisation.name, m.role, m.attested_on)
        for m in baudin.memberships.select_related("organisation")
    }
    assert roles == {
        ("Ville de Niort", "Maire", datetime.date(2007, 5, 29)),
        ("Aire 198", "Vice-président", datetime.date(2007, 5, 29)),
    }


def test_the_association_and_networks_of_the_note(territories):
    villes2 = Organisation.objects.get(slug="villes2")
    assert villes2.kind == "centre-ressources"
    assert [(t.kind, t.code) for t in villes2.territories.all()] == [("commune", "37261")]
    ush_centre = Organisation.objects.get(slug="ush-centre")
    assert (ush_centre.kind, ush_centre.parent.slug) == ("reseau", "ush")
    assert Organisation.objects.networks().count() == 8
    assert Organisation.objects.filter(is_partner=True).count() == 17


def test_every_record_carries_the_note_as_source(territories):
    assert NOTE_SOURCE == "Note de mise en œuvre, 2007"
    for model in (Organisation, Person, Membership, Mandate):
        assert set(model.objects.values_list("source", flat=True)) == {NOTE_SOURCE}


def test_no_contact_detail_no_consent_and_nobody_informed_yet(territories):
    persons = Person.objects.all()
    assert set(persons.values_list("email", flat=True)) == {""}
    assert set(persons.values_list("phone", flat=True)) == {""}
    assert set(persons.values_list("address", flat=True)) == {""}
    assert set(persons.values_list("informed_on", flat=True)) == {None}
    assert not persons.filter(consents__isnull=False).exists()


def test_search_text_covers_organisations_and_roles(territories):
    baudin = Person.objects.get(slug="alain-baudin")
    assert "ville de niort" in baudin.search_text
    assert "aire 198" in baudin.search_text
    msh = Organisation.objects.get(slug="msh-tours")
    assert (
        msh.search_text == "maison des sciences de l homme de tours msh tours universite de tours"
    )


def test_reloading_changes_nothing_and_keeps_staff_additions(territories):
    Person.objects.filter(slug="alain-baudin").update(email="alain.baudin@example.org")
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "Aucun changement" in out.getvalue()
    assert "personnes : 0 créés, 0 modifiés, 0 supprimés, 9 inchangés" in out.getvalue()
    assert Person.objects.get(slug="alain-baudin").email == "alain.baudin@example.org"
    assert Membership.objects.count() == 16


@pytest.mark.parametrize("siren", ["213700826", "213702616", "356000000", ""])
def test_valid_siren(siren):
    if siren:
        validate_siren(siren)
    organisation = Organisation(kind="association", name="Test", slug="test", siren=siren)
    organisation.full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.parametrize(
    ("siren", "code"),
    [
        ("213700827", "siren_checksum"),
        ("123456789", "siren_checksum"),
        ("21370082", "siren_format"),
        ("2137008260", "siren_format"),
        ("21370082A", "siren_format"),
        ("213 700 826", "siren_format"),
    ],
)
def test_invalid_siren(siren, code):
    with pytest.raises(ValidationError) as raised:
        validate_siren(siren)
    assert raised.value.code == code


def test_invalid_siren_is_reported_on_the_field():
    organisation = Organisation(kind="association", name="Test", slug="test", siren="213700827")
    with pytest.raises(ValidationError) as raised:
        organisation.full_clean(validate_unique=False, validate_constraints=False)
    assert [error.code for error in raised.value.error_dict["siren"]] == ["siren_checksum"]


@pytest.mark.parametrize("siren", ["21370082²", "٢١٣٧٠٠٨٢٦"])
def test_non_ascii_digits_are_a_format_error(siren):
    with pytest.raises(ValidationError) as raised:
        validate_siren(siren)
    assert raised.value.code == "siren_format"
