"""The log of staff exports of directory data (RELIABILITY.md: exports of personal data
are security events)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser

from ..models import DataExport

security_log = logging.getLogger("villes2.security")

# What was exported (`DataExport.what`).
EXPORT_ORGANISATIONS = "organisations"
EXPORT_PERSONS = "personnes"
EXPORT_PERSON_DATA = "donnees-personnelles"  # the GDPR access/portability JSON

_FILTERS_MAX = DataExport._meta.get_field("filters").max_length or 500


def data_export_log(
    *, user: AbstractBaseUser, what: str, file_format: str, row_count: int, filters: str = ""
) -> DataExport:
    """Record who exported what, in which format, how many rows and with which filters;
    and one line on the security log, which never holds the data or the filters (a
    search for a name is itself personal data)."""
    export = DataExport(
        exported_by=user,
        what=what,
        file_format=file_format,
        row_count=row_count,
        filters=filters[:_FILTERS_MAX],
    )
    export.full_clean()
    export.save()
    security_log.info(
        "data export user=%s what=%s format=%s rows=%s",
        user.pk,
        what,
        file_format,
        row_count,
    )
    return export
