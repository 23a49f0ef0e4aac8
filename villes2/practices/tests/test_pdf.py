"""The fiche as a PDF: it opens, holds the content of the record page in the same order
with the criteria table, numbers its pages and names the record's address and the
centre at the foot of each; same visibility as the page."""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from villes2.accounts import roles
from villes2.actors.tests.factories import ConsentFactory, OrganisationFactory, PersonFactory
from villes2.core.testing import staff_user
from villes2.practices.models import ActorRole, PracticeStatus
from villes2.practices.services import ActorInput, FundingInput
from villes2.taxonomy.models import Concept

from .factories import NON_PUBLIC_STATUSES, PracticeFactory

pytestmark = pytest.mark.django_db
S = PracticeStatus
LONG = "Un long paragraphe sur l’œuvre des médiateurs, leurs tournées et leurs carnets. " * 40


def read(response) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(response.content))
    return reader, [page.extract_text() for page in reader.pages]


def flat(pages: list[str]) -> str:
    # Lines wrapped by the layout are joined again: the test reads sentences.
    return re.sub(r"\s+", " ", " ".join(pages))


@pytest.fixture
def practice(territories):
    person = PersonFactory(
        first_name="Camille",
        last_name="Essai",
        job_title="Coordinatrice",
        email="camille@example.org",
        phone="02 47 00 00 00",
    )
    ConsentFactory(person=person, fields=["email"])
    city = OrganisationFactory(name="Ville de Tours (test)")
    earlier = PracticeFactory(published=True, title="Origine nantaise")
    practice = PracticeFactory(
        published=True,
        title="Médiation sociale de nuit : l’œuvre des « grands frères »",
        title_en="Night-time social mediation",
        summary="Des médiateurs de nuit dans le quartier.",
        context=LONG,
        actions="Tournées de nuit.",
        publics=["jeunes"],
        start_year=2005,
        end_year=2009,
        budget=Decimal("120000"),
        results="Moins de plaintes.",
        lead_contact=person,
        territories=[territories.get(kind="commune", code="37261")],
        themes=[Concept.objects.get(scheme__is_theme_scheme=True, slug="mediation-sociale")],
        actors=[ActorInput(city.pk, ActorRole.LEAD, "Maître d’ouvrage")],
        fundings=[FundingInput(name="Bailleurs du quartier", amount=Decimal("40000"))],
    )
    earlier.transferred_to.add(practice)
    return practice


def test_the_pdf_is_the_fiche(client, practice):
    response = client.get(f"/experiences/{practice.pk}/fiche.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="experience-{practice.pk}-'
        'mediation-sociale-de-nuit-l-oeuvre-des-grands-freres.pdf"'
    )
    reader, pages = read(response)
    assert reader.metadata.title == practice.title
    assert reader.metadata.author == "Villes²"
    assert reader.pdf_header.startswith("%PDF-")
    text = flat(pages)
    # The same sections as the page, in the same order, accents and "œ" intact.
    expected = [
        "Fiche expérience",
        practice.title,
        "Night-time social mediation",
        "Période 2005–2009",
        "Territoires Tours",
        "Thèmes médiation sociale",
        "Publics visés Jeunes",
        "Synthèse Des médiateurs de nuit dans le quartier.",
        "Contexte Un long paragraphe sur l’œuvre des médiateurs",
        "Actions menées Tournées de nuit.",
        "Acteurs et partenaires • Ville de Tours (test), Porteur, Maître d’ouvrage",
        "Contact référent Nom Camille Essai Fonction Coordinatrice Courriel camille@example.org",
        "Budget et financement Budget 120 000 €",
        "Financeur Montant Bailleurs du quartier 40 000 €",
        "Résultats et évaluation Résultats Moins de plaintes.",
        "Transférabilité Ce qui doit exister localement Ce qui doit exister localement (test).",
        "Ce qui était propre au lieu Ce qui était propre au lieu (test).",
        "Comment l’adapter Comment l’adapter (test).",
        "Coût et délai du transfert Coût et délai du transfert (test).",
        "Évaluation selon les quatre critères Critère Appréciation Justification",
        "Pertinence thématique Fort Justification de test : pertinence.",
        "Preuves d’impact Moyen Justification de test : impact.",
        "Aptitude au transfert Fort Justification de test : transfert.",
        "Transferts Transférée depuis • Origine nantaise (depuis 2008)",
        "Relue par Claire Relectrice le",
        "Première publication le",
    ]
    positions = [text.find(part) for part in expected]
    assert -1 not in positions, [part for part in expected if part not in text]
    assert positions == sorted(positions)
    assert "02 47" not in text  # the phone was not consented to
    # Normalised spaces: the French thousands separator is a (narrow) no-break space.
    assert "Cohérence avec les principes de la politique de la ville" in text


def test_every_page_has_its_number_and_the_address_at_the_foot(client, practice):
    _reader, pages = read(client.get(f"/experiences/{practice.pk}/fiche.pdf"))
    assert len(pages) >= 2
    url = f"http://testserver/experiences/{practice.pk}/"
    for number, page in enumerate(pages, start=1):
        assert f"Villes² — {url}" in page
        assert f"Page {number} sur {len(pages)}" in page


def test_the_english_pdf_has_english_headings(client, practice):
    _reader, pages = read(client.get(f"/en/experiences/{practice.pk}/fiche.pdf"))
    text = flat(pages)
    assert "Experience record" in text
    assert "Assessment against the four criteria Criterion Rating Justification" in text
    assert "Page 1 of" in text
    assert "Summary Des médiateurs de nuit dans le quartier." in text


def test_without_consent_the_centre_is_the_contact(client, territories):
    person = PersonFactory(first_name="Camille", last_name="Essai", email="c@example.org")
    practice = PracticeFactory(published=True, lead_contact=person)
    text = flat(read(client.get(f"/experiences/{practice.pk}/fiche.pdf"))[1])
    assert "Contact référent Prendre contact par le centre de ressources Villes²." in text
    assert "Essai" not in text and "c@example.org" not in text


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_the_public_gets_404_for_a_non_published_record(client, reference_data, status):
    practice = PracticeFactory(status=status)
    assert client.get(f"/experiences/{practice.pk}/fiche.pdf").status_code == 404


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_the_staff_get_it_marked_as_not_published(client, reference_data, status):
    practice = PracticeFactory(status=status)
    client.force_login(staff_user("chargee", role=roles.PROJECT_OFFICER))
    response = client.get(f"/experiences/{practice.pk}/fiche.pdf")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = flat(read(response)[1])
    assert f"Non publiée ({S(status).label}) : seule l’équipe voit cette fiche." in text


def test_an_unknown_record_has_no_pdf(client, reference_data):
    assert client.get("/experiences/999999/fiche.pdf").status_code == 404


def test_a_title_without_latin_letters_gives_a_plain_file_name(client, reference_data):
    practice = PracticeFactory(published=True, title="« … » — ١٢٣")
    response = client.get(f"/experiences/{practice.pk}/fiche.pdf")
    assert response["Content-Disposition"] == (f'inline; filename="experience-{practice.pk}.pdf"')


def test_a_reviewer_without_a_name_is_not_named_by_their_login(client, reference_data):
    reviewer = staff_user("compte-relecture", role=roles.DIRECTION)
    practice = PracticeFactory(published=True, reviewer=reviewer)
    text = flat(read(client.get(f"/experiences/{practice.pk}/fiche.pdf"))[1])
    assert "Relue le " in text
    assert "compte-relecture" not in text
