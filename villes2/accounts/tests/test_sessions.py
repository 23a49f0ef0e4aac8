"""Sessions (RELIABILITY.md, security checklist): a new session key at sign-in; signing
out, deactivating the account and changing its password end the sessions already open;
the session cookie is HttpOnly and SameSite (Secure in production: core's deploy check)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from villes2.core.testing import app_code, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-correct"  # noqa: S105 (test account)
HOME = "/gestion/"


@pytest.fixture
def director():
    user = get_user_model().objects.create_user(
        "direction", password=PASSWORD, is_staff=True, is_superuser=True
    )
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return user


def _signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


def _sign_in(client):
    """Both steps: the password, then the app's code (never one used already)."""
    device = TOTPDevice.objects.get(user__username="direction")
    return sign_in(client, "direction", PASSWORD, code=app_code(device))


def test_signing_in_gives_a_new_session_key(client, director):
    client.get("/gestion/login/")
    client.session.save()
    before = client.session.session_key
    assert _sign_in(client).status_code == 302
    assert client.session.session_key != before
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_signing_out_ends_the_session(client, director):
    _sign_in(client)
    key = client.session.session_key
    client.post("/gestion/logout/")
    assert not _signed_in(client)
    # The old cookie replayed opens nothing.
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get(HOME).status_code == 302


def test_deactivating_the_account_ends_its_sessions(client, director):
    _sign_in(client)
    assert _signed_in(client)
    director.is_active = False
    director.save()
    assert not _signed_in(client)


def test_a_new_password_ends_the_other_sessions(director):
    laptop, phone = Client(), Client()
    _sign_in(laptop)
    _sign_in(phone)
    assert _signed_in(laptop) and _signed_in(phone)
    response = laptop.post(
        "/gestion/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "un-tout-autre-secret-2026",
            "new_password2": "un-tout-autre-secret-2026",
        },
    )
    assert response.status_code == 302
    assert _signed_in(laptop)  # the session that changed it stays open
    assert not _signed_in(phone)
