"""Figures of the support to sites (`Intervention`): counted in half-days per site, as the
national network of resource centres counts them. The intervention's date decides the
year. Computed here from the model (reports depends on inquiries, never the reverse)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from villes2.inquiries.models import Intervention, InterventionKind
from villes2.territories.models import TerritoryKind

from .base import NOT_STATED, Column, Figure, Period, TerritoryGroups

TOP_SITES = 10


def interventions_in(period: Period):
    """The interventions of the year and the year before, tagged with their year."""
    return Intervention.objects.filter(period.in_both_years_dates("date")).annotate(
        report_year=period.tag_date("date")
    )


def _columns() -> list[Column]:
    return [
        Column(_("Interventions"), _("interventions"), compare=True),
        Column(_("Half-days"), _("half-days"), compare=True),
    ]


def interventions_by_kind(period: Period) -> Figure:
    rows = (
        interventions_in(period)
        .order_by()
        .values("report_year", "kind")
        .annotate(number=Count("pk"), half_days=Sum("half_days"))
        .values_list("report_year", "kind", "number", "half_days")
    )
    counts = {(year, kind): (number, half_days) for year, kind, number, half_days in rows}
    figure = Figure(
        key="interventions-nature",
        row_heading=_("Kind of intervention"),
        title=_("Interventions, by kind"),
        definition=_(
            "The interventions of the interventions log dated in the year, by kind: their "
            "number and the half-days they took."
        ),
        columns=_columns(),
        chart_column=1,
    )
    choices = [(value, str(label)) for value, label in InterventionKind.choices]
    _add_rows(figure, period, counts, choices)
    return figure


def interventions_by_departement(period: Period, groups: TerritoryGroups) -> Figure:
    """Two queries: (year, site) counts and half-days, and the containment of the sites."""
    rows = (
        interventions_in(period)
        .order_by()
        .values("report_year", "site_id")
        .annotate(number=Count("pk"), half_days=Sum("half_days"))
        .values_list("report_year", "site_id", "number", "half_days")
    )
    found = groups.of(
        Intervention.objects.filter(period.in_both_years_dates("date")).order_by().values("site_id")
    )
    numbers: Counter[tuple[int, str]] = Counter()
    half_days: dict[tuple[int, str], Decimal] = {}
    for year, site_id, number, days in rows:
        key = (year, groups.group(site_id, found))
        numbers[key] += number
        half_days[key] = half_days.get(key, Decimal(0)) + (days or 0)
    counts = {key: (numbers[key], half_days[key]) for key in numbers}
    figure = Figure(
        key="interventions-territoire",
        row_heading=_("Département of the site"),
        title=_("Interventions, by département of the site"),
        definition=_(
            "The interventions dated in the year, by the département of the site supported "
            "(the same grouping as the requests: a commune, an EPCI or a neighbourhood "
            "counts in its département)."
        ),
        columns=_columns(),
        chart_column=1,
    )
    choices = [(group.key, group.label) for group in groups.groups if group.key != NOT_STATED]
    _add_rows(figure, period, counts, choices)
    return figure


def _add_rows(figure: Figure, period: Period, counts: dict, choices) -> None:
    def of(year: int, key: str) -> tuple[int, Decimal]:
        number, days = counts.get((year, key), (0, Decimal(0)))
        return number, days or Decimal(0)

    for key, label in choices:
        number, days = of(period.year, key)
        figure.add(label, [number, days], of(period.previous_year, key), key=key)
    totals = {
        year: (
            sum(n for (y, _k), (n, _d) in counts.items() if y == year),
            sum((d or Decimal(0) for (y, _k), (_n, d) in counts.items() if y == year), Decimal(0)),
        )
        for year in (period.year, period.previous_year)
    }
    figure.add(
        _("Total"),
        list(totals[period.year]),
        list(totals[period.previous_year]),
        key="total",
        total=True,
    )


def top_sites(period: Period) -> Figure:
    """One query: the sites with the most half-days in the year."""
    rows = (
        Intervention.objects.filter(date__gte=period.first_day, date__lte=period.last_day)
        .order_by()
        .values("site_id")
        .annotate(number=Count("pk"), half_days=Sum("half_days"))
        .order_by("-half_days", "-number", "site__name", "site_id")
        .values_list("site_id", "site__name", "site__kind", "site__code", "number", "half_days")[
            :TOP_SITES
        ]
    )
    figure = Figure(
        key="interventions-sites",
        row_heading=_("Site"),
        title=_("Sites most supported"),
        definition=_(
            "The %(number)s sites with the most half-days of intervention in the year "
            "(then the most interventions)."
        )
        % {"number": TOP_SITES},
        columns=[
            Column(_("Interventions"), _("interventions")),
            Column(_("Half-days"), _("half-days")),
        ],
    )
    kinds = dict(TerritoryKind.choices)
    for site_id, name, kind, code, number, days in rows:
        figure.add(
            f"{name} ({kinds.get(kind, kind)} {code})",
            [number, days],
            key=str(site_id),
        )
    return figure
