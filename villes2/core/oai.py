"""The contract between the OAI-PMH protocol engine (villes2.api.oai) and the apps whose
records it exposes (villes2.documents.oai, villes2.practices.oai), and the machinery those
apps share (`TombstonedRepository`).

It lives in core so that an app can implement it without importing the api layer, which
sits above every app (ARCHITECTURE.md §4). The engine owns the protocol (verbs, arguments,
errors, resumption tokens, XML); a repository only answers "which records, in which
order, with which Dublin Core values".
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Min, Q, QuerySet


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


class TombstonedRepository:
    """What an app's repository shares with the others: the public records of one model
    and the tombstones of those withdrawn, reported as deleted records
    (`deletedRecord=persistent`), in one harvest order.

    Harvest order is (datestamp, record id): a record's datestamp is its `modified`, a
    tombstone's its `withdrawn_at`; a record is never both public and withdrawn, so the
    id is a unique key over the union. A subclass says which records, which tombstones,
    how a set selects them and what their Dublin Core is; the queries are built here, a
    constant number of them whatever the page size.
    """

    # The local part of an identifier is this prefix and the record's id
    # (`documents/12`); the tombstone field holding the withdrawn record's id.
    local_prefix: str
    tombstone_key: str
    datestamp_field = "modified"
    tombstone_datestamp_field = "withdrawn_at"

    def __init__(
        self,
        *,
        absolute: Callable[[str], str],
        themes_by_concept: Callable[[], dict[int, frozenset[str]]] | None = None,
    ) -> None:
        """`absolute` turns a path into an absolute URL (the request's
        `build_absolute_uri`); `themes_by_concept` may be another repository's of the same
        request, so that the themes are computed once."""
        self.absolute = absolute
        self.name = settings.OAI_REPOSITORY_NAME
        self.repository_identifier = settings.OAI_REPOSITORY_IDENTIFIER
        self.sample_identifier = self.identifier_of(1)
        contact = settings.VILLES2_LEGAL.get("contact_email") or ""
        self.admin_emails = [contact or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
        self._shared_themes = themes_by_concept
        self._themes_by_concept: dict[int, frozenset[str]] | None = None
        self._local_id = re.compile(re.escape(self.local_prefix) + r"([1-9][0-9]{0,9})")

    # --- Hooks -----------------------------------------------------------------------------

    def public_records(self) -> QuerySet:
        """Every record a harvester may see."""
        raise NotImplementedError

    def tombstones(self) -> QuerySet:
        raise NotImplementedError

    def records_in_set(self, records: QuerySet, spec: str) -> QuerySet:
        raise NotImplementedError

    def tombstones_in_set(self, tombstones: QuerySet, spec: str) -> QuerySet:
        raise NotImplementedError

    def with_set_relations(self, records: QuerySet) -> QuerySet:
        """`records` with what `set_specs` reads prefetched (a header without metadata)."""
        return records

    def with_metadata(self, records: QuerySet) -> QuerySet:
        """`records` with what `dublin_core` reads prefetched."""
        raise NotImplementedError

    def metadata_context(self, records: list[Any]) -> Any:
        """Anything `dublin_core` needs for a whole page of records, in a constant number
        of queries."""
        return None

    def set_specs(self, record: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def tombstone_set_specs(self, tombstone: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def dublin_core(self, record: Any, context: Any) -> tuple[DCValue, ...]:
        raise NotImplementedError

    def load_themes_by_concept(self) -> dict[int, frozenset[str]]:
        """Top-level theme slugs of each concept (for theme sets)."""
        raise NotImplementedError

    # --- Identifiers and themes --------------------------------------------------------------

    def identifier_of(self, pk: int) -> str:
        return f"oai:{self.repository_identifier}:{self.local_prefix}{pk}"

    def pk_of(self, identifier: str) -> int | None:
        prefix = f"oai:{self.repository_identifier}:"
        if not identifier.startswith(prefix):
            return None
        match = self._local_id.fullmatch(identifier.removeprefix(prefix))
        return int(match.group(1)) if match else None

    def themes_by_concept(self) -> dict[int, frozenset[str]]:
        if self._shared_themes is not None:
            return self._shared_themes()
        if self._themes_by_concept is None:
            self._themes_by_concept = self.load_themes_by_concept()
        return self._themes_by_concept

    def theme_slugs(self, concepts: Iterable[Any]) -> list[str]:
        """The sorted top-level themes of `concepts`."""
        themes_by_concept = self.themes_by_concept()
        themes: set[str] = set()
        for concept in concepts:
            themes |= themes_by_concept.get(concept.pk, frozenset())
        return sorted(themes)

    def theme_concepts(self, slug: str | None) -> list[int]:
        """The concepts under the theme `slug`; under any theme when `slug` is None."""
        return [
            concept_id
            for concept_id, slugs in self.themes_by_concept().items()
            if (slug in slugs if slug else slugs)
        ]

    # --- Queries ---------------------------------------------------------------------------

    def _records(self, selection: Selection) -> QuerySet:
        records = self.public_records()
        if selection.start:
            records = records.filter(**{f"{self.datestamp_field}__gte": selection.start})
        if selection.end:
            records = records.filter(**{f"{self.datestamp_field}__lt": selection.end})
        if selection.set_spec is not None:
            records = self.records_in_set(records, selection.set_spec)
        return records

    def _tombstones(self, selection: Selection) -> QuerySet:
        tombstones = self.tombstones()
        field = self.tombstone_datestamp_field
        if selection.start:
            tombstones = tombstones.filter(**{f"{field}__gte": selection.start})
        if selection.end:
            tombstones = tombstones.filter(**{f"{field}__lt": selection.end})
        if selection.set_spec is not None:
            tombstones = self.tombstones_in_set(tombstones, selection.set_spec)
        return tombstones

    def earliest_datestamp(self) -> datetime.datetime | None:
        found = [
            self.public_records().aggregate(first=Min(self.datestamp_field))["first"],
            self.tombstones().aggregate(first=Min(self.tombstone_datestamp_field))["first"],
        ]
        return min((value for value in found if value is not None), default=None)

    def count(self, selection: Selection) -> int:
        return self._records(selection).count() + self._tombstones(selection).count()

    def list(
        self,
        selection: Selection,
        *,
        after: tuple[datetime.datetime, int] | None,
        limit: int,
        with_metadata: bool,
    ) -> list[Record]:
        records = self._records(selection)
        tombstones = self._tombstones(selection)
        stamp, withdrawn, key = self.datestamp_field, self.tombstone_datestamp_field, "pk"
        if after is not None:
            datestamp, last = after
            records = records.filter(
                Q(**{f"{stamp}__gt": datestamp}) | Q(**{stamp: datestamp, f"{key}__gt": last})
            )
            tombstones = tombstones.filter(
                Q(**{f"{withdrawn}__gt": datestamp})
                | Q(**{withdrawn: datestamp, f"{self.tombstone_key}__gt": last})
            )
        records = records.order_by(stamp, key)[:limit]
        if with_metadata:
            page = list(self.with_metadata(records))
            context = self.metadata_context(page)
        else:
            page, context = list(self.with_set_relations(records)), None
        found = [self._record(record, with_metadata, context) for record in page]
        found += [
            self._deleted(tombstone)
            for tombstone in tombstones.order_by(withdrawn, self.tombstone_key)[:limit]
        ]
        found.sort(key=lambda record: record.position)
        return found[:limit]

    def get(self, identifier: str) -> Record | None:
        pk = self.pk_of(identifier)
        if pk is None:
            return None
        record = self.with_metadata(self.public_records().filter(pk=pk)).first()
        if record is not None:
            return self._record(record, True, self.metadata_context([record]))
        tombstone = self.tombstones().filter(**{self.tombstone_key: pk}).first()
        return self._deleted(tombstone) if tombstone else None

    # --- Records -----------------------------------------------------------------------------

    def _deleted(self, tombstone: Any) -> Record:
        key = getattr(tombstone, self.tombstone_key)
        datestamp = getattr(tombstone, self.tombstone_datestamp_field)
        header = Header(
            identifier=self.identifier_of(key),
            datestamp=datestamp,
            set_specs=self.tombstone_set_specs(tombstone),
            deleted=True,
        )
        return Record(header=header, position=(datestamp, key))

    def _record(self, record: Any, with_metadata: bool, context: Any) -> Record:
        datestamp = getattr(record, self.datestamp_field)
        header = Header(
            identifier=self.identifier_of(record.pk),
            datestamp=datestamp,
            set_specs=self.set_specs(record),
        )
        return Record(
            header=header,
            position=(datestamp, record.pk),
            dublin_core=self.dublin_core(record, context) if with_metadata else (),
        )
