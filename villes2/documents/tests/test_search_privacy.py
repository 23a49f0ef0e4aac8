"""Erasing a person (GDPR art. 17) also clears the search index of the records they wrote."""

import pytest
from django.db import connection

from villes2.actors.models import ErasureReason, Person
from villes2.actors.services import person_erase
from villes2.core.search import SearchRequest, run_search
from villes2.documents.models import Document
from villes2.documents.services import AuthorInput, document_save

pytestmark = pytest.mark.django_db


def _index_mentions(needle: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            tables = [t for t in connection.introspection.table_names() if "search" in t]
        else:
            tables = ["core_searchentry"]
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                if needle in " ".join(str(cell) for cell in row).casefold():
                    return True
    return False


def test_erased_author_leaves_the_search_index():
    person = Person.objects.create(first_name="Zéphyrine", last_name="Quarantotto", slug="zq")
    document = document_save(
        Document(title="Rapport d'activité", doc_type="rapport", year=2008, status="publie"),
        authors=[AuthorInput(person_id=person.pk)],
    )
    assert run_search(SearchRequest(q="Quarantotto")).total == 1
    assert _index_mentions("quarantott")
    person_erase(person=person, reason=ErasureReason.STAFF)
    assert run_search(SearchRequest(q="Quarantotto")).total == 0
    assert not _index_mentions("quarantott")
    document.refresh_from_db()
    assert not document.authors.exists()
