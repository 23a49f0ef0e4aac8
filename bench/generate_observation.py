"""SYNTHETIC indicator values for the benchmark of bench/bench_observation.py.

Nothing here is ever loaded by the application: no migration, command or page imports
this module, and the rows it writes exist only in a benchmark's throw-away database and
in files under the folder it is given. Everything is labelled: the source has
`synthetic=True` and says "Données synthétiques (benchmark)", every indicator's code
starts with "synth-" and its label ends with "(synthétique)".

Values are deterministic: they depend only on (seed, indicator, commune code, year), so
the realistic scale is the exact subset of the full scale for its communes.

- 50 indicators: 20 counts (sum), 20 rates with numerator and denominator (ratio of
  sums), 6 amounts (3 summed, 3 not aggregatable: medians, means), 4 indices (not
  aggregatable);
- 10 years, 2016–2025, the last one provisional;
- magnitudes from the real population of each commune (reference data, DGCL
  2023), with a commune's own profile (a fixed multiplier per commune and indicator)
  and a yearly drift; rates within 0–100 with numerator ≤ denominator;
- the collection template's format: CSV with ";", one file per year, and French
  number formats on part of the rows (decimal comma, a space as the thousands
  separator) to exercise the parser;
- optionally the QPV 2024 of the same départements (every indicator, 2024 and 2025:
  they did not exist before), in a file of their own.

Scales: "realistic" is the 3,092 communes of the ten départements of the two former
regions (Centre, Poitou-Charentes) — what the centre observes; "full" is the 34,969
communes of France (the issue's 17.5 million values).

Run alone (a throw-away SQLite database is made to read the communes):

    python bench/generate_observation.py --scale realistic --out /tmp/bench_obs/data
"""

# The benchmark's folder is /tmp/bench_obs by design (the brief of issue 7).
# ruff: noqa: S108

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_CODE = "synth-bench"
SOURCE_LABEL = "Données synthétiques (benchmark)"
DEPARTEMENTS = ("16", "17", "18", "28", "36", "37", "41", "45", "79", "86")
YEARS = tuple(range(2016, 2026))
PROVISIONAL_YEARS = (2025,)
# QPV 2024 exist from 1 January 2024: their values start then.
QPV_YEARS = (2024, 2025)
SEED = 2026
COLUMNS = (
    "niveau",
    "code",
    "indicateur",
    "periode",
    "valeur",
    "numerateur",
    "denominateur",
    "statut",
)
STATUS_FINAL = "definitif"
STATUS_PROVISIONAL = "provisoire"
SCALES = ("realistic", "full")


@dataclass(frozen=True)
class Spec:
    """One synthetic indicator. `share` is the count (or denominator) per inhabitant;
    `level` the rate in %, the amount per inhabitant, or the index/median level."""

    code: str
    label: str
    type: str  # effectif, taux, montant, indice
    aggregation: str  # somme, ratio-des-sommes, aucune
    unit: str
    share: float = 1.0
    level: float = 0.0
    spread: float = 0.25  # commune profile: lognormal sigma
    trend: float = 0.0  # yearly drift
    decimals: int = 0
    census: bool = False


def _count(code, label, share, trend=0.0, census=False) -> Spec:
    return Spec(
        f"synth-{code}",
        label,
        "effectif",
        "somme",
        "personnes" if census else "unités",
        share=share,
        trend=trend,
        census=census,
    )


def _rate(code, label, share, level, trend=0.0, census=False) -> Spec:
    return Spec(
        f"synth-{code}",
        label,
        "taux",
        "ratio-des-sommes",
        "%",
        share=share,
        level=level,
        spread=0.05 + 0.3 * (1 - level / 100),
        trend=trend,
        decimals=1,
        census=census,
    )


SPECS: tuple[Spec, ...] = (
    _count("population", "Population", 1.0, 0.003, census=True),
    _count("menages", "Ménages", 0.45, 0.006, census=True),
    _count("logements", "Logements", 0.52, 0.008, census=True),
    _count("logements-sociaux", "Logements sociaux", 0.08, 0.01),
    _count("logements-vacants", "Logements vacants", 0.04, 0.02, census=True),
    _count("emplois", "Emplois au lieu de travail", 0.38, 0.002, census=True),
    _count("demandeurs-emploi", "Demandeurs d'emploi (cat. A)", 0.07, -0.01),
    _count("allocataires-caf", "Allocataires CAF", 0.2, 0.004),
    _count("beneficiaires-rsa", "Bénéficiaires du RSA", 0.03, -0.005),
    _count("naissances", "Naissances domiciliées", 0.011, -0.015),
    _count("deces", "Décès domiciliés", 0.009, 0.01),
    _count("etablissements", "Établissements actifs", 0.07, 0.015),
    _count("creations-entreprises", "Créations d'entreprises", 0.008, 0.04),
    _count("eleves-primaire", "Élèves du premier degré", 0.06, -0.01),
    _count("licencies-sportifs", "Licenciés sportifs", 0.22, 0.005),
    _count("jeunes-16-25", "Jeunes de 16 à 25 ans", 0.11, -0.002, census=True),
    _count("personnes-75-ans", "Personnes de 75 ans ou plus", 0.09, 0.02, census=True),
    _count("familles-monoparentales", "Familles monoparentales", 0.035, 0.01, census=True),
    _count("actifs", "Actifs de 15 à 64 ans", 0.46, 0.001, census=True),
    _count("places-creche", "Places en crèche", 0.012, 0.02),
    _rate("taux-chomage", "Taux de chômage", 0.46, 10.0, -0.02, census=True),
    _rate("taux-pauvrete", "Taux de pauvreté", 0.45, 14.0, 0.005),
    _rate("part-logements-sociaux", "Part des logements sociaux", 0.52, 15.0, 0.005),
    _rate("part-logements-vacants", "Part des logements vacants", 0.52, 8.0, 0.02, True),
    _rate("taux-activite-femmes", "Taux d'activité des femmes", 0.32, 68.0, 0.004, True),
    _rate("part-moins-25-ans", "Part des moins de 25 ans", 1.0, 29.0, -0.004, True),
    _rate("part-plus-75-ans", "Part des 75 ans ou plus", 1.0, 9.0, 0.02, True),
    _rate("part-familles-monoparentales", "Part des familles monoparentales", 0.12, 15.0),
    _rate("taux-scolarisation-18-24", "Taux de scolarisation des 18-24 ans", 0.08, 52.0),
    _rate("part-sans-diplome", "Part des non-diplômés", 0.7, 25.0, -0.02, True),
    _rate("part-diplomes-superieur", "Part des diplômés du supérieur", 0.7, 28.0, 0.02, True),
    _rate("taux-emploi-15-64", "Taux d'emploi des 15-64 ans", 0.63, 64.0, 0.003, True),
    _rate("part-emplois-precaires", "Part des emplois précaires", 0.38, 14.0, 0.005),
    _rate("part-allocataires-bas-revenus", "Part des allocataires à bas revenus", 0.2, 36.0),
    _rate("part-menages-1-personne", "Part des ménages d'une personne", 0.45, 36.0, 0.01),
    _rate("part-proprietaires", "Part des ménages propriétaires", 0.45, 58.0, 0.002, True),
    _rate("taux-reussite-brevet", "Taux de réussite au brevet", 0.012, 86.0),
    _rate("part-jeunes-neet", "Part des jeunes ni en emploi ni en formation", 0.11, 15.0),
    _rate("taux-motorisation", "Taux de motorisation des ménages", 0.45, 82.0, 0.001),
    _rate("part-logements-suroccupes", "Part des logements suroccupés", 0.45, 5.0),
    Spec(
        "synth-dotation-politique-ville",
        "Dotation politique de la ville",
        "montant",
        "somme",
        "€",
        level=12.0,
        spread=0.6,
        trend=0.03,
    ),
    Spec(
        "synth-depenses-equipement",
        "Dépenses d'équipement",
        "montant",
        "somme",
        "€",
        level=350.0,
        spread=0.4,
        trend=0.02,
    ),
    Spec(
        "synth-masse-salariale",
        "Masse salariale versée",
        "montant",
        "somme",
        "€",
        level=9000.0,
        spread=0.3,
        trend=0.025,
    ),
    Spec(
        "synth-revenu-median",
        "Revenu disponible médian par unité de consommation",
        "montant",
        "aucune",
        "€",
        level=21500.0,
        spread=0.15,
        trend=0.015,
    ),
    Spec(
        "synth-revenu-moyen",
        "Revenu disponible moyen par ménage",
        "montant",
        "aucune",
        "€",
        level=34000.0,
        spread=0.18,
        trend=0.015,
    ),
    Spec(
        "synth-loyer-moyen-m2",
        "Loyer moyen au m²",
        "montant",
        "aucune",
        "€/m²",
        level=9.5,
        spread=0.2,
        trend=0.012,
        decimals=2,
    ),
    Spec(
        "synth-indice-gini",
        "Indice de Gini des revenus",
        "indice",
        "aucune",
        "indice",
        level=0.3,
        spread=0.12,
        decimals=3,
    ),
    Spec(
        "synth-indice-fragilite",
        "Indice de fragilité sociale (base 100 France)",
        "indice",
        "aucune",
        "indice",
        level=100.0,
        spread=0.25,
        decimals=1,
    ),
    Spec(
        "synth-indice-prix-logement",
        "Indice des prix des logements (base 100 en 2014)",
        "indice",
        "aucune",
        "indice",
        level=100.0,
        spread=0.0,
        trend=0.025,
        decimals=1,
    ),
    Spec(
        "synth-indice-vieillissement",
        "Indice de vieillissement",
        "indice",
        "aucune",
        "indice",
        level=85.0,
        spread=0.35,
        trend=0.02,
        decimals=1,
    ),
)
assert len(SPECS) == 50
assert len({spec.code for spec in SPECS}) == 50


@dataclass
class Place:
    kind: str
    code: str
    population: int
    departement: str


def indicators_create() -> tuple[object, list]:
    """The synthetic source and the 50 indicators (created once, then reused)."""
    from villes2.observation.models import Indicator, Source

    source, _ = Source.objects.get_or_create(
        code=SOURCE_CODE,
        defaults={
            "producer": SOURCE_LABEL,
            "dataset": "Valeurs synthétiques des communes (benchmark)",
            "vintage": f"{YEARS[0]}–{YEARS[-1]}",
            "notes": "Données synthétiques générées par bench/generate_observation.py : "
            "ce ne sont pas des chiffres réels.",
            "synthetic": True,
        },
    )
    indicators = []
    for position, spec in enumerate(SPECS, start=100):
        indicator, _ = Indicator.objects.get_or_create(
            code=spec.code,
            defaults={
                "label": f"{spec.label} (synthétique)",
                "definition": f"{spec.label} — valeurs synthétiques générées pour le "
                "benchmark, sans rapport avec la réalité.",
                "unit": spec.unit,
                "type": spec.type,
                "aggregation": spec.aggregation,
                "decimals": spec.decimals,
                "census_based": spec.census,
                "position": position,
            },
        )
        indicators.append(indicator)
    return source, indicators


def places(scale: str, *, qpv: bool = False) -> list[Place]:
    """The current communes (or QPV) of the scale, sorted by code, with their
    population and département."""
    from villes2.territories.models import Territory

    kind = "qpv" if qpv else "commune"
    rows = (
        Territory.objects.filter(kind=kind, valid_to__isnull=True)
        .filter(ancestors__kind="departement")
        .values_list("code", "population", "ancestors__code")
        .order_by("code")
    )
    found: dict[str, Place] = {}
    for code, population, departement in rows:
        if qpv and not population:
            # The reference data give no population for QPV: 1,000–12,000 inhabitants.
            population = 1000 + _stable(SEED, "population", code) % 11_000
        found.setdefault(code, Place(kind, code, population or 0, departement))
    chosen = list(found.values())
    if scale == "realistic":
        chosen = [p for p in chosen if p.departement in DEPARTEMENTS]
    return chosen


def _stable(*parts) -> int:
    """A seed from text parts, the same on every run and machine."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _splitmix(values: np.ndarray) -> np.ndarray:
    """splitmix64 of each uint64: a well-mixed hash, vectorised."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class Generator:
    """The values of a set of places, one year at a time, as CSV rows."""

    def __init__(self, chosen: list[Place]):
        self.places = chosen
        self.codes = [p.code for p in chosen]
        self.base = np.array([_stable(SEED, code) for code in self.codes], dtype=np.uint64)
        self.population = np.array([max(p.population, 0) for p in chosen], dtype=float)
        self.growth = 0.003 + 0.008 * self.normal("growth")

    def normal(self, *salt) -> np.ndarray:
        """A standard normal draw per place that depends only on (seed, salt, code)."""
        z = _splitmix(self.base ^ np.uint64(_stable(SEED, *salt)))
        u1 = ((z & np.uint64(0xFFFFFFFF)).astype(float) + 1) / 4294967297
        u2 = ((z >> np.uint64(32)).astype(float) + 1) / 4294967297
        return np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)

    def profile(self, spec: Spec) -> np.ndarray:
        """A place's own lognormal multiplier for an indicator, the same every year."""
        if spec.spread == 0:
            return np.ones(len(self.codes))
        sigma = spec.spread
        return np.exp(sigma * self.normal(spec.code) - sigma * sigma / 2)

    def rows(self, year: int):
        """(niveau, code, indicateur, periode, valeur, numerateur, denominateur,
        statut) for every place and indicator of `year`, indicator by indicator."""
        status = STATUS_PROVISIONAL if year in PROVISIONAL_YEARS else STATUS_FINAL
        population = self.population * (1 + self.growth) ** (year - 2023)
        kinds = [p.kind for p in self.places]
        for index, spec in enumerate(SPECS):
            profile = self.profile(spec)
            drift = (1 + spec.trend) ** (year - YEARS[0]) * (
                1 + 0.03 * self.normal(spec.code, year)
            )
            period = str(year)
            if spec.type == "effectif":
                if spec.code == "synth-population":
                    values = np.rint(population)
                else:
                    values = np.rint(population * spec.share * profile * drift)
                for n, (kind, code, value) in enumerate(
                    zip(kinds, self.codes, values.astype(np.int64).tolist(), strict=True)
                ):
                    text = _thousands(value) if (n + index) % 3 == 0 else str(value)
                    yield (kind, code, spec.code, period, text, "", "", status)
            elif spec.type == "taux":
                denominators = np.maximum(1, np.rint(population * spec.share)).astype(np.int64)
                rates = np.clip(spec.level / 100 * profile * drift, 0, 1)
                numerators = np.minimum(denominators, np.rint(denominators * rates))
                numerators = numerators.astype(np.int64)
                for n, (kind, code, numerator, denominator) in enumerate(
                    zip(
                        kinds,
                        self.codes,
                        numerators.tolist(),
                        denominators.tolist(),
                        strict=True,
                    )
                ):
                    value = f"{numerator / denominator * 100:.2f}"
                    if (n + index) % 2 == 0:
                        value = value.replace(".", ",")
                    numerator_text = str(numerator)
                    denominator_text = (
                        _thousands(denominator) if (n + index) % 5 == 0 else str(denominator)
                    )
                    yield (
                        kind,
                        code,
                        spec.code,
                        period,
                        value,
                        numerator_text,
                        denominator_text,
                        status,
                    )
            else:
                if spec.aggregation == "somme":
                    values = population * spec.level * profile * drift
                else:
                    values = spec.level * profile * drift
                digits = max(spec.decimals, 2 if spec.type == "montant" else spec.decimals)
                for n, (kind, code, value) in enumerate(
                    zip(kinds, self.codes, values.tolist(), strict=True)
                ):
                    text = f"{value:.{digits}f}"
                    if (n + index) % 2 == 0:
                        text = text.replace(".", ",")
                    yield (kind, code, spec.code, period, text, "", "", status)


def _thousands(value: int) -> str:
    """12345 → "12 345" (the French thousands separator, a plain space)."""
    return f"{value:,}".replace(",", " ")


def write_files(scale: str, folder: Path, *, qpv: bool = True) -> dict:
    """Write the files of `scale` into `folder` (reused when already written with the
    same parameters); return the manifest {"files": [...], "qpv_file": ..., counts}."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / "manifest.json"
    chosen = places(scale)
    zones = places(scale, qpv=True) if qpv else []
    key = {
        "seed": SEED,
        "scale": scale,
        "communes": len(chosen),
        "qpv": len(zones),
        "years": list(YEARS),
        "indicators": [spec.code for spec in SPECS],
        "version": 2,
    }
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("key") == key and all(
            (folder / name).exists() for name in manifest["files"]
        ):
            manifest["reused"] = True
            return manifest
    start = time.perf_counter()
    generator = Generator(chosen)
    files, rows = [], 0
    for year in YEARS:
        name = f"valeurs-communes-{year}.csv"
        rows += _write(folder / name, generator.rows(year))
        files.append(name)
    qpv_file, qpv_rows = None, 0
    if zones:
        zone_generator = Generator(zones)
        qpv_file = "valeurs-qpv.csv"
        qpv_rows = _write(
            folder / qpv_file,
            (row for year in QPV_YEARS for row in zone_generator.rows(year)),
        )
    manifest = {
        "key": key,
        "files": files,
        "rows": rows,
        "rows_per_file": rows // len(files),
        "qpv_file": qpv_file,
        "qpv_rows": qpv_rows,
        "bytes": sum((folder / name).stat().st_size for name in files),
        "seconds": round(time.perf_counter() - start, 1),
        "reused": False,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def _write(path: Path, rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        for chunk in _chunks(rows, 50_000):
            writer.writerows(chunk)
            count += len(chunk)
    return count


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="realistic")
    parser.add_argument("--out", default="/tmp/bench_obs/data")
    parser.add_argument("--no-qpv", action="store_true")
    args = parser.parse_args()

    import os
    import shutil
    import tempfile

    from _setup import django_setup

    Path("/tmp/bench_obs").mkdir(exist_ok=True)
    tempfile.tempdir = "/tmp/bench_obs"
    django_setup(None, log_level="WARNING")
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
        manifest = write_files(args.scale, Path(args.out) / args.scale, qpv=not args.no_qpv)
        print(json.dumps(manifest, indent=1))
    finally:
        connection.close()
        shutil.rmtree(os.environ["VILLES2_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
