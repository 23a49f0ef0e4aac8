"""Query budgets of the public directory pages that test_pages.py does not measure: the
vCards and the list filters (STYLE.md §9). Each is measured at two sizes of the same
data, persons holding several roles, so that a query per row (N+1) shows as a changed
count rather than hiding in a budget."""

import pytest

from villes2.actors.models import Organisation, OrganisationKind, PublicField

from .factories import (
    ConsentFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganisationFactory,
    PersonFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

SIZES = (2, 7)
SEARCH = "budgetaire"  # in every test person's last name, in no founding entry


def _directory(territories, size: int) -> dict:
    """`size` persons, each with three roles (one in a network), themes, territories and
    a consent publishing contact fields and themes; member organisations of a network,
    by membership and as branches."""
    tours = territories.get(kind="commune", code="37261")
    network = Organisation.objects.get(slug="rdvc")
    theme = TagFactory(name="Renouvellement urbain (budget)")
    other_theme = TagFactory(name="Médiation (budget)")
    for n in range(size):
        association = OrganisationFactory(
            name=f"Association budget {n}",
            kind=OrganisationKind.ASSOCIATION,
            territories=[tours],
            themes=[theme],
        )
        branch = OrganisationFactory(name=f"Antenne budget {n}", parent=network, themes=[theme])
        NetworkMembershipFactory(network=network, organisation=association)
        person = PersonFactory(
            first_name=f"Camille{n}",
            last_name=f"Budgetaire{n}",
            email=f"camille{n}@example.org",
            phone="02 47 00 00 00",
            territories=[tours],
            themes=[theme, other_theme],
        )
        MembershipFactory(person=person, organisation=network, role=f"Délégué {n}")
        MembershipFactory(person=person, organisation=association, role="Présidente")
        MembershipFactory(person=person, organisation=branch, role="Chargée de mission")
        NetworkMembershipFactory(network=network, organisation=None, person=person)
        ConsentFactory(
            person=person, fields=[PublicField.EMAIL, PublicField.PHONE, PublicField.THEMES]
        )
    return {"person": person, "network": network, "theme": theme, "association": association}


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", SIZES)
def test_person_vcard(client, territories, django_assert_num_queries, size):
    person = _directory(territories, size)["person"]
    # The person, their roles with their organisations, their consents.
    with django_assert_num_queries(3):
        response = _get(client, f"/annuaire/personnes/{person.slug}/vcard.vcf")
    assert f"EMAIL:{person.email}" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_organisation_vcard(client, territories, django_assert_num_queries, size):
    association = _directory(territories, size)["association"]
    with django_assert_num_queries(1):  # the organisation
        response = _get(client, f"/annuaire/organisations/{association.slug}/vcard.vcf")
    assert f"FN:{association.name}" in response.content.decode()


@pytest.mark.parametrize("size", SIZES)
def test_persons_vcard_of_a_search(client, territories, django_assert_num_queries, size):
    _directory(territories, size)
    # The filters' public themes (the consents that publish themes), the persons found,
    # their roles with their organisations, their consents: not one query per person.
    with django_assert_num_queries(4):
        response = _get(client, f"/annuaire/personnes/annuaire.vcf?q={SEARCH}")
    content = response.content.decode()
    assert content.count("BEGIN:VCARD") == size
    assert content.count("EMAIL:") == size


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("filter_name", "budget"),
    [
        # Every list: the consents publishing themes and the public themes (the theme
        # filter's choices), the networks (the network filter's choices), the count, the
        # page of persons, their roles with their organisations.
        ("organisation_kind", 6),
        # + the network chosen, read to validate the value.
        ("network", 7),
        # + the theme chosen (the consents publishing themes are read once, for the
        # choices and the filter).
        ("theme", 7),
    ],
)
def test_person_list_filters(
    client, territories, django_assert_num_queries, size, filter_name, budget
):
    data = _directory(territories, size)
    value = {
        "theme": data["theme"].pk,
        "network": data["network"].pk,
        "organisation_kind": OrganisationKind.ASSOCIATION,
    }[filter_name]
    with django_assert_num_queries(budget):
        response = _get(client, f"/annuaire/personnes/?{filter_name}={value}")
    listed = {person.last_name for person in response.context["page"].object_list}
    assert {f"Budgetaire{n}" for n in range(size)} <= listed


@pytest.mark.parametrize("size", SIZES)
def test_organisation_list_by_network(client, territories, django_assert_num_queries, size):
    network = _directory(territories, size)["network"]
    # The consents and public themes (theme filter), the networks offered and the one
    # chosen, the count, the page of organisations with their parents.
    with django_assert_num_queries(6):
        response = _get(client, f"/annuaire/?network={network.pk}")
    names = {organisation.name for organisation in response.context["page"].object_list}
    expected = {f"Association budget {n}" for n in range(size)}
    expected |= {f"Antenne budget {n}" for n in range(size)}
    assert expected <= names
