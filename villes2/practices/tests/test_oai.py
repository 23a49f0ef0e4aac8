"""Experience records in the OAI-PMH provider (`/oai`, set `experiences`), beside the
catalogue's records: sets, Dublin Core, interleaving in datestamp order with keys unique
across both, resumption, selective harvests, deleted records, and records never
published never shown. Every response is validated against the vendored schemas; a
standard harvester (oaipmh-scythe) harvests both kinds end to end."""

import pytest
from oaipmh_scythe import Scythe

from villes2.api.tests.factories import at, concept, record, theme_scheme, utc
from villes2.api.tests.schemas import validate
from villes2.api.tests.test_oai import LANG, NS, error_codes, harvest, identifiers, text
from villes2.documents.models import Document
from villes2.practices import services
from villes2.practices.models import Practice, PracticeStatus
from villes2.practices.tests.factories import NON_PUBLIC_STATUSES, PracticeFactory
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

pytestmark = pytest.mark.django_db
S = PracticeStatus
REPO = "villes2.example.org"


def oai(client, **params):
    response = client.get("/oai", params)
    assert response.status_code == 200
    return validate(response.content)


def doc_id(pk):
    return f"oai:{REPO}:documents/{getattr(pk, 'pk', pk)}"


def exp_id(pk):
    return f"oai:{REPO}:experiences/{getattr(pk, 'pk', pk)}"


def theme(slug):
    return Concept.objects.get(scheme__slug="themes", slug=slug)


def published_at(moment, **fields):
    with at(moment):
        return PracticeFactory(published=True, **fields)


@pytest.fixture
def mixed(db, reference_data):
    """Catalogue records and experience records at their own times, two at the same
    instant; records never published; records withdrawn, sent back to review and
    deleted after publication."""
    tours = Territory.objects.get(kind="commune", code="37261")
    with at(utc(2024, 1, 5, 8, 0, 0)):
        earliest = PracticeFactory(
            published=True, title="La plus ancienne", themes=[theme("sante")]
        )
    with at(utc(2024, 1, 10, 10, 0, 0)):
        guide = record(title="Guide", descriptors=[theme("residentialisation")])
    with at(utc(2024, 1, 12, 9, 0, 0)):
        nuit = PracticeFactory(
            published=True,
            title="Correspondants de nuit",
            title_en="Night mediators",
            summary="Médiation sociale de nuit.",
            summary_en="Social mediation at night.",
            themes=[theme("acces-au-logement")],
            territories=[tours],
            documents=[guide],
        )
    withdrawn = published_at(utc(2024, 1, 13), title="Retirée", themes=[theme("sante")])
    reviewed = published_at(
        utc(2024, 1, 14), title="En relecture", themes=[theme("logement-social")]
    )
    deleted = published_at(utc(2024, 1, 15), title="Supprimée", themes=[theme("sante")])
    with at(utc(2024, 1, 16)):
        never = {
            status: PracticeFactory(status=status, title=f"Jamais {status}")
            for status in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW)
        }
    # A catalogue record and an experience record at the very same instant.
    with at(utc(2024, 1, 20, 12, 0, 0)):
        same_doc = record(title="Même instant")
        same_exp = PracticeFactory(published=True, title="Même instant aussi")
    director = withdrawn.last_reviewed_by
    with at(utc(2024, 2, 1)):
        services.practice_transition(withdrawn, to_status=S.WITHDRAWN, user=director)
    with at(utc(2024, 2, 3)):
        services.practice_transition(reviewed, to_status=S.IN_REVIEW, user=director)
    with at(utc(2024, 2, 5)):
        deleted_pk = deleted.pk
        services.practice_delete(deleted)
    return {
        "earliest": earliest,
        "guide": guide,
        "nuit": nuit,
        "withdrawn": withdrawn,
        "reviewed": reviewed,
        "deleted": deleted_pk,
        "never": never,
        "same_doc": same_doc,
        "same_exp": same_exp,
        "tours": tours,
    }


def full_list(mixed):
    return [
        (exp_id(mixed["earliest"]), None),
        (doc_id(mixed["guide"]), None),
        (exp_id(mixed["nuit"]), None),
        # One datestamp: the order is that of the keys (pk × 2 + source), so it depends on
        # the numbers the database gave (PostgreSQL's sequences are not reset per test).
        *sorted(
            [(doc_id(mixed["same_doc"]), None), (exp_id(mixed["same_exp"]), None)],
            key=lambda item: {
                doc_id(mixed["same_doc"]): mixed["same_doc"].pk * 2,
                exp_id(mixed["same_exp"]): mixed["same_exp"].pk * 2 + 1,
            }[item[0]],
        ),
        (exp_id(mixed["withdrawn"]), "deleted"),
        (exp_id(mixed["reviewed"]), "deleted"),
        (exp_id(mixed["deleted"]), "deleted"),
    ]


def test_list_identifiers_interleaves_documents_and_experience_records(client, mixed):
    assert mixed["same_doc"].modified == mixed["same_exp"].modified
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == full_list(mixed)
    headers = root.xpath("o:ListIdentifiers/o:header", namespaces=NS)
    specs = {h.findtext("o:identifier", namespaces=NS): text(h, "o:setSpec") for h in headers}
    assert specs[exp_id(mixed["nuit"])] == [
        "experiences",
        "experiences:theme:cohesion-sociale-acces-aux-droits",
    ]
    assert specs[exp_id(mixed["withdrawn"])] == ["experiences"]
    assert specs[doc_id(mixed["guide"])] == [
        "type:rapport",
        "theme:renovation-urbaine-cadre-de-vie",
    ]


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_resumption_pages_through_both_kinds(client, mixed, settings, page_size):
    settings.OAI_PAGE_SIZE = page_size
    found, tokens = harvest(client, "ListRecords", metadataPrefix="oai_dc")
    assert found == full_list(mixed)
    sizes = {size for _token, _cursor, size in tokens}
    assert sizes == {"8"}
    assert [int(cursor) for _t, cursor, _s in tokens] == list(range(0, 8, page_size))


@pytest.mark.parametrize(
    ("set_spec", "expected"),
    [
        ("experiences", ["earliest", "nuit", "same_exp", "withdrawn", "reviewed", "deleted"]),
        # Themes above the records' themes; a withdrawn record in the sets of its themes,
        # a deleted one (themes lost) in every theme set.
        ("experiences:theme:sante", ["earliest", "withdrawn", "deleted"]),
        (
            "experiences:theme:renovation-urbaine-cadre-de-vie",
            ["reviewed", "deleted"],
        ),
        ("experiences:theme", ["earliest", "nuit", "withdrawn", "reviewed", "deleted"]),
        ("type", ["guide", "same_doc"]),
        ("theme:renovation-urbaine-cadre-de-vie", ["guide"]),
    ],
)
def test_selective_harvest_by_set(client, mixed, set_spec, expected):
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
    wanted = {
        "guide": doc_id(mixed["guide"]),
        "same_doc": doc_id(mixed["same_doc"]),
        "deleted": exp_id(mixed["deleted"]),
    }
    assert [i for i, _ in identifiers(root)] == [
        wanted.get(key) or exp_id(mixed[key]) for key in expected
    ]


@pytest.mark.parametrize("set_spec", ["experiences:theme:inconnu", "experiences:autre"])
def test_unknown_experience_sets_match_nothing(client, mixed, set_spec):
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set=set_spec)
    assert error_codes(root) == ["noRecordsMatch"]


def test_selective_harvest_by_dates_over_both_kinds(client, mixed):
    root = oai(
        client,
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2024-01-10T00:00:00Z", "until": "2024-01-20T12:00:00Z"},
    )
    assert identifiers(root) == full_list(mixed)[1:5]


def test_list_sets_adds_the_experience_sets(client, mixed):
    root = oai(client, verb="ListSets")
    specs = text(root, "o:ListSets/o:set/o:setSpec")
    names = dict(zip(specs, text(root, "o:ListSets/o:set/o:setName"), strict=True))
    assert specs[0] == "type"
    assert "theme:sante" in specs
    experience_specs = [spec for spec in specs if spec.startswith("experiences")]
    assert experience_specs[:2] == ["experiences", "experiences:theme"]
    assert len(experience_specs) == 2 + 12  # the twelve top concepts of the theme scheme
    assert names["experiences"] == "Fiches expérience"
    assert names["experiences:theme"] == "Fiches expérience par thème"
    assert names["experiences:theme:sante"] == "Fiches expérience, thème : Santé"


def test_identify_is_unchanged_but_for_the_earliest_datestamp(client, mixed):
    root = oai(client, verb="Identify")
    assert text(root, "o:Identify/o:repositoryName") == ["Villes² — centre de ressources"]
    assert text(root, "o:Identify/o:earliestDatestamp") == ["2024-01-05T08:00:00Z"]
    assert text(root, "o:Identify/o:description/*/*[local-name()='sampleIdentifier']") == [
        doc_id(1)
    ]


def test_get_record_in_dublin_core(client, mixed):
    nuit = mixed["nuit"]
    root = oai(client, verb="GetRecord", identifier=exp_id(nuit), metadataPrefix="oai_dc")
    header = "o:GetRecord/o:record/o:header/o:"
    assert text(root, header + "datestamp") == ["2024-01-12T09:00:00Z"]
    dc = root.find("o:GetRecord/o:record/o:metadata/*", NS)

    def values(element):
        return [(e.text, e.get(LANG)) for e in dc.findall(f"dc:{element}", NS)]

    assert values("title") == [("Correspondants de nuit", "fr"), ("Night mediators", "en")]
    assert values("description") == [
        ("Médiation sociale de nuit.", "fr"),
        ("Social mediation at night.", "en"),
    ]
    # Themes in French and English, then EUKN's themes in English.
    assert values("subject") == [
        ("accès au logement", "fr"),
        ("access to housing", "en"),
        ("Social inclusion and integration", "en"),
        ("Housing", "en"),
    ]
    assert values("coverage") == [("Tours", None)]
    assert values("date") == [("2024-01-12", None)]
    assert values("type") == [("Text", None), ("practice", "en"), ("fiche expérience", "fr")]
    assert values("identifier") == [(f"http://testserver/experiences/{nuit.pk}/", None)]
    assert values("language") == [("fr", None), ("en", None)]
    assert values("publisher") == [("Association Villes²", None)]
    assert values("relation") == [(f"http://testserver/documents/{mixed['guide'].pk}/", None)]
    assert values("creator") == []


def test_get_record_of_a_record_without_english_or_links(client, mixed):
    root = oai(
        client, verb="GetRecord", identifier=exp_id(mixed["earliest"]), metadataPrefix="oai_dc"
    )
    assert text(root, "//dc:title") == ["La plus ancienne"]
    assert text(root, "//dc:language") == ["fr"]
    assert text(root, "//dc:relation") == []
    assert text(root, "//dc:subject") == ["Santé", "Health", "Social inclusion and integration"]


@pytest.mark.parametrize("key", ["withdrawn", "reviewed", "deleted"])
def test_records_published_once_are_deleted_records(client, mixed, key):
    root = oai(client, verb="GetRecord", identifier=exp_id(mixed[key]), metadataPrefix="oai_dc")
    assert root.xpath("o:GetRecord/o:record/o:header/@status", namespaces=NS) == ["deleted"]
    assert root.find("o:GetRecord/o:record/o:metadata", NS) is None


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW])
def test_records_never_published_never_appear(client, mixed, status):
    hidden = mixed["never"][status]
    root = oai(client, verb="GetRecord", identifier=exp_id(hidden), metadataPrefix="oai_dc")
    assert error_codes(root) == ["idDoesNotExist"]
    root = oai(client, verb="ListMetadataFormats", identifier=exp_id(hidden))
    assert error_codes(root) == ["idDoesNotExist"]
    listed = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="experiences")
    assert exp_id(hidden) not in [i for i, _ in identifiers(listed)]
    assert (
        hidden.title.encode()
        not in client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    )


@pytest.mark.parametrize("status", NON_PUBLIC_STATUSES)
def test_each_non_public_status(client, reference_data, status):
    practice = PracticeFactory(status=status, title="Cachée")
    root = oai(client, verb="GetRecord", identifier=exp_id(practice), metadataPrefix="oai_dc")
    if status == S.WITHDRAWN:  # published once: a deleted record, without metadata
        assert root.xpath("//o:header/@status", namespaces=NS) == ["deleted"]
    else:
        assert error_codes(root) == ["idDoesNotExist"]
    assert (
        b"Cach\xc3\xa9e"
        not in client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    )


def test_identifiers_of_another_kind_or_repository_are_unknown(client, mixed):
    nuit = mixed["nuit"]
    for identifier in (
        f"oai:autre.example.org:experiences/{nuit.pk}",
        f"oai:{REPO}:experiences/0",
        f"oai:{REPO}:experiences/{nuit.pk}x",
        f"oai:{REPO}:pratiques/{nuit.pk}",
    ):
        root = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert error_codes(root) == ["idDoesNotExist"]


# --- Query budget ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 5])
def test_list_records_with_experience_records_uses_a_constant_number_of_queries(
    client, reference_data, settings, django_assert_num_queries, size
):
    tours = Territory.objects.get(kind="commune", code="37261")
    with at(utc(2024, 5, 1)):
        document = record(title="Document lié", descriptors=[theme("sante")])
    for n in range(size):
        with at(utc(2024, 5, 2, 0, 0, n)):
            practice = PracticeFactory(
                published=True,
                title=f"Fiche {n}",
                themes=[theme("sante"), theme("acces-au-logement")],
                territories=[tours],
                documents=[document],
            )
        if n % 2:  # withdrawn: a deleted record between the others
            with at(utc(2024, 5, 2, 0, 0, n, 500000)):
                services.practice_transition(
                    practice, to_status=S.WITHDRAWN, user=practice.last_reviewed_by
                )
    settings.OAI_PAGE_SIZE = size + 1  # one page with every record: no count
    # The catalogue (list, tombstones, four prefetches, the theme map's four queries);
    # the experience records (list, tombstones, five prefetches, the EUKN mappings'
    # three queries); the theme map is shared.
    with django_assert_num_queries(10 + 10):
        root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(identifiers(root, "ListRecords")) == size + 1
    practice = Practice.objects.public().first()
    # Routed by the identifier, the experience records' queries only: the record, five
    # prefetches, the EUKN mappings (three) and the theme map of its sets (four).
    with django_assert_num_queries(13):
        oai(client, verb="GetRecord", identifier=exp_id(practice), metadataPrefix="oai_dc")


# --- A standard harvester ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_standard_harvester_gets_documents_and_experience_records(live_server, settings):
    """Transactional (the live server reads committed data): it builds its own theme
    scheme and publishes as a superuser (the flushed database has no role groups)."""
    from django.contrib.auth import get_user_model

    settings.OAI_PAGE_SIZE = 3
    scheme = theme_scheme()
    urban = concept(scheme, "t-urbain", "Renouvellement urbain")
    boss = get_user_model().objects.create_superuser("admin", "admin@example.org", "x")
    documents, practices = [], []
    for n in range(3):
        with at(utc(2024, 1, 1 + 2 * n, 12)):
            documents.append(record(title=f"Notice {n}", descriptors=[urban]))
        with at(utc(2024, 1, 2 + 2 * n, 12)):
            practices.append(
                PracticeFactory(published=True, reviewer=boss, title=f"Fiche {n}", themes=[urban])
            )
    with at(utc(2024, 1, 20)):
        PracticeFactory(reviewer=boss, title="Brouillon")
        PracticeFactory(status=S.SUBMITTED, reviewer=boss, title="Soumise")
    with at(utc(2024, 2, 1)):
        withdrawn = practices.pop()
        services.practice_transition(withdrawn, to_status=S.WITHDRAWN, user=boss)
    with Scythe(f"{live_server.url}/oai") as scythe:
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        assert sorted(r.header.identifier for r in records if not r.deleted) == sorted(
            [doc_id(d) for d in documents] + [exp_id(p) for p in practices]
        )
        assert [r.header.identifier for r in records if r.deleted] == [exp_id(withdrawn)]
        titles = sorted(r.metadata["title"][0] for r in records if not r.deleted)
        assert titles == ["Fiche 0", "Fiche 1", "Notice 0", "Notice 1", "Notice 2"]
        headers = list(scythe.list_identifiers(metadata_prefix="oai_dc", set_="experiences"))
        assert [h.identifier for h in headers] == [
            exp_id(practices[0]),
            exp_id(practices[1]),
            exp_id(withdrawn),
        ]
        got = scythe.get_record(identifier=exp_id(practices[0]))
        assert got.metadata["type"] == ["Text", "practice", "fiche expérience"]
        assert Document.objects.count() == 3


def test_a_token_issued_before_experience_records_skips_no_catalogue_record(client, mixed):
    """Tokens issued when the endpoint served the catalogue alone carry a document id
    as key: the catalogue record at that exact datestamp is served again, none skipped."""
    from django.core import signing

    from villes2.api.oai.protocol import TOKEN_SALT

    guide = mixed["guide"]
    state = {
        "v": "ListIdentifiers",
        "a": {"metadataPrefix": "oai_dc"},
        "p": [guide.modified.isoformat(), guide.pk],
        "c": 1,
        "n": 2,
    }
    token = signing.dumps(state, salt=TOKEN_SALT, compress=True)
    found, _tokens = harvest(client, "ListIdentifiers", resumptionToken=token)
    assert found == [(doc_id(guide), None), *full_list(mixed)[2:]]
