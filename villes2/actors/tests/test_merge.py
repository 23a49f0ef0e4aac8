"""Merging duplicates: everything moves to the entry kept, nothing of the history is
lost, and only Direction may merge."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from villes2.accounts import roles
from villes2.actors import selectors, services
from villes2.actors.models import (
    Consent,
    Mandate,
    Membership,
    NetworkMembership,
    Office,
    Organisation,
    OrganisationKind,
    Person,
    RequestChannel,
    RightKind,
    RightsRequest,
)
from villes2.core.testing import staff_user
from villes2.documents.models import Document, DocumentAuthor
from villes2.events.models import Event, EventSpeaker
from villes2.practices.models import Practice
from villes2.territories.tests.factories import TerritoryFactory

from .factories import (
    ConsentFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RightsRequestFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

PERSONS_URL = "/gestion/actors/person/"
ORGANISATIONS_URL = "/gestion/actors/organisation/"


def _user(django_user_model, role: str, username: str):
    return staff_user(username, role=role)


@pytest.fixture
def director(django_user_model):
    return _user(django_user_model, roles.DIRECTION, "director")


# --- Persons --------------------------------------------------------------------------------


def test_person_merge_moves_everything_and_fills_only_empty_fields(director):
    mairie, agglo = OrganisationFactory(name="Mairie de Niort"), OrganisationFactory(name="CAN")
    housing, transport = TagFactory(name="Habitat"), TagFactory(name="Transports")
    niort, tours = TerritoryFactory(), TerritoryFactory()
    keep = PersonFactory(
        first_name="Claire",
        last_name="Martin",
        phone="05 49 00 00 00",
        informed_on=datetime.date(2024, 5, 1),
        themes=[housing],
        territories=[niort],
    )
    other = PersonFactory(
        first_name="Claire",
        last_name="Martín",
        slug="claire-martin-2",
        email="claire.martin@example.org",
        phone="06 00 00 00 00",
        biography="Urbaniste.",
        informed_on=datetime.date(2023, 1, 10),
        processing_restricted=True,
        themes=[housing, transport],
        territories=[tours],
    )
    MembershipFactory(person=keep, organisation=mairie, role="Adjointe au maire")
    MembershipFactory(
        person=other,
        organisation=mairie,
        role="adjointe au Maire",
        attested_on=datetime.date(2007, 5, 29),
    )
    MembershipFactory(person=other, organisation=agglo, role="Vice-présidente")
    network = NetworkMembershipFactory(person=other, organisation=None)
    mandate = Mandate.objects.create(
        person=other, office=Office.TREASURER, start_date=datetime.date(2007, 5, 29)
    )
    consent = ConsentFactory(person=other, fields=["email"])
    consent_before = Consent.objects.filter(pk=consent.pk).values().get()
    request = RightsRequestFactory(
        person=other, kind=RightKind.ACCESS, channel=RequestChannel.EMAIL
    )
    other_pk, version = other.pk, keep.version

    merged = services.person_merge(keep=keep, others=[other], user=director)

    assert merged.pk == keep.pk
    assert not Person.objects.filter(pk=other_pk).exists()
    merged.refresh_from_db()
    # Never overwritten; filled when empty; the earliest information; restriction kept.
    assert (merged.last_name, merged.phone) == ("Martin", "05 49 00 00 00")
    assert (merged.email, merged.biography) == ("claire.martin@example.org", "Urbaniste.")
    assert merged.informed_on == datetime.date(2023, 1, 10)
    assert merged.processing_restricted is True
    assert merged.version == version + 1
    assert set(merged.themes.all()) == {housing, transport}
    assert set(merged.territories.all()) == {niort, tours}
    # The identical role collapsed into one, completed by the other's date.
    roles_held = list(merged.memberships.order_by("organisation__name"))
    assert [(m.organisation, m.role) for m in roles_held] == [
        (agglo, "Vice-présidente"),
        (mairie, "Adjointe au maire"),
    ]
    assert roles_held[1].attested_on == datetime.date(2007, 5, 29)
    network.refresh_from_db()
    mandate.refresh_from_db()
    request.refresh_from_db()
    assert network.person == mandate.person == request.person == merged
    consent_after = Consent.objects.filter(pk=consent.pk).values().get()
    assert consent_after == {**consent_before, "person_id": merged.pk}
    assert "can" in merged.search_text  # the organisations of the roles moved in


def test_person_merge_keeps_history(director):
    keep = PersonFactory()
    other = PersonFactory(email="old@example.org")
    other.job_title = "Directrice"
    other.save()
    other_pk = other.pk

    services.person_merge(keep=keep, others=[other], user=director)

    latest = keep.history.order_by("-history_id").first()
    assert latest.history_change_reason == f"Fusion de {other_pk}"
    assert latest.history_user == director
    assert latest.version == 2
    # The merged entry's own history is still there, its deletion recorded last.
    past = Person.history.filter(id=other_pk).order_by("history_id")
    assert [row.history_type for row in past] == ["+", "~", "-"]
    assert past.last().history_user == director
    assert past.last().history_change_reason == f"Fusionné dans {keep.pk}"
    assert past[1].job_title == "Directrice"


def test_membership_rows_collapsed_or_moved_keep_their_history(director):
    organisation = OrganisationFactory()
    keep, other = PersonFactory(), PersonFactory()
    MembershipFactory(person=keep, organisation=organisation, role="Maire")
    twin = MembershipFactory(person=other, organisation=organisation, role="Maire")
    moved = MembershipFactory(person=other, role="Conseillère")

    services.person_merge(keep=keep, others=[other], user=director)

    assert not Membership.objects.filter(pk=twin.pk).exists()
    twin_history = Membership.history.filter(id=twin.pk).order_by("history_id")
    assert [row.history_type for row in twin_history] == ["+", "-"]
    assert twin_history.last().history_user == director
    moved_history = Membership.history.filter(id=moved.pk).order_by("history_id")
    assert [(row.history_type, row.person_id) for row in moved_history] == [
        ("+", other.pk),
        ("~", keep.pk),
    ]
    assert moved_history.last().history_change_reason == f"Fusion de {other.pk}"


def test_every_relation_found_by_introspection_is_moved(director):
    """A check of the introspection itself: each non-history model that refers to a person
    gets a row here, and the merge must move every one of them. A model added later
    fails this test until it has a row below, and the merge already moves it."""
    keep, other = PersonFactory(), PersonFactory()
    builders = {
        Membership: lambda: MembershipFactory(person=other),
        NetworkMembership: lambda: NetworkMembershipFactory(person=other, organisation=None),
        Mandate: lambda: Mandate.objects.create(
            person=other, office=Office.ASSESSOR, start_date=datetime.date(2020, 1, 1)
        ),
        Consent: lambda: ConsentFactory(person=other),
        RightsRequest: lambda: RightsRequestFactory(
            person=other, kind=RightKind.OBJECTION, channel=RequestChannel.POST
        ),
        DocumentAuthor: lambda: DocumentAuthor.objects.create(
            document=Document.objects.create(title="Rapport", doc_type="rapport", year=2007),
            person=other,
        ),
        EventSpeaker: lambda: EventSpeaker.objects.create(
            event=Event.objects.create(
                title="Rencontre",
                slug="rencontre-fusion",
                strand="transversal",
                start_date=datetime.date(2030, 1, 1),
                end_date=datetime.date(2030, 1, 1),
            ),
            person=other,
        ),
        Practice: lambda: Practice.objects.create(
            title="Médiation", summary="s", start_year=2007, lead_contact=other
        ),
    }
    relations = [
        (model, field)
        for model, field in selectors.person_relations()
        if not selectors.is_history_model(model)
    ]
    missing = {model._meta.label for model, _field in relations} - {
        model._meta.label for model in builders
    }
    assert not missing, f"add a row of {missing} to this test"
    rows = {model: builders[model]() for model in {model for model, _field in relations}}

    services.person_merge(keep=keep, others=[other], user=director)

    for model, field in relations:
        assert not model._default_manager.filter(**{field.name: other.pk}).exists(), model
        row = model._default_manager.get(pk=rows[model].pk)
        assert getattr(row, field.attname) == keep.pk, model


def test_merge_refusals_change_nothing(director):
    keep, other = PersonFactory(), PersonFactory()
    with pytest.raises(ValidationError) as refusal:
        services.person_merge(keep=keep, others=[keep], user=director)
    assert refusal.value.messages == ["Une fiche ne peut pas être fusionnée avec elle-même."]
    with pytest.raises(ValidationError):
        services.person_merge(keep=keep, others=[], user=director)
    assert Person.objects.filter(pk__in=[keep.pk, other.pk]).count() == 2
    assert keep.history.count() == 1


def test_contradictory_dates_on_a_collapsed_role_roll_back_everything(director):
    organisation = OrganisationFactory()
    keep, other = PersonFactory(), PersonFactory(email="other@example.org")
    MembershipFactory(
        person=keep, organisation=organisation, role="Maire", end_date=datetime.date(2001, 1, 1)
    )
    MembershipFactory(
        person=other, organisation=organisation, role="Maire", start_date=datetime.date(2008, 3, 1)
    )
    with pytest.raises(ValidationError):
        services.person_merge(keep=keep, others=[other], user=director)
    assert Person.objects.filter(pk=other.pk).exists()
    assert other.memberships.count() == 1
    keep.refresh_from_db()
    assert (keep.email, keep.version) == ("", 1)


def test_a_merge_warns_whoever_is_editing_the_entry_kept(client, director, django_user_model):
    keep, other = PersonFactory(first_name="Claire", last_name="Martin"), PersonFactory()
    officer = _user(django_user_model, roles.PROJECT_OFFICER, "officer")
    client.force_login(officer)
    url = f"{PERSONS_URL}{keep.pk}/change/"
    page = client.get(url)  # opened before the merge, at version 1
    management = {
        f"{inline.formset.prefix}-{key}": "0"
        for inline in page.context["inline_admin_formsets"]
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }

    services.person_merge(keep=keep, others=[other], user=director)

    data = {
        **management,
        "first_name": "Claire",
        "last_name": "Martin",
        "slug": keep.slug,
        "job_title": "Écrasé ?",
        "seen_version": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    keep.refresh_from_db()
    assert keep.job_title != "Écrasé ?"


# --- Organisations --------------------------------------------------------------------------


def test_organisation_merge_moves_roles_children_and_networks(director):
    keep = OrganisationFactory(name="Agence d'urbanisme", kind=OrganisationKind.NETWORK)
    other = OrganisationFactory(
        name="ATU 37",
        acronym="ATU",
        siren="732829320",
        kind=OrganisationKind.NETWORK,
        is_partner=True,
        territories=[TerritoryFactory()],
    )
    child = OrganisationFactory(name="Antenne de Tours", parent=other)
    person = PersonFactory(first_name="Paul", last_name="Durand")
    MembershipFactory(person=person, organisation=keep, role="Directeur")
    twin = MembershipFactory(person=person, organisation=other, role="directeur")
    colleague = MembershipFactory(organisation=other, role="Chargée d'études")
    member = NetworkMembershipFactory(network=other)
    belongs = NetworkMembershipFactory(organisation=other)
    other_pk = other.pk

    merged = services.organisation_merge(keep=keep, others=[other], user=director)

    merged.refresh_from_db()
    assert not Organisation.objects.filter(pk=other_pk).exists()
    assert (merged.name, merged.acronym, merged.siren) == ("Agence d'urbanisme", "ATU", "732829320")
    assert merged.is_partner is True
    assert merged.territories.count() == 1
    assert merged.version == 2
    child.refresh_from_db()
    assert child.parent == merged
    assert "agence d urbanisme" in child.search_text
    assert not Membership.objects.filter(pk=twin.pk).exists()
    assert person.memberships.get().organisation == merged
    colleague.refresh_from_db()
    assert colleague.organisation == merged
    assert "agence d urbanisme" in Person.objects.get(pk=colleague.person_id).search_text
    member.refresh_from_db()
    belongs.refresh_from_db()
    assert (member.network, belongs.organisation) == (merged, merged)
    latest = merged.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == (
        f"Fusion de {other_pk}",
        director,
    )
    assert Organisation.history.filter(id=other_pk, history_type="-").count() == 1


def test_parent_is_filled_but_never_from_the_merged_family(director):
    region = OrganisationFactory(name="Région")
    keep = OrganisationFactory()
    other = OrganisationFactory(parent=region)
    services.organisation_merge(keep=keep, others=[other], user=director)
    keep.refresh_from_db()
    assert keep.parent == region


@pytest.mark.parametrize("relation", ["parent", "child", "grandchild"])
def test_an_organisation_is_not_merged_with_its_family(director, relation):
    keep = OrganisationFactory()
    if relation == "parent":
        other = OrganisationFactory()
        Organisation.objects.filter(pk=keep.pk).update(parent=other)
    elif relation == "child":
        other = OrganisationFactory(parent=keep)
    else:
        other = OrganisationFactory(parent=OrganisationFactory(parent=keep))
    with pytest.raises(ValidationError) as refusal:
        services.organisation_merge(keep=keep, others=[other], user=director)
    assert "parentes ou rattachées" in refusal.value.messages[0]
    assert Organisation.objects.filter(pk=other.pk).exists()


# --- Admin ------------------------------------------------------------------------------------


def test_direction_merges_persons_through_the_confirmation_page(client, director):
    keep = PersonFactory(first_name="Claire", last_name="Martin")
    other = PersonFactory(
        first_name="Claire", last_name="Martín", slug="claire-martin-2", email="c@example.org"
    )
    ConsentFactory(person=other)
    client.force_login(director)
    selection = {"action": "merge_duplicates", "_selected_action": [keep.pk, other.pk]}

    page = client.post(PERSONS_URL, selection)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/actors/merge.html"
    content = page.content.decode()
    assert content.count('name="keep"') == 2
    assert "c@example.org" in content  # what each holds
    assert '<th scope="row">Consentements</th><td>1</td>' in content
    assert Person.objects.filter(pk__in=[keep.pk, other.pk]).count() == 2

    response = client.post(PERSONS_URL, {**selection, "post": "yes", "keep": keep.pk}, follow=True)
    assert response.status_code == 200
    assert not Person.objects.filter(pk=other.pk).exists()
    assert Consent.objects.get().person == keep
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["1 fiche(s) fusionnée(s) dans « Claire Martin »."]


def test_direction_merges_organisations(client, director):
    keep, other = OrganisationFactory(name="Mairie de Tours"), OrganisationFactory(name="Tours")
    client.force_login(director)
    selection = {"action": "merge_duplicates", "_selected_action": [keep.pk, other.pk]}
    assert client.post(ORGANISATIONS_URL, selection).status_code == 200
    response = client.post(ORGANISATIONS_URL, {**selection, "post": "yes", "keep": other.pk})
    assert response.status_code == 302
    assert list(Organisation.objects.filter(pk__in=[keep.pk, other.pk])) == [other]


def test_confirming_without_choosing_shows_the_page_again(client, director):
    first, second = PersonFactory(), PersonFactory()
    client.force_login(director)
    response = client.post(
        PERSONS_URL,
        {"action": "merge_duplicates", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "Choisissez la fiche à conserver." in response.content.decode()
    assert Person.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_single_entry_cannot_be_merged(client, director):
    person = PersonFactory()
    client.force_login(director)
    response = client.post(
        PERSONS_URL, {"action": "merge_duplicates", "_selected_action": [person.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Sélectionnez au moins deux fiches à fusionner."
    ]


@pytest.mark.parametrize("role", [roles.PROJECT_OFFICER, roles.ASSISTANT, roles.DOCUMENTALIST])
@pytest.mark.parametrize("url", [PERSONS_URL, ORGANISATIONS_URL])
def test_only_direction_may_merge(client, django_user_model, role, url):
    client.force_login(_user(django_user_model, role, "staff"))
    factory = PersonFactory if url == PERSONS_URL else OrganisationFactory
    keep, other = factory(), factory()
    model = type(keep)
    assert b'value="merge_duplicates"' not in client.get(url).content
    response = client.post(
        url,
        {
            "action": "merge_duplicates",
            "_selected_action": [keep.pk, other.pk],
            "post": "yes",
            "keep": keep.pk,
        },
    )
    assert response.status_code == 302  # "no action selected"
    assert model.objects.filter(pk__in=[keep.pk, other.pk]).count() == 2
    assert model.objects.get(pk=keep.pk).version == 1


def test_direction_is_offered_the_merge(client, director):
    PersonFactory()
    OrganisationFactory()
    client.force_login(director)
    for url in (PERSONS_URL, ORGANISATIONS_URL):
        assert b'value="merge_duplicates"' in client.get(url).content
