from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import selectors, skos
from .models import ConceptScheme, MappingRelation

# A mapping stated on the other concept, read from this one (SKOS: broadMatch and
# narrowMatch are inverses; the others are symmetric).
INVERSE = {
    MappingRelation.BROAD: MappingRelation.NARROW,
    MappingRelation.NARROW: MappingRelation.BROAD,
}


def _documents_url(**params) -> str:
    """The catalogue list filtered by `params` (the documents app serves it)."""
    return f"{reverse('documents:list')}?{urlencode(params)}"


@require_safe
def index(request):
    """Every scheme as a tree, with the number of public records of each concept."""
    return render(request, "taxonomy/index.html", {"trees": selectors.scheme_trees()})


@require_safe
def concept(request, scheme_slug, slug):
    concept = selectors.concept_for_page(scheme_slug=scheme_slug, slug=slug)
    if concept is None:
        raise Http404
    broader = list(concept.broader.all())
    if concept.scheme.is_theme_scheme and not broader:
        records_url = _documents_url(theme=concept.slug)
    else:
        records_url = _documents_url(descripteur=concept.pk)
    labels = list(concept.labels.all())
    correspondences = [
        {"relation": MappingRelation(m.relation).label, "concept": m.target, "inverse": False}
        for m in concept.mappings.all()
    ] + [
        {
            "relation": INVERSE.get(m.relation, MappingRelation(m.relation)).label,
            "concept": m.source,
            "inverse": True,
        }
        for m in concept.mapped_from.all()
    ]
    return render(
        request,
        "taxonomy/concept.html",
        {
            "concept": concept,
            "broader": broader,
            "alt_labels": [label for label in labels if label.kind == "alt"],
            "acronyms": [label for label in labels if label.kind == "acronym"],
            "records_url": records_url,
            "correspondences": correspondences,
        },
    )


@require_safe
def download(request, scheme_slug, file_format):
    scheme = get_object_or_404(ConceptScheme, slug=scheme_slug)
    content = selectors.skos_export(scheme=scheme, file_format=file_format)
    response = HttpResponse(content, content_type=skos.CONTENT_TYPES[file_format])
    filename = f"villes2-thesaurus-{scheme.slug}.{skos.EXTENSIONS[file_format]}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@never_cache
@require_safe
def autocomplete(request):
    """Concepts matching `q` (preferred and alternative labels, accents ignored), for
    the back office: staff only."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return JsonResponse({"error": "forbidden"}, status=403)
    results = selectors.concepts_autocomplete(
        query=request.GET.get("q", "")[:100], scheme=request.GET.get("schema", "")[:60]
    )
    return JsonResponse({"results": results})
