"""The contract between the OAI-PMH protocol engine (villes2.api.oai) and the apps whose
records it exposes (villes2.documents.oai).

It lives in core so that an app can implement it without importing the api layer, which
sits above every app (ARCHITECTURE.md §4). The engine owns the protocol (verbs, arguments,
errors, resumption tokens, XML); a repository only answers "which records, in which
order, with which Dublin Core values".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Header:
    identifier: str
    datestamp: datetime.datetime  # aware; the engine writes it in UTC, to the second
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


@dataclass(frozen=True)
class DCValue:
    """One unqualified Dublin Core statement: `element` is one of the fifteen names."""

    element: str
    value: str
    lang: str = ""


@dataclass(frozen=True)
class Record:
    header: Header
    # Where the record sits in the harvest order: (datestamp with full precision, key).
    # The key is unique among all records, deleted ones included.
    position: tuple[datetime.datetime, int]
    dublin_core: tuple[DCValue, ...] = field(default=())


@dataclass(frozen=True)
class OAISet:
    spec: str
    name: str


@dataclass(frozen=True)
class Selection:
    """A selective harvest: datestamps in [start, end), and one set (with its subsets)."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    set_spec: str | None = None


class RecordRepository(Protocol):
    name: str
    repository_identifier: str
    admin_emails: list[str]
    sample_identifier: str  # shown in Identify's oai-identifier description

    def earliest_datestamp(self) -> datetime.datetime | None: ...

    def sets(self) -> list[OAISet]: ...

    def get(self, identifier: str) -> Record | None:
        """The record (with its metadata), deleted or not; None when unknown."""

    def count(self, selection: Selection) -> int: ...

    def list(
        self,
        selection: Selection,
        *,
        after: tuple[datetime.datetime, int] | None,
        limit: int,
        with_metadata: bool,
    ) -> list[Record]:
        """At most `limit` records after `after`, in (datestamp, key) order, deleted ones
        included; a constant number of queries whatever the limit."""
