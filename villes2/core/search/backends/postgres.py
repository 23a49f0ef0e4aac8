"""PostgreSQL: a weighted `tsvector` column with a GIN index, ranked by `ts_rank`.

The text is already analysed in Python, so the `simple` configuration (no stemming, no
stop words) is used on both sides: no extension and no dictionary to install, and the
same stems as SQLite.
"""

from ..query import Clause, Phrase, Query
from ..registry import WEIGHT_VALUES, WEIGHTS
from .base import Backend, weighted_columns

# ts_rank's weights array is {D, C, B, A}.
_RANK_WEIGHTS = (
    "{"
    + ", ".join(str(WEIGHT_VALUES[weight] / WEIGHT_VALUES["title"]) for weight in reversed(WEIGHTS))
    + "}"
)
_VECTOR = " || ".join(f"setweight(to_tsvector('simple', %s), '{letter}')" for letter in "ABCD")


def _phrase(phrase: Phrase) -> str:
    # Stems are letters and digits only; each is quoted as a tsquery lexeme anyway.
    return " <-> ".join(f"'{stem}'" for stem in phrase)


def _clause(clause: Clause) -> str:
    return "(" + " | ".join(f"({_phrase(p)})" for p in clause.alternatives) + ")"


def tsquery(query: Query) -> str:
    expression = " & ".join(_clause(clause) for clause in query.positive)
    if query.negative:
        expression += " & !(" + " | ".join(_clause(c) for c in query.negative) + ")"
    return expression


class PostgresBackend(Backend):
    vendor = "postgresql"

    def write(self, entry_id: int, columns: dict[str, str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE core_searchentry SET vector = {_VECTOR} WHERE id = %s",
                [*weighted_columns(columns), entry_id],
            )

    def write_many(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE core_searchentry SET vector = {_VECTOR} WHERE id = %s",
                [(*weighted_columns(columns), entry_id) for entry_id, columns in rows],
            )

    def text_match(self, query: Query, *, ranked: bool) -> tuple[str, str, str, list]:
        score = f"ts_rank('{_RANK_WEIGHTS}', e.vector, q)" if ranked else "0.0"
        return (
            "core_searchentry e, to_tsquery('simple', %s) q",
            "e.vector @@ q",
            score,
            [tsquery(query)],
        )

    def exclude_source(self, clauses: tuple[Clause, ...]) -> tuple[str, list]:
        return (
            "SELECT s.id FROM core_searchentry s, to_tsquery('simple', %s) q WHERE s.vector @@ q",
            [" | ".join(_clause(clause) for clause in clauses)],
        )

    def size_bytes(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('core_searchentry') "
                "+ pg_total_relation_size('core_searchfacet')"
            )
            return int(cursor.fetchone()[0])

    def optimise(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchentry")
            cursor.execute("ANALYZE core_searchfacet")
