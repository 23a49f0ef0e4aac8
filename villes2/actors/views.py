from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from villes2.core.throttle import client_address, throttle_allows

from . import selectors, services
from .filters import OrganisationFilterSet, PersonFilterSet
from .forms import BoardDateForm, ConsentChoicesForm, RightsRequestForm
from .models import (
    ConsentPurpose,
    Membership,
    NetworkMembership,
    Organisation,
    Person,
    RightsRequest,
)

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
    return (
        Person.objects.public()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
        )
        .order_by("sort_name", "pk")
    )


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
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    person__processing_restricted=False
                ).select_related("person"),
            ),
            Prefetch("networks", queryset=NetworkMembership.objects.select_related("network")),
        ),
        slug=slug,
    )
    return render(request, "actors/organisation_detail.html", {"organisation": organisation})


@require_safe
def person(request, slug):
    person = get_object_or_404(
        Person.objects.public().prefetch_related(
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


_RECEIPT_SALT = "villes2.actors.rights-request-receipt"


# Requests per client address per hour, and per requester e-mail per day: enough for a
# person, not for a flood of rows and mails to the centre.
REQUESTS_PER_ADDRESS = 5
REQUESTS_PER_EMAIL = 3


@require_http_methods(["GET", "HEAD", "POST"])
def rights_request(request, slug=None):
    """ "Modify or delete my entry": a rights request, about one entry or in general.
    A restricted entry keeps its form (its holder keeps their rights) but the page does
    not name them."""
    person = get_object_or_404(Person, slug=slug) if slug else None
    form = RightsRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            raise Http404
        email = form.cleaned_data["requester_email"].casefold()
        if throttle_allows(
            scope="rights-request-address",
            key=client_address(request),
            limit=REQUESTS_PER_ADDRESS,
            window=3600,
        ) and throttle_allows(
            scope="rights-request-email", key=email, limit=REQUESTS_PER_EMAIL, window=86400
        ):
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            submitted = services.rights_request_submit(person=person, **data)
            token = signing.dumps(submitted.pk, salt=_RECEIPT_SALT)
            return redirect("actors:rights_request_receipt", token=token)
        form.add_error(
            None,
            _("Too many requests were sent from here: try again later, or write to the centre."),
        )
        status = 429
    shown = person if person is not None and not person.processing_restricted else None
    return render(
        request,
        "actors/rights_request.html",
        {"form": form, "person": shown, "slug": slug},
        status=status,
    )


@require_safe
def rights_request_receipt(request, token):
    try:
        pk = signing.loads(token, salt=_RECEIPT_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature as error:
        raise Http404 from error
    submitted = get_object_or_404(RightsRequest, pk=pk)
    return render(request, "actors/rights_request_receipt.html", {"submitted": submitted})


def _choices_in_force(person: Person) -> dict:
    in_force = selectors.consents_in_force(person)
    return {
        "public_fields": in_force.get(ConsentPurpose.PUBLIC_LISTING, []),
        "newsletter": ConsentPurpose.NEWSLETTER in in_force,
        "events": ConsentPurpose.EVENTS in in_force,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consent(request, token):
    """A person's own choices, reached through the signed link of their e-mail: what is
    published, and whether they receive the newsletter or news of events."""
    person = selectors.person_from_consent_token(token)
    if person is None:
        return render(request, "actors/consent_expired.html", status=404)
    saved = None
    withdraw_all = request.method == "POST" and "withdraw" in request.POST
    form = ConsentChoicesForm(
        None if withdraw_all else (request.POST or None),
        initial=_choices_in_force(person),
    )
    if withdraw_all or (request.method == "POST" and form.is_valid()):
        services.person_choices_record(
            person=person,
            purposes=set() if withdraw_all else form.purposes(),
            public_fields=set() if withdraw_all else set(form.cleaned_data["public_fields"]),
            withdraw_all=withdraw_all,
        )
        saved = "withdrawn" if withdraw_all else "recorded"
        form = ConsentChoicesForm(initial=_choices_in_force(person))
    # The token is in the address: the site-wide "same-origin" referrer policy keeps it
    # from other sites ("no-referrer" would make browsers send `Origin: null`, which the
    # CSRF check rightly refuses).
    return render(
        request,
        "actors/consent.html",
        {
            "person": person,
            "form": form,
            "saved": saved,
            "text_version": services.CONSENT_TEXT_VERSION,
        },
    )
