import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("villes2.database")


class DatabaseUnavailableMiddleware:
    """When the database does not answer, a French 503 page instead of a server error.

    RELIABILITY.md: "the server answers 503 (not a traceback) when the database is
    unavailable and recovers when it returns". The page is rendered without touching the
    database (no context processors), and `Retry-After` tells clients when to come back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return database_unavailable(request)


DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, for a middleware that needs the database before any view runs."""
    logger.error("database unavailable: %s %s", request.method, request.path, exc_info=True)
    return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "60"})
