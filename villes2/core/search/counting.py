"""Facet counting over large match sets, in memory (docs/performance.md, "Search").

Counting facets in SQL groups every facet row of every match: at 100,000 records a
common word matches 40,000 of them with about seven theme and territory rows each, and
the grouping took 190–360 ms. Here each process keeps every entry's facet values as
integer arrays (`FacetTable`), rebuilt when the index's state token changes
(`index.index_changed`, written in the same transaction as any index change); a search
then only asks the database for the ids it matches and counts with `numpy.bincount`.

The table reflects committed data only, so it is used outside transactions only (the
web requests); inside one (tests, the back office's own transaction) counting stays in
SQL. An id the table does not know (committed after it was built) also sends the
request back to SQL, so counts are never made up.
"""

import threading
from dataclasses import dataclass

import numpy as np

from ..models import SearchEntry, SearchFacet
from .registry import COLUMN_FACETS, MULTI_FACETS

_TABLES: dict[str, "FacetTable"] = {}
_LOCK = threading.Lock()


class _Codes:
    """Values of one facet ↔ small integers (0 is "no value")."""

    def __init__(self):
        self.values: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def code(self, value) -> int:
        text = "" if value is None else str(value)
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.values)
            self.values.append(text)
        return found


@dataclass
class FacetTable:
    token: str
    entry_ids: np.ndarray  # sorted
    columns: dict[str, np.ndarray]  # "kind" and each column facet → codes, by entry
    column_codes: dict[str, _Codes]
    owners: np.ndarray  # for each multi-valued facet row: the position of its entry
    multi: np.ndarray  # its value's code
    multi_values: list[tuple[str, str]]  # code → (facet, value)

    @classmethod
    def load(cls, token: str, using: str) -> "FacetTable":
        codes = {name: _Codes() for name in ("kind", *COLUMN_FACETS)}
        rows = (
            SearchEntry.objects.using(using)
            .order_by("pk")
            .values_list("pk", "kind", *COLUMN_FACETS)
        )
        ids: list[int] = []
        values: dict[str, list[int]] = {name: [] for name in codes}
        for pk, *row in rows.iterator(chunk_size=10_000):
            ids.append(pk)
            for name, value in zip(codes, row, strict=True):
                values[name].append(codes[name].code(value))
        entry_ids = np.array(ids, dtype=np.int64)
        multi_index: dict[tuple[str, str], int] = {}
        multi_values: list[tuple[str, str]] = []
        owners: list[int] = []
        multi: list[int] = []
        facet_rows = (
            SearchFacet.objects.using(using)
            .filter(facet__in=MULTI_FACETS)
            .values_list("entry_id", "facet", "value")
        )
        positions = {pk: position for position, pk in enumerate(ids)}
        for entry_id, facet, value in facet_rows.iterator(chunk_size=50_000):
            position = positions.get(entry_id)
            if position is None:
                continue
            key = (facet, value)
            code = multi_index.get(key)
            if code is None:
                code = multi_index[key] = len(multi_values)
                multi_values.append(key)
            owners.append(position)
            multi.append(code)
        return cls(
            token=token,
            entry_ids=entry_ids,
            columns={name: np.array(values[name], dtype=np.int32) for name in codes},
            column_codes=codes,
            owners=np.array(owners, dtype=np.int64),
            multi=np.array(multi, dtype=np.int64),
            multi_values=multi_values,
        )

    def count(self, ids, kinds: tuple[str, ...], facets: tuple[str, ...]):
        """(kind counts, facet counts) for the matching entry ids, or None when an id
        is unknown to this table (the caller counts in SQL)."""
        matched = np.fromiter(ids, dtype=np.int64)
        positions = np.searchsorted(self.entry_ids, matched)
        if matched.size and (
            positions.max() >= self.entry_ids.size
            or not np.array_equal(self.entry_ids[positions], matched)
        ):
            return None
        kind_codes = self.columns["kind"][positions]
        kind_counts = self._column_counts("kind", kind_codes)
        if kinds:
            wanted = [self.column_codes["kind"].index.get(kind, -1) for kind in kinds]
            positions = positions[np.isin(kind_codes, wanted)]
        facet_counts: dict[str, dict[str, int]] = {facet: {} for facet in facets}
        for facet in COLUMN_FACETS:
            if facet in facets:
                facet_counts[facet] = self._column_counts(facet, self.columns[facet][positions])
        wanted_multi = [facet for facet in MULTI_FACETS if facet in facets]
        if wanted_multi and self.multi.size:
            selected = np.zeros(self.entry_ids.size, dtype=bool)
            selected[positions] = True
            counts = np.bincount(
                self.multi[selected[self.owners]], minlength=len(self.multi_values)
            )
            for code in np.flatnonzero(counts):
                facet, value = self.multi_values[code]
                if facet in facet_counts:
                    facet_counts[facet][value] = int(counts[code])
        return kind_counts, facet_counts

    def _column_counts(self, name: str, codes: np.ndarray) -> dict[str, int]:
        counts = np.bincount(codes, minlength=len(self.column_codes[name].values))
        values = self.column_codes[name].values
        return {values[code]: int(counts[code]) for code in np.flatnonzero(counts) if code}


def facet_table(token: str, using: str, *, state) -> FacetTable | None:
    """This process's table for the index state `token`, built when it changed; None
    when the index changed while it was being read (`state()` gives the current token)."""
    if not token:
        return None
    table = _TABLES.get(using)
    if table is not None and table.token == token:
        return table
    with _LOCK:
        table = _TABLES.get(using)
        if table is None or table.token != token:
            table = FacetTable.load(token, using)
            if state() != token:  # a commit between the reads: not consistent
                return None
            _TABLES[using] = table
    return table
