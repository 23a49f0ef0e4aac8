"""SQL shared by both engines: filters, facet counts, browsing, hits.

Only the text match differs (`match_source`). Every value reaches the database as a
parameter; facet names and columns come from the registry's fixed lists, never from
the request.
"""

from dataclasses import dataclass, field

from ..query import Clause, Query
from ..registry import COLUMN_FACETS, MULTI_FACETS, WEIGHTS


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


class Backend:
    vendor = ""

    def __init__(self, connection):
        self.connection = connection

    # --- engine-specific -------------------------------------------------------------

    def write(self, entry_id: int, columns: dict[str, str]) -> None:
        raise NotImplementedError

    def delete(self, entry_ids: list[int]) -> None:
        """Remove the text of entries whose rows are deleted another way (bulk)."""

    def match_source(self, query: Query) -> tuple[str, list]:
        """SQL selecting `id` and `score` (higher is better) of the entries the
        positive clauses match, negative clauses applied."""
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

    def _base(self, criteria: Criteria) -> tuple[str, list]:
        """SQL of the matching entries (id, kind, type, year, access, date, score), all
        filters applied except the kind (the kind tabs count across kinds)."""
        params: list = []
        query = criteria.query
        if query.has_terms:
            source, source_params = self.match_source(query)
            sql = (
                "SELECT e.id, e.kind, e.object_id, e.type, e.year, e.access, e.date, "
                f"mt.score FROM ({source}) mt JOIN core_searchentry e ON e.id = mt.id"
            )
            params += source_params
        else:
            sql = (
                "SELECT e.id, e.kind, e.object_id, e.type, e.year, e.access, e.date, "
                "0.0 AS score FROM core_searchentry e"
            )
        where: list[str] = []
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
        base, base_params = self._base(criteria)
        kind_where, kind_params = self._kind_clause(criteria)
        # 1. Counts: per kind (all kinds), then total and facets within the kinds asked.
        parts = ["SELECT 'kind' AS facet, m.kind AS value, COUNT(*) AS n FROM m GROUP BY m.kind"]
        params: list = []
        for facet in facets:
            if facet in COLUMN_FACETS:
                parts.append(
                    f"SELECT '{facet}', CAST(m.{facet} AS TEXT), COUNT(*) FROM m{kind_where} "
                    f"GROUP BY m.{facet}"
                )
                params += kind_params
            elif facet in MULTI_FACETS:
                join_where = kind_where.replace(" WHERE ", " AND ") if kind_where else ""
                parts.append(
                    f"SELECT '{facet}', f.value, COUNT(*) FROM m JOIN core_searchfacet f "
                    f"ON f.entry_id = m.id AND f.facet = %s{join_where} GROUP BY f.value"
                )
                params += [facet, *kind_params]
        counts_sql = f"WITH m AS MATERIALIZED ({base}) " + " UNION ALL ".join(parts)
        facet_counts: dict[str, dict[str, int]] = {facet: {} for facet in facets}
        kind_counts: dict[str, int] = {}
        with self.connection.cursor() as cursor:
            cursor.execute(counts_sql, base_params + params)
            for facet, value, count in cursor.fetchall():
                if facet == "kind":
                    kind_counts[value] = count
                elif value is not None and value != "":
                    facet_counts[facet][str(value)] = count
        kinds = criteria.kinds or tuple(kind_counts)
        total = sum(count for kind, count in kind_counts.items() if kind in kinds)
        # 2. The page of hits.
        hits: list[RawHit] = []
        if total and limit:
            if sort == "date" or not criteria.query.has_terms:
                order = "m.date DESC NULLS LAST, m.score DESC, m.id DESC"
            else:
                order = "m.score DESC, m.date DESC NULLS LAST, m.id DESC"
            hits_sql = (
                f"WITH m AS ({base}) SELECT m.id, m.kind, m.object_id, m.score FROM m"
                f"{kind_where} ORDER BY {order} LIMIT %s OFFSET %s"
            )
            with self.connection.cursor() as cursor:
                cursor.execute(hits_sql, base_params + kind_params + [limit, offset])
                hits = [RawHit(row[0], row[1], row[2], float(row[3] or 0)) for row in cursor]
        return RawResult(total=total, hits=hits, facets=facet_counts, kind_counts=kind_counts)


def weighted_columns(columns: dict[str, str]) -> list[str]:
    return [columns.get(weight, "") for weight in WEIGHTS]
