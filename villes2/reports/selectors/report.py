"""The yearly activity report: every figure computed from the data (docs/reports.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from villes2.documents.models import Document
from villes2.events.models import Event, EventStatus
from villes2.inquiries.models import Inquiry, Intervention
from villes2.practices.models import Practice

from . import interventions, output, requests
from .base import FIRST_YEAR, Cell, Figure, Period, Section, TerritoryGroups


@dataclass(frozen=True)
class KeyFigure:
    """One line of the summary at the top: a value of a figure, with its anchor."""

    label: str
    cell: Cell
    previous: Cell | None
    anchor: str


@dataclass
class ActivityReport:
    """The figures of a year, by section, and the key figures drawn from them."""

    year: int
    sections: list[Section]
    key_figures: list[KeyFigure]
    # True for the current year: the figures run to today, not to 31 December.
    in_progress: bool
    computed_on: datetime.date
    # False for next year (reports go up to next year: a programme is planned ahead).
    begun: bool = True

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def intro(self) -> str:
        """What the page and the PDF say first: where the figures come from, and, for the
        current year, that they run to today."""
        text = _(
            "Every figure is computed from the data of Villes² (requests, interventions "
            "log, agenda, catalogue, experience records); the definition of each is given "
            "with it, and the previous year beside it for comparison."
        )
        if not self.begun:
            text += " " + _("The year has not begun yet.")
        elif self.in_progress:
            text += " " + _("The year is not over: the figures run to %(date)s.") % {
                "date": formats.date_format(self.computed_on, "DATE_FORMAT")
            }
        return text

    @property
    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]

    def figure(self, key: str) -> Figure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    @property
    def has_data(self) -> bool:
        """Something happened in the year (a request, an intervention, an event, a
        publication)."""
        return any(key.cell.value for key in self.key_figures)


def last_year() -> int:
    return timezone.localdate().year + 1


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= last_year()


def activity_report(*, year: int) -> ActivityReport:
    """Every figure of `year`, with the year before beside: a fixed number of queries,
    whatever the amount of data (one or two per figure)."""
    period = Period(year)
    groups = TerritoryGroups()
    dates = requests.request_dates(period)
    sections = [
        Section(
            "demandes",
            _("Information and support requests"),
            [
                requests.requests_by_kind(period),
                requests.requests_by_theme(period),
                requests.requests_by_requester_type(period),
                requests.requests_by_channel(period),
                requests.requests_by_territory(period, groups),
            ],
        ),
        Section(
            "traitement",
            _("Handling of the requests"),
            [
                requests.response_time(period, dates, stage="first_response"),
                requests.response_time(period, dates, stage="answered"),
                requests.response_target(period, dates),
                requests.open_at_year_end(period),
                requests.time_spent(period),
            ],
        ),
        Section(
            "interventions",
            _("Support to sites"),
            [
                interventions.interventions_by_departement(period, groups),
                interventions.interventions_by_kind(period),
                interventions.top_sites(period),
            ],
        ),
        Section(
            "evenements",
            pgettext("activity report", "Events"),
            [output.events_by_kind(period)],
        ),
        Section(
            "publications",
            _("Publications"),
            [output.documents_published(period), output.practices_published(period)],
        ),
    ]
    for section in sections:
        for figure in section.figures:
            figure.year = year
    report = ActivityReport(
        year=year,
        sections=sections,
        key_figures=[],
        in_progress=period.end > timezone.now(),
        computed_on=timezone.localdate(),
        begun=period.start <= timezone.now(),
    )
    report.key_figures = _key_figures(report)
    return report


def _key(report: ActivityReport, label: str, figure_key: str, row_key: str, column: int = 0):
    figure = report.figure(figure_key)
    row = figure.row(row_key)
    return KeyFigure(label, row.cells[column], row.previous[column], figure_key)


def _key_figures(report: ActivityReport) -> list[KeyFigure]:
    return [
        _key(report, _("Requests received"), "demandes-nature", "total"),
        _key(report, _("Requests answered"), "objectif", "repondues"),
        _key(report, _("Median time to answer (working days)"), "delai-reponse", "mediane"),
        _key(report, _("Share answered within the target"), "objectif", "part"),
        _key(report, _("Interventions"), "interventions-nature", "total", 0),
        _key(report, _("Half-days of intervention"), "interventions-nature", "total", 1),
        _key(report, _("Events held"), "evenements", "total", 0),
        _key(report, _("Participants present"), "evenements", "total", 2),
        _key(report, _("Catalogue records published"), "documents", "total"),
        _key(report, _("Experience records published"), "experiences", "publiees"),
    ]


def report_years() -> list[int]:
    """The years with data (a request received, an intervention, an event, a record
    published), newest first, and always the current year: five queries."""
    years = {timezone.localdate().year}
    years.update(d.year for d in Inquiry.objects.order_by().datetimes("received_at", "year"))
    years.update(d.year for d in Intervention.objects.order_by().dates("date", "year"))
    years.update(
        d.year
        for d in Event.objects.exclude(status=EventStatus.CANCELLED)
        .order_by()
        .dates("start_date", "year")
    )
    for model in (Document, Practice):
        years.update(
            d.year
            for d in model.objects.filter(first_published_at__isnull=False)
            .order_by()
            .datetimes("first_published_at", "year")
        )
    return sorted((y for y in years if year_in_range(y)), reverse=True)
