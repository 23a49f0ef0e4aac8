"""Security events, one line each on the `villes2.security` log (RELIABILITY.md): sign-in
succeeded, failed, locked out; sign-out. Lines name the account by its id and the client
by its address; a user name that failed is logged as a keyed hash only (people type their
password in the user name field), enough to see the same name come back, never the text.
No password, token or session key is ever logged.

These are receivers of Django's authentication signals and of django-axes' lockout
signal: logging, not business logic, and the only hook the admin's login offers."""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils.crypto import salted_hmac

from villes2.core.throttle import client_address

security_log = logging.getLogger("villes2.security")


def username_digest(username: str) -> str:
    """A keyed hash of a user name (16 hex characters), the same for the same name."""
    return salted_hmac("villes2.security.username", username or "").hexdigest()[:16]


def _address(request) -> str:
    return (client_address(request) if request is not None else "") or "-"


def login_succeeded(sender, request, user, **kwargs) -> None:
    security_log.info("login succeeded user=%s ip=%s", user.pk, _address(request))


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    security_log.warning(
        "login failed username_hmac=%s ip=%s",
        username_digest(credentials.get("username", "")),
        _address(request),
    )


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    security_log.warning(
        "login locked out username_hmac=%s ip=%s minutes=%s",
        username_digest(username),
        _address(request),
        int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    )


def logged_out(sender, request, user, **kwargs) -> None:
    security_log.info(
        "logout user=%s ip=%s", user.pk if user is not None else "-", _address(request)
    )


def connect() -> None:
    """Called once by `AccountsConfig.ready`."""
    from axes.signals import user_locked_out

    user_logged_in.connect(login_succeeded, dispatch_uid="villes2-security-login")
    user_login_failed.connect(login_failed, dispatch_uid="villes2-security-login-failed")
    user_locked_out.connect(locked_out, dispatch_uid="villes2-security-locked-out")
    user_logged_out.connect(logged_out, dispatch_uid="villes2-security-logout")
