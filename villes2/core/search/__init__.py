"""The shared search (decision 0003): a registry of searchable types, one index written
in the same transaction as the content, and one interface over two engines (SQLite FTS5,
PostgreSQL full-text search) that return the same results.

Apps use: `search_registry.register(SearchType(...))` in `ready()`, `index_object(obj)`
and `remove_object(obj)` in their services, and `run_search(SearchRequest(...))` in
their views."""

from .dependents import dependents, reindex, reindex_dependents
from .engine import FacetOption, Hit, KindCount, SearchRequest, SearchResults, run_search
from .index import (
    index_object,
    index_size_bytes,
    index_state,
    purge_deleted_text,
    rebuild,
    remove_ids,
    remove_object,
)
from .registry import FACETS, SearchType, search_registry

__all__ = [
    "FACETS",
    "FacetOption",
    "Hit",
    "KindCount",
    "SearchRequest",
    "SearchResults",
    "SearchType",
    "dependents",
    "index_object",
    "index_size_bytes",
    "index_state",
    "purge_deleted_text",
    "rebuild",
    "reindex",
    "reindex_dependents",
    "remove_ids",
    "remove_object",
    "run_search",
    "search_registry",
]
