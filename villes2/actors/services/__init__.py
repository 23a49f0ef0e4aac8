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
from .exports import (
    EXPORT_ORGANISATIONS,
    EXPORT_PERSON_DATA,
    EXPORT_PERSONS,
    data_export_log,
)
from .imports import (
    ImportProblem,
    ImportReport,
    column_description,
    directory_import,
    import_file_format,
    import_max_bytes,
    pending_imports_dir,
    pending_imports_purge,
)
from .merge import (
    MERGE_MAX,
    merge_preview,
    organisation_merge,
    organisation_relations,
    person_merge,
)
from .privacy import (
    CONSENT_TEXT_VERSION,
    PENDING_IMPORT_MAX_AGE,
    consent_link_path,
    consents_record,
    consents_withdraw_all,
    person_choices_record,
    person_erase,
    person_information_send,
    persons_mark_informed,
    protected_by,
    retention_purge,
    rights_request_submit,
    rights_request_update,
)

__all__ = [
    "CONSENT_TEXT_VERSION",
    "EXPORT_ORGANISATIONS",
    "EXPORT_PERSONS",
    "EXPORT_PERSON_DATA",
    "FOUNDING_DIR",
    "MERGE_MAX",
    "NOTE_SOURCE",
    "PENDING_IMPORT_MAX_AGE",
    "ImportProblem",
    "ImportReport",
    "column_description",
    "consent_link_path",
    "consents_record",
    "consents_withdraw_all",
    "data_export_log",
    "directory_import",
    "founding_actors_load",
    "import_file_format",
    "import_max_bytes",
    "merge_preview",
    "organisation_merge",
    "organisation_relations",
    "organisation_search_text_refresh",
    "pending_imports_dir",
    "pending_imports_purge",
    "person_choices_record",
    "person_erase",
    "person_information_send",
    "person_merge",
    "person_search_text_refresh",
    "persons_mark_informed",
    "protected_by",
    "retention_purge",
    "rights_request_submit",
    "rights_request_update",
]
