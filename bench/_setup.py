"""What every benchmark of bench/ does first: a throw-away database, Django, migrations.

    from _setup import django_setup, p50_p95, timed
    vendor = django_setup(args.database_url)  # then import models, run the benchmark

A benchmark never touches the development database: SQLite goes to a file in a new
temporary folder (with the project's PRAGMAs: WAL, synchronous=FULL), PostgreSQL to the
database named in `--database-url`, dropped and created again.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def prepare_database(url: str | None) -> None:
    """Drop and create the PostgreSQL database of `url` (nothing for SQLite)."""
    if url and url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        base = url.rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
            subprocess.run(["psql", base, "-qc", sql], check=True)  # noqa: S603, S607


def django_setup(database_url: str | None, *, migrate: bool = True, log_level: str = "") -> str:
    """Point Django at a fresh database, set it up, migrate; return the vendor
    ("sqlite" or "postgresql"). `VILLES2_VAR_DIR` (media, the SQLite file) is a new
    temporary folder."""
    tmp = tempfile.mkdtemp(prefix="villes2-bench-")
    os.environ["VILLES2_VAR_DIR"] = tmp
    if log_level:
        os.environ.setdefault("LOG_LEVEL", log_level)
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    prepare_database(database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        connection.close()
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"]
    if migrate:
        call_command("migrate", verbosity=0)
    return connection.vendor


def timed(label: str, function, repeat: int = 1) -> list[float]:
    """Seconds taken by each of `repeat` calls of `function`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank, lower) of times in seconds, in ms."""
    times = sorted(times)
    return statistics.median(times) * 1000, times[max(0, int(len(times) * 0.95) - 1)] * 1000


class QueryCounter:
    """Counts the queries run inside `connection.execute_wrapper(counter)`."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def code_version() -> str:
    """`git describe` of the code measured (with "-dirty" for uncommitted changes)."""
    return (
        subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        or "unknown"
    )
