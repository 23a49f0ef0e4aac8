"""Duplicate warnings on entry in `/gestion/`: a likely duplicate stops the save, with
links to it, until the editor ticks that it is another entry."""

import html

import pytest
from django.contrib.auth.models import Group

from villes2.accounts import roles
from villes2.actors import services
from villes2.actors.models import ErasureReason, Organisation, Person

from .factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

PERSON_ADD = "/gestion/actors/person/add/"
ORGANISATION_ADD = "/gestion/actors/organisation/add/"
PERSON_CONFIRM = "Il s'agit bien d'une autre personne"
ORGANISATION_CONFIRM = "Il s'agit bien d'une autre organisation"


@pytest.fixture
def officer_client(client, django_user_model):
    officer = django_user_model.objects.create_user("officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.PROJECT_OFFICER))
    client.force_login(officer)
    return client


def _inline_management(client, url: str) -> dict:
    """Empty management forms of every inline of the page, as the browser posts them."""
    data = {}
    for inline in client.get(url).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def _person_data(client, **values) -> dict:
    return {
        **_inline_management(client, PERSON_ADD),
        "first_name": "Claire",
        "last_name": "Martin",
        "slug": "claire-martin-2",
        **values,
    }


def _with_role(data: dict, organisation) -> dict:
    return {
        **data,
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-organisation": str(organisation.pk),
        "memberships-0-role": "Cheffe de projet",
    }


def test_person_with_the_same_email_is_flagged_then_saved_when_confirmed(officer_client):
    existing = PersonFactory(first_name="Claire", last_name="Martin", email="c.martin@example.org")
    data = _person_data(officer_client, email="C.Martin@example.org")
    response = officer_client.post(PERSON_ADD, data)
    assert response.status_code == 200
    assert not Person.objects.filter(slug="claire-martin-2").exists()
    errors = [
        html.unescape(error) for error in response.context["adminform"].form.non_field_errors()
    ]
    assert len(errors) == 1
    assert "Cette personne figure peut-être déjà dans l'annuaire" in errors[0]
    assert f'href="/gestion/actors/person/{existing.pk}/change/"' in errors[0]
    content = response.content.decode()
    assert f'<a href="/gestion/actors/person/{existing.pk}/change/"' in content  # a real link
    assert 'type="checkbox" name="not_a_duplicate"' in content
    assert PERSON_CONFIRM in html.unescape(content)

    response = officer_client.post(PERSON_ADD, {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(slug="claire-martin-2").exists()


def test_similar_name_in_an_organisation_of_the_roles_entered_is_flagged(officer_client):
    mairie = OrganisationFactory(name="Mairie de Niort")
    MembershipFactory(
        person=PersonFactory(first_name="Jean-Michel", last_name="Dupont"), organisation=mairie
    )
    data = _person_data(officer_client, first_name="Jean Michel", last_name="Dupond")
    response = officer_client.post(PERSON_ADD, _with_role(data, mairie))
    assert response.status_code == 200
    assert "Jean-Michel Dupont" in response.context["adminform"].form.non_field_errors()[0]

    # The same name elsewhere is a namesake: saved without a question.
    elsewhere = OrganisationFactory(name="Mairie de Tours")
    response = officer_client.post(PERSON_ADD, _with_role(data, elsewhere))
    assert response.status_code == 302
    assert Person.objects.get(slug="claire-martin-2").memberships.get().organisation == elsewhere


def test_a_role_being_deleted_does_not_count(officer_client):
    mairie = OrganisationFactory()
    MembershipFactory(
        person=PersonFactory(first_name="Anne", last_name="Roux"), organisation=mairie
    )
    data = _with_role(_person_data(officer_client, first_name="Anne", last_name="Roux"), mairie)
    data["memberships-0-DELETE"] = "on"
    assert officer_client.post(PERSON_ADD, data).status_code == 302


def test_a_person_is_not_their_own_duplicate(officer_client):
    person = PersonFactory(first_name="Claire", last_name="Martin", email="c.martin@example.org")
    page = officer_client.get(f"/gestion/actors/person/{person.pk}/change/")
    data = {
        **{
            f"{inline.formset.prefix}-{key}": value
            for inline in page.context["inline_admin_formsets"]
            for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
        "first_name": "Claire",
        "last_name": "Martin",
        "slug": person.slug,
        "email": "c.martin@example.org",
        "job_title": "Directrice",
        "seen_version": str(person.version),
    }
    response = officer_client.post(f"/gestion/actors/person/{person.pk}/change/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.job_title, person.version) == ("Directrice", 2)


def test_changing_a_person_warns_of_another_with_the_same_email(officer_client):
    PersonFactory(email="shared@example.org")
    person = PersonFactory(first_name="Paul", last_name="Durand")
    page = officer_client.get(f"/gestion/actors/person/{person.pk}/change/")
    data = {
        **{
            f"{inline.formset.prefix}-{key}": "0"
            for inline in page.context["inline_admin_formsets"]
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
        "first_name": "Paul",
        "last_name": "Durand",
        "slug": person.slug,
        "email": "shared@example.org",
        "seen_version": str(person.version),
    }
    url = f"/gestion/actors/person/{person.pk}/change/"
    assert officer_client.post(url, data).status_code == 200
    person.refresh_from_db()
    assert person.email == ""
    assert officer_client.post(url, {**data, "not_a_duplicate": "on"}).status_code == 302
    person.refresh_from_db()
    assert person.email == "shared@example.org"


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"name": "Autre nom", "siren": "732829320"}, "same SIREN"),
        ({"name": "Agence d’Urbanisme de Tours", "siren": ""}, "same name, other spelling"),
    ],
)
def test_organisation_duplicate_is_flagged_then_saved_when_confirmed(
    officer_client, values, reason
):
    existing = OrganisationFactory(name="Agence d'urbanisme de Tours", siren="732829320")
    services.organisation_search_text_refresh(organisation=existing)
    data = {"kind": "association", "slug": "nouvelle", **values}
    response = officer_client.post(ORGANISATION_ADD, data)
    assert response.status_code == 200, reason
    errors = [
        html.unescape(error) for error in response.context["adminform"].form.non_field_errors()
    ]
    assert "Cette organisation figure peut-être déjà dans l'annuaire" in errors[0]
    assert f'href="/gestion/actors/organisation/{existing.pk}/change/"' in errors[0]
    assert ORGANISATION_CONFIRM in html.unescape(response.content.decode())
    assert not Organisation.objects.filter(slug="nouvelle").exists()

    response = officer_client.post(ORGANISATION_ADD, {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Organisation.objects.filter(slug="nouvelle").exists()


def test_organisation_without_duplicate_saves_and_shows_no_checkbox(officer_client):
    OrganisationFactory(name="Mairie de Tours")
    page = officer_client.get(ORGANISATION_ADD).content.decode()
    assert 'type="checkbox" name="not_a_duplicate"' not in page
    response = officer_client.post(
        ORGANISATION_ADD, {"kind": "association", "slug": "mairie-niort", "name": "Mairie de Niort"}
    )
    assert response.status_code == 302


def test_the_concurrent_edit_check_still_applies(officer_client):
    organisation = OrganisationFactory(name="Mairie de Tours")
    url = f"/gestion/actors/organisation/{organisation.pk}/change/"
    data = {"kind": "association", "slug": organisation.slug, "name": "Mairie de Tours (37)"}
    Organisation.objects.filter(pk=organisation.pk).update(version=2)  # saved by someone else
    response = officer_client.post(url, {**data, "seen_version": "1", "not_a_duplicate": "on"})
    assert response.status_code == 200
    assert "Quelqu" in response.context["adminform"].form.non_field_errors()[0]
    organisation.refresh_from_db()
    assert organisation.name == "Mairie de Tours"


ERASED_MESSAGE = (
    "Cette personne a été effacée de l'annuaire à sa demande (RGPD) : elle ne peut pas y "
    "être ajoutée de nouveau."
)


@pytest.mark.parametrize("by", ["email", "name in the organisation"])
def test_an_erased_person_cannot_be_added_again_not_even_when_confirmed(officer_client, by):
    mairie = OrganisationFactory(name="Mairie de Niort")
    erased = MembershipFactory(
        person=PersonFactory(first_name="Jeanne", last_name="Secret", email="j.secret@example.org"),
        organisation=mairie,
    ).person
    services.person_erase(person=erased, reason=ErasureReason.REQUEST)
    data = _person_data(officer_client, first_name="Jeanne", last_name="Secret")
    if by == "email":
        data = {**data, "first_name": "J.", "email": "J.Secret@example.org"}
    else:
        data = _with_role({**data, "first_name": "JEANNE"}, mairie)
    for attempt in (data, {**data, "not_a_duplicate": "on"}):
        response = officer_client.post(PERSON_ADD, attempt)
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert list(form.non_field_errors()) == [ERASED_MESSAGE]
        content = response.content.decode()
        assert 'type="checkbox" name="not_a_duplicate"' not in content
    assert not Person.objects.filter(slug="claire-martin-2").exists()
    assert mairie.memberships.count() == 0


def test_a_namesake_elsewhere_of_an_erased_person_can_be_added(officer_client):
    mairie = OrganisationFactory(name="Mairie de Niort")
    erased = MembershipFactory(
        person=PersonFactory(first_name="Jeanne", last_name="Secret"), organisation=mairie
    ).person
    services.person_erase(person=erased, reason=ErasureReason.REQUEST)
    elsewhere = OrganisationFactory(name="Mairie de Tours")
    data = _person_data(officer_client, first_name="Jeanne", last_name="Secret")
    response = officer_client.post(PERSON_ADD, _with_role(data, elsewhere))
    assert response.status_code == 302
    assert Person.objects.get(slug="claire-martin-2").memberships.get().organisation == elsewhere
