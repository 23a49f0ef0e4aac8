"""The OAI-PMH endpoint, verb by verb and error by error. Every response is checked
against the OAI-PMH and oai_dc schemas (vendored, see villes2/api/oai/schemas/README.md)."""

import pytest
from django.core import signing
from django.test import Client

from villes2.api.oai.protocol import TOKEN_SALT
from villes2.documents.models import Attachment, Document
from villes2.documents.services import document_delete, document_save

from .factories import at, concept, record, territory, theme_scheme, utc
from .schemas import validate

pytestmark = pytest.mark.django_db

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPO = "villes2.example.org"


def oai(client, method="get", **params):
    response = getattr(client, method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validate(response.content)


def text(root, path):
    return [element.text for element in root.xpath(path, namespaces=NS)]


def error_codes(root):
    return root.xpath("o:error/@code", namespaces=NS)


def request_attributes(root):
    return dict(root.find("o:request", NS).attrib)


def oai_id(document_or_pk):
    pk = getattr(document_or_pk, "pk", document_or_pk)
    return f"oai:{REPO}:documents/{pk}"


@pytest.fixture
def themes():
    scheme = theme_scheme()
    urban = concept(scheme, "t-urbain", "Renouvellement urbain", en="Urban renewal")
    resid = concept(scheme, "t-resid", "Résidentialisation", broader=urban)
    social = concept(scheme, "t-social", "Cohésion sociale")
    return {"urban": urban, "resid": resid, "social": social}


@pytest.fixture
def catalogue(themes):
    """Three public records, a draft, a staff-only record, one record unpublished and one
    deleted after having been public (tombstones), each at its own time."""
    tours = territory("Tours")
    with at(utc(2024, 1, 5, 9, 0, 0)):
        deleted = record(title="Supprimé", doc_type="actes", descriptors=[themes["social"]])
    with at(utc(2024, 1, 10, 10, 0, 0)):
        guide = record(
            title="Guide de la résidentialisation",
            subtitle="méthodes",
            doc_type="guide-methodologique",
            abstract="Comment résidentialiser les grands ensembles.",
            abstract_en="How to give estates private outdoor spaces.",
            publisher="Villes²",
            published_on=utc(2006, 5, 2).date(),
            year=2006,
            isbn="978-2-11-000000-0",
            licence="licence-ouverte-2.0",
            descriptors=[themes["resid"]],
            territories=[tours],
            authors=["Martin, Claire", "Dupont, Marie"],
        )
    with at(utc(2024, 1, 15, 8, 0, 0)):
        draft = record(title="Brouillon", status="brouillon", descriptors=[themes["urban"]])
        staff = record(title="Interne", access="equipe", descriptors=[themes["urban"]])
    with at(utc(2024, 1, 20, 8, 0, 0)):
        withdrawn = record(title="Retiré", descriptors=[themes["social"]])
    with at(utc(2024, 2, 1, 12, 0, 0)):
        study = record(title="Étude", doc_type="etude", descriptors=[themes["urban"]])
    with at(utc(2024, 3, 1, 0, 0, 0)):
        report = record(title="Rapport", descriptors=[themes["social"]])
    with at(utc(2024, 3, 5, 0, 0, 0)):
        withdrawn.status = "brouillon"
        document_save(withdrawn)
    with at(utc(2024, 3, 10, 0, 0, 0)):
        deleted_pk = deleted.pk
        document_delete(deleted)
    return {
        "guide": guide,
        "study": study,
        "report": report,
        "draft": draft,
        "staff": staff,
        "withdrawn": withdrawn,
        "deleted": deleted_pk,
    }


# --- Identify, formats, sets ---------------------------------------------------------------


def test_identify(client, catalogue, settings):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "doc@villes2.fr"}
    root = oai(client, verb="Identify")
    assert request_attributes(root) == {"verb": "Identify"}
    assert root.find("o:request", NS).text == "http://testserver/oai"
    identify = "o:Identify/o:"
    assert text(root, identify + "baseURL") == ["http://testserver/oai"]
    assert text(root, identify + "protocolVersion") == ["2.0"]
    assert text(root, identify + "adminEmail") == ["doc@villes2.fr"]
    # The earliest datestamp of all records, deleted ones included.
    assert text(root, identify + "earliestDatestamp") == ["2024-01-10T10:00:00Z"]
    assert text(root, identify + "deletedRecord") == ["persistent"]
    assert text(root, identify + "granularity") == ["YYYY-MM-DDThh:mm:ssZ"]
    assert text(root, identify + "description/id:oai-identifier/id:repositoryIdentifier") == [REPO]
    assert text(root, identify + "description/id:oai-identifier/id:sampleIdentifier") == [oai_id(1)]


def test_identify_of_an_empty_repository_is_valid(client):
    root = oai(client, verb="Identify")
    assert len(text(root, "o:Identify/o:earliestDatestamp")) == 1


def test_post_is_accepted_without_csrf_token(catalogue):
    root = oai(Client(enforce_csrf_checks=True), "post", verb="Identify")
    assert error_codes(root) == []
    assert text(root, "o:Identify/o:protocolVersion") == ["2.0"]


def test_list_metadata_formats(client, catalogue):
    for params in (
        {},
        {"identifier": oai_id(catalogue["guide"])},
        {"identifier": oai_id(catalogue["deleted"])},
    ):
        root = oai(client, verb="ListMetadataFormats", **params)
        assert text(root, "o:ListMetadataFormats/o:metadataFormat/o:metadataPrefix") == ["oai_dc"]
        assert text(root, "o:ListMetadataFormats/o:metadataFormat/o:metadataNamespace") == [
            "http://www.openarchives.org/OAI/2.0/oai_dc/"
        ]


@pytest.mark.parametrize("which", ["draft", "staff", "unknown", "malformed"])
def test_list_metadata_formats_of_unknown_record(client, catalogue, which):
    identifier = {
        "unknown": oai_id(999999),
        "malformed": f"oai:autre.example.org:documents/{catalogue['guide'].pk}",
    }.get(which) or oai_id(catalogue[which])
    root = oai(client, verb="ListMetadataFormats", identifier=identifier)
    assert error_codes(root) == ["idDoesNotExist"]
    # Arguments are echoed on errors other than badVerb and badArgument.
    assert request_attributes(root) == {"verb": "ListMetadataFormats", "identifier": identifier}


def test_list_sets(client, catalogue):
    root = oai(client, verb="ListSets")
    specs = text(root, "o:ListSets/o:set/o:setSpec")
    assert specs[:2] == ["type", "type:rapport"]
    assert "type:guide-methodologique" in specs and "type:donnees" in specs
    # Only the top concepts of the theme scheme are sets.
    assert [spec for spec in specs if spec.startswith("theme")] == [
        "theme",
        "theme:t-social",
        "theme:t-urbain",
    ]
    names = dict(zip(specs, text(root, "o:ListSets/o:set/o:setName"), strict=True))
    assert names["type"] == "Types de document"
    assert names["type:rapport"] == "Type de document : Rapport"
    assert names["theme"] == "Thèmes"
    assert names["theme:t-urbain"] == "Thème : Renouvellement urbain"


def test_list_sets_is_french_for_an_english_browser(client, catalogue):
    response = client.get("/oai", {"verb": "ListSets"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Thème : Renouvellement urbain".encode() in response.content


def test_list_sets_never_issues_tokens(client, catalogue):
    root = oai(client, verb="ListSets", resumptionToken="abc")
    assert error_codes(root) == ["badResumptionToken"]


# --- GetRecord -------------------------------------------------------------------------------


def test_get_record_in_dublin_core(client, catalogue):
    guide = catalogue["guide"]
    Attachment.objects.create(
        document=guide,
        file="documents/ab/x.pdf",
        original_name="guide.pdf",
        size=10,
        sha256="ab" * 32,
    )
    root = oai(client, verb="GetRecord", identifier=oai_id(guide), metadataPrefix="oai_dc")
    assert request_attributes(root) == {
        "verb": "GetRecord",
        "identifier": oai_id(guide),
        "metadataPrefix": "oai_dc",
    }
    header = "o:GetRecord/o:record/o:header/o:"
    assert text(root, header + "identifier") == [oai_id(guide)]
    assert text(root, header + "datestamp") == ["2024-01-10T10:00:00Z"]
    assert text(root, header + "setSpec") == ["type:guide-methodologique", "theme:t-urbain"]
    dc = root.find("o:GetRecord/o:record/o:metadata/*", NS)

    def values(element):
        return [(e.text, e.get(LANG)) for e in dc.findall(f"dc:{element}", NS)]

    assert values("title") == [("Guide de la résidentialisation : méthodes", None)]
    assert values("creator") == [("Martin, Claire", None), ("Dupont, Marie", None)]
    assert values("subject") == [("Résidentialisation", "fr")]
    assert values("description") == [
        ("Comment résidentialiser les grands ensembles.", "fr"),
        ("How to give estates private outdoor spaces.", "en"),
    ]
    assert values("publisher") == [("Villes²", None)]
    assert values("date") == [("2006-05-02", None)]
    assert values("type") == [("Text", None), ("Guide méthodologique", "fr")]
    assert values("format") == [("application/pdf", None)]
    attachment = guide.attachments.get()
    assert values("identifier") == [
        (f"http://testserver/documents/{guide.pk}/", None),
        (f"http://testserver/documents/{guide.pk}/fichiers/{attachment.pk}/", None),
        ("urn:isbn:978-2-11-000000-0", None),
    ]
    assert values("language") == [("fr", None)]
    assert values("coverage") == [("Tours", None)]
    assert values("rights") == [("https://www.etalab.gouv.fr/licence-ouverte-open-licence/", None)]


def test_get_record_with_english_descriptor_and_year_only(client, catalogue):
    study = catalogue["study"]
    root = oai(client, verb="GetRecord", identifier=oai_id(study), metadataPrefix="oai_dc")
    assert text(root, "//dc:subject") == ["Renouvellement urbain", "Urban renewal"]
    assert text(root, "//dc:date") == ["2007"]
    assert text(root, "//dc:format") == []


def test_get_record_of_withdrawn_and_deleted_records(client, catalogue):
    for key, set_specs in (
        ("withdrawn", ["type:rapport", "theme:t-social"]),
        ("deleted", ["type:actes", "theme:t-social"]),
    ):
        root = oai(
            client, verb="GetRecord", identifier=oai_id(catalogue[key]), metadataPrefix="oai_dc"
        )
        assert root.xpath("o:GetRecord/o:record/o:header/@status", namespaces=NS) == ["deleted"]
        assert text(root, "o:GetRecord/o:record/o:header/o:setSpec") == set_specs
        assert root.find("o:GetRecord/o:record/o:metadata", NS) is None
    root = oai(
        client, verb="GetRecord", identifier=oai_id(catalogue["deleted"]), metadataPrefix="oai_dc"
    )
    assert text(root, "o:GetRecord/o:record/o:header/o:datestamp") == ["2024-03-10T00:00:00Z"]


@pytest.mark.parametrize("which", ["draft", "staff"])
def test_get_record_never_shows_drafts_or_staff_only_records(client, catalogue, which):
    root = oai(
        client, verb="GetRecord", identifier=oai_id(catalogue[which]), metadataPrefix="oai_dc"
    )
    assert error_codes(root) == ["idDoesNotExist"]


def test_get_record_in_unknown_format(client, catalogue):
    identifier = oai_id(catalogue["guide"])
    root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="marc21")
    assert error_codes(root) == ["cannotDisseminateFormat"]
    assert request_attributes(root)["metadataPrefix"] == "marc21"


# --- Errors common to every verb --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "verb=Harvest", "verb=Identify&verb=Identify", "verb=identify", "verb="],
    ids=["missing", "unknown", "repeated", "wrong-case", "empty"],
)
def test_bad_verb(client, query):
    response = client.get(f"/oai?{query}")
    root = validate(response.content)
    assert error_codes(root) == ["badVerb"]
    assert request_attributes(root) == {}


@pytest.mark.parametrize(
    "query",
    [
        "verb=Identify&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
        "verb=ListRecords",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&colour=blue",
        "verb=GetRecord&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01T10:00:00",
        "verb=ListRecords&metadataPrefix=oai_dc&until=2024-02-01T10:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&set=a b",
        "verb=ListRecords&metadataPrefix=oai_dc&from=",
        "verb=ListRecords&resumptionToken=x&metadataPrefix=oai_dc",
        "verb=ListMetadataFormats&identifier=a&identifier=b",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=x%01y",
        "verb=ListIdentifiers&metadataPrefix=x%01",
    ],
    ids=[
        "identify-argument",
        "repeated",
        "missing-prefix",
        "unknown-argument",
        "missing-identifier",
        "mixed-granularities",
        "until-before-from",
        "impossible-date",
        "no-zulu",
        "no-seconds",
        "bad-set",
        "empty-from",
        "token-and-other-arguments",
        "repeated-identifier",
        "control-character-identifier",
        "control-character-prefix",
    ],
)
def test_bad_argument(client, catalogue, query):
    root = validate(client.get(f"/oai?{query}").content)
    assert error_codes(root) == ["badArgument"]
    assert request_attributes(root) == {}


# --- ListIdentifiers and ListRecords -----------------------------------------------------------


def identifiers(root, verb="ListIdentifiers"):
    header = "o:header" if verb == "ListIdentifiers" else "o:record/o:header"
    return [
        (h.findtext("o:identifier", namespaces=NS), h.get("status"))
        for h in root.xpath(f"o:{verb}/{header}", namespaces=NS)
    ]


def test_list_identifiers_gives_public_and_deleted_records_in_datestamp_order(client, catalogue):
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [
        (oai_id(catalogue["guide"]), None),
        (oai_id(catalogue["study"]), None),
        (oai_id(catalogue["report"]), None),
        (oai_id(catalogue["withdrawn"]), "deleted"),
        (oai_id(catalogue["deleted"]), "deleted"),
    ]
    assert root.find("o:ListIdentifiers/o:resumptionToken", NS) is None
    assert request_attributes(root) == {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}


def test_list_records_has_metadata_except_for_deleted_records(client, catalogue):
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    records = root.xpath("o:ListRecords/o:record", namespaces=NS)
    assert len(records) == 5
    with_metadata = [r.find("o:metadata", NS) is not None for r in records]
    assert with_metadata == [True, True, True, False, False]
    assert text(root, "//dc:title") == [
        "Guide de la résidentialisation : méthodes",
        "Étude",
        "Rapport",
    ]


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ({"from": "2024-01-10", "until": "2024-02-01"}, ["guide", "study"]),
        ({"from": "2024-01-11"}, ["study", "report", "withdrawn", "deleted"]),
        ({"until": "2024-02-01T12:00:00Z"}, ["guide", "study"]),
        ({"until": "2024-02-01T11:59:59Z"}, ["guide"]),
        (
            {"from": "2024-02-01T12:00:00Z", "until": "2024-03-05T00:00:00Z"},
            ["study", "report", "withdrawn"],
        ),
        ({"from": "2024-03-02"}, ["withdrawn", "deleted"]),
    ],
)
def test_list_records_between_dates(client, catalogue, bounds, expected):
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **bounds)
    assert [i for i, _ in identifiers(root, "ListRecords")] == [
        oai_id(catalogue[k]) for k in expected
    ]


@pytest.mark.parametrize(
    ("set_spec", "expected"),
    [
        ("type", ["guide", "study", "report", "withdrawn", "deleted"]),
        ("type:rapport", ["report", "withdrawn"]),
        ("type:actes", ["deleted"]),
        ("theme", ["guide", "study", "report", "withdrawn", "deleted"]),
        # The guide is described by a narrower concept of the theme.
        ("theme:t-urbain", ["guide", "study"]),
        ("theme:t-social", ["report", "withdrawn", "deleted"]),
    ],
)
def test_list_identifiers_of_a_set_include_deleted_records(client, catalogue, set_spec, expected):
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
    assert [i for i, _ in identifiers(root)] == [oai_id(catalogue[k]) for k in expected]


@pytest.mark.parametrize(
    "params",
    [
        {"set": "theme:inconnu"},
        {"set": "other"},
        {"set": "type:inconnu"},
        {"from": "2030-01-01"},
        {"until": "2000-01-01"},
    ],
)
def test_no_records_match(client, catalogue, params):
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", **params)
    assert error_codes(root) == ["noRecordsMatch"]
    assert request_attributes(root) == {"verb": "ListRecords", "metadataPrefix": "oai_dc", **params}


def test_list_records_in_unknown_format(client, catalogue):
    root = oai(client, verb="ListRecords", metadataPrefix="mods")
    assert error_codes(root) == ["cannotDisseminateFormat"]


# --- Resumption tokens -----------------------------------------------------------------------


def harvest(client, verb, **params):
    """Every page of a list: (identifiers, [(token, cursor, completeListSize)])."""
    found, tokens = [], []
    root = oai(client, verb=verb, **params)
    while True:
        found += identifiers(root, verb)
        token = root.find(f"o:{verb}/o:resumptionToken", NS)
        if token is None:
            return found, tokens
        tokens.append((token.text, token.get("cursor"), token.get("completeListSize")))
        if not token.text:
            return found, tokens
        root = oai(client, verb=verb, resumptionToken=token.text)


def test_resumption_tokens_split_the_list(client, catalogue, settings):
    settings.OAI_PAGE_SIZE = 2
    found, tokens = harvest(client, "ListRecords", metadataPrefix="oai_dc")
    settings.OAI_PAGE_SIZE = 100
    whole = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert found == identifiers(whole)
    assert [(cursor, size) for _, cursor, size in tokens] == [("0", "5"), ("2", "5"), ("4", "5")]
    assert tokens[-1][0] is None  # the last page has an empty token


def test_resumption_keeps_the_selection(client, catalogue, settings):
    settings.OAI_PAGE_SIZE = 1
    found, tokens = harvest(
        client, "ListIdentifiers", metadataPrefix="oai_dc", set="theme:t-social", until="2024-03-05"
    )
    assert found == [
        (oai_id(catalogue["report"]), None),
        (oai_id(catalogue["withdrawn"]), "deleted"),
    ]
    assert [(cursor, size) for _, cursor, size in tokens] == [("0", "2"), ("1", "2")]


def test_resumption_skips_nothing_when_records_change_during_a_harvest(client, catalogue, settings):
    settings.OAI_PAGE_SIZE = 2
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    first_page = identifiers(root)
    token = root.find("o:ListIdentifiers/o:resumptionToken", NS).text
    # An already harvested record is edited, a new one is published: both move to the end.
    with at(utc(2024, 4, 1)):
        guide = catalogue["guide"]
        guide.title = "Guide revu"
        document_save(guide)
        new = record(title="Nouveau")
    rest, _ = harvest(client, "ListIdentifiers", resumptionToken=token)
    seen = {i for i, _ in first_page + rest}
    assert seen == {
        oai_id(catalogue[k]) for k in ("guide", "study", "report", "withdrawn", "deleted")
    } | {oai_id(new)}
    assert rest[-2:] == [(oai_id(guide), None), (oai_id(new), None)]


def test_forged_or_foreign_tokens_are_refused(client, catalogue, settings):
    settings.OAI_PAGE_SIZE = 2
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("o:ListIdentifiers/o:resumptionToken", NS).text
    forged = signing.dumps(
        {
            "v": "ListIdentifiers",
            "a": {"metadataPrefix": "oai_dc"},
            "p": ["2000-01-01T00:00:00+00:00", 0],
            "c": 0,
            "n": 1,
        },
        salt="another salt",
    )
    for verb, bad in (
        ("ListIdentifiers", token[:-2] + ("AA" if not token.endswith("AA") else "BB")),
        ("ListIdentifiers", forged),
        ("ListIdentifiers", "garbage"),
        ("ListRecords", token),  # a token of another verb
    ):
        root = oai(client, verb=verb, resumptionToken=bad)
        assert error_codes(root) == ["badResumptionToken"]
        assert request_attributes(root) == {"verb": verb, "resumptionToken": bad}
    well_signed_nonsense = signing.dumps({"v": "ListIdentifiers"}, salt=TOKEN_SALT)
    root = oai(client, verb="ListIdentifiers", resumptionToken=well_signed_nonsense)
    assert error_codes(root) == ["badResumptionToken"]


# --- Query budget ------------------------------------------------------------------------------


def _many(themes, size):
    places = [territory(f"Commune {n}") for n in range(2)]
    for n in range(size):
        with at(utc(2024, 5, 1, 0, 0, n)):
            document = record(
                title=f"Document {n}",
                descriptors=[themes["resid"], themes["social"]],
                territories=places,
                authors=[f"Auteur {n}, A", f"Autrice {n}, B"],
            )
        Attachment.objects.create(
            document=document,
            file=f"documents/ab/{n}.pdf",
            original_name="a.pdf",
            size=1,
            sha256="ab" * 32,
        )
        if n % 3 == 0:  # withdrawn: a deleted record between the others
            with at(utc(2024, 5, 1, 0, 0, n, 500000)):
                document.status = "brouillon"
                document_save(document)


@pytest.mark.parametrize("size", [4, 9])
def test_list_records_page_uses_a_constant_number_of_queries(
    client, themes, settings, django_assert_num_queries, size
):
    _many(themes, size)
    # Two pages, each with public and deleted records; the first one counts the list.
    settings.OAI_PAGE_SIZE = (size + 1) // 2
    # The catalogue's 12 and 10 queries, plus the experience records (none here): their
    # list and tombstones on every page, and their two counts on the first one.
    with django_assert_num_queries(12 + 4):
        root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    first = identifiers(root, "ListRecords")
    token = root.find("o:ListRecords/o:resumptionToken", NS).text
    with django_assert_num_queries(10 + 2):
        root = oai(client, verb="ListRecords", resumptionToken=token)
    second = identifiers(root, "ListRecords")
    assert len(first + second) == size
    assert {status for _, status in first} == {status for _, status in second} == {None, "deleted"}


@pytest.mark.parametrize("size", [4, 9])
def test_get_record_uses_a_constant_number_of_queries(
    client, themes, django_assert_num_queries, size
):
    _many(themes, size)
    document = Document.objects.public().first()
    with django_assert_num_queries(9):
        oai(client, verb="GetRecord", identifier=oai_id(document), metadataPrefix="oai_dc")


def test_until_at_the_end_of_time_is_no_upper_bound(client, catalogue):
    for until in ("9999-12-31", "9999-12-31T23:59:59Z"):
        query = f"verb=ListIdentifiers&metadataPrefix=oai_dc&until={until}"
        root = validate(client.get(f"/oai?{query}").content)
        assert error_codes(root) == []
