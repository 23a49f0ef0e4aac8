import logging

from django.http import HttpRequest, HttpResponse

from villes2.core.throttle import client_address

security_log = logging.getLogger("villes2.security")


class ForbiddenLogMiddleware:
    """Every 403 answer is a security event: one line on the `villes2.security` log with
    the method, the path (never the query string, which may carry a token), the account
    and the address (RELIABILITY.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security_log.warning(
                "forbidden method=%s path=%s user=%s ip=%s",
                request.method,
                request.path,
                user.pk if user is not None and user.is_authenticated else "-",
                client_address(request),
            )
        return response
