"""Benchmark of the observation of territories: import, portraits, comparisons,
aggregation — beside the raw engines as the limit.

Usage (from the repository root, in the virtualenv):

    python bench/bench_observation.py --db sqlite --scale realistic
    python bench/bench_observation.py --db postgresql --scale full

It creates a fresh database (SQLite: a file in a new folder under /tmp/bench_obs/;
PostgreSQL: `villes2_bench_obs`, or `--database-url`, dropped and created again),
migrates, loads the reference data (all of France), adds SYNTHETIC experience records
and events so that portraits have something beside the data, then writes the SYNTHETIC
values of `bench/generate_observation.py` as collection-template files (one a year,
reused from `--data-dir` when already written) and measures:

- import through `values_import` (values/s, per file and in total; the same file again,
  which must change nothing), beside the raw bulk load of the same rows (SQLite:
  `executemany` into a bare table with the same columns, then the same indexes;
  PostgreSQL: `COPY`, then the indexes) and DuckDB reading the same CSV files;
- the territory portrait (selector, and the whole page through Django's test client):
  p50 / p95 over ~200 territories (communes of every size, EPCI, départements, régions,
  QPV, France);
- the comparison table (one indicator, one year, all communes of a département and of
  a région): selector and page;
- an aggregation across all the communes of a région (Centre-Val de Loire) per year,
  through the ORM on our schema, beside raw SQL on the bare table and DuckDB; and the
  upward aggregation service the importer calls;
- the size on disk of each.

Scales: realistic = the 3,092 communes of the ten départements of the two former
regions × 50 indicators × 10 years (1.5 million values); full = the 34,969 communes of
France (17.5 million values, the issue's figure). The machine's load average is printed
with each result: the machine is shared.

Options: `--profile DIR` writes pyinstrument profiles (the first import, portraits,
comparison pages); `--keep` keeps the SQLite and DuckDB files; `--reads-only DATABASE`
measures the reading again on a database a previous run left (a PostgreSQL URL, or the
SQLite file kept by `--keep`); `--json FILE` writes the raw results. Results are
summarised in docs/performance.md, section "Observation (indicators)".
"""

# SQL below is composed from this module's own table names, never from input; the
# benchmark's folder is /tmp/bench_obs by design (the brief of issue 7).
# ruff: noqa: S608, S108

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from _setup import code_version, django_setup, p50_p95

BENCH_DIR = Path("/tmp/bench_obs")
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/villes2_bench_obs"
RAW_TABLE = "bench_raw_value"
RAW_CLOSURE = "bench_raw_closure"
REGION = "24"  # Centre-Val de Loire
COMPARE_YEAR = 2020
PAGE_REPEAT_INDICATORS = 20

RESULTS: dict = {}
LINES: list[str] = []


def say(text: str = "") -> None:
    print(text, flush=True)
    LINES.append(text)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def spread(times: list[float]) -> dict:
    p50, p95 = p50_p95(times)
    return {"p50": round(p50, 2), "p95": round(p95, 2), "n": len(times), "load": load()}


def ms(entry: dict | None) -> str:
    if not entry:
        return "—"
    return f"{entry['p50']:.1f} / {entry['p95']:.1f}"


# --- Reading the files (raw paths) ---------------------------------------------------


def _number(text: str) -> float | None:
    text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if not text:
        return None
    return float(text.replace(",", "."))


def parse_file(path: Path, territories: dict, indicators: dict, source_id: int):
    """The rows of a template file as tuples of the value table's columns (no id), the
    way any importer must turn them: codes to ids, French numbers to floats."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for kind, code, indicator, period, value, numerator, denominator, status in reader:
            rows.append(
                (
                    indicators[indicator],
                    territories[(kind, code)],
                    f"{period}-01-01",
                    _number(value),
                    _number(numerator),
                    _number(denominator),
                    1 if status == "provisoire" else 2,
                    source_id,
                    "",
                    False,
                )
            )
    return rows


VALUE_COLUMNS = (
    "indicator_id",
    "territory_id",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "source_id",
    "geography",
    "computed",
)


def value_indexes(connection) -> list[tuple[str, list[str], bool]]:
    """(name, columns, unique) of every index of the Django value table."""
    from villes2.observation.models import IndicatorValue

    table = IndicatorValue._meta.db_table
    found = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # (Django's SQLite introspection trips over this table's CHECK clauses.)
            cursor.execute(f"PRAGMA index_list('{table}')")
            for _, name, unique, origin, _ in cursor.fetchall():
                if origin == "pk":
                    continue
                cursor.execute(f"PRAGMA index_info('{name}')")
                columns = [row[2] for row in sorted(cursor.fetchall())]
                found.append((name, columns, bool(unique)))
            return sorted(found)
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in sorted(constraints.items()):
        if info["primary_key"] or not (info["index"] or info["unique"]):
            continue
        if not info["columns"]:
            continue
        found.append((name, list(info["columns"]), bool(info["unique"])))
    return found


class RawSQLite:
    """A bare table in a separate SQLite file, with the project's PRAGMAs."""

    def __init__(self, folder: Path):
        self.path = folder / "raw.sqlite3"
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            f"CREATE TABLE {RAW_TABLE} (id INTEGER PRIMARY KEY, indicator_id INTEGER, "
            "territory_id INTEGER, period DATE, value REAL, numerator REAL, "
            "denominator REAL, status INTEGER, source_id INTEGER, geography TEXT, "
            "computed BOOL);"
            f"CREATE TABLE {RAW_CLOSURE} (commune_id INTEGER, ancestor_id INTEGER, "
            "PRIMARY KEY (ancestor_id, commune_id)) WITHOUT ROWID;"
        )

    def insert(self, rows) -> None:
        placeholders = ", ".join("?" * len(VALUE_COLUMNS))
        self.db.execute("BEGIN")
        self.db.executemany(
            f"INSERT INTO {RAW_TABLE} ({', '.join(VALUE_COLUMNS)}) VALUES ({placeholders})",
            rows,
        )
        self.db.execute("COMMIT")

    def closure(self, pairs) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {RAW_CLOSURE} VALUES (?, ?)", pairs)
        self.db.execute("COMMIT")

    def index(self, indexes) -> list[float]:
        times = []
        for n, (_, columns, unique) in enumerate(indexes):
            start = time.perf_counter()
            self.db.execute(
                f"CREATE {'UNIQUE ' if unique else ''}INDEX raw_idx_{n} "
                f"ON {RAW_TABLE} ({', '.join(columns)})"
            )
            times.append(time.perf_counter() - start)
        self.db.execute("ANALYZE")
        return times

    def query(self, sql: str, params=()):
        return self.db.execute(sql.replace("%s", "?"), params).fetchall()

    def size(self) -> int:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size

    def close(self) -> None:
        self.db.close()


class RawPostgreSQL:
    """A bare table in the same PostgreSQL database, filled with COPY."""

    def __init__(self, connection):
        self.connection = connection
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}, {RAW_CLOSURE}")
            cursor.execute(
                f"CREATE TABLE {RAW_TABLE} (id bigint GENERATED BY DEFAULT AS IDENTITY, "
                "indicator_id bigint, territory_id bigint, period date, "
                "value double precision, numerator double precision, "
                "denominator double precision, status smallint, source_id bigint, "
                "geography varchar(30), computed boolean)"
            )
            cursor.execute(
                f"CREATE TABLE {RAW_CLOSURE} (commune_id bigint, ancestor_id bigint, "
                "PRIMARY KEY (ancestor_id, commune_id))"
            )

    def _copy(self, table: str, columns, rows) -> None:
        raw = self.connection.connection  # the psycopg connection
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()

    def insert(self, rows) -> None:
        self._copy(RAW_TABLE, VALUE_COLUMNS, rows)

    def closure(self, pairs) -> None:
        self._copy(RAW_CLOSURE, ("commune_id", "ancestor_id"), pairs)

    def index(self, indexes) -> list[float]:
        times = []
        with self.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {RAW_TABLE} ADD PRIMARY KEY (id)")
            for n, (_, columns, unique) in enumerate(indexes):
                start = time.perf_counter()
                cursor.execute(
                    f"CREATE {'UNIQUE ' if unique else ''}INDEX raw_idx_{n} "
                    f"ON {RAW_TABLE} ({', '.join(columns)})"
                )
                times.append(time.perf_counter() - start)
            cursor.execute(f"ANALYZE {RAW_TABLE}")
            cursor.execute(f"ANALYZE {RAW_CLOSURE}")
        return times

    def query(self, sql: str, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def size(self) -> int:
        return self.query(f"SELECT pg_total_relation_size('{RAW_TABLE}')")[0][0]

    def close(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}, {RAW_CLOSURE}")


# --- DuckDB ----------------------------------------------------------------------------


class Duck:
    """DuckDB reading the same CSV files: the analytic limit."""

    def __init__(self, folder: Path):
        import duckdb

        self.version = duckdb.__version__
        self.path = folder / "bench.duckdb"
        self.db = duckdb.connect(str(self.path))

    def load(self, files: list[Path], territories_csv: Path, indicators_csv: Path, closure_csv):
        db = self.db
        db.execute(
            f"CREATE TABLE territory AS SELECT * FROM read_csv('{territories_csv}', "
            "delim=';', header=true, columns={'id': 'BIGINT', 'kind': 'VARCHAR', "
            "'code': 'VARCHAR'})"
        )
        db.execute(
            f"CREATE TABLE indicator AS SELECT * FROM read_csv('{indicators_csv}', "
            "delim=';', header=true, columns={'id': 'BIGINT', 'code': 'VARCHAR'})"
        )
        db.execute(
            f"CREATE TABLE closure AS SELECT * FROM read_csv('{closure_csv}', delim=';', "
            "header=true, columns={'commune_id': 'BIGINT', 'ancestor_id': 'BIGINT'})"
        )
        listing = ", ".join(f"'{path}'" for path in files)

        def number(column: str) -> str:
            return f"TRY_CAST(replace(replace({column}, ' ', ''), ',', '.') AS DOUBLE)"

        start = time.perf_counter()
        db.execute(
            f"""CREATE TABLE value AS
            SELECT i.id AS indicator_id, t.id AS territory_id,
                   make_date(CAST(c.periode AS INTEGER), 1, 1) AS period,
                   {number("c.valeur")} AS value,
                   {number("c.numerateur")} AS numerator,
                   {number("c.denominateur")} AS denominator,
                   CASE c.statut WHEN 'provisoire' THEN 1 ELSE 2 END AS status
            FROM read_csv([{listing}], delim=';', header=true, all_varchar=true) c
            JOIN territory t ON t.kind = c.niveau AND t.code = c.code
            JOIN indicator i ON i.code = c.indicateur"""
        )
        seconds = time.perf_counter() - start
        rows = db.execute("SELECT count(*) FROM value").fetchone()[0]
        db.execute("CHECKPOINT")
        return seconds, rows

    def query(self, sql: str, params=()):
        return self.db.execute(sql.replace("%s", "?"), list(params)).fetchall()

    def size(self) -> int:
        self.db.execute("CHECKPOINT")
        return self.path.stat().st_size


# --- The benchmark ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=None, help="overrides --db")
    parser.add_argument("--scale", choices=("realistic", "full"), default="realistic")
    parser.add_argument("--data-dir", default=str(BENCH_DIR / "data"))
    parser.add_argument("--portraits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--files", type=int, default=0, help="import only the first N files")
    parser.add_argument("--no-duckdb", action="store_true")
    parser.add_argument("--no-raw", action="store_true")
    parser.add_argument("--profile", default="", help="folder for pyinstrument profiles")
    parser.add_argument("--json", default="", help="write the raw results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite/DuckDB files")
    parser.add_argument(
        "--reads-only",
        default="",
        metavar="DATABASE",
        help="measure the reading only (selectors, pages, ORM aggregation) on a database "
        "a previous run left (the PostgreSQL URL, or the SQLite file of --keep)",
    )
    args = parser.parse_args()
    if args.reads_only:
        _reads_only(args)
        return

    BENCH_DIR.mkdir(exist_ok=True)
    tempfile.tempdir = str(BENCH_DIR)  # django_setup's SQLite folder goes there
    url = args.database_url or (POSTGRES_URL if args.db == "postgresql" else None)
    engine = django_setup(url, log_level="WARNING")
    from django.core.management import call_command
    from django.db import connection

    folder = Path(os.environ["VILLES2_VAR_DIR"])
    RESULTS.update(
        engine=engine,
        scale=args.scale,
        code=code_version(),
        date=f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
        folder=str(folder),
    )
    say(f"\n## Observation, {engine}, {args.scale} scale\n")
    say(f"Code `{RESULTS['code']}`, {RESULTS['date']}, load average at start {load()}.")
    quiet = open(os.devnull, "w")  # noqa: SIM115
    start = time.perf_counter()
    call_command("load_reference_data", stdout=quiet)
    say(f"Reference data: {time.perf_counter() - start:.1f} s.")
    context_rows = _context()
    say(f"Beside the data (synthetic): {context_rows}.")

    from generate_observation import indicators_create, write_files

    from villes2.observation.models import Indicator, IndicatorValue
    from villes2.territories.models import Territory

    source, _ = indicators_create()
    start = time.perf_counter()
    manifest = write_files(args.scale, Path(args.data_dir) / args.scale)
    data = Path(args.data_dir) / args.scale
    files = [data / name for name in manifest["files"]]
    if args.files:
        files = files[: args.files]
    say(
        f"Files: {len(manifest['files'])} × {manifest['rows_per_file']:,} rows "
        f"({manifest['bytes'] / 1e6:,.0f} MB), "
        + ("reused" if manifest["reused"] else f"written in {time.perf_counter() - start:.1f} s")
        + f"; QPV file {manifest['qpv_rows']:,} rows."
    )
    RESULTS["files"] = {k: v for k, v in manifest.items() if k != "key"}

    # 1. Import through the importer ------------------------------------------------
    imported = _import(files, data, manifest, source, args)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if imported:
        RESULTS["values_in_table"] = IndicatorValue.objects.count()
        RESULTS["size"] = {"django": _django_size(connection)}

    territories = {
        (kind, code): pk for pk, kind, code in Territory.objects.values_list("pk", "kind", "code")
    }
    indicator_ids = dict(Indicator.objects.values_list("code", "pk"))
    closure = list(
        Territory.ancestors.through.objects.filter(from_territory__kind="commune").values_list(
            "from_territory_id", "to_territory_id"
        )
    )

    # 2. The raw engines -----------------------------------------------------------------
    raw = None
    if not args.no_raw:
        raw = _raw_load(files, territories, indicator_ids, source.pk, closure, folder, imported)
    duck = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not imported:  # the raw path filled the Django table: measured now
        RESULTS["values_in_table"] = IndicatorValue.objects.count()
        RESULTS["size"] = {"django": _django_size(connection)}
    if not args.no_duckdb:
        duck = _duck_load(files, territories, indicator_ids, closure, folder)

    # 3. Queries ---------------------------------------------------------------------------
    region = Territory.objects.get(kind="region", code=REGION)
    sample = _portrait_sample(args.portraits)
    RESULTS["portrait_sample"] = {
        kind: sum(1 for t in sample if t.kind == kind) for kind in sorted({t.kind for t in sample})
    }
    for stage, function in (
        ("portraits", lambda: _portraits(sample, raw, duck, args)),
        ("comparisons", lambda: _comparisons(raw, duck, args)),
        ("aggregations", lambda: _aggregations(region, raw, duck, args)),
    ):
        try:
            function()
        except Exception as error:  # a stage whose code is still being written
            say(f"\n**{stage}: failed ({type(error).__name__}: {error}); skipped.**")
            RESULTS.setdefault("failed", {})[stage] = f"{type(error).__name__}: {error}"

    if raw:
        RESULTS["size"]["raw"] = raw.size()
    if duck:
        RESULTS["size"]["duckdb"] = duck.size()
    _report(args)
    if raw:
        raw.close()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(RESULTS, indent=1, default=str))
    if not args.keep:
        connection.close()
        shutil.rmtree(folder, ignore_errors=True)


def _reads_only(args) -> None:
    """The reading part again, on the data a previous run imported (no raw engines)."""
    folder = Path(tempfile.mkdtemp(prefix="villes2-bench-", dir=BENCH_DIR))
    os.environ["VILLES2_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.reads_only.startswith("postgres"):
        os.environ["DATABASE_URL"] = args.reads_only
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.db import connection

    from villes2.territories.models import Territory

    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = args.reads_only
    RESULTS.update(
        engine=connection.vendor,
        scale=args.scale,
        code=code_version(),
        date=f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
        folder=str(folder),
        reads_only=True,
    )
    say(f"\n## Observation, {connection.vendor}, {args.scale} scale: reading only\n")
    say(f"Code `{RESULTS['code']}`, {RESULTS['date']}, load average at start {load()}.")
    sample = _portrait_sample(args.portraits)
    RESULTS["portrait_sample"] = {
        kind: sum(1 for t in sample if t.kind == kind) for kind in sorted({t.kind for t in sample})
    }
    region = Territory.objects.get(kind="region", code=REGION)
    _portraits(sample, None, None, args)
    _comparisons(None, None, args)
    _aggregations(region, None, None, args)
    _report(args)
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=1, default=str))
    shutil.rmtree(folder, ignore_errors=True)


def _context() -> str:
    """Synthetic experience records and events linked to communes of the ten
    départements, so that the portrait's "beside the data" part reads real rows."""
    from generate_events import generate as events_generate
    from generate_practices import generate as practices_generate

    practices_generate(0, 500)
    events_generate(0, 1000)
    return "500 experience records, 1,000 events"


# --- 1. import -------------------------------------------------------------------------


def _importer():
    try:
        from villes2.observation.services.imports import values_import
    except ImportError:
        return None
    return values_import


class Phases:
    """Seconds spent in the importer's phases, by wrapping its functions in this process
    (nothing is changed in the code measured): checking the lines (parse, validate,
    stage), writing (count + upsert, aggregation included), the upward aggregation."""

    def __init__(self):
        from villes2.observation.services import aggregation, imports

        self.seconds = {"check": 0.0, "write": 0.0, "aggregate": 0.0}
        self.patches = [
            (imports._Importer, "check", "check"),
            (imports, "_write", "write"),
            (aggregation, "values_aggregate_upward", "aggregate"),
        ]
        self.saved = []

    def __enter__(self):
        for owner, attribute, name in self.patches:
            original = getattr(owner, attribute, None)
            if original is None:
                continue
            self.saved.append((owner, attribute, original))
            setattr(owner, attribute, self._wrap(original, name))
        return self

    def _wrap(self, function, name):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return wrapper

    def __exit__(self, *exc_info):
        for owner, attribute, original in self.saved:
            setattr(owner, attribute, original)

    def result(self) -> dict:
        out = {name: round(seconds, 2) for name, seconds in self.seconds.items()}
        out["write_without_aggregate"] = round(self.seconds["write"] - self.seconds["aggregate"], 2)
        return out


def _import_one(values_import, path: Path, source, user, cap: int, profiler=None) -> dict:
    with path.open("rb") as stream, Phases() as phases:
        start = time.perf_counter()
        with profiler or contextlib.nullcontext():
            report = values_import(
                file_name=path.name, stream=stream, source=source, user=user, max_bytes=cap
            )
        seconds = time.perf_counter() - start
    entry = _report_entry(path.name, report, seconds)
    entry["phases"] = phases.result()
    return entry


def _import(files, data, manifest, source, args) -> bool:
    """Import every file, then the first one again; the QPV file. False when the
    importer does not exist yet (then the raw path fills the Django table)."""
    from django.contrib.auth import get_user_model

    values_import = _importer()
    if values_import is None:
        say("\n**The importer (`values_import`) does not exist yet: skipped.**")
        RESULTS["import"] = None
        return False
    user = get_user_model().objects.create_superuser("bench", "bench@exemple.invalid", "x")
    # The default cap (20 MB) refuses a file of 1.75 million lines (108 MB): raised here,
    # as a deployment importing national files would have to.
    cap = max(path.stat().st_size for path in files) + 1
    RESULTS["import_cap_bytes"] = cap
    profiler = _profiler(args)
    per_file = []
    for n, path in enumerate(files):
        entry = _import_one(values_import, path, source, user, cap, profiler if n == 0 else None)
        per_file.append(entry)
        say(
            f"- import {path.name}: {entry['seconds']:.1f} s, {entry['values_per_s']:,} "
            f"values/s ({entry['counts']}; phases {entry['phases']}), load {entry['load']}"
        )
    if profiler:
        _profile_save(profiler, args, "import-first-file")
    again = None
    if files:
        again = _import_one(values_import, files[0], source, user, cap)
        say(
            f"- again {files[0].name}: {again['seconds']:.1f} s ({again['counts']}; "
            f"phases {again['phases']}), load {again['load']}"
        )
    qpv = None
    if manifest.get("qpv_file"):
        qpv = _import_one(values_import, data / manifest["qpv_file"], source, user, cap)
        say(f"- import {manifest['qpv_file']}: {qpv['seconds']:.1f} s ({qpv['counts']})")
    rows = sum(entry["rows"] for entry in per_file)
    seconds = sum(entry["seconds"] for entry in per_file)
    phases = {
        name: round(sum(entry["phases"][name] for entry in per_file), 2)
        for name in per_file[0]["phases"]
    }
    RESULTS["import"] = {
        "files": per_file,
        "rows": rows,
        "seconds": round(seconds, 2),
        "values_per_s": round(rows / seconds) if seconds else None,
        "phases": phases,
        "again": again,
        "qpv": qpv,
    }
    return True


def _report_entry(name: str, report, seconds: float) -> dict:
    counts = {
        key: getattr(report, key)
        for key in ("lines", "created", "updated", "unchanged", "skipped", "rejected")
        if isinstance(getattr(report, key, None), int)
    }
    problems = getattr(report, "errors", None) or []
    if problems:
        counts["errors"] = getattr(report, "error_count", len(problems))
        say(f"  errors: {[str(p) for p in problems[:5]]}")
    rows = sum(counts.get(key, 0) for key in ("created", "updated", "unchanged"))
    return {
        "file": name,
        "seconds": round(seconds, 2),
        "rows": rows,
        "values_per_s": round(rows / seconds) if seconds else 0,
        "counts": counts,
        "load": load(),
    }


def _profiler(args):
    if not args.profile:
        return None
    from pyinstrument import Profiler

    return Profiler(interval=0.005)


def _profile_save(profiler, args, name: str) -> None:
    folder = Path(args.profile)
    folder.mkdir(parents=True, exist_ok=True)
    engine = RESULTS["engine"]
    path = folder / f"{name}-{engine}-{RESULTS['scale']}.txt"
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    (folder / f"{name}-{engine}-{RESULTS['scale']}.html").write_text(profiler.output_html())
    say(f"  (profile: {path})")


def _django_size(connection) -> dict:
    from villes2.observation.models import IndicatorValue

    table = IndicatorValue._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_database_size(current_database()), pg_total_relation_size(%s), "
                "pg_relation_size(%s)",
                [table, table],
            )
            database, total, heap = cursor.fetchone()
            return {"database": database, "values_table_and_indexes": total, "values_heap": heap}
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = connection.settings_dict["NAME"]
        out = {"database": Path(name).stat().st_size}
        with contextlib.suppress(Exception):  # dbstat is an optional SQLite module
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name = %s OR name IN "
                "(SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s)",
                [table, table],
            )
            out["values_table_and_indexes"] = cursor.fetchone()[0]
        return out


# --- 2. raw engines --------------------------------------------------------------------


def _raw_load(files, territories, indicator_ids, source_id, closure, folder, imported):
    from django.db import connection

    raw = RawSQLite(folder) if connection.vendor == "sqlite" else RawPostgreSQL(connection)
    parse_s = insert_s = 0.0
    rows = 0
    for path in files:
        start = time.perf_counter()
        parsed = parse_file(path, territories, indicator_ids, source_id)
        parse_s += time.perf_counter() - start
        start = time.perf_counter()
        raw.insert(parsed)
        insert_s += time.perf_counter() - start
        rows += len(parsed)
        if not imported:
            _fill_django_table(parsed)
        del parsed
    start = time.perf_counter()
    indexes = value_indexes(connection)
    per_index = raw.index(indexes)
    index_s = time.perf_counter() - start
    raw.closure(closure)
    RESULTS["raw"] = {
        "rows": rows,
        "parse_s": round(parse_s, 2),
        "insert_s": round(insert_s, 2),
        "index_s": round(index_s, 2),
        "indexes": {
            f"{'unique ' if u else ''}({', '.join(c)})": round(t, 2)
            for (_, c, u), t in zip(indexes, per_index, strict=True)
        },
        "rows_per_s": round(rows / (insert_s + index_s)),
        "rows_per_s_with_parse": round(rows / (parse_s + insert_s + index_s)),
        "load": load(),
    }
    say(
        f"- raw: parse {parse_s:.1f} s, insert {insert_s:.1f} s, {len(indexes)} indexes "
        f"{index_s:.1f} s = {RESULTS['raw']['rows_per_s']:,} rows/s "
        f"({RESULTS['raw']['rows_per_s_with_parse']:,} with parsing), load {load()}"
    )
    return raw


def _fill_django_table(parsed) -> None:
    """Without the importer, the Django table is filled by bulk SQL (labelled so)."""
    from django.db import connection, transaction

    from villes2.observation.models import IndicatorValue

    RESULTS["django_table_filled_by_raw_sql"] = True
    table = IndicatorValue._meta.db_table
    placeholders = ", ".join(["%s"] * len(VALUE_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        for first in range(0, len(parsed), 50_000):
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(VALUE_COLUMNS)}) VALUES ({placeholders})",
                parsed[first : first + 50_000],
            )


def _duck_load(files, territories, indicator_ids, closure, folder):
    try:
        duck = Duck(folder)
    except ImportError:
        say("- DuckDB: not installed (`pip install duckdb`), skipped.")
        return None
    side = folder / "duck-side"
    side.mkdir(exist_ok=True)
    _write_csv(
        side / "territory.csv",
        ("id", "kind", "code"),
        [(pk, kind, code) for (kind, code), pk in territories.items()],
    )
    _write_csv(
        side / "indicator.csv", ("id", "code"), [(pk, code) for code, pk in indicator_ids.items()]
    )
    _write_csv(side / "closure.csv", ("commune_id", "ancestor_id"), closure)
    seconds, rows = duck.load(
        files, side / "territory.csv", side / "indicator.csv", side / "closure.csv"
    )
    RESULTS["duckdb"] = {
        "version": duck.version,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "load": load(),
    }
    say(
        f"- DuckDB {duck.version}: {rows:,} rows from the CSV in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s), load {load()}"
    )
    return duck


def _write_csv(path: Path, header, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


# --- 3. queries ------------------------------------------------------------------------


def _portrait_sample(count: int) -> list:
    """~`count` territories with data at both scales: communes of the ten départements
    by population rank (every size), their EPCI, départements, régions, former
    regions, QPV, and France."""
    from generate_observation import DEPARTEMENTS

    from villes2.territories.models import Territory

    communes = list(
        Territory.objects.filter(
            kind="commune",
            valid_to__isnull=True,
            parents__kind="departement",
            parents__code__in=DEPARTEMENTS,
        ).order_by("population", "code")
    )
    others = (
        list(Territory.objects.filter(kind="departement", code__in=DEPARTEMENTS))
        + list(Territory.objects.filter(kind="region", code__in=["24", "75"]))
        + list(Territory.objects.filter(kind="ancienne-region", code__in=["24", "54"]))
        + list(Territory.objects.filter(kind="pays"))
        + list(
            Territory.objects.filter(
                kind="epci",
                children__parents__kind="departement",
                children__parents__code__in=DEPARTEMENTS,
            )
            .distinct()
            .order_by("code")[:12]
        )
        + list(
            Territory.objects.filter(
                kind="qpv",
                parents__parents__kind="departement",
                parents__parents__code__in=DEPARTEMENTS,
            )
            .distinct()
            .order_by("code")[:15]
        )
    )
    wanted = max(0, count - len(others))
    step = max(1, len(communes) // max(1, wanted))
    chosen = communes[::step][:wanted]
    chosen[-1:] = [communes[-1]]  # the largest commune
    return chosen + others


def _selectors():
    try:
        from villes2.observation import selectors
    except ImportError:
        return None
    return selectors


def _timed_each(items, function) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        function(item)
        times.append(time.perf_counter() - start)
    return times


def _comparison_targets(territory) -> list[int]:
    """The territory and what its portrait compares it with: its communes (QPV), its
    département, région and France."""
    ids = [territory.pk]
    ids += list(
        territory.ancestors.filter(
            kind__in=["commune", "departement", "region", "pays"]
        ).values_list("pk", flat=True)
    )
    return ids


PORTRAIT_SQL = (
    f"SELECT territory_id, indicator_id, period, value, numerator, denominator "
    f"FROM {RAW_TABLE} WHERE territory_id IN (%s) ORDER BY indicator_id, period"
)
DUCK_PORTRAIT_SQL = PORTRAIT_SQL.replace(RAW_TABLE, "value")


def _in(sql: str, count: int) -> str:
    return sql.replace("IN (%s)", "IN (" + ", ".join(["%s"] * count) + ")")


def _portraits(sample, raw, duck, args) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    out = RESULTS.setdefault("portrait", {})
    targets = {t.pk: _comparison_targets(t) for t in sample}
    if raw:
        times = _timed_each(
            sample, lambda t: raw.query(_in(PORTRAIT_SQL, len(targets[t.pk])), targets[t.pk])
        )
        times = _timed_each(
            sample, lambda t: raw.query(_in(PORTRAIT_SQL, len(targets[t.pk])), targets[t.pk])
        )
        out["raw"] = spread(times)
    if duck:
        _timed_each(
            sample[:5],
            lambda t: duck.query(_in(DUCK_PORTRAIT_SQL, len(targets[t.pk])), targets[t.pk]),
        )
        times = _timed_each(
            sample, lambda t: duck.query(_in(DUCK_PORTRAIT_SQL, len(targets[t.pk])), targets[t.pk])
        )
        out["duckdb"] = spread(times)
    selectors = _selectors()
    if selectors is None or not hasattr(selectors, "territory_portrait"):
        say("\n**The portrait selector does not exist yet: skipped.**")
        return
    portrait = selectors.territory_portrait
    _timed_each(sample[:5], lambda t: portrait(territory=t))
    times = _timed_each(sample, lambda t: _consume(portrait(territory=t)))
    out["selector"] = spread(times)
    by_kind = {}
    for kind in ("commune", "departement", "qpv"):
        subset = [x for x, t in zip(times, sample, strict=True) if t.kind == kind]
        if subset:
            by_kind[kind] = spread(subset)
    out["selector_by_kind"] = by_kind
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for t in sample:
                _consume(portrait(territory=t))
        _profile_save(profiler, args, "portrait-selector")

    setup_test_environment()
    client = Client()
    urls = [f"/observatoire/territoire/{t.kind}/{t.code}/" for t in sample]
    first = client.get(urls[0])
    if first.status_code != 200:
        say(f"\n**Portrait page {urls[0]}: HTTP {first.status_code}: skipped.**")
        return
    for url in urls[:5]:
        client.get(url)
    statuses = []
    times = _timed_each(urls, lambda u: statuses.append(client.get(u).status_code))
    out["page"] = spread(times)
    out["page_status"] = {str(s): statuses.count(s) for s in sorted(set(statuses))}
    out["page_bytes"] = len(client.get(urls[len(urls) // 2]).content)
    out["page_queries"] = _queries(client, urls[len(urls) // 2])
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for url in urls:
                client.get(url)
        _profile_save(profiler, args, "portrait-page")


def _consume(result):
    """Evaluate lazy parts of a selector's result (querysets, generators)."""
    from django.db.models.query import QuerySet

    if isinstance(result, QuerySet):
        return list(result)
    if isinstance(result, dict):
        for value in result.values():
            _consume(value)
    elif hasattr(result, "__dict__") and not isinstance(result, type):
        for value in vars(result).values():
            if isinstance(value, QuerySet):
                list(value)
    return result


def _queries(client, url: str) -> int:
    from _setup import QueryCounter
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        client.get(url)
    return counter.count


COMPARE_SQL = (
    f"SELECT v.territory_id, v.value FROM {RAW_TABLE} v "
    f"JOIN {RAW_CLOSURE} a ON a.commune_id = v.territory_id AND a.ancestor_id = %s "
    "WHERE v.indicator_id = %s AND v.period = %s ORDER BY v.value DESC"
)
DUCK_COMPARE_SQL = (
    "SELECT v.territory_id, v.value FROM value v "
    "JOIN closure a ON a.commune_id = v.territory_id AND a.ancestor_id = %s "
    "WHERE v.indicator_id = %s AND v.period = %s ORDER BY v.value DESC"
)


def _comparisons(raw, duck, args) -> None:
    from django.test import Client

    from villes2.observation.models import Indicator, period_of_year
    from villes2.territories.models import Territory

    out = RESULTS.setdefault("comparison", {})
    indicators = list(Indicator.objects.filter(code__startswith="synth-").order_by("code"))
    step = max(1, len(indicators) // PAGE_REPEAT_INDICATORS)
    chosen = indicators[::step][:PAGE_REPEAT_INDICATORS]
    period = period_of_year(COMPARE_YEAR)
    scopes = {
        "departement:37": Territory.objects.get(kind="departement", code="37"),
        f"region:{REGION}": Territory.objects.get(kind="region", code=REGION),
    }
    selectors = _selectors()
    client = Client()
    for label, scope in scopes.items():
        entry = out.setdefault(label, {})
        iso = period.isoformat()
        if raw:
            run = lambda i, s=scope, iso=iso: raw.query(COMPARE_SQL, [s.pk, i.pk, iso])  # noqa: E731
            _timed_each(chosen[:3], run)
            entry["raw"] = spread(_timed_each(chosen, run))
            entry["rows"] = len(run(chosen[0]))
        if duck:
            run = lambda i, s=scope: duck.query(  # noqa: E731
                DUCK_COMPARE_SQL, [s.pk, i.pk, period]
            )
            _timed_each(chosen[:3], run)
            entry["duckdb"] = spread(_timed_each(chosen, run))
        if selectors is None or not hasattr(selectors, "indicator_comparison"):
            continue
        compare = selectors.indicator_comparison
        run = lambda i, s=scope, compare=compare: _consume(  # noqa: E731
            compare(indicator=i, kind="commune", scope=s, period=period)
        )
        _timed_each(chosen[:3], run)
        entry["selector"] = spread(_timed_each(chosen, run))
        urls = [
            f"/observatoire/comparer/?indicateur={i.code}&niveau=commune"
            f"&perimetre={label}&periode={COMPARE_YEAR}"
            for i in chosen
        ]
        response = client.get(urls[0])
        if response.status_code != 200:
            entry["page_status"] = response.status_code
            continue
        for url in urls[:3]:
            client.get(url)
        entry["page"] = spread(_timed_each(urls, client.get))
        entry["page_bytes"] = len(response.content)
        entry["page_queries"] = _queries(client, urls[0])
        maps = [url.replace("/comparer/?", "/comparer/carte.geojson?") for url in urls]
        response = client.get(maps[0])
        if response.status_code == 200:
            for url in maps[:3]:
                client.get(url)
            entry["map"] = spread(_timed_each(maps, client.get))
            entry["map_bytes"] = len(response.content)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for url in urls:
                    client.get(url)
            _profile_save(profiler, args, f"compare-page-{label.replace(':', '-')}")
    if selectors is None or not hasattr(selectors, "indicator_comparison"):
        say("\n**The comparison selector does not exist yet: skipped.**")


AGG_ONE_SQL = (
    "SELECT v.period, SUM(v.value), SUM(v.numerator), SUM(v.denominator), COUNT(*) "
    "FROM {table} v JOIN {closure} a ON a.commune_id = v.territory_id "
    "WHERE a.ancestor_id = %s AND v.indicator_id = %s GROUP BY v.period ORDER BY v.period"
)
AGG_ALL_SQL = (
    "SELECT v.indicator_id, v.period, SUM(v.value), SUM(v.numerator), SUM(v.denominator), "
    "COUNT(*) FROM {table} v JOIN {closure} a ON a.commune_id = v.territory_id "
    "WHERE a.ancestor_id = %s GROUP BY v.indicator_id, v.period"
)


def _aggregations(region, raw, duck, args) -> None:
    from django.db import connection
    from django.db.models import Count, Sum

    from villes2.observation.models import Indicator, IndicatorValue
    from villes2.observation.services import commune_closure, values_aggregate_upward

    out = RESULTS.setdefault("aggregation", {})
    count = Indicator.objects.get(code="synth-population")
    rate = Indicator.objects.get(code="synth-taux-chomage")
    in_region = IndicatorValue.objects.filter(
        territory__kind="commune", territory__ancestors=region
    ).order_by()

    def orm_one(indicator):
        return list(
            in_region.filter(indicator=indicator)
            .values("period")
            .annotate(
                total=Sum("value"),
                numerator=Sum("numerator"),
                denominator=Sum("denominator"),
                n=Count("id"),
            )
            .order_by("period")
        )

    def orm_all():
        return list(
            in_region.values("indicator_id", "period").annotate(
                total=Sum("value"),
                numerator=Sum("numerator"),
                denominator=Sum("denominator"),
                n=Count("id"),
            )
        )

    repeat = max(3, args.repeat // 2)
    cases = {
        "sum of a count, per year": lambda: orm_one(count),
        "ratio of sums of a rate, per year": lambda: orm_one(rate),
        "all 50 indicators, per year": orm_all,
    }
    for label, function in cases.items():
        function()
        out.setdefault(label, {})["orm"] = spread([_once(function) for _ in range(repeat)])
    if connection.vendor == "sqlite":
        # The importer does not refresh the planner's statistics; PostgreSQL's autovacuum
        # does (this benchmark runs ANALYZE there after the import). Here: before / after.
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {IndicatorValue._meta.db_table}")
        out["analyze_seconds"] = round(time.perf_counter() - start, 2)
        for label, function in cases.items():
            function()
            out[label]["orm_analyzed"] = spread([_once(function) for _ in range(repeat)])
    result = orm_one(rate)
    if result:
        last = result[-1]
        out["check"] = {
            "communes": last["n"],
            "rate": round(last["numerator"] / last["denominator"] * 100, 2),
        }
    engines = {}
    if raw:
        engines["raw"] = (raw, RAW_TABLE, RAW_CLOSURE, lambda pk: pk)
    if duck:
        engines["duckdb"] = (duck, "value", "closure", lambda pk: pk)
    for name, (db, table, closure, _) in engines.items():
        one = AGG_ONE_SQL.format(table=table, closure=closure)
        every = AGG_ALL_SQL.format(table=table, closure=closure)
        runs = {
            "sum of a count, per year": lambda db=db, one=one: db.query(one, [region.pk, count.pk]),
            "ratio of sums of a rate, per year": lambda db=db, one=one: db.query(
                one, [region.pk, rate.pk]
            ),
            "all 50 indicators, per year": lambda db=db, every=every: db.query(every, [region.pk]),
        }
        for label, function in runs.items():
            function()
            out[label][name] = spread([_once(function) for _ in range(repeat)])

    # The upward aggregation the importer runs for each indicator and period it touched.
    closure = commune_closure()
    service = {}
    for indicator in (count, rate):
        periods = sorted(
            IndicatorValue.objects.filter(indicator=indicator)
            .values_list("period", flat=True)
            .distinct()
        )
        if not periods:
            continue
        start = time.perf_counter()
        values_aggregate_upward(indicator=indicator, periods=periods, closure=closure)
        service[indicator.code] = {
            "periods": len(periods),
            "seconds": round(time.perf_counter() - start, 2),
            "load": load(),
        }
    out["values_aggregate_upward"] = service


def _once(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


# --- Report ----------------------------------------------------------------------------


def _report(args) -> None:
    r = RESULTS
    engine = r["engine"]
    say(f"\n### Import ({engine}, {r['scale']})\n")
    say("| what | values | seconds | values/s | check / write / aggregate, s | load |")
    say("|---|---|---|---|---|---|")
    imp = r.get("import")

    def phases(entry) -> str:
        p = entry.get("phases") or {}
        if not p:
            return ""
        return f"{p['check']} / {p['write_without_aggregate']} / {p['aggregate']}"

    if imp:
        for entry in imp["files"]:
            say(
                f"| `values_import` {entry['file']} | {entry['rows']:,} | {entry['seconds']} "
                f"| {entry['values_per_s']:,} | {phases(entry)} | {entry['load']} |"
            )
        say(
            f"| **`values_import`, all files** | {imp['rows']:,} | {imp['seconds']} "
            f"| **{imp['values_per_s']:,}** | {phases(imp)} | |"
        )
        again = imp.get("again")
        if again:
            say(
                f"| same file again ({again['counts']}) | {again['rows']:,} "
                f"| {again['seconds']} | {again['values_per_s']:,} | {phases(again)} "
                f"| {again['load']} |"
            )
        qpv = imp.get("qpv")
        if qpv:
            say(
                f"| QPV file | {qpv['rows']:,} | {qpv['seconds']} | {qpv['values_per_s']:,} "
                f"| {phases(qpv)} | {qpv['load']} |"
            )
    else:
        say("| `values_import` | — | — | not available | | |")
    raw = r.get("raw")
    if raw:
        say(
            f"| raw: parse + map in Python (csv module) | {raw['rows']:,} | {raw['parse_s']} "
            f"| {round(raw['rows'] / raw['parse_s']):,} | | |"
        )
        method = "executemany" if engine == "sqlite" else "COPY"
        say(
            f"| raw: {method} into a bare table + {len(raw['indexes'])} indexes "
            f"| {raw['rows']:,} | {raw['insert_s']} + {raw['index_s']} "
            f"| **{raw['rows_per_s']:,}** ({raw['rows_per_s_with_parse']:,} with parsing) "
            f"| | {raw['load']} |"
        )
    duck = r.get("duckdb")
    if duck:
        say(
            f"| DuckDB {duck['version']} `read_csv` + map, 2 threads | {duck['rows']:,} "
            f"| {duck['seconds']} | {duck['rows_per_s']:,} | | {duck['load']} |"
        )

    if raw:
        say(
            "\nIndexes of the value table, and their build time on the raw table (s): "
            + ", ".join(f"{name} {seconds}" for name, seconds in raw["indexes"].items())
            + "."
        )
    say(f"\n### Reading ({engine}, {r['scale']}): p50 / p95 ms\n")
    say("| query | selector | page | raw SQL | DuckDB | load |")
    say("|---|---|---|---|---|---|")
    portrait = r.get("portrait", {})
    sample = ", ".join(f"{n} {k}" for k, n in r.get("portrait_sample", {}).items())
    say(
        f"| portrait, {sum(r.get('portrait_sample', {}).values())} territories ({sample}) "
        f"| {ms(portrait.get('selector'))} | {ms(portrait.get('page'))} "
        f"| {ms(portrait.get('raw'))} | {ms(portrait.get('duckdb'))} "
        f"| {(portrait.get('page') or portrait.get('raw') or {}).get('load', '')} |"
    )
    for kind, entry in portrait.get("selector_by_kind", {}).items():
        say(f"| — portrait selector, {kind} only | {ms(entry)} | | | | |")
    for label, entry in r.get("comparison", {}).items():
        rows = entry.get("rows", "")
        say(
            f"| comparison, {PAGE_REPEAT_INDICATORS} indicators × {COMPARE_YEAR}, communes "
            f"of {label} ({rows} rows) | {ms(entry.get('selector'))} | {ms(entry.get('page'))} "
            f"| {ms(entry.get('raw'))} | {ms(entry.get('duckdb'))} "
            f"| {(entry.get('page') or entry.get('raw') or {}).get('load', '')} |"
        )
    for label, entry in r.get("comparison", {}).items():
        if entry.get("map"):
            say(
                f"| — its map layer (`carte.geojson`, {entry['map_bytes']:,} bytes), "
                f"communes of {label} | | {ms(entry['map'])} | | | {entry['map']['load']} |"
            )
    say(
        "\n| aggregation over the communes of Centre-Val de Loire | ORM | ORM after ANALYZE "
        "| raw SQL | DuckDB |"
    )
    say("|---|---|---|---|---|")
    for label, entry in r.get("aggregation", {}).items():
        if not isinstance(entry, dict) or "orm" not in entry:
            continue
        say(
            f"| {label} | {ms(entry.get('orm'))} | {ms(entry.get('orm_analyzed'))} "
            f"| {ms(entry.get('raw'))} | {ms(entry.get('duckdb'))} |"
        )
    for code, entry in r.get("aggregation", {}).get("values_aggregate_upward", {}).items():
        say(
            f"\n`values_aggregate_upward` ({code}, {entry['periods']} periods, all EPCI, "
            f"départements, régions, former regions, France): {entry['seconds']} s."
        )
    size = r.get("size", {})
    say("\n| size on disk | MB |")
    say("|---|---|")
    for name, value in size.get("django", {}).items():
        if value:
            say(f"| Django {name} | {value / 1e6:,.0f} |")
    if size.get("raw"):
        say(f"| raw table + indexes | {size['raw'] / 1e6:,.0f} |")
    if size.get("duckdb"):
        say(f"| DuckDB file | {size['duckdb'] / 1e6:,.0f} |")
    if "page_queries" in portrait:
        say(
            f"\nPortrait page: {portrait['page_queries']} queries, {portrait['page_bytes']:,} "
            f"bytes; statuses {portrait['page_status']}."
        )
    say(f"\nLoad average at the end: {load()}.")


if __name__ == "__main__":
    sys.exit(main())
