"""Reads of experience records for pages, exports and other apps."""

from .records import (
    LeadContact,
    lead_contact_for_page,
    linked_practices_section,
    practice_for_page,
    practices_for_export,
)

__all__ = [
    "LeadContact",
    "lead_contact_for_page",
    "linked_practices_section",
    "practice_for_page",
    "practices_for_export",
]
