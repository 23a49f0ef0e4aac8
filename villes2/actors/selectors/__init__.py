"""Reads for the directory, one module per concern (STYLE.md §2-3):

- `directory`: public views of persons, the board, partners, territory links, vCards;
- `privacy`: what refers to a person, GDPR export, rights requests, retention;
- `duplicates`: likely duplicates of a person or an organisation;
- `exports`: staff CSV and XLSX exports.
"""

from .directory import (
    LINKED_LIMIT,
    board_dates,
    board_on,
    linked_actors_section,
    organisation_vcard,
    partner_groups,
    person_ids_publishing,
    person_public_fields,
    persons_vcard,
    public_fields_by_person,
    public_themes,
)
from .duplicates import organisation_duplicates, person_duplicates
from .exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    cell_neutralise,
    organisation_export_headers,
    organisation_export_rows,
    person_export_headers,
    person_export_rows,
    rows_csv,
    rows_xlsx,
)
from .privacy import (
    consent_link_token,
    consents_in_force,
    identity_digests,
    identity_was_erased,
    is_history_model,
    person_erasure_preview,
    person_export,
    person_from_consent_token,
    person_relations,
    persons_not_informed,
    retention_candidates,
    rights_requests_open,
    rights_requests_overdue,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "LINKED_LIMIT",
    "XLSX_CONTENT_TYPE",
    "board_dates",
    "board_on",
    "cell_neutralise",
    "consent_link_token",
    "consents_in_force",
    "identity_digests",
    "identity_was_erased",
    "is_history_model",
    "linked_actors_section",
    "organisation_duplicates",
    "organisation_export_headers",
    "organisation_export_rows",
    "organisation_vcard",
    "partner_groups",
    "person_duplicates",
    "person_erasure_preview",
    "person_export",
    "person_export_headers",
    "person_export_rows",
    "person_from_consent_token",
    "person_ids_publishing",
    "person_public_fields",
    "person_relations",
    "persons_not_informed",
    "persons_vcard",
    "public_fields_by_person",
    "public_themes",
    "retention_candidates",
    "rights_requests_open",
    "rights_requests_overdue",
    "rows_csv",
    "rows_xlsx",
]
