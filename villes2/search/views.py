from django.shortcuts import render
from django.views.decorators.http import require_safe

from villes2.core.search import search_registry
from villes2.core.search.pages import search_context


@require_safe
def search(request):
    """Every registered type, with a tab and a count per type (`?quoi=documents`)."""
    kind = request.GET.get("quoi", "")
    kinds = (kind,) if kind in search_registry.types else ()
    context = search_context(request, kinds=kinds)
    context["kind"] = kinds[0] if kinds else ""
    context["all_count"] = sum(entry.count for entry in context["results"].kinds)
    return render(request, "search/search.html", context)
