"""The catalogue in the shared search (villes2.core.search)."""

import datetime

from django.db.models import Prefetch
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType

from .models import Access, Attachment, Document, DocumentType

# Full text indexed per record: the first 300,000 characters of its attachments (about
# 150 pages). The same cut on both engines; PostgreSQL's tsvector is limited to 1 MB and
# keeps word positions up to 16,383, so a phrase far beyond that point may match on
# SQLite only (docs/search.md).
MAX_BODY_CHARS = 300_000
# Hits show an extract cut from the start of the text: no need to load all of it.
SNIPPET_CHARS = 20_000

_RELATIONS = ("descriptors", "territories", "authors__person", "authors__organisation")


def _queryset():
    """For indexing: with the attachments' whole text."""
    return Document.objects.prefetch_related(*_RELATIONS, "attachments")


def _hit_queryset():
    """For showing hits: the attachments' text cut to what an extract needs."""
    heads = Attachment.objects.defer("text").annotate(text_head=Substr("text", 1, SNIPPET_CHARS))
    return Document.objects.prefetch_related(*_RELATIONS, Prefetch("attachments", heads))


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
    return "\n".join(text for text in texts if text)[:MAX_BODY_CHARS]


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
    if document.abstract:
        return document.abstract
    heads = [getattr(a, "text_head", "") for a in document.attachments.all()]
    return "\n".join(head for head in heads if head)


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
    hit_queryset=_hit_queryset,
    is_public=lambda document: document.is_public,
    date=_date,
    snippet_text=_snippet_text,
    template="documents/search_hit.html",
    prepare_batch=prepare_batch,
    depends_on={
        # Labels, themes and lineage of descriptors; names of organisation authors.
        "taxonomy.Concept": lambda pks: Document.objects.filter(descriptors__in=pks).only("pk"),
        "actors.Organisation": lambda pks: Document.objects.filter(
            authors__organisation__in=pks
        ).only("pk"),
    },
    order=10,
)
