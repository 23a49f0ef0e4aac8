"""Reads of the thesaurus used by other apps (search, documents, OAI-PMH)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from villes2.core.text import normalize_for_search

from .models import Concept, ConceptScheme, Label, Mapping


def theme_scheme() -> ConceptScheme | None:
    return ConceptScheme.objects.filter(is_theme_scheme=True).first()


def theme_concepts():
    """The concepts a public form offers as themes: the theme scheme's, not deprecated
    (none while no scheme is the theme scheme)."""
    scheme = theme_scheme()
    if scheme is None:
        return Concept.objects.none()
    return Concept.objects.filter(scheme=scheme, deprecated=False)


def _broader_map() -> dict[int, list[int]]:
    through = Concept.broader.through
    parents: dict[int, list[int]] = {}
    for child, parent in through.objects.values_list("from_concept_id", "to_concept_id"):
        parents.setdefault(child, []).append(parent)
    return parents


def theme_slugs_for(concepts: Iterable[Concept]) -> set[str]:
    """Slugs of the top concepts of the theme scheme above the given concepts (a concept
    may have several broader concepts, so several themes). Concepts of other schemes
    reach a theme through their mappings. Used for the "theme" search facet and the
    OAI-PMH theme sets."""
    concept_ids = {concept.pk for concept in concepts}
    if not concept_ids:
        return set()
    by_concept = theme_slugs_by_concept()
    return set().union(*(by_concept.get(pk, frozenset()) for pk in concept_ids))


# Mappings through which a concept of another scheme takes the themes of the concept it
# matches (either direction): equivalence only, a broader or related match is too loose.
THEME_MAPPINGS = ("exactMatch", "closeMatch")


def _ancestors(parents: dict[int, list[int]], start: int) -> frozenset[int]:
    seen: set[int] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(parents.get(current, []))
    return frozenset(seen)


def concept_lineage() -> dict[int, frozenset[int]]:
    """Every concept with itself and all its broader concepts, transitively: a record
    indexed with "ZUS" is found by a filter on "géographie prioritaire". Two queries."""
    parents = _broader_map()
    return {pk: _ancestors(parents, pk) for pk in Concept.objects.values_list("pk", flat=True)}


def theme_slugs_by_concept() -> dict[int, frozenset[str]]:
    """The theme slugs of every concept that has one (see `theme_slugs_for`), for
    indexing many records at once. Four queries, whatever the number of concepts."""
    scheme = theme_scheme()
    if scheme is None:
        return {}
    parents = _broader_map()
    rows = list(Concept.objects.values_list("pk", "scheme_id", "slug"))
    tops = {
        pk: slug for pk, scheme_id, slug in rows if scheme_id == scheme.pk and pk not in parents
    }
    in_theme_scheme = {pk for pk, scheme_id, _slug in rows if scheme_id == scheme.pk}
    own: dict[int, frozenset[str]] = {}
    for pk, _scheme_id, _slug in rows:
        slugs = frozenset(tops[a] for a in _ancestors(parents, pk) if a in tops)
        if slugs:
            own[pk] = slugs
    result = dict(own)
    # Concepts of other schemes: the themes of the theme-scheme concepts they match.
    matches: dict[int, set[str]] = {}
    for source, target in Mapping.objects.filter(relation__in=THEME_MAPPINGS).values_list(
        "source_id", "target_id"
    ):
        for this, other in ((source, target), (target, source)):
            if this not in in_theme_scheme and other in in_theme_scheme:
                matches.setdefault(this, set()).update(own.get(other, frozenset()))
    for pk, slugs in matches.items():
        # Narrower concepts of a matched concept inherit its themes as well.
        if slugs:
            result[pk] = result.get(pk, frozenset()) | frozenset(slugs)
    for pk, _scheme_id, _slug in rows:
        if pk in in_theme_scheme:
            continue
        inherited = set()
        for ancestor in _ancestors(parents, pk):
            inherited |= matches.get(ancestor, set())
        if inherited:
            result[pk] = result.get(pk, frozenset()) | frozenset(inherited)
    return result


def thesaurus_version() -> tuple:
    """Changes whenever a concept or a label is added, changed or removed: the search
    reloads its synonyms then. One query. (Labels have no modification date: their
    count, last id and total length stand for it; concept edits touch `modified`.)"""
    from django.db import connection

    concepts = connection.ops.quote_name(Concept._meta.db_table)
    labels = connection.ops.quote_name(Label._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {concepts}), (SELECT MAX(modified) FROM {concepts}), "  # noqa: S608 - table names from the models
            f"(SELECT COUNT(*) FROM {labels}), (SELECT MAX(id) FROM {labels}), "
            f"(SELECT SUM(LENGTH(text)) FROM {labels})"
        )
        return tuple(cursor.fetchone())


def theme_labels(slugs: Iterable[str]) -> dict[str, str]:
    scheme = theme_scheme()
    if scheme is None:
        return {}
    return {
        concept.slug: concept.label
        for concept in Concept.objects.filter(scheme=scheme, slug__in=list(slugs))
    }


def synonym_groups() -> list[list[str]]:
    """Every concept's labels as one group of equivalent phrases (preferred labels in
    French and English, alternative labels, acronyms, hidden labels): the search
    expands a query phrase found in a group into the whole group ("ZUS" finds "zone
    urbaine sensible" and back)."""
    groups: dict[int, list[str]] = {}
    for pk, fr, en in Concept.objects.filter(deprecated=False).values_list(
        "pk", "pref_label_fr", "pref_label_en"
    ):
        groups[pk] = [label for label in (fr, en) if label]
    for concept_id, text in Label.objects.filter(concept__deprecated=False).values_list(
        "concept_id", "text"
    ):
        if concept_id in groups:
            groups[concept_id].append(text)
    return [labels for labels in groups.values() if len(labels) > 1]


# --- Public pages, autocomplete and SKOS export --------------------------------------

# Catalogue records counted on public pages: published and public (the documents app's
# `Document.objects.public()`, spelled out here because documents depends on taxonomy,
# not the reverse).
PUBLIC_RECORDS = Q(documents__status="publie", documents__access="public")
AUTOCOMPLETE_LIMIT = 20


def _with_public_count(queryset):
    return queryset.annotate(public_count=Count("documents", filter=PUBLIC_RECORDS, distinct=True))


@dataclass
class TreeNode:
    concept: Concept
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class SchemeTree:
    scheme: ConceptScheme
    roots: list[TreeNode]
    size: int


def scheme_trees() -> list[SchemeTree]:
    """Every scheme as a tree (top concepts, then narrower ones), each concept with the
    number of public records indexed with it (`public_count`). Three queries, whatever
    the size of the thesaurus. Deprecated concepts are left out; a concept with several
    broader concepts appears under each."""
    schemes = list(ConceptScheme.objects.all())
    concepts = {
        concept.pk: concept
        for concept in _with_public_count(Concept.objects.filter(deprecated=False))
        .select_related("scheme")
        .order_by("pref_label_fr")
    }
    children: dict[int, list[int]] = {}
    has_parent: set[int] = set()
    for child, parent in (
        Concept.broader.through.objects.filter(from_concept__in=list(concepts))
        .values_list("from_concept_id", "to_concept_id")
        .order_by("from_concept__pref_label_fr")
    ):
        if parent in concepts:
            children.setdefault(parent, []).append(child)
            has_parent.add(child)

    def key(pk: int) -> str:
        # Accents and case ignored ("Évaluation" among the E), in the page's language.
        return normalize_for_search(concepts[pk].label)

    def node(pk: int, path: frozenset[int]) -> TreeNode:
        below = sorted((c for c in children.get(pk, []) if c not in path), key=key)
        return TreeNode(concepts[pk], [node(child, path | {pk}) for child in below])

    trees = []
    for scheme in schemes:
        members = [c for c in concepts.values() if c.scheme_id == scheme.pk]
        tops = sorted((c.pk for c in members if c.pk not in has_parent), key=key)
        roots = [node(pk, frozenset()) for pk in tops]
        trees.append(SchemeTree(scheme, roots, len(members)))
    return trees


def concept_for_page(*, scheme_slug: str, slug: str) -> Concept | None:
    """A concept with all its page shows: labels, broader, narrower, related concepts,
    mappings both ways, and the number of public records (`public_count`)."""
    return (
        _with_public_count(Concept.objects.filter(scheme__slug=scheme_slug, slug=slug))
        .select_related("scheme")
        .prefetch_related(
            "labels",
            Prefetch("broader", queryset=Concept.objects.select_related("scheme")),
            Prefetch(
                "narrower",
                queryset=Concept.objects.filter(deprecated=False).select_related("scheme"),
            ),
            Prefetch("related", queryset=Concept.objects.select_related("scheme")),
            Prefetch(
                "mappings",
                queryset=Mapping.objects.select_related("target__scheme").order_by(
                    "relation", "target__pref_label_fr"
                ),
            ),
            Prefetch(
                "mapped_from",
                queryset=Mapping.objects.select_related("source__scheme").order_by(
                    "relation", "source__pref_label_fr"
                ),
            ),
        )
        .first()
    )


def concepts_autocomplete(*, query: str, scheme: str = "", limit: int = AUTOCOMPLETE_LIMIT):
    """Concepts whose preferred or alternative labels contain the query, accents and
    case ignored (for the back office's descriptor fields). Concepts whose label starts
    with the query come first. Deprecated concepts are not proposed."""
    needle = normalize_for_search(query)
    if not needle:
        return []
    queryset = Concept.objects.filter(deprecated=False, search_text__contains=needle)
    if scheme:
        queryset = queryset.filter(scheme__slug=scheme)
    candidates = list(
        queryset.select_related("scheme")
        .prefetch_related("labels")
        .order_by("pref_label_fr")[: limit * 5]
    )

    def rank(concept: Concept) -> tuple[int, int, str]:
        """Exact label first, then labels starting with the query, shortest first."""
        labels = [label for label in concept.search_text.split(" | ") if needle in label]
        starts = any(label.startswith(needle) for label in labels)
        tier = 0 if needle in labels else 1 if starts else 2
        return (tier, min((len(label) for label in labels), default=0), labels[0] if labels else "")

    results = []
    for concept in sorted(candidates, key=rank)[:limit]:
        matched = next(
            (
                label.text
                for label in concept.labels.all()
                if needle in normalize_for_search(label.text)
                and needle not in normalize_for_search(concept.pref_label_fr)
            ),
            "",
        )
        results.append(
            {
                "id": concept.pk,
                "label": concept.pref_label_fr,
                "label_en": concept.pref_label_en,
                "matched": matched,
                "scheme": concept.scheme.slug,
                "uri": concept.uri,
            }
        )
    return results


def skos_export(*, scheme: ConceptScheme | None = None, file_format: str = "turtle") -> str:
    """The thesaurus (or one scheme) as SKOS, Turtle or RDF/XML. Importing the export of
    the whole thesaurus into an empty database gives back the same concepts, labels,
    relations and mappings. Five queries."""
    from . import services, skos

    schemes = ConceptScheme.objects.all()
    concepts = Concept.objects.select_related("scheme").prefetch_related(
        "labels",
        Prefetch("broader", queryset=Concept.objects.only("uri")),
        Prefetch("related", queryset=Concept.objects.only("uri")),
        Prefetch(
            "mappings",
            queryset=Mapping.objects.select_related("target").only(
                "source_id", "relation", "target__uri"
            ),
        ),
    )
    if scheme is not None:
        schemes = schemes.filter(pk=scheme.pk)
        concepts = concepts.filter(scheme=scheme)
    graph = skos.build_graph(
        list(schemes), list(concepts.order_by("uri")), base_uri=services.base_uri()
    )
    return skos.serialize(graph, file_format)


def broader_cycle(*, concept: Concept, broader: Iterable[Concept]) -> list[Concept]:
    """The chosen broader concepts that would make a cycle (the concept itself, or a
    concept below it): empty when the choice is valid."""
    if concept.pk is None:
        return []  # a new concept has nothing below it yet
    parents = _broader_map()
    offending = []
    for candidate in broader:
        seen: set[int] = set()
        stack = [candidate.pk]
        while stack:
            current = stack.pop()
            if current == concept.pk:
                offending.append(candidate)
                break
            if current in seen:
                continue
            seen.add(current)
            stack.extend(parents.get(current, []))
    return offending


# --- Mappings to another scheme (EUKN) ------------------------------------------------

# Mapping relations, seen from the concept that maps, that say the target covers it: the
# same field (exact, close) or a wider one (broad). A relatedMatch is only associative
# (the thesaurus uses it for cross-cutting themes: "evaluation" would make every record
# about evaluation a "housing" record) and a narrowMatch points at a narrower field:
# neither classifies a record. A mapping stored the other way round (from the target
# scheme) counts with its inverse relation.
COVERING_MAPPINGS = frozenset({"exactMatch", "closeMatch", "broadMatch"})
_INVERSE_MAPPINGS = {
    "exactMatch": "exactMatch",
    "closeMatch": "closeMatch",
    "broadMatch": "narrowMatch",
    "narrowMatch": "broadMatch",
    "relatedMatch": "relatedMatch",
}


def covering_concepts(concept_ids: Iterable[int], *, scheme_slug: str) -> dict[int, list[Concept]]:
    """For each given concept, the concepts of the scheme `scheme_slug` that cover it:
    itself if it belongs to that scheme, the concepts it maps to through an exact, close
    or broad match (`COVERING_MAPPINGS`), and the same for all its broader concepts,
    transitively; each with its broader concepts in that scheme. Sorted by notation,
    then label; a concept that reaches none gets an empty list, never a guess. Three
    queries, whatever the number of concepts (used by the EUKN export)."""
    wanted = set(concept_ids)
    if not wanted:
        return {}
    targets = {
        concept.pk: concept
        for concept in Concept.objects.filter(scheme__slug=scheme_slug).select_related("scheme")
    }
    if not targets:
        return {pk: [] for pk in wanted}
    parents = _broader_map()
    direct: dict[int, set[int]] = {pk: {pk} for pk in targets}
    rows = Mapping.objects.filter(
        Q(target_id__in=list(targets)) | Q(source_id__in=list(targets))
    ).values_list("source_id", "target_id", "relation")
    for source, target, relation in rows:
        if target in targets and source not in targets and relation in COVERING_MAPPINGS:
            direct.setdefault(source, set()).add(target)
        elif (
            source in targets
            and target not in targets
            and _INVERSE_MAPPINGS.get(relation) in COVERING_MAPPINGS
        ):
            direct.setdefault(target, set()).add(source)

    def order(concept: Concept) -> tuple:
        notation = concept.notation
        return (
            not notation.isdigit(),
            int(notation) if notation.isdigit() else 0,
            notation,
            concept.pref_label_fr,
        )

    result: dict[int, list[Concept]] = {}
    for pk in wanted:
        found: set[int] = set()
        for ancestor in _ancestors(parents, pk):
            for target in direct.get(ancestor, ()):
                found |= {a for a in _ancestors(parents, target) if a in targets}
        result[pk] = sorted((targets[t] for t in found), key=order)
    return result
