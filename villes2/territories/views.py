from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from villes2.core.registry import registry

from . import selectors
from .filters import TerritoryFilterSet
from .forms import TerritoryGoForm
from .models import Territory

SEARCH_PAGE_SIZE = 25
SUGGESTIONS = 10
CONTENT_PAGE_SIZE = 50


def _index(request: HttpRequest, go_form: TerritoryGoForm, status: int = 200) -> HttpResponse:
    areas = selectors.centre_former_regions()
    context = {
        "areas": areas,
        "table": selectors.territory_table(areas),
        "departements": selectors.departement_table(areas),
        "go_form": go_form,
    }
    return render(request, "territories/index.html", context, status=status)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, TerritoryGoForm())


@require_safe
def centre_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.centre_map_layer(selectors.centre_former_regions()))


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Territory search page (no JavaScript needed)."""
    filterset = TerritoryFilterSet(request.GET, queryset=Territory.objects.with_list_related())
    has_query = filterset.is_valid() and any(
        filterset.form.cleaned_data.get(name) for name in ("q", "within")
    )
    results = filterset.qs if has_query else Territory.objects.none()
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "territories/search.html",
        {"filterset": filterset, "page": page, "has_query": has_query},
    )


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """The picker's suggestions (htmx fragment). The picker sends its own field name in
    `field`, the text under that name, and optionally the one kind it accepts."""
    text = request.GET.get(request.GET.get("field") or "q", "")
    filterset = TerritoryFilterSet(
        {"q": text, "kind": request.GET.get("kind", "")},
        queryset=Territory.objects.with_list_related(),
    )
    valid = filterset.is_valid() and filterset.form.cleaned_data.get("q")
    results = filterset.qs[:SUGGESTIONS] if valid else []
    return render(
        request,
        "territories/partials/suggestions.html",
        {"results": results, "listbox_id": request.GET.get("listbox", "")},
    )


@require_safe
def go(request: HttpRequest) -> HttpResponse:
    """Resolve the picker's text to a territory page; otherwise explain why on the index."""
    form = TerritoryGoForm(request.GET)
    if form.is_valid():
        return redirect(form.cleaned_data["territoire"])
    return _index(request, form, status=400)


@require_safe
def detail(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    territory = selectors.territory_find(kind=kind, code=code, for_page=True)
    if territory is None:
        # An old commune code or a lower-case code: send to the current page, or 404.
        canonical = selectors.territory_canonical(kind=kind, code=code)
        if canonical is None:
            raise Http404
        return redirect(canonical, permanent=True)
    groups = selectors.territory_content_groups(territory)
    shown_group = next(
        (group for group in groups if group.kind == request.GET.get("contenu")),
        groups[0] if groups else None,
    )
    contents = None
    if shown_group:
        contents = Paginator(
            selectors.territory_contents(territory, shown_group.kind), CONTENT_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "territories/detail.html",
        {
            "territory": territory,
            "groups": groups,
            "shown_group": shown_group,
            "contents": contents,
            "linked_sections": list(registry.linked_sections(territory)),
            "map": selectors.territory_map_state(territory),
        },
    )


@require_safe
def detail_geojson(request: HttpRequest, kind: str, code: str) -> JsonResponse:
    territory = selectors.territory_get(kind=kind, code=code)
    return JsonResponse(selectors.territory_map_layer(territory))
