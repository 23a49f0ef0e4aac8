import logging
from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from villes2.core.middleware import DATABASE_ERRORS, database_unavailable
from villes2.core.throttle import client_address

from . import second_factor

security_log = logging.getLogger("villes2.security")


class ForbiddenLogMiddleware:
    """Every 403 answer is a security event: one line on the `villes2.security` log with
    the method, the URL pattern (`annuaire/mes-choix/<str:token>/`: never the path or the
    query string, which may carry a signed token, nor text a visitor could shape into a
    fake log line), the account and the address (RELIABILITY.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            security_log.warning(
                "forbidden method=%s route=%s user=%s ip=%s",
                request.method,
                match.route if match is not None else "-",
                user.pk if user is not None and user.is_authenticated else "-",
                client_address(request),
            )
        return response


class SecondFactorMiddleware:
    """Staff whose session no code has verified yet (signed in with their password only)
    are sent to the second-factor page — which sends those without an app to set one up —
    from every page but that one, the login and logout, and the health check: the back
    office, and what staff see and write elsewhere (unpublished records in search, the
    coordination page), all wait for the code (RELIABILITY.md, docs/accounts.md).

    In `process_view`, where the matched URL's name is known; after django-otp's
    `OTPMiddleware`, which tells which device verified the session."""

    EXEMPT = frozenset(
        {
            "admin:login",
            "admin:logout",
            "accounts:second_factor",
            "accounts:second_factor_setup",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in self.EXEMPT:
            return None
        try:
            waiting = second_factor.is_required(request.user) and not request.user.is_verified()
        except DATABASE_ERRORS:
            return database_unavailable(request)
        if not waiting:
            return None
        target = reverse("accounts:second_factor")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(target)
