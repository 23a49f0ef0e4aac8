"""Saving and deleting catalogue records.

Every write of a record goes through `document_save` or `document_delete`, in one
transaction with its search-index entry and its OAI-PMH tombstone, so that the index and
the harvest can never drift from the catalogue (ARCHITECTURE.md, decision 0003).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from villes2.core import search

from ..models import Document, DocumentAuthor, Tombstone


@dataclass(frozen=True)
class AuthorInput:
    """One author to attach: exactly one of person, organisation or name."""

    person_id: int | None = None
    organisation_id: int | None = None
    name: str = ""
    role: str = "auteur"


def oai_set_specs(document: Document) -> list[str]:
    """The OAI-PMH sets a record belongs to: its type, and each theme of its
    descriptors (see villes2.api.oai)."""
    from villes2.taxonomy import selectors as taxonomy_selectors

    specs = [f"type:{document.doc_type}"]
    theme_slugs = taxonomy_selectors.theme_slugs_for(document.descriptors.all())
    specs += [f"theme:{slug}" for slug in sorted(theme_slugs)]
    return specs


@transaction.atomic
def document_save(
    document: Document,
    *,
    descriptors: Iterable | None = None,
    territories: Iterable | None = None,
    authors: Sequence[AuthorInput] | None = None,
    user=None,
) -> Document:
    """Create or update a record with its relations; index it and keep its tombstone
    right. Relations left as None are not touched."""
    if document.pk is None and user is not None and user.is_authenticated:
        document.created_by = user
    if document.is_public and document.first_published_at is None:
        document.first_published_at = timezone.now()
    document.save()
    if descriptors is not None:
        document.descriptors.set(descriptors)
    if territories is not None:
        document.territories.set(territories)
    if authors is not None:
        document.authors.all().delete()
        DocumentAuthor.objects.bulk_create(
            DocumentAuthor(
                document=document,
                order=index,
                person_id=author.person_id,
                organisation_id=author.organisation_id,
                name=author.name.strip(),
                role=author.role,
            )
            for index, author in enumerate(authors)
        )
    document_relations_changed(document)
    return document


def document_relations_changed(document: Document) -> None:
    """After the record or its relations changed (also from the admin, whose inlines
    and many-to-many fields are saved after the record): touch the OAI datestamp, write
    the tombstone or lift it, and re-index. Runs inside the caller's transaction."""
    Document.objects.filter(pk=document.pk).update(modified=timezone.now())
    if document.is_public:
        Tombstone.objects.filter(document_id=document.pk).delete()
    elif document.first_published_at is not None:
        Tombstone.objects.update_or_create(
            document_id=document.pk,
            defaults={"withdrawn_at": timezone.now(), "set_specs": oai_set_specs(document)},
        )
    search.index_object(document)


@transaction.atomic
def document_delete(document: Document) -> None:
    """Delete a record, its attachments' rows and its index entry; a record that was
    ever public leaves a tombstone for harvesters."""
    if document.first_published_at is not None:
        Tombstone.objects.update_or_create(
            document_id=document.pk,
            defaults={"withdrawn_at": timezone.now(), "set_specs": oai_set_specs(document)},
        )
    search.remove_object(document)
    files = [attachment.file for attachment in document.attachments.all()]
    document.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def authors_erasure_hook(person_ids: list[int]):
    """Erasure of persons (actors.services.person_erase): their authorships go with them
    (cascade); afterwards, re-index the records they wrote so that the search index no
    longer holds their names, and purge the engine's deleted text."""
    document_ids = list(
        DocumentAuthor.objects.filter(person_id__in=person_ids)
        .values_list("document_id", flat=True)
        .distinct()
    )

    def refresh() -> None:
        if not document_ids:
            return
        for document in Document.objects.filter(pk__in=document_ids):
            document_relations_changed(document)
        search.purge_deleted_text()

    return refresh
