"""Writes for the catalogue, one module per workflow (STYLE.md §2-3):

- `records`: saving and deleting records, with their index entry and tombstone;
- `attachments`: checking, attaching and deleting PDF files, extracting their text;
- `imports`: the CSV import of records.
"""

from .attachments import (
    attachment_add,
    attachment_check,
    attachment_delete,
    attachment_files_check,
    attachment_max_bytes,
    attachment_text_extract,
    clean_file_name,
)
from .imports import (
    DocumentImportReport,
    column_rows,
    csv_template,
    document_import,
    document_import_max_bytes,
)
from .records import (
    AuthorInput,
    authors_erasure_hook,
    document_delete,
    document_relations_changed,
    document_save,
)

__all__ = [
    "AuthorInput",
    "DocumentImportReport",
    "attachment_add",
    "attachment_check",
    "attachment_delete",
    "attachment_files_check",
    "attachment_max_bytes",
    "attachment_text_extract",
    "authors_erasure_hook",
    "clean_file_name",
    "column_rows",
    "csv_template",
    "document_delete",
    "document_import",
    "document_import_max_bytes",
    "document_relations_changed",
    "document_save",
]
