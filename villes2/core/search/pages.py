"""What the search pages (`/recherche/`, `/documents/`) share: read the form, run the
search, and describe the facets for the templates. Views stay thin (STYLE.md)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from villes2.accounts.roles import sees_unpublished

from .engine import FacetOption, SearchResults, run_search
from .forms import FACET_PARAMETERS, SearchForm

FACET_LABELS = {
    "type": _("Type"),
    "theme": _("Theme"),
    "territory": _("Territory"),
    "year": _("Year"),
    "access": _("Access"),
    "public": _("Target public"),
    "scheme": _("Scheme"),
    "period": _("Period"),
}
FACET_ORDER = ("type", "theme", "territory", "public", "scheme", "period", "year", "access")
PARAMETER_OF = {facet: parameter for parameter, facet in FACET_PARAMETERS.items()}
SHOWN_OPTIONS = 8


@dataclass
class FacetBlock:
    facet: str
    parameter: str
    label: str
    options: list[FacetOption]

    @property
    def first(self) -> list[FacetOption]:
        return self.options[:SHOWN_OPTIONS]

    @property
    def more(self) -> list[FacetOption]:
        return self.options[SHOWN_OPTIONS:]


def is_htmx_partial(request) -> bool:
    """An htmx update of the results (not a history restore, which needs the page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def search_context(
    request, *, kinds: tuple[str, ...] = (), facets: tuple[str, ...] | None = None
) -> dict:
    """`facets`: the facets a list offers (default: all); the others are neither
    counted nor shown, though their URL parameters still filter."""
    # What is not public (drafts, staff-only records) only for the centre's staff roles:
    # partners have staff accounts but are outside the centre.
    staff = sees_unpublished(request.user)
    form = SearchForm(request.GET, staff=staff, kinds=kinds)
    form.is_valid()
    search_request = form.search_request()
    if facets is not None:
        search_request.facets = tuple(f for f in search_request.facets if f in facets)
    results: SearchResults = run_search(search_request)
    blocks = [
        FacetBlock(facet, PARAMETER_OF[facet], FACET_LABELS[facet], results.facets[facet])
        for facet in FACET_ORDER
        if results.facets.get(facet) and (facet != "access" or staff)
    ]
    return {
        "form": form,
        "results": results,
        "facet_blocks": blocks,
        "active_filters": _active_filters(form, results),
        "staff_search": staff,
    }


def _active_filters(form: SearchForm, results: SearchResults) -> list[dict]:
    labels: dict[tuple[str, str], str] = {}
    for facet, options in results.facets.items():
        for option in options:
            labels[(facet, option.value)] = option.label
    active = []
    for parameter, value in form.active_filters:
        facet = FACET_PARAMETERS[parameter]
        active.append(
            {
                "parameter": parameter,
                "value": value,
                "facet_label": FACET_LABELS.get(facet, _("Descriptor")),
                "label": labels.get((facet, value), value),
            }
        )
    return active
