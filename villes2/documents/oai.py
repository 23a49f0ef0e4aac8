"""The catalogue as an OAI-PMH repository (villes2.core.oai.RecordRepository): public
records, and tombstones reported as deleted records (`deletedRecord=persistent`).

Harvest order is (datestamp, record id): a record's datestamp is `Document.modified`, a
tombstone's is `withdrawn_at`, and a record id is never both public and withdrawn, so the
id is a unique key over the union. Sets: `type:<doc_type>` and `theme:<theme slug>`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Min, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from villes2.core.oai import DCValue, Header, OAISet, Record, Selection
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept

from .models import Document, DocumentAuthor, DocumentType, Tombstone

LOCAL_ID = re.compile(r"documents/([1-9][0-9]{0,9})")
ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")


class DocumentRepository:
    """Public catalogue records for the OAI-PMH engine. `absolute` turns a path into an
    absolute URL (the request's `build_absolute_uri`)."""

    def __init__(self, *, absolute: Callable[[str], str]) -> None:
        self.absolute = absolute
        self.name = settings.OAI_REPOSITORY_NAME
        self.repository_identifier = settings.OAI_REPOSITORY_IDENTIFIER
        self.sample_identifier = self.identifier_of(1)
        contact = settings.VILLES2_LEGAL.get("contact_email") or ""
        self.admin_emails = [contact or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
        self._themes_by_concept: dict[int, frozenset[str]] | None = None

    # --- Identifiers and sets ------------------------------------------------------------

    def identifier_of(self, pk: int) -> str:
        return f"oai:{self.repository_identifier}:documents/{pk}"

    def pk_of(self, identifier: str) -> int | None:
        prefix = f"oai:{self.repository_identifier}:"
        if not identifier.startswith(prefix):
            return None
        match = LOCAL_ID.fullmatch(identifier.removeprefix(prefix))
        return int(match.group(1)) if match else None

    def themes_by_concept(self) -> dict[int, frozenset[str]]:
        if self._themes_by_concept is None:
            self._themes_by_concept = taxonomy_selectors.theme_slugs_by_concept()
        return self._themes_by_concept

    def sets(self) -> list[OAISet]:
        sets = [OAISet("type", _("Types of document"))]
        sets += [
            OAISet(f"type:{value}", _("Document type: %(label)s") % {"label": label})
            for value, label in DocumentType.choices
        ]
        sets.append(OAISet("theme", _("Themes")))
        themes = Concept.objects.filter(
            scheme__is_theme_scheme=True, broader__isnull=True
        ).order_by("pref_label_fr")
        sets += [
            OAISet(f"theme:{concept.slug}", _("Theme: %(label)s") % {"label": concept.label})
            for concept in themes
        ]
        return sets

    def _set_specs(self, document: Document) -> tuple[str, ...]:
        themes_by_concept = self.themes_by_concept()
        themes: set[str] = set()
        for concept in document.descriptors.all():
            themes |= themes_by_concept.get(concept.pk, frozenset())
        return (f"type:{document.doc_type}", *(f"theme:{slug}" for slug in sorted(themes)))

    # --- Queries ----------------------------------------------------------------------------

    def _documents(self, selection: Selection) -> QuerySet[Document]:
        documents = Document.objects.public()
        if selection.start:
            documents = documents.filter(modified__gte=selection.start)
        if selection.end:
            documents = documents.filter(modified__lt=selection.end)
        spec = selection.set_spec
        if spec is None or spec == "type":
            return documents
        if spec.startswith("type:"):
            return documents.filter(doc_type=spec.removeprefix("type:"))
        if spec == "theme" or spec.startswith("theme:"):
            slug = spec.removeprefix("theme:") if ":" in spec else None
            concept_ids = [
                concept_id
                for concept_id, slugs in self.themes_by_concept().items()
                if (slug in slugs if slug else slugs)
            ]
            described = Document.descriptors.through.objects.filter(concept_id__in=concept_ids)
            return documents.filter(pk__in=described.values("document_id"))
        return documents.none()

    def _tombstones(self, selection: Selection) -> QuerySet[Tombstone]:
        tombstones = Tombstone.objects.all()
        if selection.start:
            tombstones = tombstones.filter(withdrawn_at__gte=selection.start)
        if selection.end:
            tombstones = tombstones.filter(withdrawn_at__lt=selection.end)
        if selection.set_spec:
            # The JSON list as text, on SQLite and PostgreSQL alike: a set or a subset of it
            # is a quoted item `"type:rapport"` or an item starting `"type:`.
            spec = selection.set_spec
            tombstones = tombstones.annotate(specs_text=Cast("set_specs", TextField())).filter(
                Q(specs_text__contains=f'"{spec}"') | Q(specs_text__contains=f'"{spec}:')
            )
        return tombstones

    def _with_metadata(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        return documents.prefetch_related(
            "descriptors",
            "territories",
            "attachments",
            Prefetch(
                "authors",
                queryset=DocumentAuthor.objects.select_related("person", "organisation"),
            ),
        )

    def earliest_datestamp(self) -> datetime.datetime | None:
        found = [
            Document.objects.public().aggregate(first=Min("modified"))["first"],
            Tombstone.objects.aggregate(first=Min("withdrawn_at"))["first"],
        ]
        return min((value for value in found if value is not None), default=None)

    def count(self, selection: Selection) -> int:
        return self._documents(selection).count() + self._tombstones(selection).count()

    def list(
        self,
        selection: Selection,
        *,
        after: tuple[datetime.datetime, int] | None,
        limit: int,
        with_metadata: bool,
    ) -> list[Record]:
        documents = self._documents(selection)
        tombstones = self._tombstones(selection)
        if after is not None:
            datestamp, key = after
            documents = documents.filter(
                Q(modified__gt=datestamp) | Q(modified=datestamp, pk__gt=key)
            )
            tombstones = tombstones.filter(
                Q(withdrawn_at__gt=datestamp) | Q(withdrawn_at=datestamp, document_id__gt=key)
            )
        documents = documents.order_by("modified", "pk")[:limit]
        if with_metadata:
            documents = self._with_metadata(documents)
        else:
            documents = documents.prefetch_related("descriptors")
        records = [self._record(document, with_metadata) for document in documents]
        records += [
            self._deleted(tombstone)
            for tombstone in tombstones.order_by("withdrawn_at", "document_id")[:limit]
        ]
        records.sort(key=lambda record: record.position)
        return records[:limit]

    def get(self, identifier: str) -> Record | None:
        pk = self.pk_of(identifier)
        if pk is None:
            return None
        document = self._with_metadata(Document.objects.public().filter(pk=pk)).first()
        if document is not None:
            return self._record(document, with_metadata=True)
        tombstone = Tombstone.objects.filter(document_id=pk).first()
        return self._deleted(tombstone) if tombstone else None

    # --- Records -------------------------------------------------------------------------

    def _deleted(self, tombstone: Tombstone) -> Record:
        header = Header(
            identifier=self.identifier_of(tombstone.document_id),
            datestamp=tombstone.withdrawn_at,
            set_specs=tuple(tombstone.set_specs),
            deleted=True,
        )
        return Record(header=header, position=(tombstone.withdrawn_at, tombstone.document_id))

    def _record(self, document: Document, with_metadata: bool) -> Record:
        header = Header(
            identifier=self.identifier_of(document.pk),
            datestamp=document.modified,
            set_specs=self._set_specs(document),
        )
        return Record(
            header=header,
            position=(document.modified, document.pk),
            dublin_core=dublin_core(document, self.absolute) if with_metadata else (),
        )


def dublin_core(document: Document, absolute: Callable[[str], str]) -> tuple[DCValue, ...]:
    """Unqualified Dublin Core of a record (with its relations prefetched), in French, with
    the English abstract and descriptor labels marked `en` for the European portal."""
    values = [DCValue("title", document.full_title)]
    for author in document.authors.all():
        element = "contributor" if author.role == "contributeur" else "creator"
        values.append(DCValue(element, author.display_name))
    for concept in document.descriptors.all():
        values.append(DCValue("subject", concept.pref_label_fr, "fr"))
        if concept.pref_label_en:
            values.append(DCValue("subject", concept.pref_label_en, "en"))
    if document.abstract:
        values.append(DCValue("description", document.abstract, "fr"))
    if document.abstract_en:
        values.append(DCValue("description", document.abstract_en, "en"))
    if document.publisher:
        values.append(DCValue("publisher", document.publisher))
    date = document.published_on.isoformat() if document.published_on else str(document.year)
    values.append(DCValue("date", date))
    values.append(DCValue("type", document.dcmi_type))
    values.append(DCValue("type", str(document.get_doc_type_display()), "fr"))
    attachments = list(document.attachments.all())
    if attachments:
        values.append(DCValue("format", "application/pdf"))
    values.append(DCValue("identifier", absolute(document.get_absolute_url())))
    values += [
        DCValue("identifier", absolute(attachment.get_absolute_url())) for attachment in attachments
    ]
    if document.url:
        values.append(DCValue("identifier", document.url))
    if document.isbn:
        kind = "issn" if ISSN.fullmatch(document.isbn.strip()) else "isbn"
        values.append(DCValue("identifier", f"urn:{kind}:{document.isbn.strip()}"))
    values.append(DCValue("language", document.language))
    values += [DCValue("coverage", territory.name) for territory in document.territories.all()]
    if document.licence:
        values.append(
            DCValue("rights", document.licence_url or str(document.get_licence_display()))
        )
    return tuple(values)
