"""Writes for experience records (STYLE.md §2-3):

- `records`: saving and deleting records, with their index entry and tombstone;
- `workflow`: the review workflow, public submission and its mails;
- `attachments`: checking, attaching and deleting PDF files.
"""

from .attachments import (
    practice_attachment_add,
    practice_attachment_check,
    practice_attachment_delete,
    practice_attachment_max_bytes,
    practice_attachment_size_label,
)
from .records import (
    ActorInput,
    FundingInput,
    practice_delete,
    practice_relations_changed,
    practice_save,
)
from .workflow import (
    TRANSITIONS,
    allowed_transitions,
    practice_review_record,
    practice_submit,
    practice_transition,
    publication_missing,
    published_block_errors,
)

__all__ = [
    "TRANSITIONS",
    "ActorInput",
    "FundingInput",
    "allowed_transitions",
    "practice_attachment_add",
    "practice_attachment_check",
    "practice_attachment_delete",
    "practice_attachment_max_bytes",
    "practice_attachment_size_label",
    "practice_delete",
    "practice_relations_changed",
    "practice_review_record",
    "practice_save",
    "practice_submit",
    "practice_transition",
    "publication_missing",
    "published_block_errors",
]
