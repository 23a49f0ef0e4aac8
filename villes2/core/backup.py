"""Back up and restore the whole database (RELIABILITY.md, "Nothing lost", invariant 6).

SQLite: the online backup API copies a consistent snapshot even while the site writes in
WAL mode; a restore copies a checked backup into the live database through the same API,
in one write transaction. PostgreSQL: `pg_dump -Fc`, and `pg_restore --single-transaction`.
Either way a failed restore leaves the database as it was. See docs/backup.md.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db import connection, connections
from django.utils import timezone

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore refused or failed. The message is French, for the operator."""


def database_backup(*, destination: Path) -> Path:
    """Write a backup of the default database and return its path.

    `destination` is a new file, or an existing directory that receives
    `villes2-<engine>-<YYYYmmdd-HHMMSS>.sqlite3|.dump`. The file gets its final name only
    once complete, and an existing file is never overwritten.
    """
    vendor = _vendor()
    if destination.is_dir():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        destination = destination / f"villes2-{vendor}-{stamp}{SUFFIXES[vendor]}"
    if destination.exists():
        raise BackupError(f"Le fichier existe déjà, sauvegarde non écrite : {destination}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f"{destination.name}.partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run
    try:
        if vendor == "sqlite":
            connection.ensure_connection()
            with closing(sqlite3.connect(partial)) as target:
                connection.connection.backup(target)
                # The copy inherits WAL mode; a rollback journal makes it one self-contained
                # file that opening never surrounds with -wal and -shm files.
                target.execute("PRAGMA journal_mode=DELETE")
        else:
            _pg_run("pg_dump", "--format=custom", f"--file={partial}", failure="pg_dump a échoué")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return destination


def database_backup_check(*, source: Path) -> None:
    """Refuse, with a French message, a file that is not a backup for the current engine."""
    vendor = _vendor()
    if not source.is_file():
        raise BackupError(f"Fichier de sauvegarde introuvable : {source}")
    if vendor == "sqlite":
        problem = _sqlite_problem(source)
        if problem:
            raise BackupError(
                f"Ce fichier n'est pas une sauvegarde SQLite valide : {source} ({problem})"
            )
    elif not _starts_with(source, PG_DUMP_MAGIC):
        raise BackupError(
            f"Ce fichier n'est pas une sauvegarde PostgreSQL (pg_dump -Fc) valide : {source}"
        )


def database_restore(*, source: Path) -> None:
    """Replace the whole default database with the backup `source`, after checking it.

    All or nothing: if the restore fails, the database is left as it was.
    """
    database_backup_check(source=source)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(_sqlite_open_readonly(source)) as backup:
            try:
                # One step (pages=-1): a single write transaction on the live database.
                backup.backup(connection.connection)
            except sqlite3.Error as error:
                raise BackupError(f"Restauration échouée, base inchangée : {error}") from error
    else:
        # pg_restore drops and recreates the tables: no session of ours may hold a lock.
        connections.close_all()
        _pg_run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source.resolve()),  # absolute, so never mistaken for an option
            failure="pg_restore a échoué, base inchangée",
        )


def _vendor() -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(
            f"Moteur de base de données non pris en charge : {connection.vendor} "
            "(SQLite ou PostgreSQL seulement)."
        )
    return connection.vendor


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as file:
        return file.read(len(magic)) == magic


def _sqlite_open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_problem(path: Path) -> str | None:
    """Why `path` is not a usable SQLite backup of Villes², or None."""
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(SQLITE_MAGIC):
        return "en-tête SQLite absent"
    # The header gives the page size and, when its two counters agree (always since
    # SQLite 3.7), the page count: a shorter file lost its end, which integrity_check
    # misses when the lost bytes held no cell.
    page_size = int.from_bytes(header[16:18], "big")
    expected = (65536 if page_size == 1 else page_size) * int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and path.stat().st_size < expected:
        return f"fichier tronqué, {path.stat().st_size} octets sur {expected}"
    try:
        with closing(_sqlite_open_readonly(path)) as backup:
            errors = [row[0] for row in backup.execute("PRAGMA integrity_check")]
            migrations = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        return str(error)
    if errors != ["ok"]:
        return "; ".join(errors[:3])
    if migrations is None:
        return "pas de table django_migrations : ce n'est pas une base Django"
    return None


def _pg_run(program: str, *arguments: str, failure: str) -> None:
    """Run a PostgreSQL client on the default database, without a shell or a prompt."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"{program} est introuvable : installez le client PostgreSQL.")
    db = connection.settings_dict
    options = [
        f"--{option}={db[key]}"
        for option, key in (("host", "HOST"), ("port", "PORT"), ("username", "USER"))
        if db[key]
    ]
    # The child inherits our environment (PATH, locale, PGSSLMODE…) plus the password,
    # which never appears on a command line.
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else None
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings, no shell
        [executable, "--no-password", *options, f"--dbname={db['NAME']}", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupError(f"{failure} (code {result.returncode}) : {result.stderr.strip()}")
