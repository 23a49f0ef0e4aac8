"""Staff exports of the directory as CSV or XLSX, with the columns of the import
(`columns.py`), so that an exported file can be corrected and imported back.

Rows are plain text; the writers make every cell formula-safe (RELIABILITY.md, CSV/XLSX
exports): a spreadsheet must never run what someone typed into a name or an address.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from villes2.territories.models import Territory

from ..columns import MULTI_SEPARATOR, ORGANISATION_COLUMNS, PERSON_COLUMNS, headers
from ..models import Membership, Organisation, Person

# OWASP "CSV injection": a cell starting with one of these may be read as a formula
# (or, for \t \r \0, hide one). `'` makes the spreadsheet show the cell as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
FORMULA_ESCAPE = "'"
# Characters an XLSX (XML 1.0) file cannot hold; openpyxl refuses the control ones.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

YES, NO = "oui", "non"
DATE_FORMAT = "%d/%m/%Y"  # JJ/MM/AAAA, as the import reads it


def cell_neutralise(value: str) -> str:
    """The text of a cell as it must be written: prefixed with `'` when a spreadsheet
    could take it for a formula. The one place that decides, for CSV and XLSX alike."""
    return FORMULA_ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value


def _territory_codes(territories: Iterable[Territory]) -> str:
    return MULTI_SEPARATOR.join(sorted(f"{t.kind}:{t.code}" for t in territories))


def _territories_prefetch() -> Prefetch:
    return Prefetch("territories", queryset=Territory.objects.only("pk", "kind", "code"))


def organisation_export_rows(*, organisations: QuerySet[Organisation]) -> list[list[str]]:
    """One row per organisation, in the order of `ORGANISATION_COLUMNS` (2 queries)."""
    organisations = (
        organisations.select_related("parent")
        .prefetch_related(_territories_prefetch())
        .order_by("sort_name", "pk")
    )
    return [
        [
            organisation.slug,
            organisation.name,
            organisation.acronym,
            organisation.kind,
            organisation.siren,
            organisation.parent.slug if organisation.parent else "",
            organisation.website,
            organisation.address,
            _territory_codes(organisation.territories.all()),
            YES if organisation.is_partner else NO,
            organisation.source,
        ]
        for organisation in organisations
    ]


def person_export_rows(*, persons: QuerySet[Person]) -> list[list[str]]:
    """One row per role of each person (their columns repeated), or one row with an empty
    organisation and role; in the order of `PERSON_COLUMNS` (3 queries). Persons whose
    processing is restricted (GDPR art. 18) are left out: kept, not processed."""
    persons = (
        persons.filter(processing_restricted=False)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organisation").order_by(
                    "organisation__sort_name", "role", "pk"
                ),
            ),
            _territories_prefetch(),
        )
        .order_by("sort_name", "pk")
    )
    rows = []
    for person in persons:
        territories = _territory_codes(person.territories.all())
        informed_on = person.informed_on.strftime(DATE_FORMAT) if person.informed_on else ""
        roles = [(m.organisation.slug, m.role) for m in person.memberships.all()] or [("", "")]
        for organisation, role in roles:
            rows.append(
                [
                    person.slug,
                    person.first_name,
                    person.last_name,
                    person.job_title,
                    person.email,
                    person.phone,
                    person.address,
                    organisation,
                    role,
                    territories,
                    informed_on,
                    person.source,
                ]
            )
    return rows


def organisation_export_headers() -> list[str]:
    return headers(ORGANISATION_COLUMNS)


def person_export_headers() -> list[str]:
    return headers(PERSON_COLUMNS)


def rows_csv(*, header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """CSV for French Excel: UTF-8 with a BOM (accents shown right), `;` between cells."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([cell_neutralise(value) for value in header])
    writer.writerows([cell_neutralise(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_xlsx(*, header: Sequence[str], rows: Iterable[Sequence[str]], title: str) -> bytes:
    """An XLSX workbook of one sheet (write-only: rows are streamed, not kept as cells)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)

    def text_cell(value: str) -> WriteOnlyCell:
        # Control characters removed first, so that none can hide a formula trigger.
        cell = WriteOnlyCell(sheet, value=cell_neutralise(_XML_ILLEGAL.sub("", value)))
        # openpyxl makes any string starting with "=" a formula: always store text.
        cell.data_type = "s"
        return cell

    sheet.append([text_cell(value) for value in header])
    for row in rows:
        sheet.append([text_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
