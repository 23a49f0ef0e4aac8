"""INVENTED experience records for the end-to-end tests only (see README.md).

Run by the `live_site` fixture after `load_reference_data`, the catalogue import and the
agenda test data, through `manage.py shell -c "import runpy; runpy.run_path(...)"`.
Records are written through the practices services (`practice_save`, then
`practice_transition` step by step by an invented reviewer), as every surface writes
them, so they are validated, indexed and carry their history:

1. "Médiation sociale de nuit (fiche de test)", Tours, published: every field of the
   fiche, two linked organisations, two funders, an invented lead contact who consented
   to publish her e-mail, a linked catalogue record and agenda event;
2. "Médiation de nuit transposée à Poitiers (fiche de test)", published, transferred
   from record 1;
3. "Brouillon de test jamais public (fiche de test)", a draft: never public.

The first records of a fresh database: their ids are 1, 2 and 3 (the tests name them).
Re-running changes nothing. Territories, themes and organisations are real reference
data; the scheme, the person and every text are invented.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from villes2.accounts.roles import DIRECTION
from villes2.actors.models import ConsentPurpose, Organisation, Person, PublicField
from villes2.actors.services import consents_record, person_search_text_refresh
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.practices.models import ActorRole, Practice, PracticeStatus
from villes2.practices.services import (
    ActorInput,
    FundingInput,
    practice_save,
    practice_transition,
)
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, SchemeKind, Territory

TEST_SOURCE = "Données de test (inventées) — tests de bout en bout"
S = PracticeStatus


def _themes(*slugs: str) -> list[Concept]:
    found = {
        c.slug: c for c in Concept.objects.filter(scheme__is_theme_scheme=True, slug__in=slugs)
    }
    return [found[slug] for slug in slugs]


def _organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _reviewer():
    user, created = get_user_model().objects.get_or_create(
        username="relectrice-test-e2e",
        defaults={"is_staff": True, "first_name": "Relectrice", "last_name": "De Test"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=DIRECTION))
    return user


def _lead_contact() -> Person:
    person, created = Person.objects.get_or_create(
        slug="personne-de-test-mediation",
        defaults={
            "first_name": "Camille",
            "last_name": "Essai",
            "job_title": "Coordinatrice de la médiation (personne inventée)",
            "email": "camille.essai@example.org",
            "phone": "02 47 00 00 00",
            "source": TEST_SOURCE,
        },
    )
    if created:
        person_search_text_refresh(person=person)
        consents_record(
            person=person,
            purposes={ConsentPurpose.PUBLIC_LISTING},
            public_fields={PublicField.EMAIL},
            channel="tests de bout en bout",
        )
    return person


def _record(title: str, status: str, *, reviewer, **relations_and_fields) -> Practice:
    existing = Practice.objects.filter(title=title).first()
    if existing is not None:
        return existing
    relations = {
        name: relations_and_fields.pop(name)
        for name in (
            "territories",
            "schemes",
            "themes",
            "documents",
            "events",
            "transferred_to",
            "actors",
            "fundings",
        )
        if name in relations_and_fields
    }
    practice = practice_save(
        Practice(title=title, **relations_and_fields), user=reviewer, **relations
    )
    steps = {S.DRAFT: (), S.PUBLISHED: (S.IN_REVIEW, S.PUBLISHED)}[status]
    for step in steps:
        practice_transition(practice, to_status=step, user=reviewer)
    return practice


TRANSFERABILITY = {
    "transfer_prerequisites": (
        "Une association de médiation employeuse, des financements de postes adultes-relais, "
        "l'accord des bailleurs sociaux et de la police municipale. (Texte inventé.)"
    ),
    "transfer_specific": (
        "Une forte tradition associative dans le quartier et un bailleur unique. (Texte inventé.)"
    ),
    "transfer_adaptation": (
        "Commencer par deux soirs par semaine ; recruter des médiateurs du quartier ; "
        "installer le comité de suivi avant le démarrage. (Texte inventé.)"
    ),
    "transfer_cost_time": (
        "Six mois de préparation ; environ 120 000 € par an pour quatre médiateurs. "
        "(Texte inventé.)"
    ),
    "coherence_rating": "fort",
    "coherence_justification": "Approche intégrée, associant habitants et institutions.",
    "relevance_rating": "fort",
    "relevance_justification": "Tranquillité publique et lien social : priorités du CUCS.",
    "impact_rating": "moyen",
    "impact_justification": "Évaluation interne seulement ; baisse des plaintes de 30 %.",
    "transfer_rating": "fort",
    "transfer_justification": "Déjà transposée à Poitiers (fiche de test n° 2).",
}

reviewer = _reviewer()
tours = Territory.objects.get(kind="commune", code="37261")
poitiers = Territory.objects.get(kind="commune", code="86194")
cucs, _created = Scheme.objects.get_or_create(
    name="CUCS de test de Tours",
    defaults={"kind": SchemeKind.CUCS, "source": TEST_SOURCE, "lead_territory": tours},
)
cucs.territories.add(tours)

first = _record(
    "Médiation sociale de nuit (fiche de test)",
    S.PUBLISHED,
    reviewer=reviewer,
    title_en="Night-time social mediation (test record)",
    summary=(
        "Fiche inventée pour les tests de bout en bout. Quatre médiateurs sillonnent le "
        "quartier de 18 h à minuit pour apaiser les conflits de voisinage."
    ),
    summary_en="Invented record for the end-to-end tests: night-time mediators in a district.",
    context="Quartier prioritaire, plaintes nombreuses pour tapage nocturne. (Texte inventé.)",
    objectives="Apaiser les conflits ; orienter les habitants vers les services.",
    actions="Tournées de nuit, permanences, médiation entre locataires. (Texte inventé.)",
    publics=["habitants", "jeunes", "locataires"],
    public_detail="Habitants et jeunes du quartier (texte inventé).",
    lead_contact=_lead_contact(),
    start_year=2005,
    end_year=2009,
    budget=Decimal("120000"),
    budget_detail="Quatre postes adultes-relais cofinancés. (Texte inventé.)",
    tools="Carnet de bord partagé, charte de médiation.",
    results="Baisse des plaintes de 30 % en deux ans (chiffre inventé).",
    evaluation="Évaluation interne annuelle par le comité de suivi.",
    success_factors="Médiateurs issus du quartier ; soutien constant des élus.",
    difficulties="Turnover des médiateurs ; financement annuel incertain.",
    territories=[tours],
    schemes=[cucs],
    themes=_themes("mediation-sociale", "prevention-delinquance"),
    documents=list(Document.objects.filter(title="Médiation sociale et adultes-relais")),
    events=list(Event.objects.filter(slug="rencontre-test-inscriptions-2030")),
    actors=[
        ActorInput(_organisation("ville-tours").pk, ActorRole.LEAD),
        ActorInput(_organisation("apdsu").pk, ActorRole.SUPPORT, "Appui méthodologique"),
    ],
    fundings=[
        FundingInput(organisation_id=_organisation("acse").pk, amount=Decimal("80000")),
        FundingInput(name="Bailleurs sociaux du quartier (test)", amount=Decimal("40000")),
    ],
    **TRANSFERABILITY,
)
second = _record(
    "Médiation de nuit transposée à Poitiers (fiche de test)",
    S.PUBLISHED,
    reviewer=reviewer,
    summary="Fiche inventée pour les tests : la médiation de nuit de Tours, reprise à Poitiers.",
    publics=["habitants"],
    start_year=2010,
    territories=[poitiers],
    themes=_themes("mediation-sociale"),
    actors=[ActorInput(_organisation("ville-poitiers").pk, ActorRole.LEAD)],
    **TRANSFERABILITY,
)
if not first.transferred_to.filter(pk=second.pk).exists():
    practice_save(first, transferred_to=[second], user=reviewer)
_record(
    "Brouillon de test jamais public (fiche de test)",
    S.DRAFT,
    reviewer=reviewer,
    summary="Fiche inventée pour les tests : un brouillon, qui ne doit apparaître nulle part.",
    start_year=2008,
    territories=[tours],
)
