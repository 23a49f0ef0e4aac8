"""The observatory's public pages: the overview, a territory's portrait, the comparison of
an indicator across territories (with its map and exports), a scheme's dashboard, and the
collection template. All public; bad parameters give a 400 page with a French message."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from villes2.core.registry import registry
from villes2.territories.forms import TerritoryGoForm
from villes2.territories.models import Scheme
from villes2.territories.selectors import territory_canonical, territory_find

from . import collection, exports, selectors
from .filters import ComparisonFilterSet

COMPARISON_PAGE_SIZE = 500
TEMPLATE_FORMATS = ("csv", "xlsx")


def _index(request: HttpRequest, go_form: TerritoryGoForm, status: int = 200) -> HttpResponse:
    context = {
        "overview": selectors.observatory_overview(),
        "go_form": go_form,
        "filterset": ComparisonFilterSet(),
    }
    return render(request, "observation/index.html", context, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, TerritoryGoForm())


@require_safe
def go(request: HttpRequest) -> HttpResponse:
    """The index's territory picker: to the portrait, or back to the index with the error."""
    form = TerritoryGoForm(request.GET)
    if form.is_valid():
        territory = form.cleaned_data["territoire"]
        return redirect("observation:portrait", kind=territory.kind, code=territory.code)
    return _index(request, form, status=400)


@require_safe
def portrait(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    territory = territory_find(kind=kind, code=code)
    if territory is None:
        # An old commune code or a lower-case code: to the current portrait, or 404.
        canonical = territory_canonical(kind=kind, code=code)
        if canonical is None:
            raise Http404
        return redirect(
            "observation:portrait", kind=canonical.kind, code=canonical.code, permanent=True
        )
    return render(
        request,
        "observation/portrait.html",
        {
            "portrait": selectors.territory_portrait(territory=territory),
            "linked_sections": list(registry.linked_sections(territory)),
        },
    )


def _comparison_page(request: HttpRequest, filterset: ComparisonFilterSet, status: int):
    return render(request, "observation/compare.html", {"filterset": filterset}, status=status)


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("indicateur"):
        return _comparison_page(request, ComparisonFilterSet(), 200)
    filterset = ComparisonFilterSet(request.GET)
    if not filterset.is_valid():
        return _comparison_page(request, filterset, 400)
    comparison = selectors.indicator_comparison(
        **filterset.comparison_arguments(), sort=request.GET.get("tri", "")
    )
    page = Paginator(comparison.rows, COMPARISON_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "observation/compare.html",
        {
            "filterset": filterset,
            "comparison": comparison,
            "page": page,
            "heading": filterset.heading(),
            "export_query": filterset.query(tri=comparison.sort),
        },
    )


@require_safe
def compare_map(request: HttpRequest) -> HttpResponse:
    """The comparison's map layer (GeoJSON): values, classes, boundaries, scope outline."""
    filterset = ComparisonFilterSet(request.GET)
    if not filterset.is_valid():
        return JsonResponse({"errors": filterset.form.errors}, status=400)
    arguments = filterset.comparison_arguments()
    comparison = selectors.indicator_comparison(**arguments)
    geometries = selectors.comparison_geometries(kind=arguments["kind"], scope=arguments["scope"])
    content = exports.comparison_map_layer(comparison, geometries, no_value=gettext("no value"))
    return HttpResponse(content, content_type=exports.GEOJSON_CONTENT_TYPE)


@require_safe
def compare_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in exports.FORMATS:
        raise Http404
    filterset = ComparisonFilterSet(request.GET)
    if not filterset.is_valid():
        return _comparison_page(request, filterset, 400)
    arguments = filterset.comparison_arguments()
    comparison = selectors.indicator_comparison(**arguments, sort=request.GET.get("tri", ""))
    if file_format == "csv":
        content = exports.comparison_csv(comparison)
    elif file_format == "xlsx":
        page_url = request.build_absolute_uri(f"{request.path.rsplit('/', 1)[0]}/")
        content = exports.comparison_xlsx(comparison, url=f"{page_url}?{filterset.query()}")
    else:
        geometries = selectors.comparison_geometries(
            kind=arguments["kind"], scope=arguments["scope"]
        )
        content = exports.comparison_geojson(comparison, geometries)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    name = exports.file_name(comparison, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def scheme(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, pk=pk)
    return render(
        request,
        "observation/scheme.html",
        {"dashboard": selectors.scheme_dashboard(scheme=scheme)},
    )


@require_safe
def template(request: HttpRequest) -> HttpResponse:
    return render(request, "observation/template.html", selectors.collection_template_context())


@require_safe
def template_file(request: HttpRequest, file_format: str) -> HttpResponse:
    """The collection template to fill in (written by `collection`)."""
    if file_format not in TEMPLATE_FORMATS:
        raise Http404
    if file_format == "csv":
        content, content_type = collection.collection_template_csv(), exports.CSV_CONTENT_TYPE
    else:
        content, content_type = collection.collection_template_xlsx(), exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="villes2-modele-de-collecte.{file_format}"'
    )
    return response
