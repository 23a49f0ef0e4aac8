"""The EUKN export (docs/practices-export.md): one published record or a selection, in
JSON or XML, the schemas of both formats, and the page documenting the format. Only
published records, whoever asks."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from .. import exports, selectors

JSON_TYPE = "application/json"
XML_TYPE = "application/xml; charset=utf-8"


def _absolute(request: HttpRequest):
    return request.build_absolute_uri


def _schema_url(request: HttpRequest, name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(name))


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _selection(request: HttpRequest):
    """The published records the query string selects, in its order, or the 400."""
    try:
        pks = exports.selection_from_query(request.GET)
    except exports.ExportRequestError as error:
        return None, HttpResponse(
            error.message, status=400, content_type="text/plain; charset=utf-8"
        )
    found = {practice.pk: practice for practice in selectors.practices_for_export(pks)}
    return [found[pk] for pk in pks if pk in found], None


def _selection_name(extension: str) -> str:
    return f"experiences-eukn-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_safe
def practices_export_json(request: HttpRequest) -> HttpResponse:
    practices, refusal = _selection(request)
    if refusal is not None:
        return refusal
    document = exports.export_document(practices, absolute=_absolute(request))
    return _attachment(exports.to_json(document), JSON_TYPE, _selection_name("json"))


@require_safe
def practices_export_xml(request: HttpRequest) -> HttpResponse:
    practices, refusal = _selection(request)
    if refusal is not None:
        return refusal
    document = exports.export_document(practices, absolute=_absolute(request))
    body = exports.to_xml(document, schema_url=_schema_url(request, "practices:export_schema_xsd"))
    return _attachment(body, XML_TYPE, _selection_name("xml"))


def _one(pk: int):
    practices = list(selectors.practices_for_export([pk]))
    if not practices:
        raise Http404
    return practices


@require_safe
def practice_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    document = exports.export_document(_one(pk), absolute=_absolute(request))
    return _attachment(exports.to_json(document), JSON_TYPE, f"experience-{pk}-eukn.json")


@require_safe
def practice_export_xml(request: HttpRequest, pk: int) -> HttpResponse:
    document = exports.export_document(_one(pk), absolute=_absolute(request))
    body = exports.to_xml(document, schema_url=_schema_url(request, "practices:export_schema_xsd"))
    return _attachment(body, XML_TYPE, f"experience-{pk}-eukn.xml")


@require_safe
def export_schema_json(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        exports.JSON_SCHEMA_FILE.read_bytes(), content_type="application/schema+json"
    )


@require_safe
def export_schema_xsd(request: HttpRequest) -> HttpResponse:
    return HttpResponse(exports.XSD_FILE.read_bytes(), content_type=XML_TYPE)


@require_safe
def export_format(request: HttpRequest) -> HttpResponse:
    """The format documented field by field (the same content as
    docs/practices-export.md)."""
    return render(
        request,
        "practices/export_format.html",
        {
            "groups": exports.FIELDS,
            "format_name": exports.FORMAT_NAME,
            "format_version": exports.FORMAT_VERSION,
            "xml_namespace": exports.XML_NAMESPACE,
            "max_records": exports.MAX_RECORDS,
            "item_names": sorted(exports.ITEM_NAMES.items()),
        },
    )
