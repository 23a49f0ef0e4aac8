"""Figures of the information and support desk (`villes2.inquiries`). Every figure
counts the requests *received* in the year (`Inquiry.received_at`, local time): a request
received on 31 December and answered on 2 January counts in the year it was received,
with its answer time. The one exception is the stock of open requests, read at the end of
the year. Each function runs one query for the year and the year before."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from villes2.inquiries.models import (
    OPEN_STATUSES,
    Channel,
    Inquiry,
    InquiryAction,
    InquiryKind,
    RequesterType,
)
from villes2.inquiries.services import working_days_between
from villes2.taxonomy.models import Concept

from .base import Column, Figure, Period, TerritoryGroups, percentile, share


def received(period: Period):
    """The requests received in the year or the year before, tagged with their year
    (`report_year`)."""
    return Inquiry.objects.filter(period.in_both_years("received_at")).annotate(
        report_year=period.tag_datetime("received_at")
    )


def _counts_by(period: Period, field_name: str) -> dict[tuple[int, str], int]:
    """{(year, value): number of requests}: one grouped query."""
    rows = (
        received(period)
        .order_by()
        .values("report_year", field_name)
        .annotate(number=Count("pk"))
        .values_list("report_year", field_name, "number")
    )
    return {(year, value): number for year, value, number in rows}


def _choice_figure(
    period: Period,
    *,
    key: str,
    title: str,
    definition: str,
    field_name: str,
    choices,
    row_heading: str,
) -> Figure:
    counts = _counts_by(period, field_name)
    figure = Figure(
        key=key,
        title=title,
        definition=definition,
        columns=[Column(_("Requests"), _("requests"), compare=True)],
        chart_column=0,
        row_heading=row_heading,
    )
    figure.add_choices_with_total(period, choices, counts)
    return figure


def requests_by_kind(period: Period) -> Figure:
    return _choice_figure(
        period,
        key="demandes-nature",
        title=_("Requests received, by kind"),
        definition=_(
            "Every request received in the year (its date of receipt, French time), "
            "whatever its channel and status, by the kind the staff gave it."
        ),
        field_name="kind",
        choices=InquiryKind.choices,
        row_heading=_("Kind of request"),
    )


def requests_by_requester_type(period: Period) -> Figure:
    return _choice_figure(
        period,
        key="demandes-demandeur",
        title=_("Requests received, by requester type"),
        definition=_("The requests received in the year, by who asked."),
        field_name="requester_type",
        choices=RequesterType.choices,
        row_heading=_("Requester type"),
    )


def requests_by_channel(period: Period) -> Figure:
    return _choice_figure(
        period,
        key="demandes-canal",
        title=_("Requests received, by channel"),
        definition=_(
            "The requests received in the year, by how they came: the web form, or typed "
            "by the staff from an e-mail, a call or a meeting."
        ),
        field_name="channel",
        choices=Channel.choices,
        row_heading=_("Channel"),
    )


def requests_by_theme(period: Period) -> Figure:
    """Two queries: the (year, theme) counts over the requests' themes, and the requests
    without a theme."""
    through = Inquiry.themes.through
    rows = (
        through.objects.filter(
            inquiry__received_at__gte=period.previous_start, inquiry__received_at__lt=period.end
        )
        .annotate(report_year=period.tag_datetime("inquiry__received_at"))
        .order_by()
        .values("report_year", "concept_id")
        .annotate(number=Count("inquiry_id"))
        .values_list(
            "report_year",
            "concept_id",
            "concept__pref_label_fr",
            "concept__pref_label_en",
            "number",
        )
    )
    counts: dict[tuple[int, int], int] = {}
    labels: dict[int, str] = {}
    for year, concept_id, label_fr, label_en, number in rows:
        counts[(year, concept_id)] = number
        labels[concept_id] = Concept(pref_label_fr=label_fr, pref_label_en=label_en).label
    without = dict(
        received(period)
        .filter(themes__isnull=True)
        .order_by()
        .values("report_year")
        .annotate(number=Count("pk"))
        .values_list("report_year", "number")
    )
    figure = Figure(
        key="demandes-theme",
        row_heading=_("Theme"),
        title=_("Requests received, by theme"),
        definition=_(
            "The requests received in the year, by their themes (concepts of the "
            "thesaurus). A request with several themes counts under each of them: the "
            "rows add up to more than the number of requests."
        ),
        columns=[Column(_("Requests"), _("requests"), compare=True)],
        chart_column=0,
    )
    ordered = sorted(
        labels,
        key=lambda pk: (-counts.get((period.year, pk), 0), labels[pk].casefold()),
    )
    for concept_id in ordered:
        figure.add(
            labels[concept_id],
            [counts.get((period.year, concept_id), 0)],
            [counts.get((period.previous_year, concept_id), 0)],
            key=str(concept_id),
        )
    figure.add(
        _("No theme"),
        [without.get(period.year, 0)],
        [without.get(period.previous_year, 0)],
        key="sans-theme",
    )
    return figure


def requests_by_territory(period: Period, groups: TerritoryGroups) -> Figure:
    """Two queries: (year, territory) counts, and the containment of those territories."""
    rows = (
        received(period)
        .order_by()
        .values("report_year", "territory_id")
        .annotate(number=Count("pk"))
        .values_list("report_year", "territory_id", "number")
    )
    found = groups.of(
        Inquiry.objects.filter(period.in_both_years("received_at"), territory__isnull=False)
        .order_by()
        .values("territory_id")
    )
    counts: Counter[tuple[int, str]] = Counter()
    for year, territory_id, number in rows:
        counts[(year, groups.group(territory_id, found))] += number
    figure = Figure(
        key="demandes-territoire",
        row_heading=_("Territory"),
        title=_("Requests received, by territory"),
        definition=_(
            "The requests received in the year, by the territory they are about, grouped "
            "by département: a commune, an EPCI or a neighbourhood counts in its "
            "département; a territory across several of the ten départements, or a whole "
            "former region, under “several départements”."
        ),
        columns=[Column(_("Requests"), _("requests"), compare=True)],
        chart_column=0,
    )
    for group in groups.groups:
        figure.add(
            group.label,
            [counts[(period.year, group.key)]],
            [counts[(period.previous_year, group.key)]],
            key=group.key,
        )
    figure.add(
        _("Total"),
        [sum(n for (year, _g), n in counts.items() if year == period.year)],
        [sum(n for (year, _g), n in counts.items() if year == period.previous_year)],
        key="total",
        total=True,
    )
    return figure


# --- Response times ---------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """Days from receipt to an event (first response, answer) of the requests of one
    year, in working days and in calendar days, one value per request that has it."""

    working: list[int]
    calendar: list[int]

    @property
    def count(self) -> int:
        return len(self.working)


class RequestDates(NamedTuple):
    """The dates of a request that the response times need, as local days."""

    year: int  # the report year it counts in (the year received)
    received: datetime.date
    first_response: datetime.date | None
    answered: datetime.date | None


def request_dates(period: Period) -> list[RequestDates]:
    """The dates of every request received in the two years: one query."""
    rows = (
        received(period)
        .order_by()
        .values_list("report_year", "received_at", "first_response_at", "answered_at")
    )
    # The time zone read once: `timezone.localtime` per value costs more than the query.
    zone = timezone.get_current_timezone()
    return [
        RequestDates(
            year,
            received_at.astimezone(zone).date(),
            first.astimezone(zone).date() if first else None,
            answered.astimezone(zone).date() if answered else None,
        )
        for year, received_at, first, answered in rows
    ]


def durations(dates: list[RequestDates], year: int, stage: str) -> Durations:
    """The days from receipt to `stage` ("first_response" or "answered") of the requests
    of `year` that reached it. Working days: `working_days_between` (Monday to Friday,
    French public holidays excluded; an answer on the day of receipt is 0, one on the
    next working day 1, whatever the hour)."""
    working, calendar = [], []
    for row in dates:
        done = getattr(row, stage)
        if row.year != year or done is None:
            continue
        working.append(working_days_between(row.received, done))
        calendar.append(max((done - row.received).days, 0))
    return Durations(working, calendar)


def response_time(period: Period, dates: list[RequestDates], *, stage: str) -> Figure:
    """The median and 90th percentile of the days to `stage` ("first_response" or
    "answered"), in working and calendar days, for the year and the year before."""
    if stage == "first_response":
        key, title = "delai-premiere-reponse", _("Time to first response")
        definition = _(
            "The requests received in the year that had a first response (an exchange, an "
            "appointment or the answer), whenever it came: days from the day of receipt "
            "to the day of the first response."
        )
    else:
        key, title = "delai-reponse", _("Time to answer")
        definition = _(
            "The requests received in the year that were answered, whenever: days from "
            "the day of receipt to the day of the answer."
        )
    definition += " " + _(
        "Working days: Monday to Friday, French public holidays excluded. Median and 90th "
        "percentile by linear interpolation between the two nearest ranks."
    )
    figure = Figure(
        key=key,
        row_heading=_("Statistic"),
        title=title,
        definition=definition,
        columns=[
            Column(_("Working days"), _("working days"), compare=True),
            Column(_("Calendar days"), _("calendar days"), compare=True),
        ],
    )
    now = durations(dates, period.year, stage)
    before = durations(dates, period.previous_year, stage)
    for fraction, row_key, label in (
        (0.5, "mediane", _("Median")),
        (0.9, "p90", _("90th percentile")),
    ):
        figure.add(
            label,
            [percentile(now.working, fraction), percentile(now.calendar, fraction)],
            [percentile(before.working, fraction), percentile(before.calendar, fraction)],
            key=row_key,
        )
    figure.add(
        _("Requests counted"),
        [now.count, now.count],
        [before.count, before.count],
        key="nombre",
        unit=_("requests"),
    )
    return figure


def response_target(period: Period, dates: list[RequestDates]) -> Figure:
    target = settings.INQUIRIES_RESPONSE_WORKING_DAYS
    figure = Figure(
        key="objectif",
        row_heading=_("Requests received in the year"),
        title=_("Responses and answers within the target"),
        definition=_(
            "Of the requests received in the year: those that had a first response, those "
            "answered (whenever), and of these the ones "
            "answered within %(days)s working days of their receipt, the desk's target "
            "(setting INQUIRIES_RESPONSE_WORKING_DAYS). Requests closed without an "
            "answer, or not answered yet, are counted apart."
        )
        % {"days": target},
        columns=[Column(_("Value"), _("requests"), compare=True)],
    )

    def counts(year: int) -> tuple[int, int, int, int, int]:
        answered = durations(dates, year, "answered")
        within = sum(1 for days in answered.working if days <= target)
        received_count = sum(1 for row in dates if row.year == year)
        responded = sum(1 for row in dates if row.year == year and row.first_response)
        return received_count, answered.count, within, received_count - answered.count, responded

    now, before = counts(period.year), counts(period.previous_year)
    figure.add(_("Requests received"), [now[0]], [before[0]], key="recues")
    figure.add(_("Requests with a first response"), [now[4]], [before[4]], key="premiere-reponse")
    figure.add(_("Requests answered"), [now[1]], [before[1]], key="repondues")
    figure.add(
        _("Answered within %(days)s working days") % {"days": target},
        [now[2]],
        [before[2]],
        key="dans-objectif",
    )
    figure.add(
        _("Share answered within the target"),
        [share(now[2], now[1])],
        [share(before[2], before[1])],
        key="part",
        unit="%",
        percent=True,
    )
    figure.add(
        _("Requests not answered (closed without an answer, or open)"),
        [now[3]],
        [before[3]],
        key="sans-reponse",
    )
    return figure


def open_at_year_end(period: Period) -> Figure:
    """One query: the requests open at the end of each of the two years (today for the
    current year; none for a year not begun)."""
    now, today = timezone.now(), timezone.localdate()
    aggregates = {}
    for year in (period.previous_year, period.year):
        if Period(year).start > now:
            continue
        end = min(Period(year).end, now)
        if end == now:
            # Today: the statuses, as the desk counts its queue (a request answered,
            # then reopened and still open, counts).
            is_open = Q(status__in=OPEN_STATUSES)
        else:
            is_open = (
                Q(received_at__lt=end)
                & (Q(answered_at__isnull=True) | Q(answered_at__gte=end))
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
            )
        day = min(timezone.localtime(end).date(), today)
        aggregates[f"open_{year}"] = Count("pk", filter=is_open)
        aggregates[f"late_{year}"] = Count("pk", filter=is_open & Q(due_date__lt=day))
    counts: defaultdict[str, int] = defaultdict(int)
    counts.update(Inquiry.objects.aggregate(**aggregates) if aggregates else {})
    current = period.end > now
    figure = Figure(
        key="en-cours",
        row_heading=_("Requests"),
        title=_("Requests open today") if current else _("Requests open at the end of the year"),
        definition=_(
            "Requests received on or before 31 December and neither answered nor closed "
            "by then, whatever the year they were received (the desk's stock), read from "
            "the dates of answer and closure (a request closed and later reopened counts "
            "as open since its receipt); for the current year, the requests open today, "
            "as the desk's queue counts them."
        ),
        columns=[Column(_("Requests"), _("requests"), compare=True)],
    )
    figure.add(
        _("Open requests"),
        [counts[f"open_{period.year}"]],
        [counts[f"open_{period.previous_year}"]],
        key="ouvertes",
    )
    figure.add(
        _("of which past their due date"),
        [counts[f"late_{period.year}"]],
        [counts[f"late_{period.previous_year}"]],
        key="en-retard",
    )
    return figure


def time_spent(period: Period) -> Figure:
    """One query: the minutes of the log entries of the two years' requests, by kind."""
    rows = (
        InquiryAction.objects.filter(
            inquiry__received_at__gte=period.previous_start, inquiry__received_at__lt=period.end
        )
        .annotate(report_year=period.tag_datetime("inquiry__received_at"))
        .order_by()
        .values("report_year", "inquiry__kind")
        .annotate(minutes=Sum("minutes"))
        .values_list("report_year", "inquiry__kind", "minutes")
    )
    minutes: defaultdict[tuple[int, str], int] = defaultdict(int)
    for year, kind, number in rows:
        minutes[(year, kind)] += number or 0
    hours = _("hours")
    figure = Figure(
        key="temps",
        row_heading=_("Kind of request"),
        title=_("Time spent on requests, by kind"),
        definition=_(
            "The time written in the log of the requests received in the year (research, "
            "exchanges, appointments, the answer…), whenever it was spent, by kind of "
            "request, in hours."
        ),
        columns=[Column(_("Hours"), hours, compare=True)],
        chart_column=0,
    )

    def in_hours(value: int) -> float:
        return round(value / 60, 1)

    for value, label in InquiryKind.choices:
        figure.add(
            str(label),
            [in_hours(minutes[(period.year, value)])],
            [in_hours(minutes[(period.previous_year, value)])],
            key=value,
        )
    figure.add(
        _("Total"),
        [in_hours(sum(n for (y, _k), n in minutes.items() if y == period.year))],
        [in_hours(sum(n for (y, _k), n in minutes.items() if y == period.previous_year))],
        key="total",
        total=True,
    )
    return figure
