"""What each content type puts into the search, declared once (as Wagtail's
`search_fields` or NetBox's `SearchIndex`): its searchable fields by weight, its facets,
who may see it, and how a hit is shown.

An app declares a `SearchType` in its `search.py` and registers it in
`AppConfig.ready()`; the shared index, the search page and the rebuild command then
handle it with no code of their own.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise

# The four weighted columns of the index, highest first (A > B > C > D, as PostgreSQL's
# setweight). The order: title > descriptors > abstract > full text.
WEIGHTS = ("title", "descriptors", "abstract", "body")
WEIGHT_VALUES = {"title": 10.0, "descriptors": 5.0, "abstract": 2.0, "body": 1.0}

# Facets. Single-valued ones are columns of the index entry; multi-valued ones are rows
# of the facet table.
COLUMN_FACETS = ("type", "year", "access")
# "descriptor" holds the thesaurus concepts of a record and all their broader concepts:
# a filter only ("records indexed with this concept or a narrower one"), never counted.
# "public", "scheme" and "period" (decades) are those of experience records.
MULTI_FACETS = ("theme", "territory", "descriptor", "public", "scheme", "period")
FACETS = COLUMN_FACETS + MULTI_FACETS
COUNTED_FACETS = ("type", "theme", "territory", "year", "access", "public", "scheme", "period")

FacetValue = str | int | None


@dataclass(frozen=True)
class SearchType:
    """A searchable content type.

    - `fields`: weight column (one of WEIGHTS) → function of an object returning text;
    - `facets`: facet name (one of FACETS) → function returning a value (column facets)
      or an iterable of values (multi-valued facets);
    - `is_public`: whether the public may see the object (drafts and staff-only content
      are indexed for staff, and filtered out of every public search);
    - `date`: the date the "sort by date" and the year facet use;
    - `queryset`: every object to index, with what `fields` need prefetched;
    - `snippet_text`: the text a highlighted extract is cut from;
    - `template`: how a hit is shown (gets `hit`, with `hit.object` and `hit.snippet`).
    """

    key: str
    label: str | Promise
    model: type[models.Model]
    fields: dict[str, Callable[[Any], str]]
    queryset: Callable[[], models.QuerySet]
    is_public: Callable[[Any], bool]
    template: str
    facets: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    date: Callable[[Any], datetime.date | None] = lambda obj: None
    snippet_text: Callable[[Any], str] = lambda obj: ""
    # Optional: what showing a hit needs, when lighter than `queryset` (no full texts).
    hit_queryset: Callable[[], models.QuerySet] | None = None
    # Optional: resolve what many objects need in a few queries before they are indexed.
    prepare_batch: Callable[[list], None] | None = None
    # Model label ("taxonomy.Concept") → function of primary keys returning the objects
    # of this type whose index quotes those rows (see `dependents.py`).
    depends_on: dict[str, Callable[[list[int]], Iterable]] = field(default_factory=dict)
    order: int = 100

    def __post_init__(self) -> None:
        unknown = (set(self.fields) - set(WEIGHTS)) | (set(self.facets) - set(FACETS))
        if unknown:
            raise ValueError(f"Unknown search fields or facets: {sorted(unknown)}")


@dataclass
class SearchRegistry:
    types: dict[str, SearchType] = field(default_factory=dict)
    # facet → function(values) returning {value: label}, registered by the app that owns
    # the values (taxonomy for themes, territories for territories, …).
    facet_labels: dict[str, list[Callable[[Iterable[str]], dict[str, str]]]] = field(
        default_factory=dict
    )
    # Thesaurus: groups of equivalent labels, and a cheap version to know when to reload.
    synonym_groups: Callable[[], Sequence[Sequence[str]]] | None = None
    synonym_version: Callable[[], Any] | None = None

    def register(self, search_type: SearchType) -> None:
        self.types[search_type.key] = search_type

    def for_model(self, model: type[models.Model]) -> SearchType | None:
        for search_type in self.types.values():
            if issubclass(model, search_type.model):
                return search_type
        return None

    def ordered(self) -> list[SearchType]:
        return sorted(self.types.values(), key=lambda t: (t.order, t.key))

    def add_facet_labels(self, facet: str, labels: Callable[[Iterable[str]], dict[str, str]]):
        """Several apps may label values of one facet (each its own types)."""
        resolvers = self.facet_labels.setdefault(facet, [])
        if labels not in resolvers:
            resolvers.append(labels)

    def labels_for(self, facet: str, values: Iterable[str]) -> dict[str, str]:
        values = list(values)
        labels: dict[str, str] = {}
        for resolver in self.facet_labels.get(facet, []):
            labels.update(resolver(values))
        return labels

    def set_synonyms(self, groups: Callable, version: Callable) -> None:
        self.synonym_groups = groups
        self.synonym_version = version


search_registry = SearchRegistry()
