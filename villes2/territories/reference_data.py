"""Reading and checking the reference files shipped in `reference_data/` (see its SOURCES.md).

Pure functions: they read files and return records, or raise `DataLoadError` listing
every problem with its file and line. Nothing here touches the database; the loader in
`services.py` writes only once every file has been read without error.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from villes2.core.loading import DataLoadError

from .models import CountSubject, TerritoryAlias, TerritoryKind

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_data"
FOUNDING_DIR = Path(__file__).resolve().parent / "founding_data"

COG = "COG 2026"
SOURCE_COG = "INSEE, Code officiel géographique 2026, via decoupage-administratif 6.0.0"
SOURCE_EPCI = "DGCL, EPCI à fiscalité propre 2026, via decoupage-administratif 6.0.0"
SOURCE_QPV = "ANCT / SIG Ville, via anct-carto/superposeur-V2 (décret n° 2023-1314)"
SOURCE_ZUS = "Décret n° 96-1156 du 26 décembre 1996, annexe (texte consolidé)"
SOURCE_FRANCE = "INSEE, Code officiel géographique 2026 : France métropolitaine et DROM"
SOURCE_GEO = "IGN – ADMIN EXPRESS COG 2018 ; gregoiredavid/france-geojson"
POPULATION_COMMUNE = "INSEE, population légale telle que publiée dans decoupage-administratif 6.0.0"
POPULATION_EPCI = "DGCL 2026, population municipale (decoupage-administratif 6.0.0)"
POPULATION_SUM = "Somme des populations communales (INSEE, decoupage-administratif 6.0.0)"

FRANCE = "FR"
FRANCE_ZONES = ("metro", "drom")

ZUS_VALID_FROM = datetime.date(1997, 1, 1)
ZUS_VALID_TO = datetime.date(2014, 12, 31)
QPV_2024_VALID_FROM = datetime.date(2024, 1, 1)
FORMER_REGION_VALID_TO = datetime.date(2015, 12, 31)

CODE_PATTERNS = {
    TerritoryKind.COUNTRY: re.compile(r"^FR$"),
    TerritoryKind.REGION: re.compile(r"^\d{2,3}$"),
    TerritoryKind.FORMER_REGION: re.compile(r"^\d{2}$"),
    TerritoryKind.DEPARTEMENT: re.compile(r"^(\d{2,3}|2A|2B)$"),
    TerritoryKind.EPCI: re.compile(r"^\d{9}$"),
    TerritoryKind.COMMUNE: re.compile(r"^(\d{5}|2A\d{3}|2B\d{3})$"),
    TerritoryKind.QPV: re.compile(r"^QN(\d{3}|02A|02B)\d{2}[A-Z]$"),
    TerritoryKind.ZUS: re.compile(r"^ZUS-(\d{2}|2A|2B)-\d{2}$"),
}

Key = tuple[str, str]  # (kind, code)


@dataclass
class TerritoryRecord:
    kind: str
    code: str
    name: str
    geography_version: str
    source: str
    category: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    notes: str = ""
    parents: list[Key] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.kind, self.code)


@dataclass(frozen=True)
class AliasRecord:
    code: str
    name: str
    reason: str
    territory: Key


@dataclass(frozen=True)
class BoundaryRecord:
    territory: Key
    geometry: dict[str, Any]
    source: str


@dataclass
class ReferenceData:
    territories: dict[Key, TerritoryRecord]
    aliases: list[AliasRecord]
    boundaries: list[BoundaryRecord]


class FileProblems:
    def __init__(self, base: Path):
        self.base = base
        self.items: list[str] = []

    def add(self, path: Path, line: int | None, message: str) -> None:
        where = self._name(path) if line is None else f"{self._name(path)}, ligne {line}"
        self.items.append(f"{where} : {message}")

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)


def _read_text(path: Path, problems: FileProblems) -> str | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.add(path, None, _("file not found"))
        return None
    except OSError as error:
        problems.add(path, None, _("cannot be read (%(error)s)") % {"error": error.strerror})
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(path, line, _("not valid UTF-8 text"))
        return None


def read_csv(
    path: Path, columns: tuple[str, ...], problems: FileProblems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each row; report missing columns and ragged rows."""
    text = _read_text(path, problems)
    if text is None:
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
    header = reader.fieldnames or []
    missing = [column for column in columns if column not in header]
    if missing:
        problems.add(path, 1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        return
    for row in reader:
        if "__extra__" in row or any(value is None for value in row.values()):
            problems.add(
                path,
                reader.line_num,
                _("expected %(expected)d fields") % {"expected": len(header)},
            )
            continue
        yield reader.line_num, {key: value.strip() for key, value in row.items()}


def read_founding_csv(directory: Path, name: str, columns: tuple[str, ...]):
    """Every row of a founding-data file shipped with an app, as (line number, row);
    raises `DataLoadError` with every problem found."""
    problems = FileProblems(directory)
    rows = list(read_csv(directory / name, columns, problems))
    if problems.items:
        raise DataLoadError(problems.items)
    return rows


def _code(
    kind: str, value: str, path: Path, line: int, problems: FileProblems, column: str
) -> str | None:
    if CODE_PATTERNS[kind].match(value):
        return value
    problems.add(
        path,
        line,
        _("invalid %(column)s code: “%(value)s”") % {"column": column, "value": value},
    )
    return None


def _integer(value: str, path: Path, line: int, problems: FileProblems, column: str) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        problems.add(
            path,
            line,
            _("%(column)s is not a whole number: “%(value)s”") % {"column": column, "value": value},
        )
        return None
    return number


def _required(row: dict[str, str], columns: tuple[str, ...], path, line, problems) -> bool:
    empty = [column for column in columns if not row[column]]
    if empty:
        problems.add(path, line, _("empty: %(columns)s") % {"columns": ", ".join(empty)})
    return not empty


def read_reference_data(base: Path = REFERENCE_DIR) -> ReferenceData:
    """Read every reference file under `base`; raise `DataLoadError` on any problem."""
    problems = FileProblems(base)
    territories: dict[Key, TerritoryRecord] = {}
    aliases: list[AliasRecord] = []
    alias_lines: list[tuple[Path, int]] = []  # where each alias was read, for error reports
    lines: dict[Key, tuple[Path, int]] = {}

    def add_alias(alias: AliasRecord, path: Path, line: int) -> None:
        aliases.append(alias)
        alias_lines.append((path, line))

    def add(record: TerritoryRecord, path: Path, line: int) -> None:
        if record.key in territories:
            first_path, first_line = lines[record.key]
            problems.add(
                path,
                line,
                _("duplicate code %(code)s (already in %(file)s, line %(line)d)")
                % {"code": record.code, "file": first_path.name, "line": first_line},
            )
            return
        territories[record.key] = record
        lines[record.key] = (path, line)

    admin = base / "admin"
    _read_regions(admin, add, problems)
    _read_departements(admin, add, problems)
    _read_epci(admin, add, problems)
    _read_communes(admin, add, problems, add_alias)
    _read_delegated_communes(admin, problems, add_alias)
    _read_old_codes(admin, problems, add_alias)
    _read_qpv(base / "qpv", add, problems)
    _read_zus(base / "zus", add, problems)

    # Every link must point to a territory read above.
    for key, record in territories.items():
        for parent in record.parents:
            if parent not in territories:
                path, line = lines[key]
                problems.add(
                    path,
                    line,
                    _("unknown territory: %(kind)s “%(code)s”")
                    % {"kind": TerritoryKind(parent[0]).label, "code": parent[1]},
                )
    for alias, (path, line) in zip(aliases, alias_lines, strict=True):
        if alias.territory not in territories:
            problems.add(
                path,
                line,
                _("unknown territory: %(kind)s “%(code)s”")
                % {"kind": TerritoryKind(alias.territory[0]).label, "code": alias.territory[1]},
            )

    boundaries = _read_boundaries(base / "geo", territories, problems)
    if problems.items:
        raise DataLoadError(problems.items)
    _sum_populations(territories)
    return ReferenceData(territories, aliases, boundaries)


def _read_regions(admin: Path, add, problems: FileProblems) -> None:
    path = admin / "regions.csv"
    add(
        TerritoryRecord(TerritoryKind.COUNTRY, FRANCE, "France", COG, SOURCE_FRANCE),
        path,
        0,
    )
    for line, row in read_csv(path, ("code", "nom", "zone"), problems):
        if _required(row, ("code", "nom"), path, line, problems) and _code(
            TerritoryKind.REGION, row["code"], path, line, problems, "code"
        ):
            # INSEE's "France" is metropolitan France and the DROM; the COM are outside it.
            in_france = row["zone"] in FRANCE_ZONES
            record = TerritoryRecord(
                TerritoryKind.REGION,
                row["code"],
                row["nom"],
                COG,
                SOURCE_COG,
                parents=[(TerritoryKind.COUNTRY, FRANCE)] if in_france else [],
            )
            add(record, path, line)

    path = admin / "regions_avant_2016.csv"
    for line, row in read_csv(path, ("code", "nom"), problems):
        if _required(row, ("code", "nom"), path, line, problems) and _code(
            TerritoryKind.FORMER_REGION, row["code"], path, line, problems, "code"
        ):
            record = TerritoryRecord(
                TerritoryKind.FORMER_REGION,
                row["code"],
                row["nom"],
                "Régions avant le 1er janvier 2016",
                SOURCE_GEO,
                valid_to=FORMER_REGION_VALID_TO,
            )
            add(record, path, line)


def _read_departements(admin: Path, add, problems: FileProblems) -> None:
    path = admin / "departements.csv"
    for line, row in read_csv(path, ("code", "nom", "region", "region_avant_2016_code"), problems):
        if not _required(row, ("code", "nom", "region"), path, line, problems):
            continue
        if not _code(TerritoryKind.DEPARTEMENT, row["code"], path, line, problems, "code"):
            continue
        parents = [(TerritoryKind.REGION, row["region"])]
        if row["region_avant_2016_code"]:
            parents.append((TerritoryKind.FORMER_REGION, row["region_avant_2016_code"]))
        record = TerritoryRecord(
            TerritoryKind.DEPARTEMENT,
            row["code"],
            row["nom"],
            COG,
            SOURCE_COG,
            category="COM" if row.get("zone") == "com" else "",
            parents=parents,
        )
        add(record, path, line)


def _read_epci(admin: Path, add, problems: FileProblems) -> None:
    path = admin / "epci.csv"
    for line, row in read_csv(
        path, ("siren", "nom", "type", "population_municipale", "departements"), problems
    ):
        if not _required(row, ("siren", "nom", "type", "departements"), path, line, problems):
            continue
        if not _code(TerritoryKind.EPCI, row["siren"], path, line, problems, "siren"):
            continue
        population = _integer(
            row["population_municipale"], path, line, problems, "population_municipale"
        )
        record = TerritoryRecord(
            TerritoryKind.EPCI,
            row["siren"],
            row["nom"],
            COG,
            SOURCE_EPCI,
            category=row["type"],
            population=population,
            population_source=POPULATION_EPCI if population is not None else "",
            parents=[(TerritoryKind.DEPARTEMENT, code) for code in row["departements"].split("|")],
        )
        add(record, path, line)


def _read_communes(admin: Path, add, problems: FileProblems, add_alias) -> None:
    path = admin / "communes.csv"
    columns = ("code_insee", "nom", "type", "commune_parente", "departement", "population")
    for line, row in read_csv(path, (*columns, "epci_siren"), problems):
        if not _required(row, ("code_insee", "nom", "type", "departement"), path, line, problems):
            continue
        if not _code(TerritoryKind.COMMUNE, row["code_insee"], path, line, problems, "code_insee"):
            continue
        population = _integer(row["population"], path, line, problems, "population")
        if row["type"] == "arrondissement-municipal":
            parent = (TerritoryKind.COMMUNE, row["commune_parente"])
            add_alias(
                AliasRecord(
                    row["code_insee"], row["nom"], TerritoryAlias.Reason.ARRONDISSEMENT, parent
                ),
                path,
                line,
            )
            continue
        if row["type"] != "commune-actuelle":
            problems.add(path, line, _("unknown commune type “%(type)s”") % {"type": row["type"]})
            continue
        parents = [(TerritoryKind.DEPARTEMENT, row["departement"])]
        if row["epci_siren"]:
            parents.append((TerritoryKind.EPCI, row["epci_siren"]))
        record = TerritoryRecord(
            TerritoryKind.COMMUNE,
            row["code_insee"],
            row["nom"],
            COG,
            SOURCE_COG,
            population=population,
            population_source=POPULATION_COMMUNE if population is not None else "",
            parents=parents,
        )
        add(record, path, line)


def _read_delegated_communes(admin: Path, problems: FileProblems, add_alias) -> None:
    path = admin / "communes_deleguees_associees.csv"
    reasons = {
        "commune-deleguee": TerritoryAlias.Reason.DELEGATED,
        "commune-associee": TerritoryAlias.Reason.ASSOCIATED,
    }
    for line, row in read_csv(path, ("code_insee", "nom", "type", "commune_parente"), problems):
        if not _required(row, ("code_insee", "type", "commune_parente"), path, line, problems):
            continue
        if row["type"] not in reasons:
            problems.add(path, line, _("unknown commune type “%(type)s”") % {"type": row["type"]})
            continue
        if row["code_insee"] == row["commune_parente"]:
            continue  # the chef-lieu keeps its parent's code: nothing to map
        target = (TerritoryKind.COMMUNE, row["commune_parente"])
        add_alias(
            AliasRecord(row["code_insee"], row["nom"], reasons[row["type"]], target), path, line
        )


def _read_old_codes(admin: Path, problems: FileProblems, add_alias) -> None:
    path = admin / "communes_anciens_codes.csv"
    for line, row in read_csv(path, ("ancien_code", "code_insee_actuel"), problems):
        if not _required(row, ("ancien_code", "code_insee_actuel"), path, line, problems):
            continue
        target = (TerritoryKind.COMMUNE, row["code_insee_actuel"])
        add_alias(
            AliasRecord(row["ancien_code"], "", TerritoryAlias.Reason.OLD_CODE, target), path, line
        )


def _read_qpv(folder: Path, add, problems: FileProblems) -> None:
    communes_by_qpv: dict[str, list[str]] = {}
    path = folder / "qpv_2024_communes.csv"
    for line, row in read_csv(path, ("code_qp", "code_insee"), problems):
        if _required(row, ("code_qp", "code_insee"), path, line, problems):
            communes_by_qpv.setdefault(row["code_qp"], []).append(row["code_insee"])
    path = folder / "qpv_2024.csv"
    for line, row in read_csv(path, ("code_qp", "nom_qp", "communes_insee"), problems):
        if not _required(row, ("code_qp", "nom_qp"), path, line, problems):
            continue
        if not _code(TerritoryKind.QPV, row["code_qp"], path, line, problems, "code_qp"):
            continue
        communes = communes_by_qpv.get(row["code_qp"], [])
        if not communes:
            problems.add(path, line, _("QPV without commune"))
            continue
        if sorted(communes) != sorted(row["communes_insee"].split("|")):
            problems.add(path, line, _("communes differ from qpv_2024_communes.csv"))
            continue
        record = TerritoryRecord(
            TerritoryKind.QPV,
            row["code_qp"],
            row["nom_qp"],
            "Quartiers prioritaires 2024 (décret n° 2023-1314)",
            SOURCE_QPV,
            valid_from=QPV_2024_VALID_FROM,
            parents=[(TerritoryKind.COMMUNE, code) for code in communes],
        )
        add(record, path, line)


def _read_zus(folder: Path, add, problems: FileProblems) -> None:
    path = folder / "zus_1996_centre_poitou_charentes.csv"
    zones: dict[str, tuple[int, TerritoryRecord]] = {}
    columns = ("zus_id", "code_insee", "libelle_zus", "intercommunale", "texte_decret", "remarque")
    for line, row in read_csv(path, columns, problems):
        if not _required(row, ("zus_id", "code_insee", "libelle_zus"), path, line, problems):
            continue
        if not _code(TerritoryKind.ZUS, row["zus_id"], path, line, problems, "zus_id"):
            continue
        commune = (TerritoryKind.COMMUNE, row["code_insee"])
        if row["zus_id"] in zones:
            zones[row["zus_id"]][1].parents.append(commune)
            continue
        # Notes are data, kept in the language of the source (French), not translated.
        notes = [f"Texte du décret : {row['texte_decret']}"]
        if row["remarque"]:
            notes.append(row["remarque"])
        record = TerritoryRecord(
            TerritoryKind.ZUS,
            row["zus_id"],
            row["libelle_zus"],
            "Décret n° 96-1156 du 26 décembre 1996",
            SOURCE_ZUS,
            category="intercommunale" if row["intercommunale"] == "1" else "",
            valid_from=ZUS_VALID_FROM,
            valid_to=ZUS_VALID_TO,
            notes="\n".join(notes),
            parents=[commune],
        )
        zones[row["zus_id"]] = (line, record)
    for line, record in zones.values():
        add(record, path, line)


GEO_LAYERS = (
    ("regions_metropole_2018_simplifie.geojson", TerritoryKind.REGION, "code"),
    ("regions_avant_2016.geojson", TerritoryKind.FORMER_REGION, "code"),
    ("departements_metropole_2018_simplifie.geojson", TerritoryKind.DEPARTEMENT, "code"),
    ("communes_centre_poitou_charentes.geojson", TerritoryKind.COMMUNE, "code_insee"),
)


def _read_boundaries(
    folder: Path, territories: dict[Key, TerritoryRecord], problems: FileProblems
) -> list[BoundaryRecord]:
    boundaries = []
    for filename, kind, code_property in GEO_LAYERS:
        path = folder / filename
        text = _read_text(path, problems)
        if text is None:
            continue
        try:
            collection = json.loads(text)
        except json.JSONDecodeError as error:
            problems.add(
                path,
                error.lineno,
                _("invalid JSON (column %(column)d: %(message)s)")
                % {"column": error.colno, "message": error.msg},
            )
            continue
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            problems.add(path, None, _("not a GeoJSON FeatureCollection"))
            continue
        for number, feature in enumerate(features, start=1):
            properties = feature.get("properties") or {}
            geometry = feature.get("geometry") or {}
            code = str(properties.get(code_property, ""))
            where = _("feature %(number)d (code “%(code)s”)") % {"number": number, "code": code}
            if geometry.get("type") not in ("Polygon", "MultiPolygon"):
                problems.add(path, None, where + " : " + _("geometry is not a polygon"))
            elif (kind, code) not in territories:
                problems.add(path, None, where + " : " + _("unknown territory"))
            else:
                boundaries.append(BoundaryRecord((kind, code), geometry, SOURCE_GEO))
    return boundaries


def _sum_populations(territories: dict[Key, TerritoryRecord]) -> None:
    """Départements, régions, former regions and France: the sum of their communes'
    populations."""
    totals: dict[Key, int] = {}
    for record in territories.values():
        if record.kind != TerritoryKind.COMMUNE or record.population is None:
            continue
        for departement in record.parents:
            if departement[0] != TerritoryKind.DEPARTEMENT:
                continue
            totals[departement] = totals.get(departement, 0) + record.population
            for region in territories[departement].parents:
                totals[region] = totals.get(region, 0) + record.population
                for country in territories[region].parents:
                    totals[country] = totals.get(country, 0) + record.population
    for key, total in totals.items():
        record = territories[key]
        record.population = total
        record.population_source = POPULATION_SUM


@dataclass(frozen=True)
class DeclaredCountRecord:
    subject: str
    area_code: str
    count: int
    list_complete: bool
    position: int
    source: str


def read_declared_counts(path: Path | None = None) -> list[DeclaredCountRecord]:
    """The note's territory table, as declared counts per former region."""
    path = path or FOUNDING_DIR / "territory_table.csv"
    problems = FileProblems(path.parent)
    records = []
    columns = ("subject", "former_region", "count", "list_complete", "position", "source")
    for line, row in read_csv(path, columns, problems):
        if not _required(
            row, ("subject", "former_region", "count", "source"), path, line, problems
        ):
            continue
        if row["subject"] not in CountSubject.values:
            problems.add(path, line, _("unknown subject “%(value)s”") % {"value": row["subject"]})
            continue
        count = _integer(row["count"], path, line, problems, "count")
        position = _integer(row["position"] or "0", path, line, problems, "position")
        if row["list_complete"] not in ("0", "1"):
            problems.add(path, line, _("list_complete must be 0 or 1"))
            continue
        if count is None or position is None:
            continue
        records.append(
            DeclaredCountRecord(
                row["subject"],
                row["former_region"],
                count,
                row["list_complete"] == "1",
                position,
                row["source"],
            )
        )
    if problems.items:
        raise DataLoadError(problems.items)
    return records
