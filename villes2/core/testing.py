"""Helpers for the apps' test factories."""

import factory


def m2m(field_name: str) -> factory.PostGeneration:
    """A factory_boy hook filling a many-to-many: `Factory(territories=[a, b])`."""

    def add(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).add(*extracted)

    return factory.PostGeneration(add)


def staff_user(username: str = "staff", *, role: str = ""):
    """A staff account, in the role's group when one is given (roles.DIRECTION…)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="x", is_staff=True)  # noqa: S106 (test account)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


# --- SQLite: the end-of-test foreign-key check of large tables, only when written -------
#
# At the end of each test, Django's TestCase runs `check_constraints()` before rolling
# back: on SQLite that is `PRAGMA foreign_key_check` over every table, 0.15 s once the
# reference data is loaded (the territories' closure, their parents and the indicator
# values: 370,000 rows), a quarter of the suite's time. After the reference data is
# loaded, `watch_large_tables` lists those tables and sets temporary triggers that note,
# in a temporary table rolled back with the test, when one of them is written or a row
# it references is deleted or has its key changed. The check then reads every other table
# as before, and a large one only when the test touched it. PostgreSQL checks its
# deferred constraints itself (`SET CONSTRAINTS ALL IMMEDIATE`): nothing changes there.

LARGE_TABLE_ROWS = 10_000
_WRITTEN = "villes2_fk_written"


def watch_large_tables(connection) -> None:
    """Set the triggers on `connection` (SQLite, outside a transaction) and remember which
    tables the end-of-test check reads always. Does nothing on other databases."""
    if connection.vendor != "sqlite":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = [
            name
            for (name,) in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        ]
        large = {
            name
            for name in tables
            if cursor.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608 (names from sqlite_master)
            >= LARGE_TABLE_ROWS
        }
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_WRITTEN} (name TEXT)")
        for number, table in enumerate(sorted(large)):
            # No unique key: an outer statement's conflict clause (an upsert, OR REPLACE)
            # would override the trigger's own.
            note = (
                f"INSERT INTO {_WRITTEN} SELECT '{table}' WHERE NOT EXISTS "  # noqa: S608 (idem)
                f"(SELECT 1 FROM {_WRITTEN} WHERE name = '{table}')"
            )
            triggers = [
                f"AFTER INSERT ON main.{quote(table)}",
                f"AFTER UPDATE ON main.{quote(table)}",
            ]
            for key in cursor.execute(f"PRAGMA foreign_key_list({quote(table)})").fetchall():
                parent, column = quote(key[2]), quote(key[4])
                triggers += [
                    f"AFTER DELETE ON main.{parent}",
                    f"AFTER UPDATE OF {column} ON main.{parent}",
                ]
            for index, event in enumerate(triggers):
                cursor.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS villes2_fk_{number}_{index} {event} "
                    f"BEGIN {note}; END"
                )
        schema = cursor.execute("PRAGMA schema_version").fetchone()[0]
    connection._villes2_fk_watch = (
        connection.connection,
        schema,
        [t for t in tables if t not in large],
    )


def check_constraints_of_written_tables(original):
    """`DatabaseWrapper.check_constraints` of SQLite, reading large tables only when a
    trigger of `watch_large_tables` noted a write. As Django (every table) on another
    connection, or once the schema changed (a table created, dropped or rebuilt: the
    triggers and the list may no longer hold)."""

    def check_constraints(self, table_names=None):
        watch = getattr(self, "_villes2_fk_watch", None)
        if table_names is None and watch is not None and watch[0] is self.connection:
            with self.cursor() as cursor:
                if cursor.execute("PRAGMA schema_version").fetchone()[0] != watch[1]:
                    return original(self, None)
                written = [
                    r[0]
                    for r in cursor.execute(f"SELECT DISTINCT name FROM temp.{_WRITTEN}")  # noqa: S608
                ]
            table_names = [*watch[2], *written]
        return original(self, table_names)

    return check_constraints


def verify_session_with_test_app(client, user) -> None:
    """Mark the test client's session as verified by a second factor (an authenticator
    app set up for the test), as the login's second step does (docs/accounts.md)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def app_code(device) -> str:
    """The code an authenticator app holding `device`'s secret gives now, as the server
    will check it (the device's recorded clock drift) and never one already used: if this
    step's code was used, the next step's (the server allows one step ahead); if that too,
    after waiting for the next 30 seconds."""
    import time

    from django_otp.oath import TOTP

    if device.pk is not None and type(device).objects.filter(pk=device.pk).exists():
        device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    if step > totp.t() + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        step = max(totp.t(), device.last_t + 1)
    totp.time = (step - device.drift) * device.step + device.t0
    return f"{totp.token():06d}"


def sign_in(client, username: str, password: str, *, code: str | None = None, next_url="/gestion/"):
    """Sign in through the back office's login page, then its second step with `code`
    (if given). Returns the last response."""
    response = client.post(
        "/gestion/login/", {"username": username, "password": password, "next": next_url}
    )
    if code is None or response.status_code != 302:
        return response
    return client.post("/gestion/double-authentification/", {"code": code, "next": next_url})
