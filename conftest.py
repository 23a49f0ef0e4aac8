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


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def territories(reference_data, db):
    """The test database with the reference data loaded."""
    from villes2.territories.models import Territory

    return Territory.objects
