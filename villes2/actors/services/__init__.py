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
from .privacy import (
    CONSENT_TEXT_VERSION,
    consent_link_path,
    consents_record,
    consents_withdraw_all,
    person_erase,
    person_information_send,
    persons_mark_informed,
    retention_purge,
    rights_request_submit,
    rights_request_update,
)

__all__ = [
    "CONSENT_TEXT_VERSION",
    "FOUNDING_DIR",
    "NOTE_SOURCE",
    "consent_link_path",
    "consents_record",
    "consents_withdraw_all",
    "founding_actors_load",
    "organisation_search_text_refresh",
    "person_erase",
    "person_information_send",
    "person_search_text_refresh",
    "persons_mark_informed",
    "retention_purge",
    "rights_request_submit",
    "rights_request_update",
]
