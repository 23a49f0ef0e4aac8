"""Running a search: parse, ask the backend, load the objects of the page, cut the
highlighted extracts and label the facets."""

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.safestring import SafeString

from .backends import get_backend
from .backends.base import Criteria
from .highlight import highlight, snippet
from .query import Query, parse
from .registry import COUNTED_FACETS, FACETS, SearchType, search_registry
from .synonyms import expander

MAX_PAGE = 500
SORTS = ("relevance", "date")


@dataclass
class SearchRequest:
    q: str = ""
    kinds: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    staff: bool = False
    facets: tuple[str, ...] = COUNTED_FACETS


@dataclass
class Hit:
    search_type: SearchType
    object: Any
    score: float
    title: SafeString
    snippet: SafeString

    @property
    def kind(self) -> str:
        return self.search_type.key


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class KindCount:
    search_type: SearchType
    count: int
    selected: bool


@dataclass
class SearchResults:
    request: SearchRequest
    query: Query
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetOption]]
    kinds: list[KindCount]
    page: int
    num_pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.request.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.request.per_page)


def run_search(request: SearchRequest, *, conn=None) -> SearchResults:
    expand = expander()
    query = parse(request.q, expand)
    kinds = tuple(k for k in request.kinds if k in search_registry.types)
    criteria = Criteria(
        query=query,
        public_only=not request.staff,
        kinds=kinds,
        filters={f: tuple(v) for f, v in request.filters.items() if f in FACETS and v},
        year_min=request.year_min,
        year_max=request.year_max,
    )
    if request.q.strip() and query.is_empty:
        # Only stop words or symbols: nothing can match. Empty page, no error.
        return _empty(request, query)
    per_page = max(1, min(request.per_page, 100))
    page = max(1, min(request.page, MAX_PAGE))
    sort = request.sort if request.sort in SORTS else "relevance"
    backend = get_backend(conn or connection)
    raw = backend.search(
        criteria,
        sort=sort,
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=tuple(f for f in request.facets if f in FACETS),
    )
    num_pages = max(1, math.ceil(raw.total / per_page))
    if page > num_pages:
        # Past the last page (an old link, a hand-made URL): show the last page.
        page = num_pages
        raw = backend.search(
            criteria,
            sort=sort,
            offset=(page - 1) * per_page,
            limit=per_page,
            facets=tuple(f for f in request.facets if f in FACETS),
        )
    hits = _load_hits(raw.hits, query, public_only=criteria.public_only)
    return SearchResults(
        request=request,
        query=query,
        total=raw.total,
        hits=hits,
        facets=_facet_options(raw.facets, criteria),
        kinds=[
            KindCount(t, raw.kind_counts.get(t.key, 0), t.key in kinds)
            for t in search_registry.ordered()
        ],
        page=page,
        num_pages=num_pages,
    )


def _empty(request: SearchRequest, query: Query) -> SearchResults:
    return SearchResults(
        request=request,
        query=query,
        total=0,
        hits=[],
        facets={},
        kinds=[KindCount(t, 0, t.key in request.kinds) for t in search_registry.ordered()],
        page=1,
        num_pages=1,
    )


def _load_hits(raw_hits, query: Query, *, public_only: bool) -> list[Hit]:
    by_kind: dict[str, list[int]] = {}
    for raw in raw_hits:
        by_kind.setdefault(raw.kind, []).append(raw.object_id)
    objects: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        search_type = search_registry.types.get(kind)
        if search_type is None:
            continue
        queryset = (search_type.hit_queryset or search_type.queryset)()
        for pk, obj in queryset.in_bulk(ids).items():
            objects[(kind, pk)] = obj
    hits = []
    for raw in raw_hits:
        obj = objects.get((raw.kind, raw.object_id))
        search_type = search_registry.types.get(raw.kind)
        if obj is None or search_type is None:
            continue
        if public_only and not search_type.is_public(obj):
            continue  # never shown, even if the index were behind
        title_extract = search_type.fields.get("title")
        hits.append(
            Hit(
                search_type=search_type,
                object=obj,
                score=raw.score,
                title=highlight(title_extract(obj) if title_extract else str(obj), query.highlight),
                snippet=snippet(search_type.snippet_text(obj), query.highlight),
            )
        )
    return hits


def _facet_options(counts: dict[str, dict[str, int]], criteria: Criteria):
    options: dict[str, list[FacetOption]] = {}
    for facet, values in counts.items():
        labels = search_registry.labels_for(facet, values)
        selected = set(criteria.filters.get(facet, ()))
        items = [
            FacetOption(value, labels.get(value, value), count, value in selected)
            for value, count in values.items()
        ]
        if facet == "year":
            items.sort(key=lambda item: item.value, reverse=True)
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        options[facet] = items
    return options
