"""The public agenda: the list with its filters, the month view, the year's programme,
the event and cycle pages."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.dates import WEEKDAYS
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ..filters import EventFilterSet
from ..models import Event
from ..selectors import agenda as selectors
from ..selectors import registrations


def _check_year(year: int) -> None:
    if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
        raise Http404


@require_safe
def event_list(request):
    """Upcoming events (soonest first), then past ones (most recent first, by month,
    paginated): in 2026 the founding 2007 programme is all in the past."""
    filterset = EventFilterSet(request.GET, queryset=Event.objects.public())
    valid = filterset.is_valid()
    events = filterset.qs if valid else Event.objects.none()
    today = selectors.today()
    past = Paginator(selectors.past_events(events, on=today), selectors.PAST_PAGE_SIZE)
    page = past.get_page(request.GET.get("page"))
    # Upcoming events are paginated on their own (`a_venir`), soonest first.
    upcoming = Paginator(
        selectors.upcoming_events(events, on=today), selectors.UPCOMING_PAGE_SIZE
    ).get_page(request.GET.get("a_venir"))
    return render(
        request,
        "events/list.html",
        {
            "filterset": filterset,
            "filtered": valid and any(filterset.form.cleaned_data.values()),
            "upcoming": upcoming,
            "page": page,
            "groups": selectors.month_groups(page.object_list),
            "feed": filterset.feed(),
            "years": selectors.programme_years(),
            "today": today,
        },
    )


@require_safe
def event_month(request, year, month):
    _check_year(year)
    if not 1 <= month <= 12:
        raise Http404
    return render(
        request,
        "events/month.html",
        {
            "calendar": selectors.month_calendar(year, month),
            "weekdays": [WEEKDAYS[day] for day in range(7)],  # Monday first
        },
    )


@require_safe
def programme(request, year):
    _check_year(year)
    found = selectors.programme(year)
    if found.is_empty:
        raise Http404
    return render(
        request,
        "events/programme.html",
        {"programme": found, "years": selectors.programme_years()},
    )


@require_safe
def event_detail(request, slug):
    event = get_object_or_404(selectors.event_for_page(request.user), slug=slug)
    json_ld = selectors.event_json_ld(event, absolute=request.build_absolute_uri)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "position": selectors.cycle_position(event),
            "registration": registrations.registration_state(event),
            # Escaped for a <script> element by json_ld_text.
            "json_ld": mark_safe(selectors.json_ld_text(json_ld)),  # noqa: S308
        },
    )


@require_safe
def cycle_detail(request, slug):
    found = selectors.cycle_for_page(slug, request.user)
    if found is None:
        raise Http404
    cycle, sessions = found
    return render(request, "events/cycle.html", {"cycle": cycle, "sessions": sessions})
