"""Reads of the interventions log: sums of half-days by site and by kind (the map, its
table, the yearly activity report), the map layer, the month calendar, the iCalendar
export (docs/inquiries.md, "Interventions").

The sums take a year or any queryset of interventions (the back office's filtered list,
the map's filters): `interventions_by_site(year=2025)`,
`interventions_by_site(queryset=filterset.qs)`. Half-days are `Decimal`.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from villes2.events.selectors.agenda import Day, MonthCalendar
from villes2.territories.models import Boundary, Territory, TerritoryKind

from ..models import Intervention, InterventionKind, Procedure

ZERO = Decimal("0")
# What rows and the map show of a site (and sort it by).
SITE_FIELDS = ("id", "kind", "code", "name", "search_name", "valid_from", "valid_to")

# --- Sums -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    interventions: int
    half_days: Decimal


@dataclass(frozen=True)
class SiteTotal:
    """A site with its number of interventions and their half-days."""

    site: Territory
    interventions: int
    half_days: Decimal

    @property
    def site_id(self) -> int:
        return self.site.pk


@dataclass(frozen=True)
class KindTotal:
    kind: str
    label: str
    interventions: int
    half_days: Decimal


@dataclass(frozen=True)
class SiteKindTotal:
    site: Territory
    kind: str
    label: str
    interventions: int
    half_days: Decimal


def _interventions(year: int | None, queryset: QuerySet | None) -> QuerySet:
    interventions = Intervention.objects.all() if queryset is None else queryset
    return interventions.in_year(year) if year is not None else interventions


def interventions_totals(year: int | None = None, *, queryset: QuerySet | None = None) -> Totals:
    """Number of interventions and their half-days (one query)."""
    interventions = _interventions(year, queryset)
    # Through the ids: a list searched across its organisations may repeat a row.
    row = Intervention.objects.filter(pk__in=interventions.values("pk")).aggregate(
        n=Count("pk"), half_days=Sum("half_days")
    )
    return Totals(row["n"], row["half_days"] or ZERO)


def interventions_by_site(
    year: int | None = None, *, queryset: QuerySet | None = None
) -> list[SiteTotal]:
    """One row per site: interventions and half-days, most half-days first, then by
    name (two queries)."""
    sums = list(
        _interventions(year, queryset)
        .order_by()
        .values("site")
        .annotate(n=Count("pk"), half_days=Sum("half_days"))
        .values_list("site", "n", "half_days")
    )
    sites = Territory.objects.only(*SITE_FIELDS).in_bulk([site for site, _n, _h in sums])
    rows = [SiteTotal(sites[site], n, half_days or ZERO) for site, n, half_days in sums]
    rows.sort(key=lambda row: (-row.half_days, row.site.search_name, row.site.code))
    return rows


def interventions_by_kind(
    year: int | None = None, *, queryset: QuerySet | None = None
) -> list[KindTotal]:
    """One row per kind that has interventions, in the order of `InterventionKind`
    (one query)."""
    sums = {
        kind: (n, half_days or ZERO)
        for kind, n, half_days in _interventions(year, queryset)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"), half_days=Sum("half_days"))
        .values_list("kind", "n", "half_days")
    }
    return [
        KindTotal(kind, str(label), *sums[kind])
        for kind, label in InterventionKind.choices
        if kind in sums
    ]


def interventions_by_site_and_kind(
    year: int | None = None, *, queryset: QuerySet | None = None
) -> list[SiteKindTotal]:
    """One row per (site, kind) that has interventions, by site name then in the order
    of `InterventionKind` (two queries)."""
    sums = list(
        _interventions(year, queryset)
        .order_by()
        .values("site", "kind")
        .annotate(n=Count("pk"), half_days=Sum("half_days"))
        .values_list("site", "kind", "n", "half_days")
    )
    sites = Territory.objects.only(*SITE_FIELDS).in_bulk({row[0] for row in sums})
    labels = dict(InterventionKind.choices)
    order = {kind: position for position, kind in enumerate(InterventionKind.values)}
    rows = [
        SiteKindTotal(sites[site], kind, str(labels.get(kind, kind)), n, half_days or ZERO)
        for site, kind, n, half_days in sums
    ]
    rows.sort(key=lambda row: (row.site.search_name, row.site.code, order.get(row.kind, 99)))
    return rows


def intervention_years() -> list[int]:
    """Years from the first intervention to the last, newest first (one query on the date
    index: `dates()` would group every row)."""
    bounds = Intervention.objects.aggregate(first=Min("date"), last=Max("date"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def centre_departements() -> list[Territory]:
    """The départements of the centre's former regions (`VILLES2_FORMER_REGIONS`), by
    code (one query)."""
    return list(
        Territory.objects.filter(
            kind=TerritoryKind.DEPARTEMENT,
            parents__kind=TerritoryKind.FORMER_REGION,
            parents__code__in=settings.VILLES2_FORMER_REGIONS,
        )
        .with_list_related()
        .order_by("code")
    )


def procedures_label(values: Iterable[str]) -> str:
    """The procedures in words, in the list's order: "CUCS, PRU"."""
    labels = dict(Procedure.choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


def half_days_number_label(value: Decimal) -> str:
    """ "1,5", "3": with the language's decimal mark, no useless ",0"."""
    return number_format(int(value)) if value == value.to_integral() else number_format(value, 1)


def half_days_label(value: Decimal) -> str:
    """ "1,5 demi-journée", "3 demi-journées", with the language's decimal mark."""
    number = half_days_number_label(value)
    # French writes the singular below 2 ("1,5 demi-journée"), English the plural except
    # for exactly 1 ("0.5 half-days"): 0 picks the singular in French, the plural in
    # English.
    count = 1 if value == 1 else (0 if value < 2 else int(value))
    return ngettext("%(number)s half-day", "%(number)s half-days", count) % {"number": number}


# --- The map ----------------------------------------------------------------------------

# The largest circle's radius on the map, in pixels; circles' areas are proportional to
# the half-days, so that twice as many half-days look twice as big.
MAX_RADIUS = 28
MIN_RADIUS = 4
# A site with no boundary of its own (a QPV, a ZUS, an EPCI) is placed at the centre of
# the communes it covers: zones lie in communes (their parents), EPCI group communes.
ZONE_KINDS = (TerritoryKind.QPV, TerritoryKind.ZUS)


def circle_radius(half_days: Decimal, largest: Decimal) -> float:
    if largest <= 0:
        return float(MIN_RADIUS)
    return round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(float(half_days / largest))), 1)


@dataclass(frozen=True)
class LegendCircle:
    half_days: Decimal
    radius: float

    @property
    def label(self) -> str:
        return half_days_label(self.half_days)

    # The circle drawn in the legend's SVG (1 px of margin for its outline).
    @property
    def size(self) -> str:
        return f"{2 * self.radius + 2:.1f}"

    @property
    def centre(self) -> str:
        return f"{self.radius + 1:.1f}"

    @property
    def radius_text(self) -> str:
        return f"{self.radius:.1f}"


def map_legend(rows: list[SiteTotal]) -> list[LegendCircle]:
    """Two or three reference circles: the largest sum, about half and a quarter of it
    (rounded to half-days), smallest last."""
    if not rows:
        return []
    largest = max(row.half_days for row in rows)
    values = {largest}
    for fraction in (Decimal(2), Decimal(4)):
        value = (largest / fraction * 2).to_integral() / 2
        if value >= Decimal("0.5"):
            values.add(value)
    return [LegendCircle(value, circle_radius(value, largest)) for value in sorted(values)][::-1]


def _rings(geometry: dict) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes do not move a centre much)."""
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"][:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"] if polygon]
    return []


def centre_of(geometries: Iterable[dict]) -> tuple[float, float] | None:
    """The area-weighted centroid of the geometries' outer rings, as (longitude,
    latitude); None without a polygon. Planar in degrees: at the scale of a commune or a
    département the error is far below a circle's size."""
    total = sx = sy = 0.0
    for geometry in geometries:
        for ring in _rings(geometry):
            area = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if area:
                total += area / 2
                sx += cx / 6
                sy += cy / 6
    if not total:
        return None
    return round(sx / total, 5), round(sy / total, 5)


def _stand_ins(sites: list[Territory]) -> dict[int, list[int]]:
    """For the zones and EPCI among the sites (they have no boundary of their own): the
    communes that place them (one query; none without such a site)."""
    zones = {site.pk for site in sites if site.kind in ZONE_KINDS}
    epcis = {site.pk for site in sites if site.kind == TerritoryKind.EPCI}
    if not zones and not epcis:
        return {}
    links = Territory.parents.through.objects.filter(
        Q(from_territory_id__in=zones, to_territory__kind=TerritoryKind.COMMUNE)
        | Q(to_territory_id__in=epcis, from_territory__kind=TerritoryKind.COMMUNE)
    )
    found: dict[int, list[int]] = {}
    for child, parent in links.values_list("from_territory_id", "to_territory_id"):
        if child in zones:  # a zone lies in its communes
            found.setdefault(child, []).append(parent)
        else:  # a commune of an EPCI
            found.setdefault(parent, []).append(child)
    return found


def interventions_map_layer(
    rows: list[SiteTotal],
    *,
    frame: list[Territory],
    site_url: Callable[[Territory], str],
) -> dict:
    """The map as a GeoJSON FeatureCollection (two or three queries):

    - `role: "frame"`: the boundaries of the `frame` territories (the centre's ten
      départements), drawn beneath;
    - `role: "area"`: the boundary of each site that has one (communes, départements,
      regions);
    - `role: "site"`: a point per site, at the centre of its boundary or of the
      communes that place it, with its sums, a `label` in words and the `radius` of its
      circle (area proportional to the half-days).

    A site placed nowhere (no boundary, no commune with one) is left out: the table
    beside the map lists every site.
    """
    sites = [row.site for row in rows]
    stand_ins = _stand_ins(sites)
    wanted = {site.pk for site in sites} | {pk for pks in stand_ins.values() for pk in pks}
    frame_ids = {territory.pk for territory in frame}
    geometries: dict[int, dict] = dict(
        Boundary.objects.filter(territory_id__in=wanted | frame_ids).values_list(
            "territory_id", "geometry"
        )
    )
    features: list[dict] = [
        {
            "type": "Feature",
            "geometry": geometries[territory.pk],
            "properties": {"role": "frame", "name": territory.name, "code": territory.code},
        }
        for territory in frame
        if territory.pk in geometries
    ]
    largest = max((row.half_days for row in rows), default=ZERO)
    points = []
    for row in rows:
        site = row.site
        own = geometries.get(site.pk)
        if own is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": own,
                    "properties": {"role": "area", "name": site.name, "code": site.code},
                }
            )
            centre = centre_of([own])
        else:
            centre = centre_of(
                geometries[pk] for pk in stand_ins.get(site.pk, []) if pk in geometries
            )
        if centre is None:
            continue
        points.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(centre)},
                "properties": {
                    "role": "site",
                    "name": site.name,
                    "kind": site.kind,
                    "code": site.code,
                    "interventions": row.interventions,
                    "half_days": f"{row.half_days:.1f}",
                    "radius": circle_radius(row.half_days, largest),
                    "label": site_label(row),
                    "url": site_url(site),
                },
            }
        )
    # Points last, so that they are drawn over the areas; the smallest over the largest.
    points.sort(key=lambda feature: -feature["properties"]["radius"])
    return {"type": "FeatureCollection", "features": features + points}


def site_label(row: SiteTotal) -> str:
    """ "Tours (commune) : 3 interventions, 4,5 demi-journées"."""
    count = ngettext("%(count)s intervention", "%(count)s interventions", row.interventions) % {
        "count": row.interventions
    }
    return _("%(site)s (%(kind)s): %(count)s, %(half_days)s") % {
        "site": row.site.name,
        "kind": row.site.get_kind_display(),
        "count": count,
        "half_days": half_days_label(row.half_days),
    }


def mapped_site_ids(rows: list[SiteTotal]) -> set[int]:
    """The sites of `rows` that the map can place (two queries): their own boundary or
    one of the communes that place them."""
    sites = [row.site for row in rows]
    stand_ins = _stand_ins(sites)
    wanted = {site.pk for site in sites} | {pk for pks in stand_ins.values() for pk in pks}
    drawn = set(
        Boundary.objects.filter(territory_id__in=wanted).values_list("territory_id", flat=True)
    )
    return {
        site.pk
        for site in sites
        if site.pk in drawn or any(pk in drawn for pk in stand_ins.get(site.pk, []))
    }


# --- The calendar -----------------------------------------------------------------------


def interventions_for_list(queryset: QuerySet) -> list[Intervention]:
    """The interventions in date order with what a row shows (two queries)."""
    return list(queryset.with_list_related().order_by("date", "pk"))


def interventions_month(
    interventions: list[Intervention], *, year: int, month: int
) -> MonthCalendar:
    """The agenda's month grid (`events.selectors.agenda.MonthCalendar`: weeks from
    Monday, the previous and next months), reused as is: each `Day.events` holds that
    day's interventions, and the calendar's `events` all those of the month. No query:
    `interventions` are the month's, from `interventions_for_list`."""
    today = timezone.localdate()
    by_day: dict[datetime.date, list[Intervention]] = {}
    for intervention in interventions:
        by_day.setdefault(intervention.date, []).append(intervention)
    weeks = [
        [
            Day(
                date=day,
                in_month=day.month == month,
                events=by_day.get(day, []) if day.month == month else [],
                is_today=day == today,
            )
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    ]
    return MonthCalendar(
        first=datetime.date(year, month, 1), weeks=weeks, undated=[], events=interventions
    )


# --- iCalendar --------------------------------------------------------------------------


def interventions_icalendar(
    interventions: Iterable[Intervention], *, name: str, url_for: Callable[[Intervention], str]
) -> str:
    """The interventions as all-day events (RFC 5545), for the staff's calendars:
    summary "subject — site", the kind, half-days, procedures and staff in the
    description, the back-office page as URL. Written with the agenda's iCalendar
    helpers. `interventions` need `with_list_related()`."""
    from villes2.events import ical

    calendar_component = ical._calendar(name=name, description="", source="")
    for intervention in interventions:
        vevent = calendar_component.add("vevent")
        vevent.add(
            "uid"
        ).value = f"intervention-{intervention.pk}@{settings.OAI_REPOSITORY_IDENTIFIER}"
        vevent.add("dtstamp").value = ical._utc(intervention.updated_at)
        vevent.add("dtstart").value = intervention.date
        vevent.add("dtend").value = intervention.date + datetime.timedelta(days=1)
        vevent.add("summary").value = f"{intervention.title} — {intervention.site.name}"
        lines = [
            _("Kind: %(kind)s") % {"kind": intervention.get_kind_display()},
            _("Time: %(half_days)s") % {"half_days": half_days_label(intervention.half_days)},
        ]
        if intervention.procedures:
            lines.append(
                _("Procedures: %(procedures)s")
                % {"procedures": procedures_label(intervention.procedures)}
            )
        staff = [user.get_full_name() or user.get_username() for user in intervention.staff.all()]
        if staff:
            lines.append(_("Staff: %(staff)s") % {"staff": ", ".join(staff)})
        url = url_for(intervention)
        lines.append(url)
        vevent.add("description").value = "\n".join(lines)
        vevent.add("url").value = url
        vevent.add("categories").value = [intervention.get_kind_display()]
    return ical._serialize(calendar_component)
