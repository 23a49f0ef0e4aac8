"""The public pages of experience records: the list (a search restricted to records, with
its facets and htmx updates), the record page laid out as a fiche, the lead contact shown
only as the person consented, and drafts, submitted, under-review and withdrawn records
absent from every public surface (pages, list, `/recherche/`, sitemap)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from lxml import html

from villes2.accounts import roles
from villes2.actors.tests.factories import ConsentFactory, OrganisationFactory, PersonFactory
from villes2.core.testing import staff_user
from villes2.documents.tests.factories import record as document_record
from villes2.events.tests.factories import event as agenda_event
from villes2.practices.models import ActorRole, PracticeStatus
from villes2.practices.services import ActorInput, FundingInput
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, SchemeKind

from .factories import (
    NON_PUBLIC_STATUSES,
    PracticeAttachmentFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db
S = PracticeStatus


def tree(response):
    return html.fromstring(response.content.decode())


def texts(element, xpath: str) -> list[str]:
    """The text of each node, its parts joined by one space (as a reader hears them)."""
    return [" ".join(" ".join(node.itertext()).split()) for node in element.xpath(xpath)]


def theme(slug: str) -> Concept:
    return Concept.objects.get(scheme__is_theme_scheme=True, slug=slug)


@pytest.fixture
def places(territories):
    return {
        "tours": territories.get(kind="commune", code="37261"),
        "poitiers": territories.get(kind="commune", code="86194"),
    }


@pytest.fixture
def cucs(places):
    scheme = Scheme.objects.create(
        kind=SchemeKind.CUCS, name="CUCS de Tours (test)", source="Données de test"
    )
    scheme.territories.add(places["tours"])
    return scheme


@pytest.fixture
def full(places, cucs, settings, tmp_path):
    """A published record with every field and relation, and what it links to."""
    settings.MEDIA_ROOT = tmp_path / "media"
    city = OrganisationFactory(name="Ville de test", acronym="VDT")
    network = OrganisationFactory(name="Réseau de test")
    funder = OrganisationFactory(name="Financeur public de test")
    public_document = document_record(title="Rapport public lié")
    draft_document = document_record(title="Rapport brouillon lié", status="brouillon")
    public_event = agenda_event(title="Rencontre publique liée")
    hidden_event = agenda_event(title="Rencontre non publiée liée", published=False)
    later = PracticeFactory(published=True, title="Reprise à Poitiers", start_year=2011)
    hidden_later = PracticeFactory(status=S.DRAFT, title="Reprise en brouillon")
    earlier = PracticeFactory(
        published=True, title="Origine nantaise", start_year=2001, end_year=2004
    )
    practice = PracticeFactory(
        published=True,
        title="Médiation sociale de nuit",
        title_en="Night-time social mediation",
        summary="Des médiateurs de nuit dans le quartier.",
        summary_en="Night-time mediators in the district.",
        context="Un quartier bruyant.",
        objectives="Apaiser les conflits.",
        actions="Tournées de nuit.",
        publics=["habitants", "jeunes"],
        public_detail="Les jeunes de 16 à 25 ans du quartier",
        start_year=2005,
        end_year=2009,
        budget=Decimal("120000"),
        budget_detail="Quatre postes d’adultes-relais.",
        tools="Une charte de médiation.",
        results="Moins de plaintes.",
        evaluation="Évaluation interne annuelle.",
        success_factors="Des médiateurs du quartier.",
        difficulties="Le financement annuel.",
        territories=[places["tours"]],
        schemes=[cucs],
        themes=[theme("mediation-sociale"), theme("prevention-delinquance")],
        documents=[public_document, draft_document],
        events=[public_event, hidden_event],
        transferred_to=[later, hidden_later],
        actors=[
            ActorInput(city.pk, ActorRole.LEAD),
            ActorInput(network.pk, ActorRole.SUPPORT, "Appui méthodologique"),
        ],
        fundings=[
            FundingInput(organisation_id=funder.pk, amount=Decimal("80000")),
            FundingInput(name="Bailleurs du quartier"),
        ],
    )
    earlier.transferred_to.add(practice)
    attachment = PracticeAttachmentFactory(practice=practice, title="Bilan 2008")
    return {
        "practice": practice,
        "attachment": attachment,
        "city": city,
        "funder": funder,
        "later": later,
        "earlier": earlier,
    }


# --- The list ----------------------------------------------------------------------


def test_the_empty_list_says_nothing_is_published_yet(client, reference_data):
    PracticeFactory(status=S.IN_REVIEW)
    response = client.get("/experiences/")
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Expériences"]
    assert texts(page, '//section[@class="results"]/p') == ["Rien n’a encore été publié ici."]
    assert page.xpath('//a[@href="/experiences/proposer/"]')
    assert page.xpath('//a[@href="/flux/experiences.rss"]')
    assert page.xpath('//a[@href="/flux/experiences.atom"]')
    assert page.xpath('//link[@rel="alternate"][@href="/flux/experiences.atom"]')
    assert page.xpath('//a[@href="/experiences/export.json"]')
    assert page.xpath('//a[@href="/experiences/format-eukn/"]')


def test_the_list_shows_published_records_with_their_facets(client, full):
    response = client.get("/experiences/")
    page = tree(response)
    assert texts(page, '//ol[@class="hits"]/li/h3/a') == [
        "Reprise à Poitiers",
        "Médiation sociale de nuit",
        "Origine nantaise",
    ]
    assert texts(page, '//ol[@class="hits"]/li[2]/h3/span') == ["Night-time social mediation"]
    legends = texts(page, '//aside[@class="facets"]/fieldset/legend')
    # The year range of the shared search, then the list's facets; no type, no year.
    assert legends == ["Années", "Thème", "Territoire", "Public visé", "Dispositif", "Période"]
    facets = response.context["results"].facets
    assert set(facets) == {"theme", "territory", "public", "scheme", "period"}
    assert {option.value: option.count for option in facets["public"]} == {
        "habitants": 1,
        "jeunes": 1,
    }
    assert [(o.value, o.label, o.count) for o in facets["scheme"]] == [
        ("cucs", "CUCS (contrat urbain de cohésion sociale)", 1)
    ]
    assert {option.value: option.count for option in facets["period"]} == {
        "2000-2009": 2,
        "2010-2019": 1,
        "2020-2029": 1,  # "Reprise à Poitiers" still runs (no end year)
    }


@pytest.mark.parametrize(
    ("parameters", "titles"),
    [
        ({"public": "jeunes"}, ["Médiation sociale de nuit"]),
        ({"dispositif": "cucs"}, ["Médiation sociale de nuit"]),
        ({"periode": "2010-2019"}, ["Reprise à Poitiers"]),
        ({"theme": "prevention-citoyennete-mediation"}, ["Médiation sociale de nuit"]),
        ({"territoire": "departement-37"}, ["Médiation sociale de nuit"]),
        ({"q": "adultes-relais"}, ["Médiation sociale de nuit"]),
        (
            {"periode": ["2000-2009", "2010-2019"]},
            ["Reprise à Poitiers", "Médiation sociale de nuit", "Origine nantaise"],
        ),
    ],
)
def test_facets_and_words_filter_the_list(client, full, parameters, titles):
    response = client.get("/experiences/", parameters)
    assert [hit.object.title for hit in response.context["results"].hits] == titles


def test_the_export_links_carry_the_selection_but_not_the_page(client, full):
    response = client.get(
        "/experiences/",
        {"public": "jeunes", "q": "nuit", "page": "1", "tri": "date", "annee_min": ""},
    )
    page = tree(response)
    assert page.xpath('//section[@id="practices-links"]//a[@type="application/json"]/@href') == [
        "/experiences/export.json?public=jeunes&q=nuit"
    ]
    assert page.xpath('//section[@id="practices-links"]//a[@type="application/xml"]/@href') == [
        "/experiences/export.xml?public=jeunes&q=nuit"
    ]


def test_an_htmx_update_sends_the_results_and_the_export_links(client, full):
    response = client.get("/experiences/", {"public": "jeunes"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1" not in content and "<html" not in content
    fragment = html.fragment_fromstring(content, create_parent="div")
    assert fragment.xpath('./div[@id="search-area"]')
    links = fragment.xpath('./section[@id="practices-links"]')
    assert [link.get("hx-swap-oob") for link in links] == ["true"]
    assert links[0].xpath('.//a[@type="application/json"]/@href') == [
        "/experiences/export.json?public=jeunes"
    ]
    assert "HX-Request" in response["Vary"]


def test_the_english_list(client, full):
    page = tree(client.get("/en/experiences/"))
    assert texts(page, "//h1") == ["Experiences"]
    assert page.xpath('//ol[@class="hits"]/li/h3/a[@lang="fr"]')
    assert texts(page, '//ol[@class="hits"]/li[2]/h3/span[@lang="en"]') == [
        "Night-time social mediation"
    ]


# --- The record page ---------------------------------------------------------------


def test_the_record_page_is_a_fiche(client, full):
    practice = full["practice"]
    response = client.get(f"/experiences/{practice.pk}/")
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Médiation sociale de nuit"]
    assert page.xpath("//h1/@lang") == ["fr"]
    assert texts(page, '//p[@class="fiche-title-en"][@lang="en"]') == [
        "Night-time social mediation"
    ]
    assert not page.xpath('//p[contains(@class, "fiche-status")]')
    facts = dict(
        zip(
            texts(page, '//dl[contains(@class, "fiche-facts")]/dt'),
            texts(page, '//dl[contains(@class, "fiche-facts")]/dd'),
            strict=True,
        )
    )
    assert facts == {
        "Période": "2005–2009",
        "Territoires": "Tours",
        "Thèmes": "médiation sociale prévention de la délinquance",
        "Dispositifs": "CUCS de Tours (test) — CUCS (contrat urbain de cohésion sociale)",
        "Publics visés": "Habitants, Jeunes Les jeunes de 16 à 25 ans du quartier",
    }
    assert page.xpath('//dl[contains(@class, "fiche-facts")]//a/@href') == [
        "/territoires/commune/37261/",
        "/thesaurus/themes/mediation-sociale/",
        "/thesaurus/themes/prevention-delinquance/",
    ]
    assert texts(page, "//article//h2") == [
        "Synthèse",
        "Contexte",
        "Objectifs",
        "Actions menées",
        "Acteurs et partenaires",
        "Contact référent",
        "Budget et financement",
        "Outils et ressources",
        "Résultats et évaluation",
        "Facteurs clés de succès",
        "Difficultés",
        "Transférabilité",
        "Pièces jointes et ressources",
        "Transferts",
    ]
    assert texts(page, '//ul[@class="fiche-actors"]/li') == [
        "Ville de test (VDT) — Porteur",
        "Réseau de test — Appui technique, Appui méthodologique",
    ]
    assert page.xpath('//ul[@class="fiche-actors"]/li/a/@href') == [
        full["city"].get_absolute_url(),
        "/annuaire/organisations/reseau-de-test/",
    ]
    assert texts(page, '//table[@class="fiche-fundings"]/tbody/tr') == [
        "Financeur public de test 80 000 €",
        "Bailleurs du quartier non précisé",
    ]
    assert texts(page, '//section[@aria-labelledby="budget"]/p') == ["Budget : 120 000 €"]


def test_the_transferability_block_and_its_criteria_table(client, full):
    page = tree(client.get(f"/experiences/{full['practice'].pk}/"))
    block = page.xpath('//section[@aria-labelledby="transferabilite"]')[0]
    assert texts(block, "./h3") == [
        "Ce qui doit exister localement",
        "Ce qui était propre au lieu",
        "Comment l’adapter",
        "Coût et délai du transfert",
    ]
    assert texts(block, './div[@class="prose"]') == [
        "Ce qui doit exister localement (test).",
        "Ce qui était propre au lieu (test).",
        "Comment l’adapter (test).",
        "Coût et délai du transfert (test).",
    ]
    table = block.xpath(".//table")[0]
    assert texts(table, "./caption") == ["Évaluation selon les quatre critères"]
    assert table.xpath("./thead/tr/th/@scope") == ["col", "col", "col"]
    assert [texts(row, "./*") for row in table.xpath("./tbody/tr")] == [
        [
            "Cohérence avec les principes de la politique de la ville",
            "Fort",
            "Justification de test : cohérence.",
        ],
        ["Pertinence thématique", "Fort", "Justification de test : pertinence."],
        ["Preuves d’impact", "Moyen", "Justification de test : impact."],
        ["Aptitude au transfert", "Fort", "Justification de test : transfert."],
    ]
    assert table.xpath("./tbody/tr/th/@scope") == ["row"] * 4


def test_links_go_only_to_public_records_documents_and_events(client, full):
    practice = full["practice"]
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    resources = page.xpath('//section[@aria-labelledby="ressources"]')[0]
    assert texts(resources, "./h3") == ["Pièces jointes", "Documents liés", "Événements liés"]
    assert resources.xpath('.//ul[@class="files"]/li/a/@href') == [
        f"/experiences/{practice.pk}/pieces/{full['attachment'].pk}/"
    ]
    assert texts(resources, './/ul[@class="files"]/li/a') == ["Bilan 2008"]
    linked = texts(resources, ".//ul/li/a")
    assert "Rapport public lié" in linked and "Rencontre publique liée" in linked
    assert "Rapport brouillon lié" not in linked and "Rencontre non publiée liée" not in linked
    transfers = page.xpath('//section[@aria-labelledby="transferts"]')[0]
    assert texts(transfers, "./h3") == ["Transférée depuis", "Transférée vers"]
    assert texts(transfers, ".//li/a") == ["Origine nantaise", "Reprise à Poitiers"]
    assert "Reprise en brouillon" not in html.tostring(page, encoding="unicode")


def test_the_footer_names_the_reviewer_and_the_dates(client, full):
    practice = full["practice"]
    practice.refresh_from_db()
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    reviewed = timezone.localtime(practice.last_reviewed_at).date()
    published = timezone.localtime(practice.first_published_at).date()
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]  # fmt: skip

    def french(day: datetime.date) -> str:
        return f"{day.day} {months[day.month - 1]} {day.year}"

    assert texts(page, '//footer[@class="fiche-footer"]/p') == [
        f"Relue par Claire Relectrice le {french(reviewed)}.",
        f"Première publication le {french(published)}.",
    ]


def test_the_page_offers_print_pdf_and_exports(client, full):
    pk = full["practice"].pk
    page = tree(client.get(f"/experiences/{pk}/"))
    actions = page.xpath('//ul[@class="fiche-actions"]')[0]
    assert actions.xpath(".//button[@data-print]/@type") == ["button"]
    assert actions.xpath(".//a/@href") == [
        f"/experiences/{pk}/fiche.pdf",
        f"/experiences/{pk}/export.json",
        f"/experiences/{pk}/export.xml",
        "/experiences/format-eukn/",
    ]
    assert page.xpath('//link[@rel="stylesheet"][contains(@href, "practices")]')
    assert page.xpath('//script[contains(@src, "practices")]')


def test_an_incomplete_record_says_what_is_not_stated(client, reference_data):
    practice = PracticeFactory(complete=False)
    client.force_login(staff_user(role=roles.DOCUMENTALIST))
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    block = page.xpath('//section[@aria-labelledby="transferabilite"]')[0]
    assert texts(block, './p[@class="muted"]') == ["Non renseigné."] * 4
    assert [texts(row, "./td")[0] for row in block.xpath(".//tbody/tr")] == ["Non évalué"] * 4


def test_the_english_page_marks_french_texts(client, full):
    page = tree(client.get(f"/en/experiences/{full['practice'].pk}/"))
    assert page.xpath("/html/@lang") == ["en"]
    assert texts(page, "//article//h2")[:3] == ["Summary", "Context", "Objectives"]
    assert page.xpath('//section[@aria-labelledby="contexte"]/div/@lang') == ["fr"]
    assert page.xpath('//p[@class="fiche-title-en"]/@lang') == ["en"]
    assert texts(page, '//dl[contains(@class, "fiche-facts")]/dd')[4] == (
        "Residents, Young people Les jeunes de 16 à 25 ans du quartier"
    )


# --- The lead contact, as consented ------------------------------------------------


def _contact_section(client, practice):
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    return page.xpath('//section[@aria-labelledby="contact"]')[0]


def _lead(**person_fields):
    return PersonFactory(
        first_name="Camille",
        last_name="Essai",
        job_title="Coordinatrice",
        email="camille@example.org",
        phone="02 47 00 00 00",
        **person_fields,
    )


def test_a_contact_who_consented_to_publish_the_email_only(client, reference_data):
    person = _lead()
    ConsentFactory(person=person, fields=["email"])
    section = _contact_section(client, PracticeFactory(published=True, lead_contact=person))
    assert texts(section, "./dl/dt") == ["Nom", "Fonction", "Courriel"]
    assert texts(section, "./dl/dd") == ["Camille Essai", "Coordinatrice", "camille@example.org"]
    assert section.xpath(".//a/@href") == [person.get_absolute_url(), "mailto:camille@example.org"]


def test_a_contact_who_consented_to_both_email_and_phone(client, reference_data):
    person = _lead()
    ConsentFactory(person=person, fields=["email", "phone"])
    section = _contact_section(client, PracticeFactory(published=True, lead_contact=person))
    assert texts(section, "./dl/dd") == [
        "Camille Essai",
        "Coordinatrice",
        "camille@example.org",
        "02 47 00 00 00",
    ]


def test_a_consent_in_force_publishing_no_field_shows_the_name_only(client, reference_data):
    person = _lead()
    ConsentFactory(person=person, fields=[])
    section = _contact_section(client, PracticeFactory(published=True, lead_contact=person))
    assert texts(section, "./dl/dd") == ["Camille Essai", "Coordinatrice"]


@pytest.mark.parametrize("case", ["no-contact", "no-consent", "withdrawn", "restricted"])
def test_otherwise_the_centre_is_the_contact(client, reference_data, case):
    person = _lead(processing_restricted=case == "restricted")
    if case in {"withdrawn", "restricted"}:
        ConsentFactory(person=person, fields=["email", "phone"])
    if case == "withdrawn":
        # A newer consent withdrawn: an older one in force is not revived.
        ConsentFactory(
            person=person,
            fields=["email"],
            given_at=timezone.now() + datetime.timedelta(seconds=1),
            withdrawn_at=timezone.now() + datetime.timedelta(seconds=2),
        )
    practice = PracticeFactory(
        published=True, lead_contact=None if case == "no-contact" else person
    )
    section = _contact_section(client, practice)
    assert texts(section, "./p") == [
        "Prendre contact par le centre de ressources : il vous mettra en relation avec "
        "les personnes qui ont mené cette pratique."
    ]
    assert section.xpath(".//a/@href") == ["/le-centre/"]
    content = client.get(f"/experiences/{practice.pk}/").content.decode()
    assert "Essai" not in content and "camille@" not in content and "02 47" not in content


# --- Visibility --------------------------------------------------------------------


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_non_published_records_are_on_no_public_surface(client, places, status):
    hidden = PracticeFactory(
        status=status,
        title="Expérience confidentielle",
        summary="Texte secret zanzibar.",
        territories=[places["tours"]],
        publics=["jeunes"],
    )
    PracticeFactory(published=True, title="Expérience visible", summary="Texte zanzibar.")
    assert client.get(f"/experiences/{hidden.pk}/").status_code == 404
    listing = client.get("/experiences/", {"q": "zanzibar"})
    assert [hit.object.title for hit in listing.context["results"].hits] == ["Expérience visible"]
    assert "confidentielle" not in listing.content.decode()
    assert client.get("/experiences/", {"public": "jeunes"}).context["results"].total == 0
    search = client.get("/recherche/", {"q": "zanzibar"})
    assert [hit.object.title for hit in search.context["results"].hits] == ["Expérience visible"]
    assert "confidentielle" not in search.content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"/experiences/{hidden.pk}/" not in sitemap


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_the_staff_see_non_published_records_under_a_banner(client, reference_data, status):
    practice = PracticeFactory(status=status, title="Expérience en cours")
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    response = client.get(f"/experiences/{practice.pk}/")
    assert response.status_code == 200
    page = tree(response)
    label = S(status).label
    assert texts(page, '//p[contains(@class, "fiche-status")]/strong') == [
        f"Non publiée — statut : {label}."
    ]
    assert "no-store" in response["Cache-Control"]
    listing = client.get("/experiences/")
    assert [hit.object.title for hit in listing.context["results"].hits] == ["Expérience en cours"]
    assert texts(tree(listing), '//ol[@class="hits"]//strong[@class="badge"]') == [label]


def test_an_unknown_record_is_not_found(client, reference_data):
    assert client.get("/experiences/999999/").status_code == 404


def test_the_sitemap_lists_published_records_and_the_list(client, reference_data):
    practice = PracticeFactory(published=True)
    practice.refresh_from_db()
    content = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/experiences/</loc>" in content
    assert (
        f"<loc>http://testserver/experiences/{practice.pk}/</loc>"
        f"<lastmod>{practice.modified:%Y-%m-%d}</lastmod>"
    ) in content.replace("\n", "").replace(" ", "")


def test_a_record_is_a_hit_of_the_site_search(client, full):
    response = client.get("/recherche/", {"q": "médiation nuit"})
    page = tree(response)
    assert texts(page, '//ol[@class="hits"]/li/h3/a') == ["Médiation sociale de nuit"]
    assert texts(page, '//ol[@class="hits"]/li/p[@class="hit-meta"]') == [
        "Fiche expérience · 2005–2009 · Tours"
    ]


# --- Query budgets -----------------------------------------------------------------


def _busy(places, cucs, count: int):
    themes = list(Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk")[:3])
    organisations = [OrganisationFactory() for _n in range(3)]
    practices = [
        PracticeFactory(
            published=True,
            territories=[places["tours"], places["poitiers"]],
            themes=themes,
            schemes=[cucs],
            publics=["habitants", "jeunes"],
            actors=[ActorInput(o.pk, ActorRole.PARTNER) for o in organisations],
            fundings=[FundingInput(organisation_id=o.pk) for o in organisations],
            documents=[document_record(title=f"Document {n}") for n in range(2)],
            events=[agenda_event() for _n in range(2)],
        )
        for _n in range(count)
    ]
    for practice in practices[1:]:
        practice.transferred_to.add(practices[0])
    return practices


@pytest.mark.parametrize("count", [2, 6])
def test_list_query_budget(client, places, cucs, django_assert_num_queries, count):
    _busy(places, cucs, count)
    client.get("/experiences/")  # the thesaurus synonyms and browse counts, cached after
    client.get("/experiences/", {"q": "expérience"})
    # The thesaurus' state, for the cached synonyms (1); search: facet counts (1), hits
    # (1); the records of the page (1) with their themes (1), territories (1), schemes
    # (1), actors (1); facet labels: theme schemes (1), themes (1), territories (1).
    with django_assert_num_queries(11):
        response = client.get("/experiences/", {"q": "expérience"})
    assert response.context["results"].total == count


@pytest.mark.parametrize("count", [2, 6])
def test_record_page_query_budget(client, places, cucs, django_assert_num_queries, count):
    practices = _busy(places, cucs, count)
    person = _lead()
    ConsentFactory(person=person, fields=["email"])
    practice = practices[0]
    practice.lead_contact = person
    practice.save(update_fields=["lead_contact"])
    # The record with its lead contact and reviewer (1); themes (1) and their schemes
    # (1), territories (1), schemes (1), actors (1), fundings (1), attachments (1),
    # documents (1), events (1), transferred to (1) and from (1); the consent (1).
    with django_assert_num_queries(13):
        response = client.get(f"/experiences/{practice.pk}/")
    assert len(response.context["practice"].transferred_from.all()) == count - 1


@pytest.mark.parametrize("count", [2, 6])
def test_record_pdf_query_budget(client, places, cucs, django_assert_num_queries, count):
    practices = _busy(places, cucs, count)
    person = _lead()
    ConsentFactory(person=person, fields=["email"])
    practice = practices[0]
    practice.lead_contact = person
    practice.save(update_fields=["lead_contact"])
    # The same reads as the page (12) and the consent (1).
    with django_assert_num_queries(13):
        response = client.get(f"/experiences/{practice.pk}/fiche.pdf")
    assert response["Content-Type"] == "application/pdf"


# --- Review fixes --------------------------------------------------------------------


def test_a_reviewer_without_a_name_is_not_named_by_their_login(client, reference_data):
    anonymous_reviewer = staff_user("compte-relecture", role=roles.DIRECTION)
    practice = PracticeFactory(published=True, reviewer=anonymous_reviewer)
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    footer = texts(page, '//footer[@class="fiche-footer"]/p')
    assert footer[0].startswith("Relue le ")
    assert "compte-relecture" not in html.tostring(page, encoding="unicode")


def test_a_non_published_record_offers_no_export_to_the_staff(client, reference_data):
    practice = PracticeFactory(status=S.IN_REVIEW)
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    page = tree(client.get(f"/experiences/{practice.pk}/"))
    actions = page.xpath('//ul[@class="fiche-actions"]')[0]
    assert actions.xpath(".//a/@href") == [f"/experiences/{practice.pk}/fiche.pdf"]
    assert client.get(f"/experiences/{practice.pk}/export.json").status_code == 404


def test_the_english_summary_is_marked_english_but_not_its_heading(client, full):
    page = tree(client.get(f"/experiences/{full['practice'].pk}/"))
    block = page.xpath('//div[contains(@class, "fiche-summary-en")]')[0]
    assert texts(block, "./h3") == ["Synthèse en anglais"]
    assert block.xpath("./h3/ancestor-or-self::*/@lang") == ["fr"]  # the page's
    assert texts(block, './div[@lang="en"]') == ["Night-time mediators in the district."]
