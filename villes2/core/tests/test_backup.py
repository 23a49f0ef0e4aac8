"""Backup and restore round trips, on whichever database the suite runs against.

Transactional tests: a backup only sees committed rows. On SQLite the test database is
pytest-django's shared in-memory database; the online backup API reads from and writes
into it through Django's raw connection like into a file, so no special case is needed.
"""

import io
import os
import re
import shutil

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from villes2.accounts.models import User
from villes2.territories.models import Territory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
        reason="pg_dump is not installed",
    ),
]

REFUSED_AS_NOT_A_BACKUP = {
    "sqlite": "Ce fichier n'est pas une sauvegarde SQLite valide : {} (en-tête SQLite absent)",
    "postgresql": "Ce fichier n'est pas une sauvegarde PostgreSQL (pg_dump -Fc) valide : {}",
}
# What follows these prefixes is SQLite's or pg_restore's own words.
REFUSED_AS_TRUNCATED = {
    "sqlite": "Ce fichier n'est pas une sauvegarde SQLite valide : {} (",
    "postgresql": "pg_restore a échoué, base inchangée (code 1) : ",
}


@pytest.fixture(autouse=True)
def empty_database():
    """Start from an empty database. Transactional tests flush after themselves, not before,
    so the first one inherits whatever earlier tests committed, such as the session's
    reference data (conftest.py): Tours would already exist and every dump would be big."""
    call_command("flush", interactive=False, verbosity=0)


def database_content() -> list[dict]:
    """Every row of every model, in primary-key order, many-to-many links included."""
    return [
        row
        for model in apps.get_models()
        for row in serializers.serialize("python", model._base_manager.order_by("pk"))
    ]


def create_rows() -> None:
    tours = Territory.objects.create(
        kind="commune",
        code="37261",
        name="Tours",
        geography_version="COG 2026",
        source="test",
        search_name="tours",
    )
    indre_et_loire = Territory.objects.create(
        kind="departement",
        code="37",
        name="Indre-et-Loire",
        geography_version="COG 2026",
        source="test",
        search_name="indre-et-loire",
    )
    tours.parents.add(indre_et_loire)
    editors = Group.objects.create(name="Éditeurs")
    for username in ("camille", "dominique"):
        User.objects.create_user(username, f"{username}@example.org").groups.add(editors)


def backup(path) -> str:
    output = io.StringIO()
    call_command("backup", str(path), stdout=output)
    return output.getvalue()


def restore(path) -> None:
    call_command("restore", str(path), "--yes", stdout=io.StringIO())


def change_everything() -> None:
    Territory.objects.filter(code="37261").update(name="Tours (modifiée)")
    User.objects.get(username="dominique").delete()
    Group.objects.create(name="Ajouté après la sauvegarde")


def test_restore_gives_back_exactly_the_content_of_the_backup(tmp_path):
    create_rows()
    before = database_content()
    backup(tmp_path / "villes2.backup")
    change_everything()
    assert database_content() != before

    restore(tmp_path / "villes2.backup")

    assert database_content() == before
    assert Territory.objects.get(code="37261").name == "Tours"
    # Still writable after the restore (PostgreSQL: sequences restored too).
    Group.objects.create(name="Après la restauration")


def test_backup_names_the_file_it_wrote(tmp_path):
    output = backup(tmp_path / "villes2.backup")

    assert output.startswith(f"Sauvegarde écrite : {tmp_path / 'villes2.backup'} (")
    assert (tmp_path / "villes2.backup").is_file()
    assert os.listdir(tmp_path) == ["villes2.backup"]  # no partial file left behind


def test_backup_goes_to_var_backups_by_default(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    output = io.StringIO()

    call_command("backup", stdout=output)

    [written] = (tmp_path / "backups").iterdir()
    suffix = {"sqlite": "sqlite3", "postgresql": "dump"}[connection.vendor]
    assert re.fullmatch(rf"villes2-{connection.vendor}-\d{{8}}-\d{{6}}\.{suffix}", written.name)
    assert f"Sauvegarde écrite : {written} (" in output.getvalue()


def test_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "villes2.backup"
    existing.write_bytes(b"previous backup")

    with pytest.raises(CommandError) as refused:
        backup(existing)

    assert str(refused.value) == f"Le fichier existe déjà, sauvegarde non écrite : {existing}"
    assert existing.read_bytes() == b"previous backup"


def test_restore_of_a_missing_file_is_refused_and_changes_nothing(tmp_path):
    create_rows()
    before = database_content()
    absent = tmp_path / "absent.backup"

    with pytest.raises(CommandError) as refused:
        restore(absent)

    assert str(refused.value) == f"Fichier de sauvegarde introuvable : {absent}"
    assert database_content() == before


def test_restore_of_random_bytes_is_refused_and_changes_nothing(tmp_path):
    create_rows()
    before = database_content()
    random = tmp_path / "random.backup"
    random.write_bytes(os.urandom(64 * 1024))

    with pytest.raises(CommandError) as refused:
        restore(random)

    assert str(refused.value) == REFUSED_AS_NOT_A_BACKUP[connection.vendor].format(random)
    assert database_content() == before


@pytest.mark.parametrize("kept", [0.5, 0.999], ids=["half", "all-but-the-last-bytes"])
def test_restore_of_a_truncated_backup_fails_and_changes_nothing(tmp_path, kept):
    create_rows()
    backup(tmp_path / "villes2.backup")
    change_everything()
    before = database_content()
    whole = (tmp_path / "villes2.backup").read_bytes()
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(whole[: int(len(whole) * kept)])

    with pytest.raises(CommandError) as refused:
        restore(truncated)

    assert str(refused.value).startswith(REFUSED_AS_TRUNCATED[connection.vendor].format(truncated))
    assert database_content() == before


def test_restore_asks_for_confirmation_and_stops_without_it(tmp_path, monkeypatch):
    create_rows()
    backup(tmp_path / "villes2.backup")
    change_everything()
    before = database_content()
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "non")

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "villes2.backup"), stdout=io.StringIO())

    assert str(refused.value) == "Restauration annulée : base inchangée."
    assert len(questions) == 1
    assert "Tapez « oui » pour continuer" in questions[0]
    assert database_content() == before
