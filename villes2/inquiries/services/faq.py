"""Writes of the FAQ: an entry saved, published, withdrawn, deleted — each in one
transaction with its search-index entry (decision 0003), so that a draft is never found
by the public search. The only code that changes `published` (docs/inquiries.md)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from villes2.core import search

from ..models import FaqEntry


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied


def _locked(entry: FaqEntry) -> FaqEntry:
    return FaqEntry.objects.select_for_update().get(pk=entry.pk)


@transaction.atomic
def faq_save(
    entry: FaqEntry,
    *,
    themes: Iterable | None = None,
    documents: Iterable | None = None,
    practices: Iterable | None = None,
    user=None,
) -> FaqEntry:
    """Create or update an entry (question, answer, their English versions, the request
    it is drawn from) and, when given, its themes and linked resources; validated and
    re-indexed. Publication is never changed here: a new entry is a draft, an existing
    one keeps its stored state (`faq_publish`, `faq_unpublish`). Relations left `None`
    are kept as they are."""
    if entry.pk is None:
        _require(user, "inquiries.add_faqentry")
        entry.published, entry.published_at = False, None
    else:
        _require(user, "inquiries.change_faqentry")
        current = _locked(entry)
        entry.published, entry.published_at = current.published, current.published_at
    entry.question = entry.question.strip()
    entry.answer = entry.answer.strip()
    entry.question_en = entry.question_en.strip()
    entry.answer_en = entry.answer_en.strip()
    entry.full_clean()
    entry.save()
    for field, values in (("themes", themes), ("documents", documents), ("practices", practices)):
        if values is not None:
            getattr(entry, field).set(values)
    faq_relations_changed(entry)
    return entry


def faq_relations_changed(entry: FaqEntry) -> None:
    """Re-index the entry after its relations changed outside `faq_save` (the back
    office saves many-to-many fields after the entry). Runs in the caller's
    transaction."""
    search.index_object(entry)


@transaction.atomic
def faq_publish(entry: FaqEntry, user=None) -> FaqEntry:
    """Publish the entry on the site, FAQ pages, search and sitemap. The date of the
    first publication is kept when an entry withdrawn is published again."""
    _require(user, "inquiries.answer_inquiry")
    current = _locked(entry)
    current.published = True
    current.published_at = current.published_at or timezone.now()
    current.full_clean()
    current.save(update_fields=["published", "published_at", "updated_at"])
    search.index_object(current)
    entry.refresh_from_db()
    return current


@transaction.atomic
def faq_unpublish(entry: FaqEntry, user=None) -> FaqEntry:
    """Withdraw the entry from every public surface (it stays, as a draft, for the
    staff)."""
    _require(user, "inquiries.answer_inquiry")
    current = _locked(entry)
    current.published = False
    current.save(update_fields=["published", "updated_at"])
    search.index_object(current)
    entry.refresh_from_db()
    return current


@transaction.atomic
def faq_delete(entry: FaqEntry, user=None) -> None:
    """Delete the entry and its index entry."""
    _require(user, "inquiries.delete_faqentry")
    search.remove_object(entry)
    entry.delete()
