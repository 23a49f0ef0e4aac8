import logging

from django.http import HttpRequest, HttpResponse

from villes2.core.throttle import client_address

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
