"""Figures of the centre's other output: the events of the programme held in the year and
their participants (`villes2.events`), the catalogue records and the experience records
published for the first time in the year (`villes2.documents`, `villes2.practices`)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from villes2.documents.models import Document, DocumentType
from villes2.events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from villes2.practices.models import Practice, PracticeStatus

from .base import Column, Figure, Period

NO_KIND = "sans-type"


def events_held(period: Period):
    """The events of the two years that were held: starting in the year, not cancelled,
    and over (ended before today) or marked held."""
    today = timezone.localdate()
    return (
        Event.objects.filter(period.in_both_years_dates("start_date"))
        .exclude(status=EventStatus.CANCELLED)
        .filter(Q(status=EventStatus.HELD) | Q(end_date__lt=today))
        .annotate(report_year=period.tag_date("start_date"))
    )


def events_by_kind(period: Period) -> Figure:
    """Two queries: events by (year, kind), and their registrations by (year, kind)."""
    events = {
        (year, kind): number
        for year, kind, number in events_held(period)
        .order_by()
        .values("report_year", "kind")
        .annotate(number=Count("pk"))
        .values_list("report_year", "kind", "number")
    }
    registrations = {
        (year, kind): (registered, present)
        for year, kind, registered, present in Registration.objects.filter(
            event__in=events_held(period).values("pk")
        )
        .annotate(report_year=period.tag_date("event__start_date"))
        .order_by()
        .values("report_year", "event__kind")
        .annotate(
            registered=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            present=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED, attended=True)),
        )
        .values_list("report_year", "event__kind", "registered", "present")
    }
    figure = Figure(
        key="evenements",
        row_heading=_("Kind of event"),
        title=_("Events held, by kind"),
        definition=_(
            "The events of the programme starting in the year that were held: not "
            "cancelled, and over or marked held. Registered: the confirmed registrations "
            "(neither cancelled nor on the waiting list); present: those checked in on "
            "the attendance sheet. Events that took no registration through Villes² count "
            "no participant."
        ),
        columns=[
            Column(pgettext("activity report", "Events"), _("events"), compare=True),
            Column(pgettext("activity report", "Registered"), _("registrations")),
            Column(pgettext("activity report", "Present"), _("participants"), compare=True),
        ],
        chart_column=0,
    )
    choices = [*EventKind.choices, ("", _("Kind not stated"))]
    totals = {period.year: [0, 0, 0], period.previous_year: [0, 0, 0]}
    for value, label in choices:
        values = {}
        for year in totals:
            registered, present = registrations.get((year, value), (0, 0))
            values[year] = [events.get((year, value), 0), registered, present]
            totals[year] = [a + b for a, b in zip(totals[year], values[year], strict=True)]
        if value == "" and not values[period.year][0] and not values[period.previous_year][0]:
            continue
        before = values[period.previous_year]
        figure.add(str(label), values[period.year], [before[0], before[2]], key=value or NO_KIND)
    before = totals[period.previous_year]
    figure.add(_("Total"), totals[period.year], [before[0], before[2]], key="total", total=True)
    return figure


def documents_published(period: Period) -> Figure:
    """One query: catalogue records by (year, type) of their first publication."""
    counts = {
        (year, doc_type): number
        for year, doc_type, number in Document.objects.filter(
            period.in_both_years("first_published_at")
        )
        .annotate(report_year=period.tag_datetime("first_published_at"))
        .order_by()
        .values("report_year", "doc_type")
        .annotate(number=Count("pk"))
        .values_list("report_year", "doc_type", "number")
    }
    figure = Figure(
        key="documents",
        row_heading=_("Type of record"),
        title=_("Catalogue records published, by type"),
        definition=_(
            "The catalogue records made public for the first time in the year (published "
            "with public access; the date is kept when a record is later withdrawn)."
        ),
        columns=[Column(_("Records"), _("records"), compare=True)],
        chart_column=0,
    )
    figure.add_choices_with_total(period, DocumentType.choices, counts)
    return figure


def practices_published(period: Period) -> Figure:
    """One query: experience records first published in each of the two years, and those
    of them still published today."""
    counts = {
        year: (number, still)
        for year, number, still in Practice.objects.filter(
            period.in_both_years("first_published_at")
        )
        .annotate(report_year=period.tag_datetime("first_published_at"))
        .order_by()
        .values("report_year")
        .annotate(number=Count("pk"), still=Count("pk", filter=Q(status=PracticeStatus.PUBLISHED)))
        .values_list("report_year", "number", "still")
    }
    figure = Figure(
        key="experiences",
        row_heading=_("Experience records"),
        title=_("Experience records published"),
        definition=_(
            "The experience records published for the first time in the year, after "
            "review; and how many of them are still published today."
        ),
        columns=[Column(_("Records"), _("experience records"), compare=True)],
    )
    now, before = counts.get(period.year, (0, 0)), counts.get(period.previous_year, (0, 0))
    figure.add(_("First published in the year"), [now[0]], [before[0]], key="publiees")
    figure.add(_("of which still published"), [now[1]], [before[1]], key="toujours")
    return figure
