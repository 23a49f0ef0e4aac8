"""A standard harvester (oaipmh-scythe) against the endpoint served over HTTP by a live
server: it must get exactly the public records plus the deleted ones, across several
resumption pages, in full and selectively. These tests are transactional (the live
server reads committed data), so each one creates what it needs."""

import pytest
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig
from oaipmh_scythe.exceptions import BadArgument, IdDoesNotExist

from villes2.documents.services import document_delete, document_save

from .factories import at, concept, record, theme_scheme, utc

pytestmark = pytest.mark.django_db(transaction=True)

REPO = "villes2.example.org"


def oai_id(pk):
    return f"oai:{REPO}:documents/{pk}"


@pytest.fixture
def harvested_catalogue(settings):
    settings.OAI_PAGE_SIZE = 3
    scheme = theme_scheme()
    urban = concept(scheme, "t-urbain", "Renouvellement urbain")
    social = concept(scheme, "t-social", "Cohésion sociale")
    public, deleted = {}, {}
    for n in range(7):
        with at(utc(2024, 1, 1 + n, 12, 0, 0)):
            document = record(
                title=f"Notice {n}",
                doc_type="etude" if n % 2 else "rapport",
                descriptors=[urban if n < 4 else social],
                authors=[f"Auteur {n}, Camille"],
            )
        public[document.pk] = document
    with at(utc(2024, 1, 20)):
        record(title="Brouillon", status="brouillon", descriptors=[urban])
        record(title="Interne", access="equipe", descriptors=[urban])
    with at(utc(2024, 2, 1)):
        unpublished = public.pop(min(public))
        unpublished.status = "brouillon"
        document_save(unpublished)
        deleted[unpublished.pk] = unpublished
    with at(utc(2024, 2, 2)):
        removed = public.pop(max(public))
        deleted[removed.pk] = removed
        document_delete(removed)
    return public, deleted


def test_a_standard_harvester_gets_every_public_and_deleted_record(
    live_server, harvested_catalogue
):
    public, deleted = harvested_catalogue
    with Scythe(f"{live_server.url}/oai") as scythe:
        identify = scythe.identify()
        assert identify.repositoryName == "Villes² — centre de ressources"
        assert identify.deletedRecord == "persistent"
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        assert sorted(r.header.identifier for r in records if not r.deleted) == sorted(
            oai_id(pk) for pk in public
        )
        assert sorted(r.header.identifier for r in records if r.deleted) == sorted(
            oai_id(pk) for pk in deleted
        )
        # 5 public + 2 deleted records in pages of 3: the harvester followed two tokens.
        assert len(records) == 7
        titles = sorted(r.metadata["title"][0] for r in records if not r.deleted)
        assert titles == sorted(document.title for document in public.values())
        first = min(public)
        got = scythe.get_record(identifier=oai_id(first))
        number = public[first].title.removeprefix("Notice ")
        assert got.metadata["creator"] == [f"Auteur {number}, Camille"]
        with pytest.raises(IdDoesNotExist):
            scythe.get_record(identifier=oai_id(999999))
        with pytest.raises(BadArgument):
            list(scythe.list_records(from_="2024-01-01", until="2024-01-02T00:00:00Z"))


def test_a_standard_harvester_harvests_selectively(live_server, harvested_catalogue):
    public, deleted = harvested_catalogue
    with Scythe(f"{live_server.url}/oai", http_config=HTTPConfig(http_method="POST")) as scythe:
        headers = list(
            scythe.list_identifiers(from_="2024-01-03", until="2024-02-01", set_="theme:t-urbain")
        )
        # Notices 2 and 3 (urban, in range), and notice 0, unpublished on 1 February.
        expected_public = sorted(
            oai_id(pk)
            for pk, document in public.items()
            if document.title in ("Notice 2", "Notice 3")
        )
        assert sorted(h.identifier for h in headers if not h.deleted) == expected_public
        assert [h.identifier for h in headers if h.deleted] == [oai_id(min(deleted))]
        sets = {s.setSpec for s in scythe.list_sets()}
        assert {"type", "type:rapport", "theme", "theme:t-urbain", "theme:t-social"} <= sets
