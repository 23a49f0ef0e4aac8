from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .filters import OrganisationFilterSet, PersonFilterSet
from .forms import BoardDateForm
from .models import Membership, NetworkMembership, Organisation, Person

PAGE_SIZE = 25
VCARD_LIMIT = 500  # a selection export, not a bulk dump of the directory


def _list(request, filterset_class, queryset, template):
    filterset = filterset_class(request.GET, queryset=queryset)
    results = filterset.qs.distinct() if filterset.is_valid() else queryset.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"filterset": filterset, "page": page})


@require_safe
def index(request):
    """The organisations of the directory."""
    queryset = Organisation.objects.select_related("parent").order_by("sort_name", "pk")
    return _list(request, OrganisationFilterSet, queryset, "actors/organisation_list.html")


def _persons_with_roles():
    return Person.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
    ).order_by("sort_name", "pk")


@require_safe
def persons(request):
    return _list(request, PersonFilterSet, _persons_with_roles(), "actors/person_list.html")


@require_safe
def organisation(request, slug):
    organisation = get_object_or_404(
        Organisation.objects.select_related("parent").prefetch_related(
            "territories",
            "themes",
            "children",
            Prefetch("memberships", queryset=Membership.objects.select_related("person")),
            Prefetch("networks", queryset=NetworkMembership.objects.select_related("network")),
        ),
        slug=slug,
    )
    return render(request, "actors/organisation_detail.html", {"organisation": organisation})


@require_safe
def person(request, slug):
    person = get_object_or_404(
        Person.objects.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation")),
            "territories",
            "themes",
            "mandates",
        ),
        slug=slug,
    )
    return render(
        request,
        "actors/person_detail.html",
        {"person": person, "public_fields": selectors.person_public_fields(person)},
    )


@require_safe
def board(request):
    """The association's board on a date (today by default); earlier boards by date."""
    form = BoardDateForm(request.GET or None)
    day = form.cleaned_data["date"] if form.is_valid() and form.cleaned_data["date"] else None
    day = day or timezone.localdate()
    return render(
        request,
        "actors/board.html",
        {
            "form": form,
            "day": day,
            "mandates": selectors.board_on(day),
            "board_dates": selectors.board_dates(),
        },
    )


@require_safe
def partners(request):
    return render(request, "actors/partners.html", {"groups": selectors.partner_groups()})


def _vcard_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def person_vcard(request, slug):
    person = get_object_or_404(_persons_with_roles(), slug=slug)
    fields = selectors.public_fields_by_person([person.pk])
    base = request.build_absolute_uri("/").rstrip("/")
    return _vcard_response(selectors.persons_vcard([person], fields, base), f"{slug}.vcf")


@require_safe
def persons_vcard(request):
    """The persons of the list as filtered, in one vCard file (public fields only)."""
    filterset = PersonFilterSet(request.GET, queryset=_persons_with_roles())
    persons = list(filterset.qs.distinct()[:VCARD_LIMIT]) if filterset.is_valid() else []
    fields = selectors.public_fields_by_person([person.pk for person in persons])
    base = request.build_absolute_uri("/").rstrip("/")
    return _vcard_response(selectors.persons_vcard(persons, fields, base), "annuaire.vcf")


@require_safe
def organisation_vcard(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    base = request.build_absolute_uri("/").rstrip("/")
    return _vcard_response(selectors.organisation_vcard(organisation, base), f"{slug}.vcf")
