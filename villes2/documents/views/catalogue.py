"""The public catalogue: the list (a search restricted to documents) and record pages."""

from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from villes2.core.search.pages import is_htmx_partial, search_context

from .. import selectors


@require_safe
def document_list(request):
    context = search_context(request, kinds=("documents",))
    partial = is_htmx_partial(request)
    context["partial_update"] = partial
    template = "search/includes/area.html" if partial else "documents/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def document_detail(request, pk):
    document = get_object_or_404(selectors.document_for_page(request.user), pk=pk)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "see_also": selectors.see_also(document, user=request.user),
        },
    )
