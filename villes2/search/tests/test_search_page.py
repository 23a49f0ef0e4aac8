"""`/recherche/`: every registered type with a tab and a count; the rebuild command."""

import io

import pytest
from django.core.management import call_command

from villes2.core.models import SearchEntry
from villes2.core.search import SearchRequest, run_search, search_registry
from villes2.documents.models import Document
from villes2.documents.services import document_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return [
        document_save(
            Document(
                title=f"Rapport {n} sur les quartiers",
                doc_type="rapport",
                year=2000 + n,
                status="publie",
            )
        )
        for n in range(3)
    ] + [document_save(Document(title="Brouillon quartiers", doc_type="rapport", year=2007))]


def test_tabs_with_counts(client, records):
    response = client.get("/recherche/", {"q": "quartiers"})
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["all_count"] == 3
    assert [(k.search_type.key, k.count) for k in response.context["results"].kinds] == [
        ("documents", 3),
        ("practices", 0),
        ("events", 0),
        ("faq", 0),
    ]
    assert "?q=quartiers&amp;quoi=documents" in content
    assert "Brouillon" not in content


def test_tab_restricts_the_kind(client, records):
    response = client.get("/recherche/", {"q": "quartiers", "quoi": "documents"})
    assert response.context["kind"] == "documents"
    assert response.context["results"].total == 3
    unknown = client.get("/recherche/", {"q": "quartiers", "quoi": "nope"})
    assert unknown.status_code == 200 and unknown.context["kind"] == ""


def test_every_registered_type_is_a_tab(client, records):
    response = client.get("/recherche/")
    keys = [k.search_type.key for k in response.context["results"].kinds]
    assert keys == [t.key for t in search_registry.ordered()]


def test_pagination_and_sort_by_date(client, records):
    results = run_search(SearchRequest(q="quartiers", sort="date", per_page=2))
    assert [h.object.year for h in results.hits] == [2002, 2001]
    assert results.num_pages == 2
    second = run_search(SearchRequest(q="quartiers", sort="date", per_page=2, page=2))
    assert [h.object.year for h in second.hits] == [2000]


def test_index_is_written_with_the_record_and_rolled_back_with_it(records):
    from django.db import transaction

    before = SearchEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        document_save(Document(title="Annulé", doc_type="rapport", year=2007, status="publie"))
        assert SearchEntry.objects.count() == before + 1
        raise RuntimeError
    assert SearchEntry.objects.count() == before
    assert run_search(SearchRequest(q="annulé")).total == 0


def test_rebuild_command_gives_the_same_results(records):
    before = {h.object.pk for h in run_search(SearchRequest(q="quartiers")).hits}
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "documents : " in out.getvalue()
    assert {h.object.pk for h in run_search(SearchRequest(q="quartiers")).hits} == before
    assert SearchEntry.objects.filter(kind="documents").count() == Document.objects.count()


def test_rebuild_refuses_unknown_type():
    with pytest.raises(SystemExit):
        call_command("rebuild_search_index", "nope", stderr=io.StringIO())


def test_deleted_record_leaves_the_index(records):
    from villes2.documents.services import document_delete

    document_delete(records[0])
    assert not SearchEntry.objects.filter(kind="documents", object_id=records[0].pk).exists()
    assert run_search(SearchRequest(q="quartiers")).total == 2


def test_search_page_query_budget(client, records, django_assert_num_queries):
    client.get("/recherche/")  # loads the thesaurus synonyms once (cached after)
    # Thesaurus version, counts and facets, page of hits, records and their four
    # prefetches (authors without persons or organisations: none), no facet labels.
    with django_assert_num_queries(9):
        client.get("/recherche/", {"q": "quartiers"})


@pytest.mark.django_db(transaction=True)
def test_browse_counts_are_cached_until_the_index_changes(django_assert_num_queries):
    """Outside a transaction (as in production), browsing with no query reuses its counts
    while the index state token is unchanged, and sees a committed change at once."""
    from villes2.core.search.backends import get_backend
    from villes2.core.search.backends.base import Criteria
    from villes2.core.search.query import parse

    document_save(Document(title="Un", doc_type="rapport", year=2001, status="publie"))
    backend = get_backend()
    # Documents only: this transactional test may run first, before any flush, and see
    # the founding data of the session (its events are indexed).
    criteria = Criteria(query=parse(""), kinds=("documents",))
    first = backend.search(criteria, facets=("type",), limit=0)
    assert first.total == 1 and first.facets["type"] == {"rapport": 1}
    with django_assert_num_queries(1):  # the state token only
        assert backend.search(criteria, facets=("type",), limit=0).facets == first.facets
    document_save(Document(title="Deux", doc_type="etude", year=2002, status="publie"))
    second = backend.search(criteria, facets=("type",), limit=0)
    assert second.total == 2 and second.facets["type"] == {"rapport": 1, "etude": 1}
    # A query is never served from the cache.
    deux = Criteria(query=parse("deux"), kinds=("documents",))
    assert backend.search(deux, facets=("type",), limit=0).total == 1


@pytest.mark.django_db(transaction=True)
def test_in_memory_counts_equal_sql_counts():
    """Outside a transaction the counts come from the in-memory facet table: they must be
    exactly those of the SQL grouping, for queries, filters, kinds and browsing."""
    from villes2.core.search.backends import get_backend
    from villes2.core.search.backends.base import Criteria
    from villes2.core.search.query import parse
    from villes2.core.search.registry import COUNTED_FACETS
    from villes2.taxonomy.models import Concept, ConceptScheme
    from villes2.territories.tests.factories import TerritoryFactory

    ConceptScheme.objects.filter(is_theme_scheme=True).update(is_theme_scheme=False)
    scheme = ConceptScheme.objects.create(
        slug="c", uri="https://example.org/c", title_fr="C", is_theme_scheme=True
    )
    themes = [
        Concept.objects.create(
            scheme=scheme, slug=f"t{n}", uri=f"https://example.org/c/t{n}", pref_label_fr=f"T{n}"
        )
        for n in range(4)
    ]
    places = [TerritoryFactory(kind="departement") for _n in range(3)]
    for n in range(30):
        document_save(
            Document(
                title=f"Rapport {n} sur les quartiers" if n % 3 else f"Étude {n} emploi",
                doc_type=["rapport", "etude", "guide-methodologique"][n % 3],
                year=2000 + n % 7,
                status="publie" if n % 5 else "brouillon",
                access="public" if n % 4 else "equipe",
            ),
            descriptors=themes[n % 4 : n % 4 + 2],
            territories=places[: n % 4],
        )
    backend = get_backend()
    cases = [
        Criteria(query=parse("")),
        Criteria(query=parse("quartiers")),
        Criteria(query=parse("emploi"), public_only=False),
        Criteria(query=parse("quartiers"), filters={"type": ("rapport",)}),
        Criteria(query=parse("-emploi"), kinds=("documents",), year_min=2002),
        Criteria(query=parse("introuvable")),
        Criteria(query=parse("rapport"), filters={"theme": ("t1",)}),
    ]
    assert backend._counts_in_sql(cases[1], COUNTED_FACETS)[1]["theme"]  # not trivial
    assert backend._counts_in_sql(cases[1], COUNTED_FACETS)[1]["territory"]
    for criteria in cases:
        in_sql = backend._counts_in_sql(criteria, COUNTED_FACETS)
        in_memory = backend._counts_in_memory(criteria, COUNTED_FACETS)
        assert in_memory == in_sql, criteria
    # A write is seen at once: the table is rebuilt for the new state.
    document_save(
        Document(title="Encore un rapport", doc_type="rapport", year=2001, status="publie")
    )
    criteria = Criteria(query=parse("rapport"))
    assert backend._counts_in_memory(criteria, COUNTED_FACETS) == backend._counts_in_sql(
        criteria, COUNTED_FACETS
    )


def test_an_empty_catalogue_says_so(client):
    from villes2.core.models import SearchEntry

    SearchEntry.objects.all().delete()
    content = client.get("/documents/").content.decode()
    assert "Rien n’a encore été publié ici." in content
    assert "Aucun résultat" not in content
    assert "Aucun résultat" in client.get("/documents/", {"q": "quartiers"}).content.decode()
