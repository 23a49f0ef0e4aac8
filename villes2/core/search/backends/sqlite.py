"""SQLite FTS5: one column per weight, ranked by BM25 with the field weights."""

from ..query import Clause, Phrase, Query
from ..registry import WEIGHT_VALUES, WEIGHTS
from .base import Backend, weighted_columns

_BM25 = ", ".join(str(WEIGHT_VALUES[weight]) for weight in WEIGHTS)


def _phrase(phrase: Phrase) -> str:
    # Stems are letters and digits only; quoting each phrase still keeps any FTS5
    # keyword (AND, OR, NOT, NEAR) or column filter from being read as syntax.
    return '"' + " ".join(phrase) + '"'


def _clause(clause: Clause) -> str:
    alternatives = [_phrase(phrase) for phrase in clause.alternatives]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def match_expression(query: Query) -> str:
    positive = " AND ".join(_clause(clause) for clause in query.positive)
    if not query.negative:
        return positive
    negative = " OR ".join(_clause(clause) for clause in query.negative)
    return f"({positive}) NOT ({negative})"


class SqliteBackend(Backend):
    vendor = "sqlite"

    def write(self, entry_id: int, columns: dict[str, str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_search_fts WHERE rowid = %s", [entry_id])
            cursor.execute(
                "INSERT INTO core_search_fts (rowid, title, descriptors, abstract, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [entry_id, *weighted_columns(columns)],
            )

    def write_many(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO core_search_fts (rowid, title, descriptors, abstract, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(entry_id, *weighted_columns(columns)) for entry_id, columns in rows],
            )

    def text_match(self, query: Query, *, ranked: bool) -> tuple[str, str, str, list]:
        score = f"-bm25(core_search_fts, {_BM25})" if ranked else "0.0"
        return (
            "core_search_fts JOIN core_searchentry e ON e.id = core_search_fts.rowid",
            "core_search_fts MATCH %s",
            score,
            [match_expression(query)],
        )

    def exclude_source(self, clauses: tuple[Clause, ...]) -> tuple[str, list]:
        return (
            "SELECT rowid FROM core_search_fts WHERE core_search_fts MATCH %s",
            [" OR ".join(_clause(clause) for clause in clauses)],
        )

    def size_bytes(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(SUM(LENGTH(block)), 0) FROM core_search_fts_data")
            return int(cursor.fetchone()[0])

    def purge_deleted(self) -> None:
        # "optimize" merges every segment into one, dropping deleted rows' terms; with
        # secure_delete=ON the freed pages are overwritten.
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_search_fts (core_search_fts) VALUES ('optimize')")

    def optimise(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_search_fts (core_search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
