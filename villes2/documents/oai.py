"""The catalogue as an OAI-PMH repository (villes2.core.oai.RecordRepository): public
records, and tombstones reported as deleted records (`deletedRecord=persistent`), paged
by villes2.core.oai.TombstonedRepository. Sets: `type:<doc_type>` and `theme:<theme slug>`;
a tombstone keeps the sets its record was in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from villes2.core.oai import DCValue, OAISet, TombstonedRepository
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept

from .models import Document, DocumentAuthor, DocumentType, Tombstone

ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")


class DocumentRepository(TombstonedRepository):
    """Public catalogue records for the OAI-PMH engine."""

    local_prefix = "documents/"
    tombstone_key = "document_id"

    def load_themes_by_concept(self) -> dict[int, frozenset[str]]:
        return taxonomy_selectors.theme_slugs_by_concept()

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

    def set_specs(self, record: Document) -> tuple[str, ...]:
        themes = self.theme_slugs(record.descriptors.all())
        return (f"type:{record.doc_type}", *(f"theme:{slug}" for slug in themes))

    def tombstone_set_specs(self, tombstone: Tombstone) -> tuple[str, ...]:
        return tuple(tombstone.set_specs)

    # --- Queries ----------------------------------------------------------------------------

    def public_records(self) -> QuerySet[Document]:
        return Document.objects.public()

    def tombstones(self) -> QuerySet[Tombstone]:
        return Tombstone.objects.all()

    def records_in_set(self, records: QuerySet[Document], spec: str) -> QuerySet[Document]:
        if spec == "type":
            return records
        if spec.startswith("type:"):
            return records.filter(doc_type=spec.removeprefix("type:"))
        if spec == "theme" or spec.startswith("theme:"):
            slug = spec.removeprefix("theme:") if ":" in spec else None
            described = Document.descriptors.through.objects.filter(
                concept_id__in=self.theme_concepts(slug)
            )
            return records.filter(pk__in=described.values("document_id"))
        return records.none()

    def tombstones_in_set(self, tombstones: QuerySet[Tombstone], spec: str) -> QuerySet[Tombstone]:
        # The JSON list as text, on SQLite and PostgreSQL alike: a set or a subset of it
        # is a quoted item `"type:rapport"` or an item starting `"type:`.
        return tombstones.annotate(specs_text=Cast("set_specs", TextField())).filter(
            Q(specs_text__contains=f'"{spec}"') | Q(specs_text__contains=f'"{spec}:')
        )

    def with_set_relations(self, records: QuerySet[Document]) -> QuerySet[Document]:
        return records.prefetch_related("descriptors")

    def with_metadata(self, records: QuerySet[Document]) -> QuerySet[Document]:
        return records.prefetch_related(
            "descriptors",
            "territories",
            "attachments",
            Prefetch(
                "authors",
                queryset=DocumentAuthor.objects.select_related("person", "organisation"),
            ),
        )

    def dublin_core(self, record: Document, context: None) -> tuple[DCValue, ...]:
        return dublin_core(record, self.absolute)


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
