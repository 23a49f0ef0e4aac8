"""Writes for the directory, one module per workflow (STYLE.md §2-3):

- `directory`: founding data, search text;
- `privacy`: consent, rights requests, erasure, retention (GDPR);
- `imports`: CSV and XLSX import of organisations and persons;
- `merge`: merging duplicate entries.
"""

from .directory import (
    FOUNDING_DIR,
    NOTE_SOURCE,
    founding_actors_load,
    organisation_search_text_refresh,
    person_search_text_refresh,
)

__all__ = [
    "FOUNDING_DIR",
    "NOTE_SOURCE",
    "founding_actors_load",
    "organisation_search_text_refresh",
    "person_search_text_refresh",
]
