"""What a content type indexed with thesaurus concepts and territories (catalogue
records, events) puts into the search, declared once: the concepts' labels as its
"descriptors" text, and its "theme", "descriptor" and "territory" facets.

The lookups come from the thesaurus and the territories (`taxonomy.selectors`,
`territories.selectors`), handed over by the app that declares its type: core imports
no app above it. `prepare_batch` reads each lookup once for many objects; an object indexed
alone reads what its facet needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

# Set on each object by `prepare_batch`: the lookups read once for the batch.
_BATCH = "_search_subjects"


class _Batch(NamedTuple):
    themes: dict[int, frozenset[str]]  # concept id → theme slugs
    lineage: dict[int, frozenset[int]]  # concept id → itself and its broader concepts
    territories: dict[int, set[str]]  # territory id → "kind-code" facet values


class Thesaurus(Protocol):
    """What `villes2.taxonomy.selectors` offers."""

    def theme_slugs_by_concept(self) -> dict[int, frozenset[str]]: ...

    def concept_lineage(self) -> dict[int, frozenset[int]]: ...


class Territories(Protocol):
    """What `villes2.territories.selectors` offers."""

    def facet_values(self, territory_ids: Iterable[int]) -> dict[int, set[str]]: ...


@dataclass(frozen=True)
class SubjectIndexing:
    """`concepts(obj)`: the object's concepts (prefetched); `territory_ids(obj)`: the
    territories it is found under; `thesaurus` and `territories`: the selectors modules
    of those apps (theme slugs and lineage of concepts; facet values of territories)."""

    concepts: Callable[[Any], Iterable]
    territory_ids: Callable[[Any], Iterable[int]]
    thesaurus: Thesaurus
    territories: Territories

    def descriptors(self, obj) -> str:
        """The concepts' French and English labels: the "descriptors" weight."""
        labels = []
        for concept in self.concepts(obj):
            labels += [concept.pref_label_fr, concept.pref_label_en]
        return " ".join(label for label in labels if label)

    def themes(self, obj) -> list[str]:
        batch = getattr(obj, _BATCH, None)
        by_concept = batch.themes if batch else self.thesaurus.theme_slugs_by_concept()
        slugs: set[str] = set()
        for concept in self.concepts(obj):
            slugs |= by_concept.get(concept.pk, frozenset())
        return sorted(slugs)

    def descriptor_lineage(self, obj) -> list[int]:
        batch = getattr(obj, _BATCH, None)
        lineage = batch.lineage if batch else self.thesaurus.concept_lineage()
        ids: set[int] = set()
        for concept in self.concepts(obj):
            ids |= lineage.get(concept.pk, frozenset({concept.pk}))
        return sorted(ids)

    def territory_values(self, obj) -> list[str]:
        ids = sorted(set(self.territory_ids(obj)))
        batch = getattr(obj, _BATCH, None)
        values_by_id = batch.territories if batch else self.territories.facet_values(ids)
        values: set[str] = set()
        for pk in ids:
            values |= values_by_id.get(pk, set())
        return sorted(values)

    def facets(self) -> dict[str, Callable[[Any], list]]:
        return {
            "theme": self.themes,
            "territory": self.territory_values,
            "descriptor": self.descriptor_lineage,
        }

    def prepare_batch(self, objects: list) -> None:
        """Resolve themes, lineage and territory facet values of many objects in a few
        queries."""
        batch = _Batch(
            themes=self.thesaurus.theme_slugs_by_concept(),
            lineage=self.thesaurus.concept_lineage(),
            territories=self.territories.facet_values(
                {pk for obj in objects for pk in self.territory_ids(obj)}
            ),
        )
        for obj in objects:
            setattr(obj, _BATCH, batch)
