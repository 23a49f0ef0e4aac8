"""Shared pytest fixtures.

`reference_data` loads the real reference and founding data once per test session into
the test database (about 10 s on SQLite). Tests that use the `db` fixture run inside a
transaction rolled back after each test, so they all see the loaded data; pytest-django
runs transactional tests after them, and those flush the database, so a transactional
test must not rely on this fixture.
"""

import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _sqlite_checks_large_tables_only_when_written():
    """See `villes2.core.testing.watch_large_tables`."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from villes2.core.testing import check_constraints_of_written_tables

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            DatabaseWrapper,
            "check_constraints",
            check_constraints_of_written_tables(DatabaseWrapper.check_constraints),
        )
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (French). A request to an /en/ page leaves
    English active in the thread afterwards (Django's LocaleMiddleware does not undo it),
    which would otherwise leak into whichever test the process runs next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _force_login_gives_both_factors():
    """`client.force_login(user)` stands for a complete sign-in: for a staff account that
    is the password *and* the second factor (docs/accounts.md), so the session is marked
    verified by a test app. `force_login(user, second_factor=False)` signs in with the
    password only, as after the first step of the login page."""
    from django.test.client import ClientMixin

    from villes2.core.testing import verify_session_with_test_app

    original = ClientMixin.force_login

    def force_login(self, user, backend=None, second_factor=True):
        original(self, user, backend)
        if second_factor and user.is_staff:
            verify_session_with_test_app(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClientMixin, "force_login", force_login)
        yield


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    from django.db import connection

    from villes2.core.testing import watch_large_tables

    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())
        watch_large_tables(connection)


@pytest.fixture
def territories(reference_data, db):
    """The test database with the reference data loaded."""
    from villes2.territories.models import Territory

    return Territory.objects
