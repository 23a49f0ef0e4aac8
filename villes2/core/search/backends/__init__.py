"""The two engines behind the one search interface (decision 0003).

Both receive the same parsed query (stems only) and the same filters, and return the
same entries; they differ in how they store analysed text, write a query in their own
syntax, and rank: BM25 on SQLite FTS5, `ts_rank` on PostgreSQL, each with the field
weights title > descriptors > abstract > body.
"""

from django.db import connection

from .base import Backend, RawResult
from .postgres import PostgresBackend
from .sqlite import SqliteBackend

_BACKENDS = {"sqlite": SqliteBackend, "postgresql": PostgresBackend}


def get_backend(conn=None) -> Backend:
    conn = conn or connection
    try:
        return _BACKENDS[conn.vendor](conn)
    except KeyError:
        raise NotImplementedError(f"No search backend for {conn.vendor}") from None


__all__ = ["Backend", "RawResult", "get_backend"]
