"""Downloads of a comparison: CSV (UTF-8 with BOM, `;`, for French spreadsheets), XLSX
and GeoJSON (RFC 7946), and the map layer of the comparison page.

Every row names its source and licence and says whether the data is synthetic. Text
cells are formula-safe (RELIABILITY.md): the directory's neutraliser prefixes a cell a
spreadsheet could run with `'`, and XLSX text cells are always stored as strings.
Numbers are written as numbers (a negative value is not a formula).
"""

from __future__ import annotations

import csv
import io
import json
import re

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from villes2.actors.selectors.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, cell_neutralise

from .forms import period_value, scope_label, scope_value
from .models import Source
from .selectors import Comparison, ComparisonRow

GEOJSON_CONTENT_TYPE = "application/geo+json"
CONTENT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
    "geojson": GEOJSON_CONTENT_TYPE,
}
FORMATS = tuple(CONTENT_TYPES)

# Column names are stable identifiers, the same in every language (files are read back
# by programs as much as by people).
HEADER = [
    "code",
    "nom",
    "niveau",
    "valeur",
    "unite",
    "periode",
    "statut",
    "calculee",
    "rang",
    "classe",
    "source",
    "licence",
    "donnees_synthetiques",
]
YES, NO = "oui", "non"
PROVISIONAL, FINAL = "provisoire", "définitive"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def file_name(comparison: Comparison, extension: str) -> str:
    scope = scope_value(comparison.scope).replace(":", "-").replace(",", "_")
    period = period_value(comparison.period, comparison.indicator.periodicity)
    return f"villes2-{comparison.indicator.code}-{comparison.kind}-{scope}-{period}.{extension}"


def source_text(source: Source | None) -> str:
    return str(source) if source else ""


def _rows(comparison: Comparison):
    """(row, its source) for every territory compared, in the page's order."""
    sources = {source.pk: source for source in comparison.sources}
    for row in comparison.rows:
        yield row, sources.get(row.source_id) if row.source_id else None


def _record(comparison: Comparison, row: ComparisonRow, source: Source | None) -> list:
    """One row of the table: text as str, numbers as int/float, no value as None."""
    has_value = row.cell.value is not None
    return [
        row.code,
        row.name,
        row.kind,
        row.cell.value,
        comparison.indicator.unit,
        comparison.period_label,
        (PROVISIONAL if row.cell.provisional else FINAL) if has_value else "",
        (YES if row.cell.computed else NO) if has_value else "",
        row.rank,
        row.map_class,
        source_text(source),
        source.licence if source else "",
        (YES if source.synthetic else NO) if source else "",
    ]


def csv_number(value: float) -> str:
    """A number as French spreadsheets read it: decimal comma, no grouping, no exponent."""
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def comparison_csv(comparison: Comparison) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    for row, source in _rows(comparison):
        cells = []
        for value in _record(comparison, row, source):
            if value is None:
                cells.append("")
            elif isinstance(value, float):
                cells.append(csv_number(value))
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(cell_neutralise(value))
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def comparison_xlsx(comparison: Comparison, *, url: str = "") -> bytes:
    """Three sheets: the values, the sources, and what the file holds."""
    workbook = Workbook(write_only=True)

    def text(sheet, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=cell_neutralise(_XML_ILLEGAL.sub("", value)))
        cell.data_type = "s"  # openpyxl would make "=…" a live formula
        return cell

    def cells(sheet, values: list):
        return [
            value if value is None or not isinstance(value, str) else text(sheet, value)
            for value in values
        ]

    values = workbook.create_sheet("Comparaison")
    values.append(cells(values, HEADER))
    for row, source in _rows(comparison):
        values.append(cells(values, _record(comparison, row, source)))

    sources = workbook.create_sheet("Sources")
    sources.append(
        cells(
            sources,
            [
                "code",
                "producteur",
                "jeu_de_donnees",
                "millesime",
                "licence",
                "adresse",
                "donnees_synthetiques",
            ],
        )
    )
    for source in comparison.sources:
        sources.append(
            cells(
                sources,
                [
                    source.code,
                    source.producer,
                    source.dataset,
                    source.vintage,
                    source.licence,
                    source.url,
                    YES if source.synthetic else NO,
                ],
            )
        )

    about = workbook.create_sheet("À propos")
    indicator = comparison.indicator
    for label, value in [
        ("indicateur", indicator.code),
        ("libelle", indicator.label),
        ("definition", indicator.definition),
        ("unite", indicator.unit),
        ("periode", comparison.period_label),
        ("niveau", comparison.kind),
        ("perimetre", scope_label(comparison.scope)),
        ("notes_de_comparabilite", indicator.comparability_notes),
        ("donnees_synthetiques", YES if comparison.synthetic else NO),
        ("adresse", url),
        ("extrait_le", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
    ]:
        about.append(cells(about, [label, value]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _properties(comparison: Comparison, row: ComparisonRow, source: Source | None) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind,
        "value": row.cell.value,
        "period": period_value(comparison.period, comparison.indicator.periodicity),
        "unit": comparison.indicator.unit,
        "status": (PROVISIONAL if row.cell.provisional else FINAL) if source else None,
        "computed": row.cell.computed if source else None,
        "rank": row.rank,
        "class": row.map_class,
        "source": source_text(source) or None,
        "licence": (source.licence or None) if source else None,
        "synthetic": source.synthetic if source else None,
    }


def _collection(head: dict, features: list[str]) -> bytes:
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    return (opening + ', "features": [' + ",".join(features) + "]}").encode("utf-8")


def _feature(geometry: str | None, properties: dict) -> str:
    return (
        '{"type": "Feature", "geometry": '
        + (geometry or "null")
        + ', "properties": '
        + json.dumps(properties, ensure_ascii=False)
        + "}"
    )


def _head(comparison: Comparison) -> dict:
    indicator = comparison.indicator
    return {
        "type": "FeatureCollection",
        # Foreign members (RFC 7946 §6.1): what the values are and where they come from.
        "indicator": {
            "code": indicator.code,
            "label": indicator.label,
            "unit": indicator.unit,
            "definition": indicator.definition,
        },
        "period": period_value(comparison.period, indicator.periodicity),
        "scope": scope_value(comparison.scope),
        "sources": [
            {
                "name": str(source),
                "licence": source.licence,
                "url": source.url,
                "synthetic": source.synthetic,
            }
            for source in comparison.sources
        ],
        "synthetic": comparison.synthetic,
    }


def comparison_geojson(comparison: Comparison, geometries: dict[int, str]) -> bytes:
    """Every territory compared, with its boundary where there is one (`null` otherwise,
    as RFC 7946 §3.2 allows)."""
    features = [
        _feature(geometries.get(row.territory_id), _properties(comparison, row, source))
        for row, source in _rows(comparison)
    ]
    return _collection(_head(comparison), features)


def comparison_map_layer(
    comparison: Comparison, geometries: dict[int, str], *, no_value: str
) -> bytes:
    """The comparison page's map: the territories that have a boundary, with their class,
    the value as the page writes it, and a link to their portrait; the scope's outline."""
    unit = comparison.indicator.unit
    features = []
    for row, source in _rows(comparison):
        geometry = geometries.get(row.territory_id)
        if geometry is None:
            continue
        properties = _properties(comparison, row, source)
        properties["url"] = row.url
        text = f"{row.cell.text}\u00a0{unit}" if row.cell.text else no_value
        properties["label"] = f"{row.name} ({row.code}) — {text}"
        features.append(_feature(geometry, properties))
    for territory in comparison.scope:
        geometry = geometries.get(territory.pk)
        if geometry is not None:
            features.append(_feature(geometry, {"name": territory.name, "outline": True}))
    return _collection(_head(comparison), features)
