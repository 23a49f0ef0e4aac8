from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from villes2.documents.oai import DocumentRepository
from villes2.practices.oai import PracticeRepository

from . import protocol
from .composite import CompositeRepository, Source


def repository(request: HttpRequest) -> CompositeRepository:
    """The catalogue (first: Identify's facts are its own) and the experience records,
    sharing one computation of the themes per request."""
    documents = DocumentRepository(absolute=request.build_absolute_uri)
    practices = PracticeRepository(
        absolute=request.build_absolute_uri, themes_by_concept=documents.themes_by_concept
    )
    return CompositeRepository(
        [
            Source(documents, "documents/", frozenset({"type", "theme"})),
            Source(practices, "experiences/", frozenset({"experiences"})),
        ]
    )


# Harvesters POST without a CSRF token (OAI-PMH §3.1.1.2); the endpoint writes nothing.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    """The OAI-PMH endpoint. French whatever the browser asks: set names and record URLs
    are those of the French site, the one harvesters index."""
    params = request.POST if request.method == "POST" else request.GET
    with translation.override(settings.LANGUAGE_CODE):
        body = protocol.respond(
            repository(request),
            params.lists(),
            base_url=request.build_absolute_uri(request.path),
            page_size=settings.OAI_PAGE_SIZE,
        )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
