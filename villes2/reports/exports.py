"""The report as a CSV file: one row per figure's value (section, label, value, unit),
UTF-8 with a BOM and `;` between cells as the other exports, for French spreadsheets.
Text cells are formula-safe (`core.tabular.cell_neutralise`); numbers are written with a
decimal comma, no grouping."""

from __future__ import annotations

import csv
import io

from villes2.core.tabular import cell_neutralise

from .selectors import ActivityReport

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Stable column names, the same in every language (as the observatory's exports).
HEADER = ["section", "libelle", "valeur", "unite"]


def csv_number(value) -> str:
    """A number as French spreadsheets read it: decimal comma, no grouping, at most two
    decimals; empty for no value."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def report_rows(report: ActivityReport) -> list[list[str]]:
    """[section, label, value, unit] for every cell of the year (the previous year's
    columns are left out: each year has its own file). The section is the figure's title;
    a figure of several columns names the column after the row's label."""
    rows = []
    for figure in report.figures:
        several = len(figure.columns) > 1
        for row in figure.rows:
            for column, cell in zip(figure.columns, row.cells, strict=True):
                label = f"{row.label} — {column.label}" if several else row.label
                rows.append([figure.title, label, csv_number(cell.value), cell.unit])
    return rows


def report_csv(report: ActivityReport) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for section, label, value, unit in report_rows(report):
        writer.writerow([cell_neutralise(section), cell_neutralise(label), value, unit])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_name(report: ActivityReport, extension: str) -> str:
    return f"villes2-rapport-activite-{report.year}.{extension}"
