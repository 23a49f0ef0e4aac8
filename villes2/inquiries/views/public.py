"""The public side of the desk: what it does (`/demandes/`), the form and its thank-you
page (post/redirect/get), the requester's private tracking page, and the FAQ. The
request is saved by `services.inquiry_receive`, which tells the requester and the centre
by mail after the commit."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from villes2.core.forms import add_service_error
from villes2.core.throttle import sender_throttled

from .. import services
from ..filters import FaqEntryFilterSet
from ..forms import InquiryForm
from ..models import Channel, InquiryKind
from ..selectors import public as selectors
from ..selectors.tracking import inquiry_from_tracking_token, inquiry_tracking_url

# Requests per client address per hour (colleagues behind one office address), and per
# e-mail per hour: enough for people, not for a flood of rows and mails.
REQUESTS_PER_ADDRESS = 10
REQUESTS_PER_EMAIL = 5
THROTTLE_WINDOW = 3600

# The thank-you page names the request from a signed, short-lived reference in its
# address: no session (and so no cookie) for an anonymous visitor.
DONE_SALT = "villes2.inquiries.sent"
DONE_MAX_AGE = 3600
DONE_PARAMETER = "demande"


def _private(response):
    """A page showing a private link (the tracking page, the thank-you page): kept out of
    every cache, and the token in its address sent to no other site."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def index(request):
    return render(
        request,
        "inquiries/index.html",
        {
            "kinds": InquiryKind,
            "working_days": settings.INQUIRIES_RESPONSE_WORKING_DAYS,
            "latest_faq": selectors.faq_latest(),
        },
    )


def _throttled(request, email: str) -> bool:
    return sender_throttled(
        request,
        email,
        scope="inquiry",
        per_address=REQUESTS_PER_ADDRESS,
        per_email=REQUESTS_PER_EMAIL,
        window=THROTTLE_WINDOW,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_new(request):
    """The form; a valid request is received, then the thank-you page."""
    form = InquiryForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            raise Http404
        if _throttled(request, form.cleaned_data["requester_email"]):
            form.add_error(
                None,
                _(
                    "Too many requests were sent from here: try again in an hour, or write "
                    "to the centre."
                ),
            )
            status = 429
        else:
            inquiry = form.save(commit=False)
            inquiry.channel = Channel.WEB
            sent_at = timezone.now()
            try:
                inquiry = services.inquiry_receive(
                    inquiry,
                    themes=form.cleaned_data["themes"],
                    consent=form.consent_text(),
                    user=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if inquiry.created_at < sent_at:
                    # The same request sent again (a double click, a reload): the first
                    # was kept and its link mailed. The page only thanks, naming nothing,
                    # so that repeating someone's request cannot reveal their link.
                    return redirect(reverse("inquiries:done"))
                token = signing.dumps(inquiry.pk, salt=DONE_SALT)
                return redirect(f"{reverse('inquiries:done')}?{DONE_PARAMETER}={token}")
    return render(request, "inquiries/new.html", {"form": form}, status=status)


@require_safe
def inquiry_done(request):
    """Thanks, with the request's reference, due date and tracking link when the address
    carries its signed reference (valid an hour)."""
    inquiry = None
    try:
        pk = signing.loads(
            request.GET.get(DONE_PARAMETER, ""), salt=DONE_SALT, max_age=DONE_MAX_AGE
        )
    except signing.BadSignature:
        pk = None
    if isinstance(pk, int):
        inquiry = selectors.inquiry_for_done_page(pk)
    context = {"inquiry": inquiry}
    if inquiry is not None:
        context["tracking_url"] = request.build_absolute_uri(inquiry_tracking_url(inquiry))
    return _private(render(request, "inquiries/done.html", context))


@require_safe
def inquiry_track(request, token: str):
    """The requester's page: 404 for a wrong, altered or expired token, or a request
    whose personal data were purged (the existence of a request is never told)."""
    inquiry = inquiry_from_tracking_token(token)
    if inquiry is None:
        raise Http404
    context = {
        "inquiry": inquiry,
        "status_label": selectors.public_status(inquiry),
        "steps": selectors.tracking_steps(inquiry),
        "answered": bool(inquiry.answered_at and inquiry.answer),
    }
    return _private(render(request, "inquiries/track.html", context))


@require_safe
def faq_list(request):
    filterset = FaqEntryFilterSet(request.GET, queryset=selectors.faq_public())
    listing = selectors.faq_list_page(filterset, page=request.GET.get("page"))
    return render(request, "inquiries/faq_list.html", {"filterset": filterset, "listing": listing})


@require_safe
def faq_detail(request, pk: int):
    entry = selectors.faq_for_page(pk)
    if entry is None:
        raise Http404
    return render(request, "inquiries/faq_detail.html", {"entry": entry})
