"""Several repositories behind one OAI-PMH endpoint: the catalogue's records and the
experience records (docs/interoperability.md, "OAI-PMH").

The engine (`protocol`) pages through one list in (datestamp, key) order, with keys
unique across the whole list. Each source keeps its own keys (its record ids); here the
key of record `pk` of source `i` among `n` is `pk * n + i`, unique across sources and
ordered like (pk, source) within a datestamp. A resumption position (datestamp, key) is
translated back for each source: its records after the position are those with a
datestamp later than it, or the same datestamp and `pk > (key - i) // n`.

A token issued when the endpoint had only the first source (keys were then its ids)
still works: the first source's records sharing the token's exact datestamp (to the
microsecond) may be served twice, never skipped; the new source's records are all
served, except any sharing that exact datestamp with a smaller id.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from villes2.core.oai import OAISet, Record, RecordRepository, Selection


@dataclass(frozen=True)
class Source:
    repository: RecordRepository
    # The local part of its identifiers starts with this (`documents/`, `experiences/`).
    id_prefix: str
    # The top-level sets it answers for (`type`, `theme`; `experiences`).
    set_roots: frozenset[str]


class CompositeRepository:
    """A `RecordRepository` merging `sources`; Identify's facts (name, identifier,
    administrators, sample identifier) are those of the first source."""

    def __init__(self, sources: Sequence[Source]) -> None:
        if not sources:
            raise ValueError("A composite repository needs at least one source.")
        self.sources = tuple(sources)
        first = self.sources[0].repository
        self.name = first.name
        self.repository_identifier = first.repository_identifier
        self.admin_emails = first.admin_emails
        self.sample_identifier = first.sample_identifier

    def _selected(self, selection: Selection) -> list[tuple[int, Source]]:
        """The sources a selection reaches: all, or those whose sets hold its set."""
        indexed = list(enumerate(self.sources))
        if selection.set_spec is None:
            return indexed
        root = selection.set_spec.split(":", 1)[0]
        return [(index, source) for index, source in indexed if root in source.set_roots]

    def _key(self, index: int, key: int) -> int:
        return key * len(self.sources) + index

    def _after(self, index: int, after: tuple[datetime.datetime, int] | None):
        if after is None:
            return None
        datestamp, key = after
        return (datestamp, (key - index) // len(self.sources))

    def _renumbered(self, index: int, record: Record) -> Record:
        datestamp, key = record.position
        return dataclasses.replace(record, position=(datestamp, self._key(index, key)))

    def earliest_datestamp(self) -> datetime.datetime | None:
        found = [source.repository.earliest_datestamp() for source in self.sources]
        return min((value for value in found if value is not None), default=None)

    def sets(self) -> list[OAISet]:
        return [oai_set for source in self.sources for oai_set in source.repository.sets()]

    def get(self, identifier: str) -> Record | None:
        prefix = f"oai:{self.repository_identifier}:"
        local = identifier.removeprefix(prefix) if identifier.startswith(prefix) else None
        for source in self.sources:
            if local is not None and local.startswith(source.id_prefix):
                return source.repository.get(identifier)
        return None

    def count(self, selection: Selection) -> int:
        return sum(source.repository.count(selection) for _i, source in self._selected(selection))

    def list(
        self,
        selection: Selection,
        *,
        after: tuple[datetime.datetime, int] | None,
        limit: int,
        with_metadata: bool,
    ) -> list[Record]:
        records: list[Record] = []
        for index, source in self._selected(selection):
            found = source.repository.list(
                selection,
                after=self._after(index, after),
                limit=limit,
                with_metadata=with_metadata,
            )
            records += [self._renumbered(index, record) for record in found]
        records.sort(key=lambda record: record.position)
        return records[:limit]
