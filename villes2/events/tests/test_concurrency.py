"""Never overbooked under concurrent registrations: parallel requests against a live
server, and parallel calls of the service, each from its own database connection.

Run on both databases (docs: `DATABASE_URL=postgres://… pytest`). On SQLite the test
database is in memory and shared by one connection with the live server: writers
could not contend, and the test would prove nothing. So, for these tests only, the
database is copied to a file that every thread opens on its own, with the settings'
WAL journal and IMMEDIATE transactions, as in production (`concurrent_database`).

These tests are transactional (pytest-django runs them after the others, then empties
the database): they create everything they need and rely on no reference data.
"""

from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse

from villes2.events import services
from villes2.events.models import Event, Registration, RegistrationStatus
from villes2.events.views import registration as registration_views

from . import factories

CAPACITY = 5
REGISTRANTS = 12
WORKERS = 8


@pytest.fixture
def concurrent_database(transactional_db, tmp_path):
    """Make every thread open its own connection to one database that they share.

    PostgreSQL does so already. SQLite's in-memory test database is copied to a file
    (backup API: schema and rows) that new connections open instead; the in-memory one
    is kept open, untouched, and given back afterwards."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory = connections["default"]
    memory_settings = connections.settings["default"]
    memory.ensure_connection()
    path = tmp_path / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    connections.settings["default"] = {**memory_settings, "NAME": str(path)}
    file_connection = connections.create_connection("default")
    connections["default"] = file_connection
    try:
        yield
    finally:
        file_connection.close()
        connections["default"] = memory
        connections.settings["default"] = memory_settings


@pytest.fixture
def server(concurrent_database):
    """A threaded live server whose request threads open their own connections (unlike
    pytest-django's `live_server`, which shares an in-memory SQLite connection)."""
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


@pytest.fixture
def unthrottled(monkeypatch):
    """Every request comes from 127.0.0.1: lift the per-address limit for the test."""
    cache.clear()
    monkeypatch.setattr(registration_views, "REGISTRATIONS_PER_ADDRESS", 1000)
    yield
    cache.clear()


def _small_event() -> Event:
    return factories.event(
        registration_open=True, capacity=CAPACITY, title="Atelier très demandé", slug="atelier"
    )


def _assert_never_overbooked(event: Event) -> None:
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == REGISTRANTS
    assert registrations.confirmed().count() == CAPACITY
    assert registrations.waitlisted().count() == REGISTRANTS - CAPACITY
    # The waiting list is in arrival order: the confirmed came first.
    ordered = list(registrations.order_by("created_at", "pk").values_list("status", flat=True))
    assert ordered == [RegistrationStatus.CONFIRMED] * CAPACITY + [
        RegistrationStatus.WAITLISTED
    ] * (REGISTRANTS - CAPACITY)


def test_parallel_requests_never_overbook(server, unthrottled, mailoutbox):
    event = _small_event()
    url = server + reverse("events:register", args=[event.slug])
    # The forms are all opened first, then sent at once.
    ready = threading.Barrier(REGISTRANTS, timeout=60)

    def register(number: int) -> tuple[int, str]:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(url, timeout=60) as page:
            form = page.read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "name": f"Personne {number}",
                "organisation": "Mairie",
                "role": "",
                "email": f"personne{number}@example.org",
                "website": "",
            }
        ).encode()
        ready.wait()
        try:
            request = urllib.request.Request(url, data=data)  # noqa: S310 (the test server)
            with opener.open(request, timeout=60) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")[:500]

    with ThreadPoolExecutor(max_workers=REGISTRANTS) as pool:
        results = list(pool.map(register, range(REGISTRANTS)))

    # Each registrant followed the redirection to their registration's page.
    assert [status for status, _ in results] == [200] * REGISTRANTS, results
    assert all("/agenda/inscription/" in final_url for _, final_url in results)
    _assert_never_overbooked(event)
    subjects = sorted(message.subject for message in mailoutbox)
    assert subjects == sorted(
        ["Inscription confirmée : Atelier très demandé"] * CAPACITY
        + ["Liste d'attente : Atelier très demandé"] * (REGISTRANTS - CAPACITY)
    )
    positions = sorted(
        int(re.search(r"en position (\d+)\.", message.body).group(1))
        for message in mailoutbox
        if message.subject.startswith("Liste")
    )
    assert positions == list(range(1, REGISTRANTS - CAPACITY + 1))


def test_parallel_service_calls_never_overbook(concurrent_database):
    event = _small_event()
    start = threading.Barrier(WORKERS, timeout=60)

    def register(number: int) -> str:
        if number < WORKERS:
            start.wait()
        try:
            registration = services.registration_create(
                event=event,
                name=f"Personne {number}",
                organisation="",
                email=f"personne{number}@example.org",
                role="",
                base_url="http://testserver/",
            )
            return registration.status
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(register, range(REGISTRANTS)))

    assert sorted(statuses) == sorted(
        [RegistrationStatus.CONFIRMED] * CAPACITY
        + [RegistrationStatus.WAITLISTED] * (REGISTRANTS - CAPACITY)
    )
    _assert_never_overbooked(event)


def test_parallel_duplicates_make_one_registration(concurrent_database):
    """The same address sent eight times at once: one registration, seven explained
    refusals."""
    event = _small_event()
    start = threading.Barrier(WORKERS, timeout=60)

    def register(_number: int) -> str:
        start.wait()
        try:
            services.registration_create(
                event=event,
                name="Même Personne",
                organisation="",
                email="meme@example.org",
                role="",
                base_url="http://testserver/",
            )
            return "created"
        except ValidationError as error:
            return error.error_dict["email"][0].code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = sorted(pool.map(register, range(WORKERS)))

    assert outcomes == ["created"] + ["duplicate"] * (WORKERS - 1)
    assert Registration.objects.filter(event=event).count() == 1
