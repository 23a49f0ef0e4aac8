"""Signing in to the back office (`/gestion/login/`): login throttling per (user name,
address) with django-axes, the lockout page, and the security events' log lines."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from villes2.accounts.security import username_digest
from villes2.accounts.services import login_attempts_retention_task
from villes2.core.throttle import UNKNOWN_ADDRESS

LOGIN = "/gestion/login/"
PASSWORD = "mot-de-passe-correct"  # noqa: S105 (test account)
HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.7"

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password=PASSWORD, is_staff=True)


@pytest.fixture
def bob():
    return get_user_model().objects.create_user("bob", password=PASSWORD, is_staff=True)


def _sign_in(client, username, password, address=HOME, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/gestion/"},
        REMOTE_ADDR=address,
        **extra,
    )


def _fail(client, username, times, address=HOME, **extra):
    """`times` wrong passwords: the form again with its error, the fifth one locks."""
    for attempt in range(1, times + 1):
        response = _sign_in(client, username, "mauvais", address, **extra)
        assert response.status_code == (429 if attempt >= 5 else 200)


def test_the_right_password_signs_in(client, alice):
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/gestion/"


def test_five_failures_lock_the_user_name_from_that_address(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    _fail(client, "alice", 4)
    response = _sign_in(client, "alice", "mauvais")  # the fifth locks
    assert response.status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5
    # Now even the right password is refused, with the French page.
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "<h1>Connexion suspendue</h1>" in content
    assert "Après 5 tentatives échouées" in content
    assert "Réessayez dans 15 minutes" in content
    assert response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    assert "_auth_user_id" not in client.session


def test_one_attacker_cannot_lock_everyone_out(client, alice, bob):
    _fail(client, "alice", 5)
    assert _sign_in(client, "alice", PASSWORD).status_code == 429
    # Another user from the same address, and the same user from elsewhere, sign in.
    assert _sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert _sign_in(client, "alice", PASSWORD, address=ELSEWHERE).status_code == 302


def test_a_success_clears_the_failures(client, alice):
    _fail(client, "alice", 4)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    _fail(client, "alice", 4)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, alice):
    _fail(client, "alice", 5)
    assert _sign_in(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_attempts_during_the_lock_neither_count_nor_extend_it(client, alice):
    _fail(client, "alice", 5)
    for password in ("mauvais", PASSWORD):
        assert _sign_in(client, "alice", password).status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 5
    # Fifteen minutes after the fifth failure, the lock is over.
    AccessAttempt.objects.update(attempt_time=attempt.attempt_time - datetime.timedelta(minutes=15))
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_behind_the_proxy_the_client_is_the_forwarded_address(client, alice):
    """The reverse proxy on the machine (a trusted proxy) forwards two clients: locking
    one leaves the other free; an address a client forges to the left is ignored."""
    proxied = {"address": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"10.9.9.9, {HOME}"}
    _fail(client, "alice", 5, **proxied)
    assert AccessAttempt.objects.get().ip_address == HOME
    assert _sign_in(client, "alice", PASSWORD, **proxied).status_code == 429
    other = {"address": "127.0.0.1", "HTTP_X_FORWARDED_FOR": ELSEWHERE}
    assert _sign_in(client, "alice", PASSWORD, **other).status_code == 302


def test_a_forwarded_address_from_an_untrusted_client_is_ignored(client, alice):
    _fail(client, "alice", 5, address=HOME, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert AccessAttempt.objects.get().ip_address == HOME


def test_without_any_address_the_lock_still_applies(client, alice):
    """A proxy that passes no address (misconfigured): everyone shares one address, and
    failures still lock instead of going uncounted."""
    _fail(client, "alice", 5, address="")
    assert _sign_in(client, "alice", PASSWORD, address="").status_code == 429
    assert AccessAttempt.objects.get().ip_address == UNKNOWN_ADDRESS


def test_an_unknown_user_name_is_counted_and_locked_the_same(client):
    _fail(client, "personne", 5)
    assert _sign_in(client, "personne", "mauvais").status_code == 429


def test_security_events_are_logged_without_secrets(client, alice, caplog):
    with caplog.at_level(logging.INFO, logger="villes2.security"):
        _sign_in(client, "alice", PASSWORD)
        client.post("/gestion/logout/", REMOTE_ADDR=HOME)
        _fail(client, "alice", 4)
        _sign_in(client, "alice", "mauvais")  # locks
    lines = [record.getMessage() for record in caplog.records if record.name == "villes2.security"]
    digest = username_digest("alice")
    assert lines == [
        f"login succeeded user={alice.pk} ip={HOME}",
        f"logout user={alice.pk} ip={HOME}",
        *[f"login failed username_hmac={digest} ip={HOME}"] * 4,
        # django-axes locks while it records the fifth failure, before Django's signal.
        f"login locked out username_hmac={digest} ip={HOME} minutes=15",
        f"login failed username_hmac={digest} ip={HOME}",
    ]
    assert all("mauvais" not in line and PASSWORD not in line for line in lines)
    assert "alice" not in " ".join(lines)
    assert username_digest("alice") != username_digest("bob")


def test_a_forbidden_page_is_logged_without_its_query_string(client, caplog):
    partner = get_user_model().objects.create_user("partenaire", is_staff=True)
    client.force_login(partner)
    with caplog.at_level(logging.INFO, logger="villes2.security"):
        response = client.get("/gestion/rapport/2025/?jeton=secret", REMOTE_ADDR=HOME)
    assert response.status_code == 403
    [line] = [r.getMessage() for r in caplog.records if "forbidden" in r.getMessage()]
    assert (
        line
        == f"forbidden method=GET route=gestion/rapport/<int:year>/ user={partner.pk} ip={HOME}"
    )


def test_a_forbidden_form_is_logged_by_its_pattern_never_its_token(caplog):
    """A consent form sent without its CSRF cookie: 403, and the signed token of the
    address stays out of the log, as does text shaped into a fake log line."""
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO, logger="villes2.security"):
        response = client.post("/annuaire/mes-choix/JETON-SECRET%0Alogin%20succeeded/", {})
    assert response.status_code == 403
    [line] = [r.getMessage() for r in caplog.records if r.name == "villes2.security"]
    assert line == "forbidden method=POST route=annuaire/mes-choix/<str:token>/ user=- ip=127.0.0.1"


def test_failed_attempts_are_kept_only_as_long_as_they_lock(client, alice):
    _fail(client, "alice", 2)
    _fail(client, "bob", 1, address=ELSEWHERE)
    AccessAttempt.objects.filter(username="bob").update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert login_attempts_retention_task(dry_run=True) == (
        1,
        ["Tentatives de connexion échouées à supprimer : 1"],
    )
    assert AccessAttempt.objects.count() == 2
    assert login_attempts_retention_task(dry_run=False)[0] == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["alice"]
