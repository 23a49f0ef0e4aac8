"""The catalogue in the shared search (villes2.core.search)."""

import datetime

from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType

from .models import Access, Document, DocumentType


def _queryset():
    return Document.objects.prefetch_related(
        "descriptors", "territories", "authors__person", "authors__organisation", "attachments"
    )


def _title(document: Document) -> str:
    return document.full_title


def _descriptors(document: Document) -> str:
    labels = []
    for concept in document.descriptors.all():
        labels += [concept.pref_label_fr, concept.pref_label_en]
    return " ".join(label for label in labels if label)


def _abstract(document: Document) -> str:
    authors = " ".join(author.display_name for author in document.authors.all())
    parts = (document.abstract, document.abstract_en, authors, document.publisher)
    return "\n".join(part for part in parts if part)


def _body(document: Document) -> str:
    texts = [attachment.text for attachment in document.attachments.all()]
    return "\n".join(text for text in texts if text)


def _date(document: Document) -> datetime.date:
    return document.published_on or datetime.date(document.year, 1, 1)


def _themes(document: Document):
    from villes2.taxonomy import selectors as taxonomy_selectors

    by_concept = getattr(document, "_search_themes", None)
    if by_concept is None:
        by_concept = taxonomy_selectors.theme_slugs_by_concept()
    slugs: set[str] = set()
    for concept in document.descriptors.all():
        slugs |= by_concept.get(concept.pk, frozenset())
    return sorted(slugs)


def _territories(document: Document):
    from villes2.territories import selectors as territory_selectors

    values_by_id = getattr(document, "_search_territories", None)
    ids = [territory.pk for territory in document.territories.all()]
    if values_by_id is None:
        values_by_id = territory_selectors.facet_values(ids)
    values: set[str] = set()
    for pk in ids:
        values |= values_by_id.get(pk, set())
    return sorted(values)


def _descriptor_lineage(document: Document):
    from villes2.taxonomy import selectors as taxonomy_selectors

    lineage = getattr(document, "_search_lineage", None)
    if lineage is None:
        lineage = taxonomy_selectors.concept_lineage()
    ids: set[int] = set()
    for concept in document.descriptors.all():
        ids |= lineage.get(concept.pk, frozenset({concept.pk}))
    return sorted(ids)


def prepare_batch(documents: list[Document]) -> None:
    """Resolve themes and territory facet values of many records in a few queries."""
    from villes2.taxonomy import selectors as taxonomy_selectors
    from villes2.territories import selectors as territory_selectors

    themes = taxonomy_selectors.theme_slugs_by_concept()
    lineage = taxonomy_selectors.concept_lineage()
    territory_ids = {t.pk for document in documents for t in document.territories.all()}
    territory_values = territory_selectors.facet_values(territory_ids)
    for document in documents:
        document._search_themes = themes
        document._search_lineage = lineage
        document._search_territories = territory_values


def _snippet_text(document: Document) -> str:
    return document.abstract or _body(document)


def type_labels(values) -> dict[str, str]:
    labels = dict(DocumentType.choices)
    return {value: str(labels[value]) for value in values if value in labels}


def access_labels(values) -> dict[str, str]:
    labels = dict(Access.choices)
    return {value: str(labels[value]) for value in values if value in labels}


DOCUMENTS = SearchType(
    key="documents",
    label=_("Documents"),
    model=Document,
    fields={"title": _title, "descriptors": _descriptors, "abstract": _abstract, "body": _body},
    facets={
        "type": lambda document: document.doc_type,
        "access": lambda document: document.access,
        "theme": _themes,
        "territory": _territories,
        "descriptor": _descriptor_lineage,
    },
    queryset=_queryset,
    is_public=lambda document: document.is_public,
    date=_date,
    snippet_text=_snippet_text,
    template="documents/search_hit.html",
    prepare_batch=prepare_batch,
    order=10,
)
