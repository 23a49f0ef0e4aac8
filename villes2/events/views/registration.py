"""Registering for an event, and what the signed link of a registration opens: the
registration with its cancellation, and the attendance certificate."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from villes2.core.throttle import sender_throttled

from .. import services
from ..certificates import certificate_file_name, certificate_pdf
from ..display import date_time_label, place_details
from ..forms import RegistrationForm
from ..models import Event, EventPlace, RegistrationStatus
from ..selectors.registrations import (
    registration_from_token,
    registration_state,
    registration_token,
    waitlist_position,
)

# Registrations per client address per hour (colleagues behind one office address
# register one another), and per e-mail per hour: enough for people, not for a flood
# of rows and mails.
REGISTRATIONS_PER_ADDRESS = 20
REGISTRATIONS_PER_EMAIL = 5
THROTTLE_WINDOW = 3600

# Set on the manage page's address by the redirection after registering, and after
# cancelling: the page then says what was done, in a status message.
JUST_REGISTERED = "enregistree"
JUST_CANCELLED = "annulee"


def _public_event(slug: str) -> Event:
    # place_details() reads the places in their order.
    places = Prefetch("place_links", queryset=EventPlace.objects.select_related("territory"))
    return get_object_or_404(Event.objects.public().prefetch_related(places), slug=slug)


def _throttled(request, email: str) -> bool:
    return sender_throttled(
        request,
        email,
        scope="event-registration",
        per_address=REGISTRATIONS_PER_ADDRESS,
        per_email=REGISTRATIONS_PER_EMAIL,
        window=THROTTLE_WINDOW,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug):
    """The registration form of a published event; a page saying so when the event
    takes no registration (not an error)."""
    event = _public_event(slug)
    state = registration_state(event)
    context = {
        "event": event,
        "registration": state,
        "date_label": date_time_label(event),
        "place": place_details(event),
        "retention_months": settings.EVENTS_REGISTRATION_RETENTION_MONTHS,
    }
    if state is None or not state.open:
        return render(request, "events/registration_closed.html", context)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            raise Http404
        data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        if _throttled(request, services.normalise_email(data["email"])):
            form.add_error(
                None,
                _(
                    "Too many registrations were sent from here: try again in an hour, "
                    "or write to the centre."
                ),
            )
            status = 429
        else:
            try:
                created = services.registration_create(
                    event=event, base_url=request.build_absolute_uri("/"), **data
                )
            except ValidationError as error:
                # Registration closed while the form was open: the page says it.
                if getattr(error, "code", None) == "closed":
                    return render(
                        request,
                        "events/registration_closed.html",
                        {**context, "registration": registration_state(event)},
                    )
                form.add_error(None, error)  # the duplicate address, on its field
            else:
                token = registration_token(created)
                url = redirect("events:registration", token=token).url
                return redirect(f"{url}?{JUST_REGISTERED}=1")
    context["form"] = form
    return render(request, "events/registration_form.html", context, status=status)


def _registration_or_404(token: str):
    """The registration of a signed link. The event may have been unpublished since: its
    registrants keep their link (to cancel, to get their certificate)."""
    registration = registration_from_token(token)
    if registration is None:
        raise Http404
    return registration


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """A registration as its holder sees it through the link of their mail, with a
    two-step cancellation."""
    registration = _registration_or_404(token)
    event = registration.event
    can_cancel = registration.status != RegistrationStatus.CANCELLED and not event.is_past
    confirming = False
    if request.method == "POST" and can_cancel:
        if request.POST.get("confirm") == "yes":
            services.registration_cancel(
                registration=registration, base_url=request.build_absolute_uri("/")
            )
            url = redirect("events:registration", token=token).url
            return redirect(f"{url}?{JUST_CANCELLED}=1")
        confirming = True
    return render(
        request,
        "events/registration_manage.html",
        {
            "registration": registration,
            "event": event,
            "date_label": date_time_label(event),
            "place": place_details(event),
            "position": waitlist_position(registration),
            "can_cancel": can_cancel,
            "confirming": confirming,
            "just_registered": JUST_REGISTERED in request.GET,
            "just_cancelled": JUST_CANCELLED in request.GET,
            "token": token,
        },
    )


@never_cache
@require_safe
def certificate(request, token):
    """The attendance certificate, once staff checked the registrant in."""
    registration = _registration_or_404(token)
    if not registration.attended or registration.status != RegistrationStatus.CONFIRMED:
        raise Http404
    return certificate_response(registration)


def certificate_response(registration) -> HttpResponse:
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificate_file_name(registration)}"'
    )
    return response
