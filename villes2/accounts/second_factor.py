"""The second factor of staff accounts (RELIABILITY.md: "staff need a second factor (TOTP,
django-otp) for /gestion/ and writes"; docs/accounts.md).

Each staff account has at most one authenticator app (a django-otp `TOTPDevice`: a
secret shared with the app, which shows a new six-digit code every 30 seconds) and a set
of single-use backup codes (a `StaticDevice` and its tokens). A session is verified when
one of them accepted a code (`django_otp.login` stores the device in the session); the
middleware sends staff whose session is not verified to give a code, or to set up their
app the first time.

The services here are the only writers of these devices: enrolment, verification, new
backup codes, reset by a colleague. Wrong codes slow down exponentially (django-otp's
throttling: 1 s, 2 s, 4 s… after each failure, per device)."""

import enum
import logging
import re
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from villes2.core.throttle import client_address

security_log = logging.getLogger("villes2.security")

APP_DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"
CONFIRMED_AT_SESSION_KEY = "villes2_second_factor_confirmed_at"
# What a person types: six digits from the app (spaces allowed), or a backup code.
_APP_CODE = re.compile(r"^\d{6}$")


def is_required(user) -> bool:
    """Does this account need a second factor? Every staff account (the back office,
    and what staff see and write elsewhere)."""
    return bool(user.is_authenticated and user.is_staff)


def is_verified(request: HttpRequest) -> bool:
    """Has a device of this account accepted a code in this session?"""
    return request.user.is_verified()


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_app(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


# --- Setting up the authenticator app ---------------------------------------------------


def new_secret() -> str:
    """A new secret for an app being set up (hex, 20 bytes, as django-otp stores it)."""
    return random_hex(20)


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows for `secret`: the QR code (SVG) and the same secret as
    text, in groups of four, for typing it into the app by hand."""

    secret: str
    config_url: str
    qr_svg: str

    @property
    def typed_secret(self) -> str:
        text = b32encode(unhexlify(self.secret)).decode()
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def enrolment(user, secret: str) -> Enrolment:
    url = TOTPDevice(user=user, key=secret).config_url
    qr = segno.make(url, error="m")
    # Inline SVG: the page requests nothing else; its text alternative is on the page.
    svg = qr.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)
    return Enrolment(secret=secret, config_url=url, qr_svg=svg)


def _app_code_match(secret: str, code: str) -> tuple[int, int] | None:
    """`code` is the app's code for `secret` within one step (±30 s): its time step and
    the app's clock drift in steps, as django-otp records them; otherwise None."""
    totp = TOTP(unhexlify(secret))
    totp.time = time.time()
    if totp.verify(int(code), tolerance=1):
        return totp.t(), totp.drift
    return None


class Setup(enum.Enum):
    DONE = "done"
    WRONG_CODE = "wrong code"
    # The account has an app and this session may not replace it (see `may_set_up_app`).
    NOT_ALLOWED = "not allowed"


def may_set_up_app(request: HttpRequest, *, user=None) -> bool:
    """A session may set up an app when the account has none yet, or to replace it when
    a code was given in this session within the last minutes (`recently_confirmed`):
    never with the password alone, nor from a session left open."""
    user = user or request.user
    return not has_app(user) or (is_verified(request) and recently_confirmed(request))


def confirm_app(request: HttpRequest, secret: str, code: str) -> tuple[Setup, list[str]]:
    """Set up the app holding `secret` if `code` is its current code and the session may
    (`may_set_up_app`, checked again with the account locked, so that two sessions cannot
    both set up a first app): it replaces the account's previous app (a new phone), the
    session is verified by it, and the account gets backup codes if it has none left —
    returned, to be shown once. Nothing is written unless DONE."""
    code = normalise(code)
    match = _app_code_match(secret, code) if _APP_CODE.match(code) else None
    if match is None:
        return Setup.WRONG_CODE, []
    step, drift = match
    user = request.user
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if not may_set_up_app(request, user=user):
            return Setup.NOT_ALLOWED, []
        replaced = TOTPDevice.objects.filter(user=user).delete()[0]
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, key=secret, confirmed=True, last_t=step, drift=drift
        )
        codes = [] if backup_codes_left(user) else replace_backup_codes(user)
    _verified(request, device)
    security_log.info(
        "second factor enrolled user=%s replaced=%s ip=%s",
        user.pk,
        "yes" if replaced else "no",
        client_address(request),
    )
    return Setup.DONE, codes


# --- Verifying a session ----------------------------------------------------------------


def normalise(code: str) -> str:
    """What people type, as compared: spaces and dashes dropped, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass(frozen=True)
class Verification:
    accepted: bool
    # When the device accepts a code again after wrong ones (None: now).
    retry_at: datetime | None = None
    # A backup code was used: how many are left.
    backup_codes_left: int | None = None


def verify(request: HttpRequest, code: str) -> Verification:
    """Check `code` against the account's app (six digits) or its backup codes
    (anything else). On success the session is verified and its key changed."""
    user = request.user
    code = normalise(code)
    is_app_code = bool(_APP_CODE.match(code))
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        if device is None:
            accepted, retry_at = False, None
        else:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                accepted, retry_at = False, (details or {}).get("locked_until")
            else:
                accepted, retry_at = device.verify_token(code), None
    kind = "app" if is_app_code else "backup"
    address = client_address(request)
    if not accepted:
        security_log.warning(
            "second factor failed user=%s kind=%s%s ip=%s",
            user.pk,
            kind,
            " throttled=yes" if retry_at else "",
            address,
        )
        return Verification(accepted=False, retry_at=retry_at)
    _verified(request, device)
    left = None
    if not is_app_code:
        left = backup_codes_left(user)
    security_log.info(
        "second factor verified user=%s kind=%s%s ip=%s",
        user.pk,
        kind,
        f" backup_codes_left={left}" if left is not None else "",
        address,
    )
    return Verification(accepted=True, backup_codes_left=left)


def _verified(request: HttpRequest, device: Device) -> None:
    # A new session key and CSRF token for the session that now holds more rights (as
    # Django does at sign-in); the time of this code, for `recently_confirmed`.
    request.session.cycle_key()
    rotate_token(request)
    django_otp.login(request, device)
    request.session[CONFIRMED_AT_SESSION_KEY] = int(time.time())


def recently_confirmed(request: HttpRequest) -> bool:
    """Was a code given in this session within `SECOND_FACTOR_CONFIRMATION_MINUTES`? Changing
    one's second factor (another app, new backup codes) asks for that, so that a session
    left open or stolen cannot give itself a lasting way in."""
    confirmed_at = request.session.get(CONFIRMED_AT_SESSION_KEY, 0)
    return time.time() - confirmed_at < settings.SECOND_FACTOR_CONFIRMATION_MINUTES * 60


# --- Backup codes -----------------------------------------------------------------------


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def replace_backup_codes(user) -> list[str]:
    """New backup codes for the account; the old ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_BACKUP_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


# --- When the phone is lost -------------------------------------------------------------


def reset(user, *, by=None, address: str = "-") -> bool:
    """Remove the account's app and backup codes: at the next sign-in (or the next page
    of an open session) its owner sets up an app again. Returns whether there was any."""
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).delete()[0]
        backups = StaticDevice.objects.filter(user=user).delete()[0]
    if not (apps or backups):
        return False
    security_log.warning(
        "second factor reset user=%s by=%s ip=%s",
        user.pk,
        by.pk if by is not None else "command",
        address,
    )
    return True
