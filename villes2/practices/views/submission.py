"""Proposing an experience record through the public form, and the thank-you page it
redirects to (post/redirect/get). The record is saved as submitted by
`services.practice_submit`, which tells the submitter and the centre by mail."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from villes2.core.forms import add_service_error
from villes2.core.throttle import sender_throttled

from .. import services
from ..forms import PracticeSubmissionForm
from ..models import Practice

# Proposals per client address per hour (a network's members behind one office
# address), and per e-mail per hour: enough for people, not for a flood of rows and mails.
SUBMISSIONS_PER_ADDRESS = 10
SUBMISSIONS_PER_EMAIL = 5
THROTTLE_WINDOW = 3600

# The thank-you page names the record from a signed, short-lived reference in its
# address: no session (and so no cookie) for an anonymous visitor.
DONE_SALT = "villes2.practices.submitted"
DONE_MAX_AGE = 3600
DONE_PARAMETER = "fiche"


def _throttled(request, email: str) -> bool:
    return sender_throttled(
        request,
        email,
        scope="practice-submission",
        per_address=SUBMISSIONS_PER_ADDRESS,
        per_email=SUBMISSIONS_PER_EMAIL,
        window=THROTTLE_WINDOW,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def practice_submit_view(request):
    """The form; a valid proposal is saved as submitted, then the thank-you page."""
    form = PracticeSubmissionForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_robot():
            raise Http404
        if _throttled(request, form.contact_email()):
            form.add_error(
                None,
                _(
                    "Too many records were proposed from here: try again in an hour, or "
                    "write to the centre."
                ),
            )
            status = 429
        else:
            try:
                practice = services.practice_submit(
                    form.save(commit=False),
                    territories=form.cleaned_data["territories"],
                    themes=form.cleaned_data["themes"],
                    schemes=form.cleaned_data["schemes"],
                    consent=str(form.fields["consent"].label),
                    user=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                token = signing.dumps(practice.pk, salt=DONE_SALT)
                return redirect(f"{reverse('practices:submit_done')}?{DONE_PARAMETER}={token}")
    return render(request, "practices/submit.html", {"form": form}, status=status)


@never_cache
@require_safe
def practice_submit_done(request):
    """Thanks, naming the record just proposed when the address carries its reference."""
    practice = None
    try:
        pk = signing.loads(
            request.GET.get(DONE_PARAMETER, ""), salt=DONE_SALT, max_age=DONE_MAX_AGE
        )
    except signing.BadSignature:
        pk = None
    if isinstance(pk, int):
        practice = Practice.objects.filter(pk=pk).only("title").first()
    return render(request, "practices/submit_done.html", {"practice": practice})
