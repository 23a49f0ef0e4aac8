"""The catalogue in the shared search (villes2.core.search)."""

import datetime

from django.db.models import Prefetch
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType
from villes2.core.search.subjects import SubjectIndexing
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories import selectors as territory_selectors

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


def _abstract(document: Document) -> str:
    authors = " ".join(author.display_name for author in document.authors.all())
    parts = (document.abstract, document.abstract_en, authors, document.publisher)
    return "\n".join(part for part in parts if part)


def _body(document: Document) -> str:
    texts = [attachment.text for attachment in document.attachments.all()]
    return "\n".join(text for text in texts if text)[:MAX_BODY_CHARS]


def _date(document: Document) -> datetime.date:
    return document.published_on or datetime.date(document.year, 1, 1)


# Descriptors; the theme, descriptor (with broader concepts) and territory facets.
SUBJECTS = SubjectIndexing(
    concepts=lambda document: document.descriptors.all(),
    territory_ids=lambda document: [territory.pk for territory in document.territories.all()],
    thesaurus=taxonomy_selectors,
    territories=territory_selectors,
)


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
    fields={
        "title": _title,
        "descriptors": SUBJECTS.descriptors,
        "abstract": _abstract,
        "body": _body,
    },
    facets={
        "type": lambda document: document.doc_type,
        "access": lambda document: document.access,
        **SUBJECTS.facets(),
    },
    queryset=_queryset,
    hit_queryset=_hit_queryset,
    is_public=lambda document: document.is_public,
    date=_date,
    snippet_text=_snippet_text,
    template="documents/search_hit.html",
    prepare_batch=SUBJECTS.prepare_batch,
    depends_on={
        # Labels, themes and lineage of descriptors; names of organisation authors.
        "taxonomy.Concept": lambda pks: Document.objects.filter(descriptors__in=pks).only("pk"),
        "actors.Organisation": lambda pks: Document.objects.filter(
            authors__organisation__in=pks
        ).only("pk"),
    },
    order=10,
)
