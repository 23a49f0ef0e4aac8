"""Reads of the thesaurus used by other apps (search, documents, OAI-PMH)."""

from collections.abc import Iterable

from .models import Concept, ConceptScheme, Label


def theme_scheme() -> ConceptScheme | None:
    return ConceptScheme.objects.filter(is_theme_scheme=True).first()


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
    scheme = theme_scheme()
    if scheme is None:
        return set()
    parents = _broader_map()
    seen: set[int] = set()
    stack = list(concept_ids)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(parents.get(current, []))
    # Top concepts: members of the theme scheme without a broader concept.
    return set(
        Concept.objects.filter(pk__in=seen, scheme=scheme, broader__isnull=True).values_list(
            "slug", flat=True
        )
    )


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


def theme_slugs_by_concept() -> dict[int, frozenset[str]]:
    """Every concept id → slugs of the themes above it (see `theme_slugs_for`), in three
    queries, for indexing many records at once."""
    scheme = theme_scheme()
    if scheme is None:
        return {}
    parents = _broader_map()
    tops = dict(
        Concept.objects.filter(scheme=scheme, broader__isnull=True).values_list("pk", "slug")
    )
    result: dict[int, frozenset[str]] = {}

    def themes_of(concept_id: int, trail: frozenset[int]) -> frozenset[str]:
        if concept_id in result:
            return result[concept_id]
        found = {tops[concept_id]} if concept_id in tops else set()
        for parent in parents.get(concept_id, []):
            if parent not in trail:
                found |= themes_of(parent, trail | {concept_id})
        result[concept_id] = frozenset(found)
        return result[concept_id]

    for concept_id in Concept.objects.values_list("pk", flat=True):
        themes_of(concept_id, frozenset())
    return result


def thesaurus_version() -> tuple:
    """Changes whenever a concept or a label changes: the search reloads its synonyms."""
    from django.db.models import Count, Max

    concepts = Concept.objects.aggregate(n=Count("pk"), last=Max("modified"))
    labels = Label.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (concepts["n"], concepts["last"], labels["n"], labels["last"])
