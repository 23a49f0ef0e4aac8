"""Saving records with their relations, the invariants kept by the database and by
validation, and experience records in the shared search (fields, facets, privacy)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from villes2.accounts import roles
from villes2.actors.models import Organisation
from villes2.core.models import SearchEntry, SearchFacet
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.practices import services
from villes2.practices.models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    Practice,
    PracticeActor,
    PracticeFunding,
    PracticeStatus,
)
from villes2.practices.search import decade_of
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, SchemeKind, Territory

pytestmark = pytest.mark.django_db
S = PracticeStatus


@pytest.fixture
def director(reference_data):
    return staff_user("directrice", role=roles.DIRECTION)


@pytest.fixture
def organisation(reference_data):
    return Organisation.objects.create(
        name="Association Médiation Tours", slug="amt", kind="association"
    )


def complete(**fields) -> dict:
    values = {name: f"Texte {name}" for name in TRANSFERABILITY_FIELDS}
    for key, _label in CRITERIA:
        values[f"{key}_rating"] = "moyen"
        values[f"{key}_justification"] = "Justifié."
    return values | fields


def published(director, **fields) -> Practice:
    relations = {
        name: fields.pop(name)
        for name in ("territories", "themes", "schemes", "actors")
        if name in fields
    }
    values = {"title": "Correspondants de nuit", "summary": "Médiation.", "start_year": 2005}
    practice = services.practice_save(Practice(**complete(**values | fields)), **relations)
    for step in (S.IN_REVIEW, S.PUBLISHED):
        services.practice_transition(practice, to_status=step, user=director)
    return practice


def test_save_with_actors_and_fundings_in_order(organisation):
    funder = Organisation.objects.create(name="Acsé", slug="acse-test", kind="service-etat")
    practice = services.practice_save(
        Practice(title="Jardins", summary="s", start_year=2007, budget=Decimal("12000.50")),
        actors=[
            services.ActorInput(organisation.pk, "porteur", " maître d’ouvrage "),
            services.ActorInput(funder.pk, "financeur"),
        ],
        fundings=[
            services.FundingInput(organisation_id=funder.pk, amount=Decimal("8000")),
            services.FundingInput(name="Fonds social européen"),
        ],
    )
    assert [(a.organisation.slug, a.role, a.role_detail) for a in practice.actors.all()] == [
        ("amt", "porteur", "maître d’ouvrage"),
        ("acse-test", "financeur", ""),
    ]
    assert [(f.display_name, f.amount) for f in practice.fundings.all()] == [
        ("Acsé", Decimal("8000.00")),
        ("Fonds social européen", None),
    ]
    # Saving again with the same lists replaces them, never duplicates.
    services.practice_save(practice, actors=[services.ActorInput(organisation.pk, "partenaire")])
    assert PracticeActor.objects.filter(practice=practice).count() == 1
    assert PracticeFunding.objects.filter(practice=practice).count() == 2


def test_an_unnamed_funding_is_refused_and_nothing_is_written(reference_data):
    with pytest.raises(ValidationError) as error:
        services.practice_save(
            Practice(title="Jardins", summary="s", start_year=2007),
            fundings=[services.FundingInput(amount=Decimal("10"))],
        )
    assert "Choisissez un financeur ou nommez-le." in str(error.value)
    assert not Practice.objects.exists()


def test_the_same_actor_twice_is_refused_and_nothing_is_written(organisation):
    twice = [services.ActorInput(organisation.pk, "porteur")] * 2
    with pytest.raises(ValidationError) as error:
        services.practice_save(
            Practice(title="Jardins", summary="s", start_year=2007), actors=twice
        )
    assert error.value.messages == ["La même organisation figure deux fois avec le même rôle."]
    assert not Practice.objects.exists()
    assert not PracticeActor.objects.exists()


def test_a_record_is_not_transferred_to_itself(reference_data):
    practice = services.practice_save(Practice(title="Jardins", summary="s", start_year=2007))
    other = services.practice_save(Practice(title="Jardins bis", summary="s", start_year=2009))
    with pytest.raises(ValidationError) as error:
        services.practice_save(practice, transferred_to=[other, practice])
    assert error.value.message_dict == {
        "transferred_to": ["Une fiche ne peut pas être transférée vers elle-même."]
    }
    assert not practice.transferred_to.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_year": 2004}, "L’année de fin ne peut pas précéder l’année de début."),
        ({"start_year": 1900}, "Indiquez une année entre 1950 et 2200."),
        ({"publics": ["habitants", "martiens"]}, "Choisissez les publics visés dans la liste."),
        ({"coherence_rating": "excellent"}, "n’est pas un choix valide"),
        ({"summary": ""}, "Ce champ ne peut pas être vide."),
    ],
)
def test_invalid_records_get_french_errors(reference_data, fields, message):
    values = {"title": "Jardins", "summary": "s", "start_year": 2005} | fields
    with pytest.raises(ValidationError) as error:
        services.practice_save(Practice(**values))
    assert message in str(error.value)
    assert not Practice.objects.exists()


def test_the_database_refuses_an_end_before_the_start(reference_data):
    with pytest.raises(IntegrityError), transaction.atomic():
        Practice.objects.create(title="t", summary="s", start_year=2010, end_year=2009)


def test_period_label():
    assert Practice(start_year=2005, end_year=2008).period_label == "2005–2008"
    assert Practice(start_year=2005, end_year=2005).period_label == "2005"
    assert Practice(start_year=2005).period_label == "depuis 2005"


def test_decades():
    assert decade_of(2005) == "2000-2009"
    assert decade_of(2010) == "2010-2019"


def test_a_published_record_is_found_by_its_texts_and_facets(director, organisation):
    tours = Territory.objects.get(kind="commune", code="37261")
    scheme = Scheme.objects.create(kind=SchemeKind.CUCS, name="CUCS de Tours", source="test")
    scheme.territories.add(tours)
    theme = Concept.objects.filter(scheme__is_theme_scheme=True, broader__isnull=True).first()
    practice = published(
        director,
        title="Correspondants de nuit au Sanitas",
        title_en="Night mediators",
        start_year=2006,
        end_year=2012,
        publics=["habitants", "jeunes"],
        transfer_prerequisites="Un bailleur social engagé",
        territories=[tours],
        themes=[theme],
        schemes=[scheme],
        actors=[services.ActorInput(organisation.pk, "porteur")],
    )

    def found(**request) -> list[int]:
        return [hit.object.pk for hit in run_search(SearchRequest(**request)).hits]

    assert found(q="correspondants nuit") == [practice.pk]
    assert found(q="night mediators") == [practice.pk]  # the English title
    assert found(q="bailleur engagé", kinds=("practices",)) == [practice.pk]  # the body
    assert found(q="Médiation Tours", kinds=("practices",)) == [practice.pk]  # an actor
    entry = SearchEntry.objects.get(kind="practices", object_id=practice.pk)
    assert (entry.type, entry.year, entry.public) == ("experience", 2006, True)
    facets = dict.fromkeys(("public", "scheme", "period"))
    for facet in facets:
        facets[facet] = sorted(
            SearchFacet.objects.filter(entry=entry, facet=facet).values_list("value", flat=True)
        )
    assert facets == {
        "public": ["habitants", "jeunes"],
        "scheme": ["cucs"],
        "period": ["2000-2009", "2010-2019"],
    }
    assert found(kinds=("practices",), filters={"scheme": ("cucs",)}) == [practice.pk]
    assert found(kinds=("practices",), filters={"public": ("elus",)}) == []
    assert found(kinds=("practices",), filters={"period": ("2010-2019",)}) == [practice.pk]
    assert found(kinds=("practices",), filters={"territory": ("departement-37",)}) == [practice.pk]
    results = run_search(SearchRequest(kinds=("practices",)))
    options = {
        facet: {o.value: (o.label, o.count) for o in opts} for facet, opts in results.facets.items()
    }
    assert options["public"] == {"habitants": ("Habitants", 1), "jeunes": ("Jeunes", 1)}
    assert options["scheme"] == {"cucs": ("CUCS (contrat urbain de cohésion sociale)", 1)}
    assert options["period"] == {"2000-2009": ("2000–2009", 1), "2010-2019": ("2010–2019", 1)}


def test_an_ongoing_record_counts_up_to_this_year(director):
    practice = published(director, start_year=2019)
    entry = SearchEntry.objects.get(kind="practices", object_id=practice.pk)
    periods = set(
        SearchFacet.objects.filter(entry=entry, facet="period").values_list("value", flat=True)
    )
    assert periods == {decade_of(year) for year in range(2019, datetime.date.today().year + 1)}


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.WITHDRAWN])
def test_unpublished_records_are_found_by_staff_only(director, status):
    practice = services.practice_save(
        Practice(title="Régie de quartier expérimentale", summary="s", start_year=2008)
    )
    path = {
        S.DRAFT: [],
        S.SUBMITTED: [S.SUBMITTED],
        S.IN_REVIEW: [S.IN_REVIEW],
        S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
    }[status]
    for step in path:
        services.practice_transition(practice, to_status=step, user=director)
    public = run_search(SearchRequest(q="régie quartier expérimentale"))
    staff = run_search(SearchRequest(q="régie quartier expérimentale", staff=True))
    assert public.total == 0
    assert [hit.object.pk for hit in staff.hits] == [practice.pk]


def test_withdrawing_removes_the_record_from_the_public_search(director):
    practice = published(director, title="Bus de l’emploi")
    assert run_search(SearchRequest(q="bus emploi")).total == 1
    services.practice_transition(practice, to_status=S.WITHDRAWN, user=director)
    assert run_search(SearchRequest(q="bus emploi")).total == 0


def test_renaming_an_organisation_reindexes_its_records(director, organisation):
    from villes2.actors.services.directory import organisation_search_text_refresh

    practice = published(director, actors=[services.ActorInput(organisation.pk, "porteur")])
    organisation.name = "Régie Tourangelle"
    organisation.save()
    organisation_search_text_refresh(organisation=organisation)
    hits = run_search(SearchRequest(q="tourangelle", kinds=("practices",))).hits
    assert [hit.object.pk for hit in hits] == [practice.pk]


def test_erasing_the_lead_contact_keeps_the_record_and_its_history(director):
    from villes2.actors.models import ErasureReason, Person
    from villes2.actors.selectors.privacy import person_export
    from villes2.actors.services import person_erase

    person = Person.objects.create(first_name="Zébulon", last_name="Martin", slug="zm")
    practice = published(director, lead_contact=person)
    export = person_export(person)
    assert [row["pk"] for row in export["related"]["practices.Practice"]] == [practice.pk]
    history = practice.history.count()
    person_erase(person=person, reason=ErasureReason.REQUEST)
    practice.refresh_from_db()
    assert practice.lead_contact is None
    assert practice.status == S.PUBLISHED
    assert practice.history.count() == history  # kept: it never held the contact
