"""The collection template: the file partners fill in to send indicator values, in CSV
and XLSX, with its documentation (docs/observation.md, "Homogeneous collection").

The XLSX workbook has four sheets: "valeurs" (the one the importer reads: headers,
column widths, the code column as text so that 01001 keeps its zero), "colonnes" (each
column, its format and an example), "indicateurs" (every indicator code) and
"territoires" (the kinds of territory and the codes of the centre's two former regions).
Every text cell is written as text, neutralised when a spreadsheet could take it for a
formula (RELIABILITY.md, "CSV/XLSX exports").
"""

from __future__ import annotations

import csv
import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from villes2.core.tabular import cell_neutralise
from villes2.territories.models import Territory, TerritoryKind

from .models import Indicator
from .services.imports import COLUMNS, REQUIRED, column_description

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_NAME = "villes2-modele-collecte"
# Characters an XLSX (XML 1.0) file cannot hold; openpyxl refuses the control ones.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

EXAMPLES = {
    "niveau": "commune",
    "code": "37261",
    "indicateur": "population-municipale",
    "periode": "2023",
    "valeur": "1 234,5",
    "numerateur": "125",
    "denominateur": "1000",
    "statut": "définitif",
    "nom": "Tours",
}
WIDTHS = {"niveau": 16, "code": 14, "indicateur": 30, "periode": 12, "valeur": 14, "nom": 30}
# The kinds listed in the sheet "territoires", in this order.
LISTED_KINDS = (
    TerritoryKind.COUNTRY,
    TerritoryKind.REGION,
    TerritoryKind.FORMER_REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.EPCI,
    TerritoryKind.COMMUNE,
    TerritoryKind.QPV,
    TerritoryKind.ZUS,
)


def collection_template_csv() -> bytes:
    """The header line, for French Excel: UTF-8 with a BOM, `;` between cells. The
    columns are described on the template page and in the XLSX file."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";").writerow(COLUMNS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def collection_template_xlsx() -> bytes:
    """The workbook of the template (five queries)."""
    workbook = Workbook()
    _values_sheet(workbook.active)
    _columns_sheet(workbook.create_sheet("colonnes"))
    _indicators_sheet(workbook.create_sheet("indicateurs"))
    _territories_sheet(workbook.create_sheet("territoires"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(sheet, value: str) -> Cell:
    """A text cell: control characters removed, then neutralised, stored as a string
    (openpyxl makes any string starting with "=" a formula)."""
    cell = Cell(sheet, value=cell_neutralise(_XML_ILLEGAL.sub("", str(value))))
    cell.data_type = "s"
    return cell


def _header(sheet, labels: list[str], widths: list[int]) -> None:
    sheet.append([_text(sheet, label) for label in labels])
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _values_sheet(sheet) -> None:
    """The sheet the importer reads: the header only."""
    sheet.title = "valeurs"
    _header(sheet, list(COLUMNS), [WIDTHS.get(column, 14) for column in COLUMNS])
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        cell.comment = Comment(column_description(column), "Villes²")
    # Codes typed as numbers would lose their leading zero (01001 → 1001).
    code_letter = sheet.cell(row=1, column=COLUMNS.index("code") + 1).column_letter
    sheet.column_dimensions[code_letter].number_format = "@"
    levels = DataValidation(
        type="list", formula1='"' + ",".join(TerritoryKind.values) + '"', allow_blank=True
    )
    levels.error = _("Choose a kind of territory from the list.")
    levels.showErrorMessage = True
    sheet.add_data_validation(levels)
    level_letter = sheet.cell(row=1, column=COLUMNS.index("niveau") + 1).column_letter
    levels.add(f"{level_letter}2:{level_letter}1048576")


def _columns_sheet(sheet) -> None:
    _header(sheet, [_("Column"), _("Required"), _("Description"), _("Example")], [16, 12, 90, 22])
    for column in COLUMNS:
        sheet.append(
            [
                _text(sheet, column),
                _text(sheet, _("yes") if column in REQUIRED else _("no")),
                _text(sheet, column_description(column)),
                _text(sheet, EXAMPLES[column]),
            ]
        )
    notes = [
        _(
            "The importer reads the first sheet, “valeurs”: one line per territory, "
            "indicator and period. Columns may be in any order; case and accents of the "
            "headers do not matter."
        ),
        _(
            "The file is refused as a whole if one line is wrong: the report gives the "
            "number of every wrong line and the reason. The same file imported twice "
            "changes nothing; a file of another period adds its values."
        ),
        _("A CSV file must be saved as “CSV UTF-8” with ; or , between the columns."),
    ]
    sheet.append([])
    for note in notes:
        sheet.append([_text(sheet, note)])
        sheet.merge_cells(
            start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=4
        )
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
        sheet.row_dimensions[sheet.max_row].height = 32
    for row in sheet.iter_rows(min_row=2, max_row=len(COLUMNS) + 1, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _indicators_sheet(sheet) -> None:
    _header(
        sheet,
        [
            _("Code"),
            _("Label"),
            _("Unit"),
            _("Type"),
            _("Period"),
            _("Rate base"),
            _("Aggregation to larger territories"),
            _("Definition"),
        ],
        [30, 40, 14, 12, 10, 12, 30, 90],
    )
    for indicator in Indicator.objects.order_by("position", "code"):
        sheet.append(
            [
                _text(sheet, indicator.code),
                _text(sheet, indicator.label),
                _text(sheet, indicator.unit),
                _text(sheet, indicator.get_type_display()),
                _text(sheet, indicator.get_periodicity_display()),
                indicator.rate_base if indicator.type == "taux" else None,
                _text(sheet, indicator.get_aggregation_display()),
                _text(sheet, indicator.definition),
            ]
        )


def _territories_sheet(sheet) -> None:
    _header(sheet, ["niveau", "code", _("Name"), _("Valid until")], [18, 14, 50, 14])
    sheet.append(
        [
            _text(
                sheet,
                _(
                    "Every code of a French commune, EPCI, département or région is "
                    "accepted, and the old codes of merged communes (communes déléguées, "
                    "associées, municipal arrondissements) too: they are counted in the "
                    "current commune. Listed below: the kinds, then the territories of the "
                    "centre's two former regions."
                ),
            )
        ]
    )
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 48
    labels = dict(TerritoryKind.choices)
    for kind in LISTED_KINDS:
        sheet.append([_text(sheet, kind), None, _text(sheet, str(labels[kind]))])
    sheet.append([])
    for territory in _listed_territories():
        sheet.append(
            [
                _text(sheet, territory.kind),
                _text(sheet, territory.code),
                _text(sheet, territory.name),
                territory.valid_to,
            ]
        )


def _listed_territories() -> list[Territory]:
    """France, the régions and former regions of the centre, and what lies in the former
    regions: départements, EPCI (of their communes), communes, QPV and ZUS."""
    former = Territory.objects.filter(
        kind=TerritoryKind.FORMER_REGION, code__in=settings.VILLES2_FORMER_REGIONS
    )
    inside = Territory.objects.filter(ancestors__in=former).exclude(
        kind__in=(TerritoryKind.REGION, TerritoryKind.COUNTRY)
    )
    epci = Territory.objects.filter(
        kind=TerritoryKind.EPCI, children__ancestors__in=former
    ).distinct()
    regions = Territory.objects.filter(
        kind__in=(TerritoryKind.REGION, TerritoryKind.COUNTRY),
        descendants__kind=TerritoryKind.DEPARTEMENT,
        descendants__ancestors__in=former,
    ).distinct()
    fields = ("pk", "kind", "code", "name", "valid_to")
    found = {
        territory.pk: territory
        for queryset in (former, inside, epci, regions)
        for territory in queryset.only(*fields)
    }
    order = {kind: index for index, kind in enumerate(LISTED_KINDS)}
    return sorted(found.values(), key=lambda t: (order.get(t.kind, 99), t.code))
