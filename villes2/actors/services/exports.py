"""The log of staff exports of directory data (RELIABILITY.md: exports of personal data
are security events)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict

from ..models import DataExport

security_log = logging.getLogger("villes2.security")

# What was exported (`DataExport.what`).
EXPORT_ORGANISATIONS = "organisations"
EXPORT_PERSONS = "personnes"
EXPORT_PERSON_DATA = "donnees-personnelles"  # the GDPR access/portability JSON

# The changelist's free-text search: it may hold a person's name, which must not outlive
# that person's erasure in the log. Only the fact that a search was used is recorded.
SEARCH_PARAMETER = "q"
SEARCH_RECORDED = f"{SEARCH_PARAMETER}=…"

_FILTERS_MAX = DataExport._meta.get_field("filters").max_length or 500


def export_filters(query: str) -> str:
    """The list's filters as the log keeps them: the query string with the search text
    replaced by `q=…` (an empty search dropped), the other parameters as they were."""
    parts = []
    for name, values in QueryDict(query).lists():
        if name == SEARCH_PARAMETER:
            if any(value.strip() for value in values):
                parts.append(SEARCH_RECORDED)
        else:
            parts.append(urlencode([(name, value) for value in values]))
    return "&".join(parts)


def data_export_log(
    *,
    user: AbstractBaseUser,
    what: str,
    file_format: str,
    row_count: int,
    filters: str = "",
    person_ids: Iterable[int] = (),
) -> DataExport:
    """Record who exported what, in which format, how many rows and with which filters
    (without the search text: `export_filters`); and one line on the security log, which
    never holds the data or the filters, but names the persons of a GDPR export by their
    entry numbers."""
    export = DataExport(
        exported_by=user,
        what=what,
        file_format=file_format,
        row_count=row_count,
        filters=export_filters(filters)[:_FILTERS_MAX],
    )
    export.full_clean()
    export.save()
    persons = ",".join(str(pk) for pk in person_ids)
    security_log.info(
        "data export user=%s what=%s format=%s rows=%s%s",
        user.pk,
        what,
        file_format,
        row_count,
        f" persons={persons}" if persons else "",
    )
    return export
