"""The second factor of staff accounts (RELIABILITY.md: "staff need a second factor (TOTP,
django-otp) for /gestion/ and writes"; docs/accounts.md): setting up the app at the first
sign-in, the code at each sign-in, backup codes, throttling, replacing the app, reset by a
colleague or by the command, and who is asked."""

import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from villes2.accounts import second_factor
from villes2.core.testing import app_code, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-correct"  # noqa: S105 (test account)
VERIFY = "/gestion/double-authentification/"
SETUP = "/gestion/double-authentification/application/"
ACCOUNT = "/gestion/double-authentification/compte/"


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("officer", password=PASSWORD, is_staff=True)


@pytest.fixture
def app(officer):
    """The officer's authenticator app, set up earlier."""
    return TOTPDevice.objects.create(user=officer, name="app", confirmed=True)


def _password_step(client, next_url="/gestion/"):
    """The login page's password, then the pages it leads to (followed)."""
    response = sign_in(client, "officer", PASSWORD, next_url=next_url)
    assert response.status_code == 302
    return client.get(response["Location"], follow=True)


def _setup_key(response) -> str:
    """The key the set-up page shows as text, as the person types it into the app."""
    match = re.search(r'<code id="second-factor-key">([A-Z2-7 ]+)</code>', response.text)
    assert match, "the key is shown as text"
    return match.group(1)


def _code_for_key(typed_key: str) -> str:
    from base64 import b32decode

    return app_code(TOTPDevice(key=b32decode(typed_key.replace(" ", "")).hex()))


def _verified(client) -> bool:
    return client.get("/gestion/").status_code == 200


def _codes(user) -> list[str]:
    """The account's unused backup codes, as stored."""
    return list(
        StaticToken.objects.filter(device__user=user).order_by("pk").values_list("token", flat=True)
    )


def _confirm_with_a_code(client, device) -> None:
    """Give a current code on the account's page (before changing the second factor)."""
    response = client.post(ACCOUNT, {"code": app_code(device)})
    assert response["Location"] == ACCOUNT


# --- The first sign-in: setting up the app -------------------------------------------


def test_the_first_sign_in_leads_to_setting_up_an_app(client, officer):
    page = _password_step(client)
    assert [url for url, _status in page.redirect_chain] == [
        f"{VERIFY}?next=%2Fgestion%2F",
        f"{SETUP}?next=%2Fgestion%2F",
    ]
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    # The QR code is drawn in the page (no image requested elsewhere), with a text
    # alternative, and the key is written out for those who cannot scan.
    assert "<svg" in page.text and 'role="img"' in page.text
    key = _setup_key(page)
    assert len(key.replace(" ", "")) == 32
    # Reloading shows the same key (the person may have scanned it already); nothing is
    # written before the app's first code.
    assert _setup_key(client.get(SETUP)) == key
    assert not TOTPDevice.objects.exists()
    assert not _verified(client)


def test_a_wrong_code_sets_up_nothing_and_says_why_in_french(client, officer):
    _password_step(client)
    page = client.get(SETUP)
    key = _setup_key(page)
    wrong = f"{(int(_code_for_key(key)) + 1) % 1_000_000:06d}"
    for code, message in (
        ("", "Saisissez le code."),
        (wrong, "Ce code ne correspond pas à la clé affichée."),
        ("abcdef", "Ce code ne correspond pas à la clé affichée."),
    ):
        response = client.post(SETUP, {"code": code, "next": "/gestion/"})
        assert response.status_code == 200
        assert message in response.text
        assert 'aria-invalid="true"' in response.text
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert _setup_key(client.get(SETUP)) == key


def test_the_apps_code_sets_it_up_verifies_the_session_and_gives_backup_codes(
    client, officer, caplog
):
    _password_step(client, next_url="/gestion/actors/")
    key = _setup_key(client.get(SETUP))
    before = client.session.session_key
    caplog.set_level(logging.INFO, logger="villes2.security")
    code = _code_for_key(key)
    response = client.post(SETUP, {"code": f"{code[:3]} {code[3:]}", "next": "/gestion/actors/"})
    assert response.status_code == 302
    assert response["Location"] == f"{ACCOUNT}?next=%2Fgestion%2Factors%2F"
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed
    codes = _codes(officer)
    assert len(codes) == 10
    assert client.session.session_key != before
    page = client.get(response["Location"])
    assert "Votre application d’authentification est configurée." in page.text
    assert page["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    # The backup codes are shown once, then only counted.
    for token in codes:
        assert f"{token[:4]} {token[4:]}" in page.text
    assert 'href="/gestion/actors/"' in page.text
    again = client.get(ACCOUNT)
    assert "10 codes de secours inutilisés." in again.text
    assert not any(token[:4] in again.text for token in codes)
    assert _verified(client)
    assert f"second factor enrolled user={officer.pk} replaced=no" in caplog.text
    assert code not in caplog.text and key.replace(" ", "") not in caplog.text
    # The code that set the app up does not open a second session.
    other = client_for_password_step(officer)
    response = other.post(VERIFY, {"code": code, "next": "/gestion/"})
    assert response.status_code == 200


def client_for_password_step(user):
    from django.test import Client

    other = Client()
    other.force_login(user, second_factor=False)
    return other


# --- Each sign-in: the code -----------------------------------------------------------


def test_signing_in_asks_for_the_code_and_goes_where_it_was_going(client, app):
    response = _password_step(client, next_url="/gestion/documents/document/")
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{VERIFY}?next=%2Fgestion%2Fdocuments%2Fdocument%2F", 302)]
    assert "Saisissez le code" not in response.text
    assert 'autocomplete="one-time-code"' in response.text
    assert not _verified(client)
    before = client.session.session_key
    response = client.post(VERIFY, {"code": app_code(app), "next": "/gestion/documents/document/"})
    assert response.status_code == 302
    assert response["Location"] == "/gestion/documents/document/"
    assert client.session.session_key != before
    assert _verified(client)
    # Once verified, the page sends on at once.
    assert client.get(VERIFY)["Location"] == "/gestion/"


def test_a_code_works_once(client, app):
    code = app_code(app)
    _password_step(client)
    assert client.post(VERIFY, {"code": code})["Location"] == "/gestion/"
    other = client_for_password_step(app.user)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "Ce code n’est pas valide." in response.text


@override_settings(OTP_TOTP_THROTTLE_FACTOR=60)  # a first wait longer than the test
def test_wrong_codes_slow_down_and_are_logged_without_the_code(client, app, caplog):
    _password_step(client)
    wrong = f"{(int(app_code(app)) + 500_000) % 1_000_000:06d}"
    caplog.set_level(logging.INFO, logger="villes2.security")
    response = client.post(VERIFY, {"code": wrong})
    assert "Ce code n’est pas valide." in response.text
    # At once again, even with the right code: the device waits (1 s, 2 s, 4 s…).
    response = client.post(VERIFY, {"code": app_code(app)})
    assert response.status_code == 200
    waiting = r"Trop de codes erronés : attendez \d+ secondes?, puis réessayez\."
    assert re.search(waiting, response.text)
    assert not _verified(client)
    assert f"second factor failed user={app.user.pk} kind=app ip=127.0.0.1" in caplog.text
    assert "throttled=yes" in caplog.text
    assert wrong not in caplog.text
    # Once the wait is over, the right code is accepted.
    TOTPDevice.objects.filter(pk=app.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )
    assert client.post(VERIFY, {"code": app_code(app)}).status_code == 302
    assert _verified(client)
    app.refresh_from_db()
    assert app.throttling_failure_count == 0


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://ailleurs.example/",
        "//ailleurs.example/",
        "/\\ailleurs.example/",
        "javascript:alert(1)",
    ],
)
def test_the_next_address_stays_on_this_site(client, app, elsewhere):
    _password_step(client)
    response = client.post(VERIFY, {"code": app_code(app), "next": elsewhere})
    assert response["Location"] == "/gestion/"


# --- Backup codes ---------------------------------------------------------------------


def test_a_backup_code_works_once_and_says_how_many_are_left(client, app, caplog):
    codes = second_factor.replace_backup_codes(app.user)
    _password_step(client)
    caplog.set_level(logging.INFO, logger="villes2.security")
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0][4:]})
    assert response.status_code == 302
    page = client.get("/gestion/")
    assert page.status_code == 200
    assert "Il vous reste 9 codes de secours." in page.text
    assert "kind=backup backup_codes_left=9" in caplog.text
    assert codes[0] not in caplog.text
    other = client_for_password_step(app.user)
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert _codes(app.user) == codes[1:]


def test_new_backup_codes_need_a_fresh_code_replace_the_old_ones_and_show_once(client, app):
    old = second_factor.replace_backup_codes(app.user)
    client.force_login(app.user)  # a session verified earlier, no code given here since
    page = client.get(ACCOUNT)
    assert "donnez d’abord un code actuel" in page.text
    assert "Générer de nouveaux codes de secours" not in page.text
    client.post(ACCOUNT, {"action": "new-codes"})
    assert _codes(app.user) == old
    # A wrong code: said on the field, nothing changes.
    response = client.post(ACCOUNT, {"code": "zzzz zzzz"})
    assert response.status_code == 200
    assert "Ce code n’est pas valide." in response.text
    StaticDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    _confirm_with_a_code(client, app)
    response = client.post(ACCOUNT, {"action": "new-codes"})
    assert response["Location"] == ACCOUNT
    new = _codes(app.user)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.filter(user=app.user).count() == 1
    page = client.get(ACCOUNT)
    assert "Conservez-les maintenant : ils ne seront plus affichés." in page.text
    assert all(f"{token[:4]} {token[4:]}" in page.text for token in new)
    assert new[0][:4] not in client.get(ACCOUNT).text
    other = client_for_password_step(app.user)
    assert other.post(VERIFY, {"code": old[1]}).status_code == 200
    StaticDevice.objects.update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    assert other.post(VERIFY, {"code": new[1]}).status_code == 302


def test_a_code_given_too_long_ago_no_longer_allows_changes(client, app):
    client.force_login(app.user)
    _confirm_with_a_code(client, app)
    assert client.get(SETUP).status_code == 200
    session = client.session
    session[second_factor.CONFIRMED_AT_SESSION_KEY] -= 11 * 60
    session.save()
    assert client.get(SETUP)["Location"] == ACCOUNT


def test_few_backup_codes_left_suggests_new_ones(client, app):
    codes = second_factor.replace_backup_codes(app.user)
    StaticToken.objects.filter(token__in=codes[:7]).delete()
    _password_step(client)
    client.post(VERIFY, {"code": codes[7]})
    page = client.get("/gestion/")
    assert "Il vous reste 2 codes de secours." in page.text
    assert "Générez-en de nouveaux" in page.text


# --- Replacing the app ------------------------------------------------------------------


def test_a_password_alone_cannot_replace_the_app(client, app):
    _password_step(client)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=app.user)) == [app]


def test_a_session_that_just_gave_a_code_replaces_the_app_and_keeps_the_backup_codes(
    client, app, caplog
):
    codes = second_factor.replace_backup_codes(app.user)
    client.force_login(app.user)
    # Verified earlier, but no code given lately: the account's page asks for one first.
    assert client.get(SETUP)["Location"] == ACCOUNT
    _confirm_with_a_code(client, app)
    page = client.get(SETUP)
    assert "remplace la précédente" in page.text
    caplog.set_level(logging.INFO, logger="villes2.security")
    response = client.post(SETUP, {"code": _code_for_key(_setup_key(page))})
    assert response.status_code == 302
    (device,) = TOTPDevice.objects.filter(user=app.user)
    assert device.pk != app.pk
    assert _codes(app.user) == codes
    assert "replaced=yes" in caplog.text
    # The old app's codes no longer open anything.
    app.last_t = -1
    other = client_for_password_step(app.user)
    assert other.post(VERIFY, {"code": app_code(app)}).status_code == 200


def test_two_sessions_with_the_password_cannot_both_set_up_the_first_app(client, officer):
    """Someone who learnt the password of an account without an app, on the set-up page
    at the same time as its owner, cannot replace the app the owner just set up."""
    _password_step(client)
    intruder = client_for_password_step(officer)
    intruder_key = _setup_key(intruder.get(SETUP))
    owner_key = _setup_key(client.get(SETUP))
    assert client.post(SETUP, {"code": _code_for_key(owner_key)}).status_code == 302
    response = intruder.post(SETUP, {"code": _code_for_key(intruder_key)})
    assert response["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=officer)
    assert _setup_key_of(device) == owner_key.replace(" ", "")
    assert not _verified(intruder)


def _setup_key_of(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


# --- Lost phone: reset --------------------------------------------------------------------


def test_a_reset_from_the_accounts_list_sends_the_owner_back_to_setting_up(client, app, caplog):
    second_factor.replace_backup_codes(app.user)
    owner = client_for_password_step(app.user)
    owner.force_login(app.user)
    assert owner.get("/gestion/").status_code == 200
    admin = get_user_model().objects.create_superuser("direction", password=PASSWORD)
    client.force_login(admin)
    listing = client.get("/gestion/accounts/user/")
    assert "Double authentification" in listing.text
    caplog.set_level(logging.INFO, logger="villes2.security")
    response = client.post(
        "/gestion/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [app.user.pk]},
        follow=True,
    )
    assert "Double authentification réinitialisée pour 1 compte" in response.text
    assert not TOTPDevice.objects.filter(user=app.user).exists()
    assert not StaticDevice.objects.filter(user=app.user).exists()
    assert f"second factor reset user={app.user.pk} by={admin.pk}" in caplog.text
    # The owner's open session is verified no more: next page, the app is set up again.
    response = owner.get("/gestion/")
    assert response["Location"] == f"{VERIFY}?next=%2Fgestion%2F"
    assert owner.get(response["Location"])["Location"].startswith(SETUP)


def test_the_reset_action_needs_the_right_to_change_accounts(client, app):
    from django.contrib.auth.models import Group

    from villes2.accounts.roles import ASSISTANT, DIRECTION

    assistant = get_user_model().objects.create_user("assistant", is_staff=True)
    assistant.groups.add(Group.objects.get(name=ASSISTANT))
    client.force_login(assistant)
    assert client.get("/gestion/accounts/user/").status_code == 200
    client.post(
        "/gestion/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [app.user.pk]},
    )
    assert TOTPDevice.objects.filter(user=app.user).exists()
    # The director may (change_user).
    director = get_user_model().objects.create_user("directrice", is_staff=True)
    director.groups.add(Group.objects.get(name=DIRECTION))
    client.force_login(director)
    client.post(
        "/gestion/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [app.user.pk]},
    )
    assert not TOTPDevice.objects.filter(user=app.user).exists()
    # Again: nothing left to reset, and the page says so.
    response = client.post(
        "/gestion/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [app.user.pk]},
        follow=True,
    )
    assert "Aucun de ces comptes n’avait de double authentification." in response.text


def test_the_reset_command(app):
    call_command("reset_second_factor", "officer", stdout=(out := __import__("io").StringIO()))
    assert "réinitialisée" in out.getvalue()
    assert not TOTPDevice.objects.exists()
    with pytest.raises(CommandError, match="Aucun compte ne porte le nom « personne »"):
        call_command("reset_second_factor", "personne")


# --- Who is asked ---------------------------------------------------------------------------


def test_staff_waiting_for_the_code_are_asked_for_it_on_public_pages_too(client, app):
    """What staff see beyond the public (unpublished records in search, the coordination
    page) waits for the code as well."""
    client.force_login(app.user, second_factor=False)
    for path in ("/", "/recherche/?q=emploi", "/en/agenda/coordination/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path
    assert client.get("/healthz").status_code == 200


def test_accounts_without_staff_status_and_visitors_are_not_asked(client):
    assert client.get("/").status_code == 200
    member = get_user_model().objects.create_user("membre", password=PASSWORD)
    client.force_login(member)
    assert client.get("/").status_code == 200
    # The second factor's pages are the back office's: its login for them.
    for path in (VERIFY, SETUP, ACCOUNT):
        assert client.get(path)["Location"].startswith("/gestion/login/?next="), path


def test_the_database_unavailable_gives_the_503_page(client, app):
    client.force_login(app.user)
    with mock.patch.object(second_factor, "is_required", side_effect=OperationalError):
        response = client.get("/gestion/")
    assert response.status_code == 503


def test_pages_of_a_verified_session_cost_one_query_for_the_device(
    client, app, django_assert_num_queries
):
    """OTPMiddleware reads the session's device once per request; the account page adds
    its app and its codes."""
    second_factor.replace_backup_codes(app.user)
    client.force_login(app.user)
    client.get(ACCOUNT)
    # session, user, the session's device; the account's permissions (own, groups) for
    # the back office's menu; its app, its codes' count
    with django_assert_num_queries(7):
        assert client.get(ACCOUNT).status_code == 200


def test_the_qr_code_holds_the_key_and_the_issuer(officer):
    secret = second_factor.new_secret()
    enrolment = second_factor.enrolment(officer, secret)
    assert enrolment.config_url.startswith("otpauth://totp/Villes%C2%B2%3Aofficer?secret=")
    assert "issuer=Villes%C2%B2" in enrolment.config_url
    assert enrolment.typed_secret.replace(" ", "") in enrolment.config_url
    totp = TOTP(bytes.fromhex(secret))
    assert second_factor._app_code_match(secret, f"{totp.token():06d}") is not None
