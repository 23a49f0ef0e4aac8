"""The EUKN export (JSON and XML): every file validates against the schema the site
publishes (jsonschema for JSON, lxml's XMLSchema for XML), with every field filled and
with every optional field empty; EUKN themes through the thesaurus mappings; the lead
contact only as consent allows; selections by search or by id, with French refusals;
only published records, whoever asks; a constant number of queries."""

import datetime
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from lxml import etree

from villes2.actors.tests.factories import ConsentFactory, OrganisationFactory, PersonFactory
from villes2.api.tests.factories import at, utc
from villes2.documents.tests.factories import record as document_record
from villes2.events.tests.factories import event as programme_event
from villes2.practices import exports
from villes2.practices.models import ActorRole, PracticeStatus, Rating
from villes2.practices.services import ActorInput, FundingInput
from villes2.practices.tests.factories import (
    NON_PUBLIC_STATUSES,
    PracticeAttachmentFactory,
    PracticeFactory,
)
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory
from villes2.territories.tests.factories import SchemeFactory

pytestmark = pytest.mark.django_db
S = PracticeStatus
XML_NS = {"e": exports.XML_NAMESPACE}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
VENDORED_XML_XSD = Path(django_settings.BASE_DIR) / "villes2/api/oai/schemas/xml.xsd"
DOCS = Path(django_settings.BASE_DIR) / "docs" / "practices-export.md"


# --- Validation against the published schemas ----------------------------------------------


@cache
def json_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(exports.JSON_SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


class _OfflineXmlXsd(etree.Resolver):
    """The W3C's xml.xsd (imported for xml:lang) from the copy vendored for the OAI-PMH
    tests: validation never goes to the network."""

    def resolve(self, url, pubid, context):
        if url == "http://www.w3.org/2001/xml.xsd":
            return self.resolve_filename(str(VENDORED_XML_XSD), context)
        return None


@cache
def xml_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_OfflineXmlXsd())
    return etree.XMLSchema(etree.parse(str(exports.XSD_FILE), parser))


def valid_json(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content.decode("utf-8"))
    json_validator().validate(data)
    return data


def valid_xml(response) -> etree._Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    xml_schema().assertValid(root)
    return root


# --- Test data ---------------------------------------------------------------------------------


def theme(slug: str) -> Concept:
    return Concept.objects.get(scheme__slug="themes", slug=slug)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def full(reference_data, media):
    """A published record with every field filled and every kind of link, each link
    also to something not public (which must not appear)."""
    tours = Territory.objects.get(kind="commune", code="37261")
    metropole = Territory.objects.filter(kind="epci", children=tours).get()
    qpv = Territory.objects.filter(kind="qpv").order_by("code").first()
    lead = OrganisationFactory(
        name="Association Médiation Tours",
        acronym="AMT",
        siren="775672272",
        website="https://amt.example.org/",
    )
    funder = OrganisationFactory(name="Conseil départemental (test)", kind="collectivite")
    person = PersonFactory(
        first_name="Camille",
        last_name="Martin",
        job_title="Coordinatrice",
        email="camille@example.org",
        phone="02 47 00 00 00",
    )
    ConsentFactory(person=person, fields=["email", "phone"])
    cucs = SchemeFactory(
        name="CUCS de Tours (test)",
        start_date=datetime.date(2007, 1, 1),
        end_date=datetime.date(2014, 12, 31),
        territories=[tours],
    )
    document = document_record(title="Rapport d’évaluation", subtitle="2010")
    document_record(title="Brouillon lié", status="brouillon")
    agenda = programme_event(title="Rencontre sur la médiation")
    programme_event(title="Rencontre interne", published=False)
    other = PracticeFactory(published=True, title="Médiation à Niort")
    draft = PracticeFactory(title="Brouillon transféré")
    with at(utc(2024, 3, 1, 9, 30, 0)):
        practice = PracticeFactory(
            published=True,
            title="Correspondants de nuit",
            title_en="Night mediators",
            summary="Médiation sociale de nuit.",
            summary_en="Social mediation at night.",
            context="Contexte.",
            objectives="Objectifs.",
            actions="Actions.",
            publics=["jeunes", "habitants"],
            public_detail="Jeunes de 16 à 25 ans",
            partners_text="Écrit par la personne qui a proposé la fiche : Mme Dupont.",
            lead_contact=person,
            start_year=2005,
            end_year=2012,
            budget=Decimal("120000.50"),
            budget_detail="Dont 50 % de l’État.",
            tools="Outils.",
            results="Résultats.",
            evaluation="Évaluation.",
            success_factors="Facteurs.",
            difficulties="Difficultés.",
            transfer_prerequisites="Prérequis.",
            transfer_specific="Spécifique.",
            transfer_adaptation="Adaptation.",
            transfer_cost_time="Coût.",
            impact_rating=Rating.MODERATE,
            territories=[tours, metropole, qpv],
            schemes=[cucs],
            themes=[theme("acces-au-logement"), theme("evaluation-observation")],
            documents=[document, *document.__class__.objects.filter(status="brouillon")],
            events=[agenda, *agenda.__class__.objects.filter(published=False)],
            transferred_to=[other, draft],
            actors=[
                ActorInput(lead.pk, ActorRole.LEAD, "maître d’ouvrage"),
                ActorInput(funder.pk, ActorRole.FUNDER),
            ],
            fundings=[
                FundingInput(organisation_id=funder.pk, amount=Decimal("60000")),
                FundingInput(name="Fonds social européen"),
            ],
        )
    PracticeAttachmentFactory(practice=practice, title="Plaquette", original_name="plaquette.pdf")
    practice.refresh_from_db()
    return {
        "practice": practice,
        "other": other,
        "draft": draft,
        "document": document,
        "event": agenda,
        "tours": tours,
        "metropole": metropole,
        "qpv": qpv,
        "lead": lead,
        "funder": funder,
        "person": person,
        "cucs": cucs,
    }


@pytest.fixture
def bare(reference_data):
    """A published record with only what publication requires."""
    return PracticeFactory(published=True, title="Fiche minimale", summary="Résumé.")


def record_json(client, practice, lang=""):
    return valid_json(client.get(f"{lang}/experiences/{practice.pk}/export.json"))


# --- One record ---------------------------------------------------------------------------------


def test_full_record_in_json(client, full, settings):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "contact@villes2.fr"}
    practice = full["practice"]
    response = client.get(f"/experiences/{practice.pk}/export.json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="experience-{practice.pk}-eukn.json"'
    )
    # UTF-8, not ASCII-escaped.
    assert "Médiation sociale de nuit.".encode() in response.content
    data = valid_json(response)
    assert data["format"] == "eukn-practice"
    assert data["format_version"] == "1.0"
    assert data["schema"] == "http://testserver/experiences/format-eukn/schema.json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["exported_at"])
    assert data["producer"] == {
        "name": "Association Villes²",
        "url": "http://testserver/",
        "email": "contact@villes2.fr",
    }
    assert data["count"] == 1
    (record,) = data["practices"]
    base = "http://testserver"
    assert record["id"] == practice.pk
    assert record["url"] == f"{base}/experiences/{practice.pk}/"
    assert record["oai_identifier"] == f"oai:villes2.example.org:experiences/{practice.pk}"
    assert record["document_type"] == "practice"
    assert record["languages"] == ["fr", "en"]
    assert record["title"] == {"fr": "Correspondants de nuit", "en": "Night mediators"}
    assert record["summary"] == {
        "fr": "Médiation sociale de nuit.",
        "en": "Social mediation at night.",
    }
    assert [record[k] for k in ("context", "objectives", "actions", "tools", "results")] == [
        "Contexte.",
        "Objectifs.",
        "Actions.",
        "Outils.",
        "Résultats.",
    ]
    assert record["target_publics"] == [
        {"code": "jeunes", "label": {"fr": "Jeunes", "en": "Young people"}},
        {"code": "habitants", "label": {"fr": "Habitants", "en": "Residents"}},
    ]
    assert record["target_public_detail"] == "Jeunes de 16 à 25 ans"
    # The submitter's free text may name persons who did not consent: never exported.
    assert "partners_text" not in record
    assert "Dupont" not in response.content.decode()
    lead, funder = full["lead"], full["funder"]
    assert record["actors"] == [
        {
            "role": "porteur",
            "role_label": {"fr": "Porteur", "en": "Lead organisation"},
            "role_detail": "maître d’ouvrage",
            "organisation": {
                "name": "Association Médiation Tours",
                "acronym": "AMT",
                "siren": "775672272",
                "kind": "association",
                "kind_label": record["actors"][0]["organisation"]["kind_label"],
                "url": f"{base}/annuaire/organisations/{lead.slug}/",
                "website": "https://amt.example.org/",
            },
        },
        {
            "role": "financeur",
            "role_label": {"fr": "Financeur", "en": "Funder"},
            "role_detail": None,
            "organisation": record["actors"][1]["organisation"],
        },
    ]
    assert record["actors"][1]["organisation"]["siren"] is None
    assert record["actors"][1]["organisation"]["name"] == funder.name
    assert record["contact"] == {
        "type": "person",
        "name": "Camille Martin",
        "job_title": "Coordinatrice",
        "email": "camille@example.org",
        "phone": "02 47 00 00 00",
        "url": f"{base}{full['person'].get_absolute_url()}",
    }
    territories = {(t["kind"], t["code"], t["code_system"]) for t in record["territories"]}
    assert territories == {
        ("commune", "37261", "insee"),
        ("epci", full["metropole"].code, "siren"),
        ("qpv", full["qpv"].code, "qpv"),
    }
    commune = next(t for t in record["territories"] if t["kind"] == "commune")
    assert commune["name"] == "Tours"
    assert commune["url"] == f"{base}/territoires/commune/37261/"
    assert record["schemes"] == [
        {
            "kind": "cucs",
            "kind_label": record["schemes"][0]["kind_label"],
            "name": "CUCS de Tours (test)",
            "start_date": "2007-01-01",
            "end_date": "2014-12-31",
        }
    ]
    assert [t["uri"] for t in record["themes"]] == [
        theme("acces-au-logement").uri,
        theme("evaluation-observation").uri,
    ]
    assert record["themes"][0]["label"] == {"fr": "accès au logement", "en": "access to housing"}
    assert record["themes"][0]["scheme"] == "themes"
    # "accès au logement": broadMatch housing, and its broader concept "cohésion sociale"
    # closeMatch social inclusion; "évaluation" has only relatedMatch mappings: nothing.
    assert [(t["notation"], t["label"]["en"]) for t in record["eukn_themes"]] == [
        ("1", "Social inclusion and integration"),
        ("2", "Housing"),
    ]
    assert record["period"] == {"start_year": 2005, "end_year": 2012}
    assert record["budget"] == {
        "amount": 120000.5,
        "currency": "EUR",
        "detail": "Dont 50 % de l’État.",
        "fundings": [
            {
                "name": funder.name,
                "organisation": record["actors"][1]["organisation"],
                "amount": 60000,
            },
            {"name": "Fonds social européen", "organisation": None, "amount": None},
        ],
    }
    transfer = record["transferability"]
    assert [transfer[k] for k in ("prerequisites", "specific_to_place")] == [
        "Prérequis.",
        "Spécifique.",
    ]
    assert [(c["key"], c["rating"]) for c in transfer["criteria"]] == [
        ("coherence", "fort"),
        ("relevance", "fort"),
        ("impact", "moyen"),
        ("transfer", "fort"),
    ]
    assert transfer["criteria"][2]["rating_label"] == {"fr": "Moyen", "en": "Moderate"}
    links = record["links"]
    attachment = practice.attachments.get()
    assert links["pdf"] == f"{base}/experiences/{practice.pk}/fiche.pdf"
    assert links["attachments"] == [
        {
            "url": f"{base}/experiences/{practice.pk}/pieces/{attachment.pk}/",
            "title": "Plaquette",
            "file_name": "plaquette.pdf",
            "media_type": "application/pdf",
            "size": attachment.size,
        }
    ]
    # Only what is public itself.
    assert links["documents"] == [
        {
            "id": full["document"].pk,
            "title": "Rapport d’évaluation : 2010",
            "url": f"{base}/documents/{full['document'].pk}/",
        }
    ]
    assert [e["title"] for e in links["events"]] == ["Rencontre sur la médiation"]
    assert links["transferred_to"] == [
        {
            "id": full["other"].pk,
            "title": "Médiation à Niort",
            "url": f"{base}/experiences/{full['other'].pk}/",
        }
    ]
    assert links["transferred_from"] == []
    assert record["workflow"] == {
        "first_published_at": "2024-03-01T09:30:00Z",
        "last_reviewed_at": "2024-03-01T09:30:00Z",
        "last_reviewed_by": "Claire Relectrice",
        "modified": record["workflow"]["modified"],
    }


def test_full_record_in_xml(client, full):
    practice = full["practice"]
    response = client.get(f"/experiences/{practice.pk}/export.xml")
    assert response["Content-Disposition"] == (
        f'attachment; filename="experience-{practice.pk}-eukn.xml"'
    )
    root = valid_xml(response)
    assert root.tag == f"{{{exports.XML_NAMESPACE}}}eukn_export"
    assert root.findtext("e:schema", namespaces=XML_NS) == (
        "http://testserver/experiences/format-eukn/schema.xsd"
    )
    record = root.find("e:practices/e:practice", XML_NS)
    titles = [(t.text, t.get(XML_LANG)) for t in record.findall("e:title", XML_NS)]
    assert titles == [("Correspondants de nuit", "fr"), ("Night mediators", "en")]
    assert record.findtext("e:document_type", namespaces=XML_NS) == "practice"
    eukn = record.xpath("e:eukn_themes/e:eukn_theme/e:label[@xml:lang='en']", namespaces=XML_NS)
    assert [label.text for label in eukn] == ["Social inclusion and integration", "Housing"]
    assert record.findtext("e:budget/e:amount", namespaces=XML_NS) == "120000.50"
    fundings = record.findall("e:budget/e:fundings/e:funding", XML_NS)
    # A null value is an absent element.
    assert [f.find("e:amount", XML_NS) is None for f in fundings] == [False, True]
    assert record.findtext("e:contact/e:email", namespaces=XML_NS) == "camille@example.org"
    assert len(record.findall("e:transferability/e:criteria/e:criterion", XML_NS)) == 4
    assert [
        r.findtext("e:title", namespaces=XML_NS)
        for r in record.find("e:links/e:transferred_to", XML_NS)
    ] == ["Médiation à Niort"]


def test_record_with_empty_optional_fields(client, bare):
    data = record_json(client, bare)
    (record,) = data["practices"]
    assert record["languages"] == ["fr"]
    assert record["title"] == {"fr": "Fiche minimale"}
    for key in ("context", "objectives", "actions", "tools", "results", "evaluation"):
        assert record[key] is None
    for key in ("target_publics", "actors", "territories", "schemes", "themes"):
        assert record[key] == []
    # No theme: no EUKN theme either, never an invented one.
    assert record["eukn_themes"] == []
    assert record["period"] == {"start_year": 2008, "end_year": None}
    assert record["budget"] == {"amount": None, "currency": "EUR", "detail": None, "fundings": []}
    assert record["contact"]["type"] == "centre"
    assert record["links"] == {
        "pdf": f"http://testserver/experiences/{bare.pk}/fiche.pdf",
        "attachments": [],
        "documents": [],
        "events": [],
        "transferred_to": [],
        "transferred_from": [],
    }
    root = valid_xml(client.get(f"/experiences/{bare.pk}/export.xml"))
    record = root.find("e:practices/e:practice", XML_NS)
    assert record.find("e:context", XML_NS) is None
    assert len(record.find("e:actors", XML_NS)) == 0


def test_record_whose_transferability_was_emptied_after_publication_still_validates(client, bare):
    bare.transfer_prerequisites = ""
    bare.coherence_rating = ""
    bare.coherence_justification = ""
    bare.save()
    (record,) = record_json(client, bare)["practices"]
    assert record["transferability"]["prerequisites"] is None
    assert record["transferability"]["criteria"][0] == {
        "key": "coherence",
        "label": {
            "fr": "Cohérence avec les principes de la politique de la ville",
            "en": "Coherence with urban-policy principles",
        },
        "rating": None,
        "rating_label": None,
        "justification": None,
    }
    valid_xml(client.get(f"/experiences/{bare.pk}/export.xml"))


def test_english_site_gives_the_same_language_independent_file(client, full):
    practice = full["practice"]
    french = record_json(client, practice)
    english = record_json(client, practice, lang="/en")
    for data in (french, english):
        data.pop("exported_at")
    assert english == french


def test_xml_drops_characters_xml_cannot_carry(client, bare):
    bare.context = "Avant\x0bAprès\x1f"  # (PostgreSQL itself refuses NUL)
    bare.save()
    root = valid_xml(client.get(f"/experiences/{bare.pk}/export.xml"))
    assert root.findtext("e:practices/e:practice/e:context", namespaces=XML_NS) == "AvantAprès"


# --- EUKN themes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("themes", "expected"),
    [
        # closeMatch on a top concept, reached from a narrower concept.
        (["residentialisation"], ["Housing", "Urban environment"]),
        # broadMatch.
        (["sante"], ["Social inclusion and integration"]),
        # relatedMatch only: nothing.
        (["developpement-territorial-ingenierie"], []),
        (["evaluation-observation", "politique-de-la-ville-dispositifs"], []),
        # Each EUKN theme once, in EUKN's order.
        (
            ["logement-social", "acces-au-logement", "sante"],
            ["Social inclusion and integration", "Housing", "Urban environment"],
        ),
    ],
)
def test_eukn_themes_follow_exact_close_and_broad_matches(client, reference_data, themes, expected):
    practice = PracticeFactory(published=True, themes=[theme(slug) for slug in themes])
    (record,) = record_json(client, practice)["practices"]
    assert [t["label"]["en"] for t in record["eukn_themes"]] == expected


# --- The lead contact and consent ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "restricted", "expected"),
    [
        (None, False, "centre"),
        (["themes"], False, ("Coordinatrice", None, None)),
        (["email"], False, ("Coordinatrice", "camille@example.org", None)),
        (["phone", "email"], False, ("Coordinatrice", "camille@example.org", "02 47 00 00 00")),
        ("withdrawn", False, "centre"),
        (["email", "phone"], True, "centre"),
    ],
    ids=["no-consent", "listing-only", "email", "email-phone", "withdrawn", "restricted"],
)
def test_lead_contact_only_as_consent_allows(
    client, reference_data, settings, consent, restricted, expected
):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "contact@villes2.fr"}
    person = PersonFactory(
        first_name="Camille",
        last_name="Martin",
        job_title="Coordinatrice",
        email="camille@example.org",
        phone="02 47 00 00 00",
        processing_restricted=restricted,
    )
    if consent == "withdrawn":
        given = ConsentFactory(person=person, fields=["email"])
        given.withdrawn_at = given.given_at
        given.save()
    elif consent is not None:
        ConsentFactory(person=person, fields=consent)
    practice = PracticeFactory(published=True, lead_contact=person)
    response = client.get(f"/experiences/{practice.pk}/export.json")
    (record,) = valid_json(response)["practices"]
    if expected == "centre":
        assert record["contact"] == {
            "type": "centre",
            "name": "Association Villes²",
            "job_title": None,
            "email": "contact@villes2.fr",
            "phone": None,
            "url": "http://testserver/",
        }
        assert b"Camille" not in response.content
    else:
        job_title, email, phone = expected
        assert record["contact"] == {
            "type": "person",
            "name": "Camille Martin",
            "job_title": job_title,
            "email": email,
            "phone": phone,
            "url": f"http://testserver{person.get_absolute_url()}",
        }
    valid_xml(client.get(f"/experiences/{practice.pk}/export.xml"))


# --- Only published records ---------------------------------------------------------------------


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
@pytest.mark.parametrize("as_superuser", [False, True])
def test_non_published_records_are_never_exported(client, reference_data, status, as_superuser):
    published = PracticeFactory(published=True, title="Publiée")
    hidden = PracticeFactory(status=status, title="Cachée")
    if as_superuser:
        client.force_login(
            get_user_model().objects.create_superuser("admin", "admin@example.org", "x")
        )
    for extension in ("json", "xml"):
        assert client.get(f"/experiences/{hidden.pk}/export.{extension}").status_code == 404
    by_id = valid_json(client.get(f"/experiences/export.json?id={hidden.pk}&id={published.pk}"))
    assert [p["id"] for p in by_id["practices"]] == [published.pk]
    searched = valid_json(client.get("/experiences/export.json"))
    assert [p["id"] for p in searched["practices"]] == [published.pk]
    root = valid_xml(client.get("/experiences/export.xml?q=Cachée"))
    assert root.findtext("e:count", namespaces=XML_NS) == "0"


def test_record_that_does_not_exist(client, reference_data):
    assert client.get("/experiences/999999/export.json").status_code == 404


# --- Selections --------------------------------------------------------------------------------


@pytest.fixture
def three(reference_data):
    housing = theme("logement-social")
    health = theme("sante")
    return [
        PracticeFactory(published=True, title="Alpha logement", start_year=2001, themes=[housing]),
        PracticeFactory(published=True, title="Bêta santé", start_year=2003, themes=[health]),
        PracticeFactory(published=True, title="Gamma logement", start_year=2005, themes=[housing]),
    ]


def test_selection_takes_the_query_string_of_the_list(client, three):
    alpha, _beta, gamma = three
    response = client.get(
        "/experiences/export.json?theme=renovation-urbaine-cadre-de-vie&tri=date&page=2"
    )
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="experiences-eukn-{today}.json"'
    )
    data = valid_json(response)
    # Every page of the search (page=2 is ignored), in the list's order (newest first).
    assert [p["id"] for p in data["practices"]] == [gamma.pk, alpha.pk]
    assert data["count"] == 2
    root = valid_xml(client.get("/experiences/export.xml?q=santé"))
    assert [p.findtext("e:id", namespaces=XML_NS) for p in root.find("e:practices", XML_NS)] == [
        str(three[1].pk)
    ]


def test_selection_reads_every_page_of_the_search(client, three, monkeypatch):
    monkeypatch.setattr(exports, "SEARCH_PAGE", 1)
    data = valid_json(client.get("/experiences/export.json?tri=date"))
    assert [p["id"] for p in data["practices"]] == [p.pk for p in reversed(three)]


def test_selection_by_ids_keeps_their_order_once_each(client, three):
    alpha, beta, gamma = three
    data = valid_json(
        client.get(f"/experiences/export.json?id={gamma.pk}&id={alpha.pk}&id={gamma.pk}")
    )
    assert [p["id"] for p in data["practices"]] == [gamma.pk, alpha.pk]
    response = client.get(f"/experiences/export.xml?id={beta.pk}")
    assert response["Content-Disposition"].startswith('attachment; filename="experiences-eukn-')
    root = valid_xml(response)
    assert root.findtext("e:count", namespaces=XML_NS) == "1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("themes=sante", "Paramètre inconnu : « themes »."),
        ("id=abc", "« abc » n’est pas un numéro de fiche (id= prend un nombre entier)."),
        ("id=0", "« 0 » n’est pas un numéro de fiche"),
        ("id=-3", "« -3 » n’est pas un numéro de fiche"),
        ("id=", "«  » n’est pas un numéro de fiche"),
        ("id=1&q=logement", "Donnez soit des numéros de fiches (id=), soit des critères"),
        ("annee_min=deux", "Paramètres de recherche non valides : « annee_min » : "),
        ("annee_min=2010&annee_max=2000", "Paramètres de recherche non valides : « annee_max »"),
    ],
)
def test_bad_parameters_get_a_french_400(client, three, query, message):
    for extension in ("json", "xml"):
        response = client.get(f"/experiences/export.{extension}?{query}")
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Disposition" not in response
        assert message in response.content.decode()


def test_too_large_a_selection_is_refused(client, three, monkeypatch):
    monkeypatch.setattr(exports, "MAX_RECORDS", 2)
    response = client.get("/experiences/export.json")
    assert response.status_code == 400
    assert response.content.decode() == (
        "La sélection compte 3 fiches ; un export en prend 2 au plus. "
        "Affinez la recherche (thème, territoire, période…)."
    )
    ids = "&".join(f"id={p.pk}" for p in three)
    assert client.get(f"/experiences/export.xml?{ids}").status_code == 400
    assert (
        client.get("/experiences/export.json?theme=renovation-urbaine-cadre-de-vie").status_code
        == 200
    )


def test_english_refusals_on_the_english_site(client, three):
    response = client.get("/en/experiences/export.json?id=abc")
    assert response.status_code == 400
    assert response.content.decode() == "« abc » is not a record number (id= takes a whole number)."


def test_only_safe_methods(client, three):
    assert client.post("/experiences/export.json").status_code == 405


# --- Query budget --------------------------------------------------------------------------------


def _records(count, full):
    base = full["practice"]
    made = [base]
    for n in range(count - 1):
        person = PersonFactory()
        ConsentFactory(person=person, fields=["email"])
        made.append(
            PracticeFactory(
                published=True,
                title=f"Fiche {n}",
                lead_contact=person,
                territories=[full["tours"], full["qpv"]],
                schemes=[full["cucs"]],
                themes=[theme("sante"), theme("logement-social")],
                documents=[full["document"]],
                events=[full["event"]],
                transferred_to=[full["other"]],
                actors=[
                    ActorInput(full["lead"].pk, ActorRole.LEAD),
                    ActorInput(full["funder"].pk, ActorRole.FUNDER),
                ],
                fundings=[FundingInput(organisation_id=full["funder"].pk)],
            )
        )
        PracticeAttachmentFactory(practice=made[-1])
    return made


@pytest.mark.parametrize("count", [1, 4])
def test_export_by_ids_uses_a_constant_number_of_queries(
    client, full, django_assert_num_queries, count
):
    made = _records(count, full)
    ids = "&".join(f"id={p.pk}" for p in made)
    # The records and their 11 relations (12), the EUKN mappings (3), the consents (1).
    with django_assert_num_queries(16):
        data = valid_json(client.get(f"/experiences/export.json?{ids}"))
    assert data["count"] == count
    with django_assert_num_queries(16):
        valid_xml(client.get(f"/experiences/export.xml?{ids}"))


@pytest.mark.parametrize("count", [1, 4])
def test_export_of_a_search_uses_a_constant_number_of_queries(
    client, full, django_assert_num_queries, count
):
    _records(count, full)
    full["other"].delete()  # only the records made here are published
    client.get("/experiences/export.json")  # the search loads its synonyms once
    with django_assert_num_queries(SEARCH_BUDGET):
        data = valid_json(client.get("/experiences/export.json"))
    assert data["count"] == count


# The export (16) plus the search: the thesaurus version (synonyms), its two statements
# (counts, hits) and the objects of its page of hits (the records and four relations).
SEARCH_BUDGET = 24


@pytest.mark.parametrize("count", [1, 4])
def test_one_record_uses_a_constant_number_of_queries(
    client, full, django_assert_num_queries, count
):
    made = _records(count, full)
    with django_assert_num_queries(16):
        record_json(client, made[-1])


# --- The schemas and the documentation ----------------------------------------------------------


def test_schemas_are_served(client, reference_data):
    response = client.get("/experiences/format-eukn/schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert json.loads(response.content)["$schema"] == (
        "https://json-schema.org/draft/2020-12/schema"
    )
    response = client.get("/experiences/format-eukn/schema.xsd")
    assert response.status_code == 200
    assert response.content == exports.XSD_FILE.read_bytes()
    assert etree.fromstring(response.content).get("targetNamespace") == exports.XML_NAMESPACE


def _schema_paths() -> dict[str, set[str]]:
    """Every documented path of the JSON Schema, by group (the record and the shared
    objects are their own groups; a reference ends a path)."""
    schema = json.loads(exports.JSON_SCHEMA_FILE.read_text(encoding="utf-8"))
    defs = schema["$defs"]

    def walk(node, prefix, found):
        for part in node.get("anyOf", []) + node.get("allOf", []):
            walk(part, prefix, found)
        if node.get("type") == "array":
            walk(node["items"], prefix + "[]", found)
        for name, child in node.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            found.add(path)
            walk(child, path, found)
        return found

    return {
        "envelope": walk(schema, "", set()),
        "practice": walk(defs["practice"], "", set()),
        "organisation": walk(defs["organisation"], "", set()),
        "link": walk(defs["link"], "", set()),
    }


def test_every_field_of_the_schema_is_documented_and_nothing_else():
    documented = {group.key: {field.path for field in group.fields} for group in exports.FIELDS}
    assert documented == _schema_paths()


def test_the_docs_page_lists_every_field():
    text = DOCS.read_text(encoding="utf-8")
    for group in exports.FIELDS:
        for field in group.fields:
            assert f"`{field.path}`" in text, field.path
    assert exports.XML_NAMESPACE in text
    assert str(exports.MAX_RECORDS) in text


def test_every_xml_element_is_in_the_xsd(client, full):
    """The XSD validates what the export writes; and every field of the JSON Schema has
    its element in the XSD (names are the same in both formats)."""
    xsd = exports.XSD_FILE.read_text(encoding="utf-8")
    names = set(re.findall(r'<xs:element name="([a-z_]+)"', xsd))
    for paths in _schema_paths().values():
        for path in paths:
            assert path.replace("[]", "").split(".")[-1] in names, path
    assert set(exports.ITEM_NAMES.values()) <= names


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [
        ("", "Format d’export EUKN des fiches expérience"),
        ("/en", "EUKN export format of experience records"),
    ],
)
def test_format_page(client, reference_data, prefix, heading):
    response = client.get(f"{prefix}/experiences/format-eukn/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"<h1>{heading}</h1>" in content
    assert content.count("<caption>") == len(exports.FIELDS)
    assert "<code>practices[].id</code>" not in content
    assert "<code>transferability.criteria[].rating</code>" in content
    assert 'href="' + ("/en" if prefix else "") + '/experiences/format-eukn/schema.json"' in content
