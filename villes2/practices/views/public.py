"""The public pages of experience records: the list (a search restricted to records),
the record page laid out as a fiche, and the same fiche as a PDF. Only published records
are public; the staff also open the others, under a status banner."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from villes2.core.search.pages import is_htmx_partial, search_context

from .. import selectors
from ..pdf import fiche_file_name, fiche_pdf

# The list's facets: the year and the record type say nothing here (the period does).
LIST_FACETS = ("theme", "territory", "public", "scheme", "period")


@require_safe
def practice_list(request):
    context = search_context(request, kinds=("practices",), facets=LIST_FACETS)
    partial = is_htmx_partial(request)
    context.update(partial_update=partial, export_query=_selection_query(request.GET))
    template = "practices/list_area.html" if partial else "practices/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _selection_query(parameters) -> str:
    """The list's query string for the export of its selection: the words and filters,
    not the page or the order (the export takes the whole selection), nor the empty
    fields of a submitted form."""
    query = parameters.copy()
    for name in ("page", "tri"):
        query.pop(name, None)
    for name in list(query):
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            query.setlist(name, values)
        else:
            del query[name]
    return query.urlencode()


def _practice(request, pk: int):
    return get_object_or_404(selectors.practice_for_page(request.user), pk=pk)


@require_safe
def practice_detail(request, pk: int):
    practice = _practice(request, pk)
    response = render(
        request,
        "practices/detail.html",
        {"practice": practice, "lead_contact": selectors.lead_contact_for_page(practice)},
    )
    return _private_unless_public(response, practice)


@require_safe
def practice_pdf(request, pk: int):
    practice = _practice(request, pk)
    content = fiche_pdf(
        practice,
        lead_contact=selectors.lead_contact_for_page(practice),
        url=request.build_absolute_uri(practice.get_absolute_url()),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{fiche_file_name(practice)}"'
    return _private_unless_public(response, practice)


def _private_unless_public(response, practice):
    """A record the public cannot see is kept out of shared caches."""
    if not practice.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response
