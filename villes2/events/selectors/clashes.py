"""Clashes between the networks' programmes (issue 5, item 4): events of different
organisers that compete for the same people.

Two rules, applied to every event that is not cancelled, published or not (the
unpublished ones are those being planned):

- **Same dates, same former region.** The events' date spans overlap and they share a
  former region (`ancienne-region`: Centre, Poitou-Charentes…). An event's former regions
  are those of its places and of its territories concerned: the territory itself when it
  is a former region, the former regions containing it (`Territory.ancestors`), and for
  a wider territory such as a present-day région, the former regions of the
  départements inside it. An event with neither places nor territories has no region
  and no clash under this rule.
- **Same theme and audience, close in time.** The events share a theme and an audience
  and the gap between them is at most `window_days` (setting
  `EVENTS_CLASH_WINDOW_DAYS`). A theme is shared when both events have the concept, or
  one has it and the other a narrower one ("projet de rénovation urbaine" and
  "rénovation urbaine"); two siblings under one broader concept are not the same theme.

Decisions:

- **Tentative dates.** A date known to the month ("Février") or not confirmed ("Janvier
  ?", "12 mars ?") counts as the whole month(s) it falls in: that is the issue's "in the
  same month when one date is tentative". A date known to the year only (the
  interregional workshop "started in 2007") clashes with nothing: it would clash with
  every event of its year, which tells the coordinators nothing.
- **Different organisers** means different sets of co-organisers: two events organised by
  exactly the same organisations are one team's schedule and are not reported; events
  that share some co-organisers but not all are, since the others may not know.
- **Upcoming only** (`since`): an event over before `since` cannot be moved any more, so
  only clashes between events both ending on or after `since` are listed.

Events are loaded as rows with their organiser, region and theme ids in a fixed number
of queries, then compared in Python by sweeping each region's and each theme's events in
date order, so that the cost grows with the number of events close in time, not with
the square of all events. Only the events found clashing are then loaded as objects.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories.models import Territory, TerritoryKind

from ..models import Audience, DatePrecision, Event, EventPlace, EventStatus, month_span

# The clashing events are loaded in batches of this many (keeps IN lists short).
BATCH = 500
# A tentative date may widen an event's span up to a month on each side.
MONTH_MARGIN = datetime.timedelta(days=31)


@dataclass(frozen=True)
class ClashReason:
    """Why two events clash: `SAME_PLACE_AND_DATES` with the former regions they share,
    or `SAME_THEME_AND_AUDIENCE` with the themes, audiences and the days between them."""

    SAME_PLACE_AND_DATES = "region"
    SAME_THEME_AND_AUDIENCE = "theme"

    rule: str
    regions: tuple[str, ...] = ()
    tentative: bool = False
    themes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    days: int = 0

    @property
    def label(self) -> str:
        if self.rule == self.SAME_PLACE_AND_DATES:
            regions = ", ".join(self.regions)
            if self.tentative:
                return ngettext(
                    "same month, one of the dates to be confirmed, in the same former "
                    "region (%(regions)s)",
                    "same month, one of the dates to be confirmed, in the same former "
                    "regions (%(regions)s)",
                    len(self.regions),
                ) % {"regions": regions}
            return ngettext(
                "overlapping dates, same former region (%(regions)s)",
                "overlapping dates, same former regions (%(regions)s)",
                len(self.regions),
            ) % {"regions": regions}
        values = {"themes": ", ".join(self.themes), "audiences": ", ".join(self.audiences)}
        if self.days == 0:
            return (
                _("same theme (%(themes)s) and same audience (%(audiences)s) on overlapping dates")
                % values
            )
        return ngettext(
            "same theme (%(themes)s) and same audience (%(audiences)s) %(days)d day apart",
            "same theme (%(themes)s) and same audience (%(audiences)s) %(days)d days apart",
            self.days,
        ) % {**values, "days": self.days}


@dataclass(eq=False)
class Clash:
    """Two events that clash, the earlier first, and why. `first` and `second` are the
    events once loaded (`clashes_load_events`; `find_clashes` loads them by default)."""

    first_id: int
    second_id: int
    reasons: tuple[ClashReason, ...]
    # Former regions of either event (the page's region filter).
    region_ids: frozenset[int] = frozenset()
    first: Event | None = None
    second: Event | None = None

    @property
    def events(self) -> tuple[Event | None, Event | None]:
        return (self.first, self.second)

    def other(self, event: Event) -> Event | None:
        return self.second if event.pk == self.first_id else self.first


@dataclass
class _Row:
    """An event reduced to what the rules compare."""

    pk: int
    start_date: datetime.date  # as stored: the order of the list
    start: datetime.date  # the span the rules use (a tentative date: its whole months)
    end: datetime.date
    tentative: bool
    audiences: frozenset[str]
    organisers: frozenset[int] = frozenset()
    regions: set[int] = field(default_factory=set)
    themes: set[int] = field(default_factory=set)


@dataclass
class _Found:
    regions: set[int] = field(default_factory=set)
    tentative: bool = False
    themes: set[tuple[int, int]] = field(default_factory=set)  # (own concept, narrower)
    audiences: set[str] = field(default_factory=set)
    days: int | None = None


def clash_window_days() -> int:
    return settings.EVENTS_CLASH_WINDOW_DAYS


def _span(
    start: datetime.date, end: datetime.date, precision: str, confirmed: bool
) -> tuple[datetime.date, datetime.date] | None:
    if precision == DatePrecision.YEAR:
        return None
    if precision == DatePrecision.MONTH or not confirmed:
        return month_span(start.year, start.month)[0], month_span(end.year, end.month)[1]
    return start, end


def find_clashes(
    events_queryset: QuerySet[Event] | None = None,
    *,
    window_days: int | None = None,
    since: datetime.date | None = None,
    region: Territory | None = None,
    load_events: bool = True,
) -> list[Clash]:
    """The clashes among `events_queryset` (all events by default), cancelled ones and
    those dated to the year only left out, in date order; with `since`, only between
    events not over on that day; with `region`, only those involving an event in that
    former region. Without `load_events`, the clashes carry only the events' ids: a
    page loads the events of the clashes it shows (`clashes_load_events`)."""
    events = events_queryset if events_queryset is not None else Event.objects.all()
    if since is not None:
        events = events.filter(end_date__gte=since)
    clashes = _clashes(events, window=_window(window_days))
    if region is not None:
        clashes = [clash for clash in clashes if region.pk in clash.region_ids]
    if load_events:
        clashes_load_events(clashes)
    return clashes


def clashes_load_events(clashes: list[Clash]) -> None:
    """Set the events of the clashes, with what a list shows (cycle, organisers, places
    in order): three queries per 500 events."""
    wanted = sorted({pk for clash in clashes for pk in (clash.first_id, clash.second_id)})
    objects: dict[int, Event] = {}
    for index in range(0, len(wanted), BATCH):
        batch = Event.objects.filter(pk__in=wanted[index : index + BATCH]).with_list_related()
        objects.update((event.pk, event) for event in batch)
    for clash in clashes:
        clash.first, clash.second = objects[clash.first_id], objects[clash.second_id]


def clashes_for(event: Event, *, window_days: int | None = None) -> list[Clash]:
    """The clashes of one saved event (with its relations saved), for the warning shown
    when it is saved."""
    if event.pk is None or event.status == EventStatus.CANCELLED:
        return []
    span = _span(event.start_date, event.end_date, event.date_precision, event.date_confirmed)
    if span is None:
        return []
    window = _window(window_days)
    reach = datetime.timedelta(days=window) + MONTH_MARGIN
    candidates = Event.objects.filter(
        start_date__lte=span[1] + reach, end_date__gte=span[0] - reach
    )
    clashes = _clashes(candidates, window=window, focus=event.pk)
    clashes_load_events(clashes)
    return clashes


def _window(window_days: int | None) -> int:
    return clash_window_days() if window_days is None else window_days


def _clashes(events: QuerySet[Event], *, window: int, focus: int | None = None) -> list[Clash]:
    events = events.exclude(status=EventStatus.CANCELLED).exclude(date_precision=DatePrecision.YEAR)
    rows = _rows(events)
    if len(rows) < 2:
        return []
    ids = events.order_by().values("pk")
    _add_organisers(rows, ids)
    region_names = _add_regions(rows, ids)
    theme_labels = _add_themes(rows, ids)

    found: dict[tuple[int, int], _Found] = defaultdict(_Found)
    _same_region_and_dates(rows, found, focus)
    # Rule B needs the thesaurus' broader concepts only if some event has both.
    needs_lineage = any(row.audiences and row.themes for row in rows.values())
    lineage = taxonomy_selectors.concept_lineage() if needs_lineage else {}
    _same_theme_and_audience(rows, found, window, lineage, focus)
    if not found:
        return []
    return _build(rows, found, region_names, theme_labels)


def _rows(events: QuerySet[Event]) -> dict[int, _Row]:
    rows = {}
    for pk, start, end, precision, confirmed, audiences in events.order_by().values_list(
        "pk", "start_date", "end_date", "date_precision", "date_confirmed", "audiences"
    ):
        span = _span(start, end, precision, confirmed)
        if span is None:
            continue
        rows[pk] = _Row(
            pk=pk,
            start_date=start,
            start=span[0],
            end=span[1],
            tentative=precision != DatePrecision.DAY or not confirmed,
            audiences=frozenset(audiences or ()),
        )
    return rows


def _add_organisers(rows: dict[int, _Row], ids: QuerySet) -> None:
    organisers: dict[int, set[int]] = defaultdict(set)
    through = Event.organisers.through.objects.filter(event_id__in=ids)
    for event_id, organisation_id in through.values_list("event_id", "organisation_id"):
        organisers[event_id].add(organisation_id)
    for pk, row in rows.items():
        row.organisers = frozenset(organisers.get(pk, ()))


def _add_regions(rows: dict[int, _Row], ids: QuerySet) -> dict[int, str]:
    """Fill each row's former regions; return the names of former regions."""
    links: list[tuple[int, int, str]] = [
        *Event.territories.through.objects.filter(event_id__in=ids).values_list(
            "event_id", "territory_id", "territory__kind"
        ),
        *EventPlace.objects.filter(event_id__in=ids).values_list(
            "event_id", "territory_id", "territory__kind"
        ),
    ]
    territory_ids = {territory_id for _event, territory_id, _kind in links}
    if not territory_ids:
        return {}
    former = TerritoryKind.FORMER_REGION
    departement = TerritoryKind.DEPARTEMENT
    containing: dict[int, set[int]] = defaultdict(set)  # territory → former regions above
    departements_in: dict[int, set[int]] = defaultdict(set)  # territory → départements below
    names: dict[int, str] = {}
    closure = Territory.ancestors.through.objects.filter(
        Q(from_territory_id__in=territory_ids, to_territory__kind=former)
        | Q(to_territory_id__in=territory_ids, from_territory__kind=departement)
        | Q(from_territory__kind=departement, to_territory__kind=former)
    ).values_list(
        "from_territory_id",
        "to_territory_id",
        "from_territory__kind",
        "to_territory__kind",
        "to_territory__name",
    )
    for child, parent, child_kind, parent_kind, parent_name in closure:
        if parent_kind == former:
            containing[child].add(parent)
            names[parent] = parent_name
        if child_kind == departement and parent in territory_ids:
            departements_in[parent].add(child)
    for event_id, territory_id, kind in links:
        row = rows.get(event_id)
        if row is None:
            continue
        if kind == former:
            row.regions.add(territory_id)
        row.regions |= containing.get(territory_id, set())
        for departement_id in departements_in.get(territory_id, ()):
            row.regions |= containing.get(departement_id, set())
    return names


def _add_themes(rows: dict[int, _Row], ids: QuerySet) -> dict[int, str]:
    """Fill each row's themes; return the labels of those concepts."""
    english = get_language() == "en"
    labels = {}
    through = Event.themes.through.objects.filter(event_id__in=ids)
    for event_id, concept_id, label_fr, label_en in through.values_list(
        "event_id", "concept_id", "concept__pref_label_fr", "concept__pref_label_en"
    ):
        if event_id in rows:
            rows[event_id].themes.add(concept_id)
        labels[concept_id] = label_en if english and label_en else label_fr
    return labels


def _key(a: _Row, b: _Row) -> tuple[int, int]:
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def _considered(a: _Row, b: _Row, focus: int | None) -> bool:
    if focus is not None and focus not in (a.pk, b.pk):
        return False
    return a.organisers != b.organisers


def _same_region_and_dates(
    rows: dict[int, _Row], found: dict[tuple[int, int], _Found], focus: int | None
) -> None:
    by_region: dict[int, list[_Row]] = defaultdict(list)
    for row in rows.values():
        for region_id in row.regions:
            by_region[region_id].append(row)
    for region_id, members in by_region.items():
        members.sort(key=lambda row: (row.start, row.pk))
        running: list[_Row] = []
        for row in members:
            running = [other for other in running if other.end >= row.start]
            for other in running:
                if _considered(other, row, focus):
                    clash = found[_key(other, row)]
                    clash.regions.add(region_id)
                    clash.tentative = clash.tentative or other.tentative or row.tentative
            running.append(row)


def _same_theme_and_audience(
    rows: dict[int, _Row],
    found: dict[tuple[int, int], _Found],
    window: int,
    lineage: dict[int, frozenset[int]],
    focus: int | None,
) -> None:
    # Each event is filed under its themes and their broader concepts ("reach"); two
    # events filed under one concept share a theme if one of them has that very concept.
    by_concept: dict[int, list[_Row]] = defaultdict(list)
    for row in rows.values():
        if not row.audiences or not row.themes:
            continue
        reach = set().union(*(lineage.get(theme, frozenset({theme})) for theme in row.themes))
        for concept_id in reach:
            by_concept[concept_id].append(row)
    gap_allowed = datetime.timedelta(days=window)
    for concept_id, members in by_concept.items():
        members.sort(key=lambda row: (row.start, row.pk))
        running: list[_Row] = []
        for row in members:
            running = [other for other in running if other.end + gap_allowed >= row.start]
            for other in running:
                owner = (
                    other
                    if concept_id in other.themes
                    else row
                    if concept_id in row.themes
                    else None
                )
                if owner is None or not _considered(other, row, focus):
                    continue
                audiences = other.audiences & row.audiences
                if not audiences:
                    continue
                narrower = row if owner is other else other
                theme = (concept_id, _narrowest(narrower, concept_id, lineage))
                days = max(0, (row.start - other.end).days, (other.start - row.end).days)
                clash = found[_key(other, row)]
                clash.themes.add(theme)
                clash.audiences |= audiences
                clash.days = days if clash.days is None else min(clash.days, days)
            running.append(row)


def _narrowest(row: _Row, concept_id: int, lineage: dict[int, frozenset[int]]) -> int:
    """The row's own theme that is `concept_id` or under it (the concept itself first)."""
    if concept_id in row.themes:
        return concept_id
    return min(theme for theme in row.themes if concept_id in lineage.get(theme, ()))


def _theme_label(pair: tuple[int, int], labels: dict[int, str]) -> str:
    broader, narrower = pair
    if broader == narrower:
        return labels[broader]
    return _("%(narrower)s, within %(broader)s") % {
        "narrower": labels[narrower],
        "broader": labels[broader],
    }


def _build(
    rows: dict[int, _Row],
    found: dict[tuple[int, int], _Found],
    region_names: dict[int, str],
    theme_labels: dict[int, str],
) -> list[Clash]:
    audience_order = {value: position for position, value in enumerate(Audience.values)}
    audience_labels = dict(Audience.choices)
    clashes = []
    for (a, b), what in found.items():
        first, second = rows[a], rows[b]
        if (second.start_date, second.pk) < (first.start_date, first.pk):
            first, second = second, first
        reasons = []
        if what.regions:
            reasons.append(
                ClashReason(
                    ClashReason.SAME_PLACE_AND_DATES,
                    regions=tuple(sorted(region_names.get(r, str(r)) for r in what.regions)),
                    tentative=what.tentative,
                )
            )
        if what.themes:
            reasons.append(
                ClashReason(
                    ClashReason.SAME_THEME_AND_AUDIENCE,
                    themes=tuple(sorted(_theme_label(pair, theme_labels) for pair in what.themes)),
                    audiences=tuple(
                        str(audience_labels[value])
                        for value in sorted(what.audiences, key=lambda v: audience_order.get(v, 99))
                        if value in audience_labels
                    ),
                    days=what.days or 0,
                )
            )
        clashes.append(
            Clash(
                first_id=first.pk,
                second_id=second.pk,
                reasons=tuple(reasons),
                region_ids=frozenset(rows[a].regions | rows[b].regions),
            )
        )
    clashes.sort(
        key=lambda c: (
            rows[c.first_id].start_date,
            rows[c.second_id].start_date,
            c.first_id,
            c.second_id,
        )
    )
    return clashes
