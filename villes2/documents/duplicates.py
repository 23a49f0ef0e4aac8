"""Likely duplicates of a record, on entry (admin) and on import: the same title once
case, accents and punctuation are ignored, and the same year. Reads only; kept out of
`selectors.py` (pages and other apps) because only the back office uses it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from villes2.core.text import normalize_for_search

from .models import Document

WORD = re.compile(r"\w+")


def title_key(title: str) -> str:
    """The title as compared: lower-case, without accents nor any punctuation."""
    return " ".join(WORD.findall(normalize_for_search(title)))


def document_duplicates(*, title: str, year: int, exclude_pk: int | None = None) -> list[Document]:
    """Records of the same year whose normalised title is the same. One query."""
    key = title_key(title)
    if not key:
        return []
    candidates = Document.objects.filter(year=year).only("pk", "title", "year").order_by("pk")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [doc for doc in candidates if title_key(doc.title) == key]


def documents_by_title_year(years: Iterable[int]) -> dict[tuple[str, int], list[Document]]:
    """{(normalised title, year): records} for the given years, in one query: the
    import looks every line up in it."""
    found: dict[tuple[str, int], list[Document]] = {}
    queryset = Document.objects.filter(year__in=set(years)).only("pk", "title", "year")
    for document in queryset.order_by("pk"):
        key = (title_key(document.title), document.year)
        found.setdefault(key, []).append(document)
    return found
