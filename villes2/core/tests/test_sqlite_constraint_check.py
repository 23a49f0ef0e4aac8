"""The suite's end-of-test foreign-key check on SQLite (`core.testing.watch_large_tables`):
large tables are read only when the test wrote them or deleted what they reference, and a
broken reference is still found."""
# ruff: noqa: S608 (the table's name is a constant)

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")

ANCESTORS = "territories_territory_ancestors"
EVERY_TABLE = "(every table)"


def _checked_tables() -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        connection.check_constraints()
    if any(q["sql"] == "PRAGMA foreign_key_check" for q in queries):
        return {EVERY_TABLE}
    return {q["sql"].split("(")[1].strip('")') for q in queries if "foreign_key_check(" in q["sql"]}


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_large_tables_are_left_out_until_written(territories):
    checked = _checked_tables()
    assert ANCESTORS not in checked
    assert "accounts_user" in checked  # small tables are always read
    _execute(f'UPDATE "{ANCESTORS}" SET id = id WHERE id = (SELECT min(id) FROM "{ANCESTORS}")')
    assert ANCESTORS in _checked_tables()


def test_a_broken_reference_in_a_large_table_is_found(territories):
    with transaction.atomic():
        _execute(
            f'UPDATE "{ANCESTORS}" SET from_territory_id = -1 '
            f'WHERE id = (SELECT min(id) FROM "{ANCESTORS}")'
        )
        with pytest.raises(IntegrityError, match=ANCESTORS):
            connection.check_constraints()
        transaction.set_rollback(True)
    assert ANCESTORS not in _checked_tables()  # the note went with the rollback


def test_deleting_what_a_large_table_references_is_found(territories):
    commune = territories.get(kind="commune", code="37261")
    with transaction.atomic():
        _execute("DELETE FROM territories_territory WHERE id = %s", [commune.pk])
        with connection.cursor() as cursor:
            noted = {name for (name,) in cursor.execute("SELECT name FROM temp.villes2_fk_written")}
        assert ANCESTORS in noted
        with pytest.raises(IntegrityError):
            connection.check_constraints()
        transaction.set_rollback(True)


def test_after_a_schema_change_every_table_is_read(territories):
    with transaction.atomic():
        _execute("CREATE TABLE villes2_essai (id INTEGER PRIMARY KEY)")
        assert _checked_tables() == {EVERY_TABLE}
        transaction.set_rollback(True)
    assert ANCESTORS not in _checked_tables()
    assert EVERY_TABLE not in _checked_tables()
