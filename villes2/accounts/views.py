import math
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import second_factor as second_factor_service
from .forms import CodeForm


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in (`AXES_LOCKOUT_CALLABLE`): a page in
    the visitor's language saying how long to wait, with 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "accounts/lockout.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    response["Cache-Control"] = "no-store"
    return response


# --- The second factor (docs/accounts.md) ----------------------------------------------

# The session key under which the secret of an app being set up waits for its first code.
SETUP_SECRET_SESSION_KEY = "villes2_second_factor_setup_secret"  # noqa: S105 (a key's name)
# The backup codes just generated, shown once on the account's page.
NEW_CODES_SESSION_KEY = "villes2_second_factor_new_codes"


def staff_only(view):
    """Staff accounts only: anyone else goes to the back office's login, as for any page
    of /gestion/. Never cached; the code is kept out of error reports."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return never_cache(sensitive_post_parameters("code")(checked))


def _next_url(request) -> str:
    """Where to go once the code is given: the page asked for, if it is on this site."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({REDIRECT_FIELD_NAME: next_url})


def _render(request, template: str, title: str, context: dict):
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


@staff_only
def second_factor(request):
    """The second step of signing in: a code from the app, or a backup code."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not second_factor_service.has_app(request.user):
        return redirect(_with_next("accounts:second_factor_setup", next_url))
    form = CodeForm(request.POST or None, backup=True)
    if request.method == "POST" and form.is_valid():
        result = second_factor_service.verify(request, form.cleaned_data["code"])
        if result.accepted:
            if result.backup_codes_left is not None:
                messages.warning(request, _backup_code_used_message(result.backup_codes_left))
            return redirect(next_url)
        form.add_error("code", _refusal(result))
    return _render(
        request,
        "accounts/second_factor.html",
        _("Second factor"),
        {"form": form, "next": next_url},
    )


def _refusal(result) -> str:
    if result.retry_at is not None:
        seconds = max(1, math.ceil((result.retry_at - timezone.now()).total_seconds()))
        return ngettext(
            "Too many wrong codes: wait %(seconds)d second, then try again.",
            "Too many wrong codes: wait %(seconds)d seconds, then try again.",
            seconds,
        ) % {"seconds": seconds}
    return _(
        "This code is not valid. Enter the code your app shows now (it changes every "
        "30 seconds), or an unused backup code."
    )


def _backup_code_used_message(left: int) -> str:
    text = ngettext(
        "You signed in with a backup code; it will not work again. %(left)d backup code left.",
        "You signed in with a backup code; it will not work again. %(left)d backup codes left.",
        left,
    ) % {"left": left}
    if left <= 3:
        text += " " + _("Generate new ones on the page “Second factor”.")
    return text


@staff_only
def second_factor_setup(request):
    """Setting up the authenticator app: the first time (after the password), or to
    replace it (a new phone) from a session that gave a code a few minutes ago. The secret
    waits in the session until the app's first code confirms it, so reloading the page
    shows the same QR code."""
    next_url = _next_url(request)
    user = request.user
    if not second_factor_service.may_set_up_app(request):
        if user.is_verified():
            messages.info(request, _("Give a current code first."))
            return redirect("accounts:second_factor_account")
        return redirect(_with_next("accounts:second_factor", next_url))
    # Allowed here, a verified session replaces its app; any other has none yet.
    replacing = user.is_verified()
    secret = request.session.get(SETUP_SECRET_SESSION_KEY)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = (
            second_factor_service.confirm_app(request, secret, form.cleaned_data["code"])
            if secret
            else (second_factor_service.Setup.WRONG_CODE, [])
        )
        if outcome is second_factor_service.Setup.NOT_ALLOWED:
            return redirect(_with_next("accounts:second_factor", next_url))
        if outcome is second_factor_service.Setup.DONE:
            del request.session[SETUP_SECRET_SESSION_KEY]
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_with_next("accounts:second_factor_account", next_url))
        form.add_error(
            "code",
            _(
                "This code does not match the key shown. Check that the app has added the "
                "account, then enter the code it shows now."
            ),
        )
    if not secret:
        secret = request.session[SETUP_SECRET_SESSION_KEY] = second_factor_service.new_secret()
    return _render(
        request,
        "accounts/second_factor_setup.html",
        _("Set up your authenticator app"),
        {
            "form": form,
            "next": next_url,
            "enrolment": second_factor_service.enrolment(user, secret),
            "replacing": replacing,
        },
    )


@staff_only
def second_factor_account(request):
    """The account's second factor: its app, how many backup codes are left, and — once a
    current code has been given here or at sign-in a few minutes ago — new backup codes
    (shown once) and another app."""
    user = request.user
    confirmed = second_factor_service.recently_confirmed(request)
    form = CodeForm(request.POST or None, backup=True, autofocus=False)
    if request.method == "POST":
        if request.POST.get("action") == "new-codes":
            if confirmed:
                request.session[NEW_CODES_SESSION_KEY] = second_factor_service.replace_backup_codes(
                    user
                )
                messages.success(
                    request,
                    _("New backup codes have been generated; the previous ones no longer work."),
                )
            return redirect("accounts:second_factor_account")
        if form.is_valid():
            result = second_factor_service.verify(request, form.cleaned_data["code"])
            if result.accepted:
                return redirect("accounts:second_factor_account")
            form.add_error("code", _refusal(result))
    return _render(
        request,
        "accounts/second_factor_account.html",
        _("Second factor"),
        {
            "app": second_factor_service.app_device(user),
            "backup_codes_left": second_factor_service.backup_codes_left(user),
            "new_codes": request.session.pop(NEW_CODES_SESSION_KEY, []),
            "confirmed": confirmed,
            "form": form,
            "next": _next_url(request) if REDIRECT_FIELD_NAME in request.GET else "",
        },
    )
