"""SQL shared by both engines: filters, facet counts, browsing, hits.

Only the text match differs (`text_match`). Every value reaches the database as a
parameter; facet names and columns come from the registry's fixed lists, never from
the request.

A search is two statements (docs/performance.md, "Search (documents)"):
1. the counts: the matching entries are materialised once, without rank (ranking every
   match costs more than finding it), then counted in two groupings, one over the
   entry's own columns (kind, type, year, access together) and one over the facet
   table (every multi-valued facet at once);
2. the page of hits: ranked, sorted, cut, with the same filters.
"""

import copy
import threading
from dataclasses import dataclass, field, replace

from ..query import Clause, Query
from ..registry import COLUMN_FACETS, MULTI_FACETS, WEIGHTS

# Browse counts by (database alias, audience, kinds, facets): (index token, counts).
_BROWSE_COUNTS: dict[tuple, tuple[str, tuple]] = {}
_BROWSE_LOCK = threading.Lock()


@dataclass
class Criteria:
    """What to search: the parsed query, the audience and the facet filters."""

    query: Query
    public_only: bool = True
    kinds: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_min: int | None = None
    year_max: int | None = None


@dataclass
class RawHit:
    entry_id: int
    kind: str
    object_id: int
    score: float


@dataclass
class RawResult:
    total: int
    hits: list[RawHit]
    facets: dict[str, dict[str, int]]
    kind_counts: dict[str, int]


_COLUMNS = "e.id, e.kind, e.object_id, e.type, e.year, e.access, e.date"
_COUNT_COLUMNS = "e.id, e.kind, e.type, e.year, e.access"


class Backend:
    vendor = ""

    def __init__(self, connection):
        self.connection = connection

    # --- engine-specific -------------------------------------------------------------

    def write(self, entry_id: int, columns: dict[str, str]) -> None:
        raise NotImplementedError

    def delete(self, entry_ids: list[int]) -> None:
        """Remove the text of entries whose rows are deleted another way (bulk)."""

    def text_match(self, query: Query, *, ranked: bool) -> tuple[str, str, str, list]:
        """How to restrict `core_searchentry e` to the entries the positive clauses
        match, negative clauses applied: (FROM clause naming `e`, a condition for the
        WHERE clause, the score expression — higher is better, a constant when not
        `ranked` —, the parameters of the FROM clause then of the condition)."""
        raise NotImplementedError

    def exclude_source(self, clauses: tuple[Clause, ...]) -> tuple[str, list]:
        """SQL selecting the ids matching any of the (negative) clauses."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        return 0

    def purge_deleted(self) -> None:
        """Forget the text of deleted or rewritten entries at once (after an erasure)."""

    def optimise(self) -> None:
        """After a bulk load."""

    # --- shared ----------------------------------------------------------------------

    def _base(
        self, criteria: Criteria, *, ranked: bool, columns: str = _COLUMNS
    ) -> tuple[str, list]:
        """SQL of the matching entries (`columns` and `score`), all filters applied
        except the kind (the kind tabs count across kinds)."""
        params: list = []
        where: list[str] = []
        query = criteria.query
        if query.has_terms:
            from_sql, condition, score, params = self.text_match(query, ranked=ranked)
            sql = f"SELECT {columns}, {score} AS score FROM {from_sql}"
            if condition:
                where.append(condition)
        else:
            sql = f"SELECT {columns}, 0.0 AS score FROM core_searchentry e"
        if criteria.public_only:
            where.append("e.public = %s")
            params.append(True)
        if not query.has_terms and query.negative:
            source, source_params = self.exclude_source(query.negative)
            where.append(f"e.id NOT IN ({source})")
            params += source_params
        for facet, values in sorted(criteria.filters.items()):
            if not values:
                continue
            # No indexed value holds a NUL character (PostgreSQL cannot even receive
            # one): such a value matches nothing.
            values = tuple(value for value in values if "\x00" not in str(value))
            if not values:
                where.append("1 = 0")
                continue
            placeholders = ", ".join(["%s"] * len(values))
            if facet in COLUMN_FACETS:
                where.append(f"e.{facet} IN ({placeholders})")
                params += [int(v) if facet == "year" else v for v in values]
            elif facet in MULTI_FACETS:
                where.append(
                    "EXISTS (SELECT 1 FROM core_searchfacet f WHERE f.entry_id = e.id "
                    f"AND f.facet = %s AND f.value IN ({placeholders}))"
                )
                params += [facet, *values]
        if criteria.year_min is not None:
            where.append("e.year >= %s")
            params.append(criteria.year_min)
        if criteria.year_max is not None:
            where.append("e.year <= %s")
            params.append(criteria.year_max)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, params

    def _kind_clause(self, criteria: Criteria, alias: str = "m") -> tuple[str, list]:
        if not criteria.kinds:
            return "", []
        placeholders = ", ".join(["%s"] * len(criteria.kinds))
        return f" WHERE {alias}.kind IN ({placeholders})", list(criteria.kinds)

    def search(
        self,
        criteria: Criteria,
        *,
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
        facets: tuple[str, ...] = (),
    ) -> RawResult:
        kind_counts, facet_counts = self._browse_counts(criteria, facets)
        # A facet with values ticked is counted without its own filter, so that its
        # other values stay offered with the count they would add (values of one facet
        # are alternatives). One more statement per such facet.
        for facet in facets:
            if criteria.filters.get(facet):
                others = {f: v for f, v in criteria.filters.items() if f != facet}
                _kinds, relaxed = self._counts(replace(criteria, filters=others), (facet,))
                facet_counts[facet] = relaxed[facet]
        kinds = criteria.kinds or tuple(kind_counts)
        total = sum(count for kind, count in kind_counts.items() if kind in kinds)
        hits: list[RawHit] = []
        if total and limit:
            hits = self._hits(criteria, sort=sort, offset=offset, limit=limit)
        return RawResult(total=total, hits=hits, facets=facet_counts, kind_counts=kind_counts)

    def _browse_counts(self, criteria: Criteria, facets: tuple[str, ...]):
        """The counts, from a per-process cache when browsing with no query and no filter
        (the catalogue's list page: every public entry is counted, 0.4 s at 100,000).
        The cache is keyed by the index's state token (`index.index_changed`), read
        before and after counting, and used only outside transactions: so it never holds
        counts of uncommitted writes, and any commit is seen at once."""
        browsing = not (
            criteria.query.clauses
            or any(criteria.filters.values())
            or criteria.year_min is not None
            or criteria.year_max is not None
        )
        if not browsing or self.connection.in_atomic_block:
            return self._counts(criteria, facets)
        from ..index import index_state

        key = (self.connection.alias, criteria.public_only, criteria.kinds, facets)
        token = index_state()
        cached = _BROWSE_COUNTS.get(key)
        if cached is not None and cached[0] == token:
            return copy.deepcopy(cached[1])
        counts = self._counts(criteria, facets)
        if token and index_state() == token:
            with _BROWSE_LOCK:
                _BROWSE_COUNTS[key] = (token, copy.deepcopy(counts))
        return counts

    def _counts(
        self, criteria: Criteria, facets: tuple[str, ...]
    ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """Per kind (all kinds), and per facet value within the kinds asked: in memory
        outside transactions (`counting.py`), else in SQL."""
        if not self.connection.in_atomic_block:
            counted = self._counts_in_memory(criteria, facets)
            if counted is not None:
                return counted
        return self._counts_in_sql(criteria, facets)

    def _counts_in_memory(self, criteria: Criteria, facets: tuple[str, ...]):
        from ..counting import facet_table
        from ..index import index_state

        table = facet_table(index_state(), self.connection.alias, state=index_state)
        if table is None:
            return None
        base, params = self._base(criteria, ranked=False, columns="e.id")
        with self.connection.cursor() as cursor:
            cursor.execute(base, params)
            ids = [row[0] for row in cursor.fetchall()]
        return table.count(ids, criteria.kinds, facets)

    def _counts_in_sql(
        self, criteria: Criteria, facets: tuple[str, ...]
    ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        base, params = self._base(criteria, ranked=False, columns=_COUNT_COLUMNS)
        # Entry columns: one grouping on all of them, summed here per facet.
        parts = [
            "SELECT 0, m.kind, m.type, m.year, m.access, COUNT(*) FROM m "
            "GROUP BY m.kind, m.type, m.year, m.access"
        ]
        multi = [facet for facet in MULTI_FACETS if facet in facets]
        if multi:
            kind_where, kind_params = self._kind_clause(criteria)
            placeholders = ", ".join(["%s"] * len(multi))
            parts.append(
                "SELECT 1, f.facet, f.value, NULL, NULL, COUNT(*) FROM m "
                f"JOIN core_searchfacet f ON f.entry_id = m.id AND f.facet IN ({placeholders})"
                f"{kind_where} GROUP BY f.facet, f.value"
            )
            params += multi + kind_params
        sql = f"WITH m AS MATERIALIZED ({base}) " + " UNION ALL ".join(parts)
        columns = [facet for facet in COLUMN_FACETS if facet in facets]
        kind_counts: dict[str, int] = {}
        facet_counts: dict[str, dict[str, int]] = {facet: {} for facet in facets}
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for part, kind_or_facet, first, year, access, count in rows:
            if part == 1:
                if first is not None and first != "":
                    facet_counts[kind_or_facet][str(first)] = count
                continue
            kind_counts[kind_or_facet] = kind_counts.get(kind_or_facet, 0) + count
            if criteria.kinds and kind_or_facet not in criteria.kinds:
                continue
            values = {"type": first, "year": year, "access": access}
            for facet in columns:
                value = values[facet]
                if value is not None and value != "":
                    counted = facet_counts[facet]
                    counted[str(value)] = counted.get(str(value), 0) + count
        return kind_counts, facet_counts

    def _hits(self, criteria: Criteria, *, sort: str, offset: int, limit: int) -> list[RawHit]:
        base, params = self._base(criteria, ranked=True)
        kind_where, kind_params = self._kind_clause(criteria)
        if sort == "date" or not criteria.query.has_terms:
            order = "m.date DESC NULLS LAST, m.score DESC, m.id DESC"
        else:
            order = "m.score DESC, m.date DESC NULLS LAST, m.id DESC"
        sql = (
            f"WITH m AS ({base}) SELECT m.id, m.kind, m.object_id, m.score FROM m"
            f"{kind_where} ORDER BY {order} LIMIT %s OFFSET %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params + kind_params + [limit, offset])
            return [RawHit(row[0], row[1], row[2], float(row[3] or 0)) for row in cursor]


def weighted_columns(columns: dict[str, str]) -> list[str]:
    return [columns.get(weight, "") for weight in WEIGHTS]
