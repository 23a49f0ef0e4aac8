"""Writes for the catalogue, one module per workflow (STYLE.md §2-3):

- `records`: saving and deleting records, with their index entry and tombstone.
"""

from .records import AuthorInput, document_delete, document_relations_changed, document_save

__all__ = ["AuthorInput", "document_delete", "document_relations_changed", "document_save"]
