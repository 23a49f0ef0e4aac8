"""The activity report's pages (`/gestion/rapport/`), in the back office's look: the
years, a year's report, and the same as PDF and CSV. For the staff holding
`inquiries.view_activity_report` (the four staff roles): anonymous visitors are sent to
the back office's login, anyone else gets a 403."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import exports, pdf
from .selectors import activity_report, report_years, year_in_range

PERMISSION = "inquiries.view_activity_report"


def report_access(view):
    """Signed in (else the back office's login), staff, with the report's permission
    (else 403); never cached; GET and HEAD only."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not (request.user.is_staff and request.user.has_perm(PERMISSION)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(require_safe(login_required(checked)))


def year_checked(year: int) -> int:
    """The year of a report URL: 404 before 1990 or after next year."""
    if not year_in_range(year):
        raise Http404
    return year


def _context(request, title: str) -> dict:
    return {**admin.site.each_context(request), "title": title}


@report_access
def index(request):
    return TemplateResponse(
        request,
        "reports/index.html",
        {
            **_context(request, _("Activity report")),
            "years": report_years(),
            "current_year": timezone.localdate().year,
        },
    )


@report_access
def report(request, year: int):
    report = activity_report(year=year_checked(year))
    return TemplateResponse(
        request,
        "reports/report.html",
        {
            **_context(request, _("Activity report %(year)s") % {"year": year}),
            "report": report,
            "previous_url": _year_url(year - 1),
            "next_url": _year_url(year + 1),
        },
    )


def _year_url(year: int) -> str:
    return reverse("reports:year", args=[year]) if year_in_range(year) else ""


@report_access
def report_pdf(request, year: int):
    report = activity_report(year=year_checked(year))
    url = request.build_absolute_uri(reverse("reports:year", args=[year]))
    response = HttpResponse(pdf.report_pdf(report, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.file_name(report, "pdf")}"'
    return response


@report_access
def report_csv(request, year: int):
    report = activity_report(year=year_checked(year))
    response = HttpResponse(exports.report_csv(report), content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(report, "csv")}"'
    return response
