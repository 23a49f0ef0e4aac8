"""Reads of the public agenda: the list, the month grid, the year's programme, the
event and cycle pages, the filter choices, the territory pages' section and the
schema.org description of an event. Only published events, unless said otherwise."""

from __future__ import annotations

import calendar
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from villes2.actors.models import Organisation
from villes2.core.registry import LinkedItem, LinkedSection
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from ..display import date_full_label
from ..models import (
    Cycle,
    DatePrecision,
    Event,
    EventPlace,
    EventSpeaker,
    ProgrammeLine,
    Strand,
    month_span,
)

PAST_PAGE_SIZE = 20
# Upcoming events per page: a pooled programme may hold a thousand ahead (bench/).
UPCOMING_PAGE_SIZE = 30
LINKED_LIMIT = 5
FIRST_YEAR, LAST_YEAR = 1900, 2200


def today() -> datetime.date:
    return timezone.localdate()


# --- The list ---------------------------------------------------------------------


def upcoming_events(events: QuerySet, *, on: datetime.date) -> QuerySet:
    """Not yet over, soonest first, with what a list row shows."""
    return events.upcoming(on).with_list_related().order_by("start_date", "start_time", "title")


def past_events(events: QuerySet, *, on: datetime.date) -> QuerySet:
    """Over, most recent first (a vague date sorts at its start: "2007" after
    "juin 2007"), with what a list row shows."""
    return events.past(on).with_list_related().order_by("-start_date", "-end_date", "title")


@dataclass
class MonthGroup:
    """Past events of one month, or of one year when only the year is known."""

    year: int
    month: int | None
    events: list[Event]

    @property
    def label(self) -> str:
        if self.month is None:
            return _("%(year)s (month not known)") % {"year": self.year}
        return date_format(datetime.date(self.year, self.month, 1), "F Y")

    @property
    def anchor(self) -> str:
        return f"mois-{self.year}-{self.month:02d}" if self.month else f"annee-{self.year}"


def month_groups(events: Iterable[Event]) -> list[MonthGroup]:
    """Consecutive events of the same month, in the order given."""

    def key(event: Event) -> tuple[int, int | None]:
        if event.date_precision == DatePrecision.YEAR:
            return (event.start_date.year, None)
        return (event.start_date.year, event.start_date.month)

    return [MonthGroup(year, month, list(group)) for (year, month), group in groupby(events, key)]


def programme_years() -> list[int]:
    """Years with public events or planned lines of action, newest first."""
    years = {day.year for day in Event.objects.public().dates("start_date", "year")}
    years |= set(ProgrammeLine.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


# --- Filter choices ---------------------------------------------------------------


@dataclass
class ThemeChoices:
    """The concepts of the theme scheme: the choices of the theme filter (those of
    public events and their broader concepts, as a tree) and, for any of them, the
    concept with its narrower concepts (an event on "résidentialisation" is found under
    "rénovation urbaine"). Two queries."""

    by_slug: dict[str, tuple[int, str]]  # slug → (pk, scheme slug)
    children: dict[int, list[int]]
    labels: dict[str, str]  # slug → label in the current language
    choices: list[tuple[str, str]] = field(default_factory=list)

    def accepts(self, slug: str) -> bool:
        return slug in self.by_slug

    def scheme_slug(self, slug: str) -> str:
        return self.by_slug[slug][1] if slug in self.by_slug else ""

    def with_narrower(self, slug: str) -> set[int]:
        if slug not in self.by_slug:
            return set()
        seen: set[int] = set()
        stack = [self.by_slug[slug][0]]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.children.get(current, []))
        return seen


def theme_choices() -> ThemeChoices:
    english = get_language() == "en"
    used = Event.themes.through.objects.filter(concept_id=OuterRef("pk"), event__published=True)
    rows = list(
        Concept.objects.filter(scheme__is_theme_scheme=True)
        .annotate(used=Exists(used))
        .values_list("pk", "slug", "pref_label_fr", "pref_label_en", "scheme__slug", "used")
    )
    ids = {row[0] for row in rows}
    parents: dict[int, list[int]] = {}
    children: dict[int, list[int]] = {}
    for child, parent in Concept.broader.through.objects.filter(
        from_concept__scheme__is_theme_scheme=True
    ).values_list("from_concept_id", "to_concept_id"):
        if parent in ids:
            parents.setdefault(child, []).append(parent)
            children.setdefault(parent, []).append(child)
    labels = {pk: (en if english and en else fr) for pk, _slug, fr, en, _s, _u in rows}
    slugs = {pk: slug for pk, slug, *_rest in rows}
    shown: set[int] = set()
    for pk, *_rest, used_flag in rows:
        if used_flag:
            stack = [pk]
            while stack:
                current = stack.pop()
                if current not in shown:
                    shown.add(current)
                    stack.extend(parents.get(current, []))

    choices: list[tuple[str, str]] = []
    placed: set[int] = set()

    def place(pk: int, depth: int) -> None:
        if pk in placed:
            return
        placed.add(pk)
        choices.append((slugs[pk], "\u2003" * depth + labels[pk]))
        for child in sorted(children.get(pk, []), key=lambda c: labels[c].casefold()):
            if child in shown:
                place(child, depth + 1)

    for top in sorted((pk for pk in shown if not parents.get(pk)), key=lambda c: labels[c]):
        place(top, 0)
    return ThemeChoices(
        by_slug={slug: (pk, scheme) for pk, slug, _fr, _en, scheme, _u in rows},
        children=children,
        labels={slugs[pk]: label for pk, label in labels.items()},
        choices=choices,
    )


def organiser_choices() -> list[tuple[str, str]]:
    """Organisations and networks organising public events (one query)."""
    organising = Event.organisers.through.objects.filter(
        organisation_id=OuterRef("pk"), event__published=True
    )
    return [
        (organisation.slug, str(organisation))
        for organisation in Organisation.objects.filter(Exists(organising))
        .only("slug", "name", "acronym")
        .order_by("sort_name")
    ]


def organisation_exists(slug: str) -> bool:
    return Organisation.objects.filter(slug=slug).exists()


# --- The month view ---------------------------------------------------------------


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    events: list[Event]
    is_today: bool = False


@dataclass
class MonthCalendar:
    first: datetime.date
    weeks: list[list[Day]]
    undated: list[Event]  # known to the month only: the day is to be specified
    events: list[Event]  # the events of the month, in order: the plain list
    # Known to the year only: not events "of the month", but they may fall in it.
    year_only: list[Event] = field(default_factory=list)

    @property
    def previous(self) -> datetime.date | None:
        day = self.first - datetime.timedelta(days=1)
        return day.replace(day=1) if day.year >= FIRST_YEAR else None

    @property
    def next(self) -> datetime.date | None:
        day = self.first.replace(day=28) + datetime.timedelta(days=7)
        return day.replace(day=1) if day.year <= LAST_YEAR else None


def month_calendar(year: int, month: int) -> MonthCalendar:
    """Weeks from Monday; each day with the exact-day events it holds (a two-day event
    on both days); the events known to the month only, whose day is to be specified;
    apart, those known to the year only (the 2007 atelier is no more in October than in
    any other month of 2007). Three queries."""
    first, last = month_span(year, month)
    events = list(
        Event.objects.public()
        .overlapping(first, last)
        .with_list_related()
        .order_by("start_date", "start_time", "title")
    )
    year_only = [e for e in events if e.date_precision == DatePrecision.YEAR]
    events = [e for e in events if e.date_precision != DatePrecision.YEAR]
    dated = [e for e in events if e.date_precision == DatePrecision.DAY]
    undated = [e for e in events if e.date_precision == DatePrecision.MONTH]
    now = today()
    weeks = [
        [
            Day(
                date=day,
                in_month=day.month == month,
                events=[e for e in dated if e.start_date <= day <= e.end_date]
                if day.month == month
                else [],
                is_today=day == now,
            )
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    ]
    return MonthCalendar(
        first=first, weeks=weeks, undated=undated, events=events, year_only=year_only
    )


# --- The year's programme ---------------------------------------------------------


@dataclass
class ProgrammeEntry:
    """A row of the programme: an event, or a cycle with its sessions of the year."""

    event: Event | None = None
    cycle: Cycle | None = None
    sessions: list[Event] = field(default_factory=list)


@dataclass
class StrandGroup:
    strand: str
    label: str
    entries: list[ProgrammeEntry]


@dataclass
class Programme:
    year: int
    strands: list[StrandGroup]
    lines: list[ProgrammeLine]

    @property
    def is_empty(self) -> bool:
        return not self.strands and not self.lines


def programme(year: int) -> Programme:
    """The year's events by strand in the note's order (urban, human, cross-cutting),
    a cycle as one entry with its sessions, and the year's planned lines of action.

    A cycle belongs whole to the programme of the year it starts in: the note's 2007
    programme includes the sessions of January and February 2008 (they are also in the
    2008 programme, by their dates). Six queries."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    public = Event.objects.public()
    first_sessions = (
        public.filter(cycle_id=OuterRef("cycle_id")).order_by("start_date").values("start_date")
    )
    launched = public.annotate(first=Subquery(first_sessions[:1])).filter(
        first__gte=start, first__lte=end
    )
    events = list(
        public.filter(Q(start_date__lte=end, end_date__gte=start) | Q(pk__in=launched.values("pk")))
        .with_list_related()
        .prefetch_related(
            Prefetch("speakers", queryset=EventSpeaker.objects.select_related("person"))
        )
        .order_by("start_date", "title")
    )
    # A vague date ("2007", "janvier 2008") sorts at the end of its span, after the
    # events known to the day within it, as the note lists them.
    events.sort(
        key=lambda e: (
            e.start_date if e.date_precision == DatePrecision.DAY else e.end_date,
            e.title,
        )
    )
    strands = []
    for strand, label in Strand.choices:
        entries: list[ProgrammeEntry] = []
        by_cycle: dict[int, ProgrammeEntry] = {}
        for event in (e for e in events if e.strand == strand):
            if event.cycle_id is None:
                entries.append(ProgrammeEntry(event=event))
            elif event.cycle_id in by_cycle:
                by_cycle[event.cycle_id].sessions.append(event)
            else:
                by_cycle[event.cycle_id] = ProgrammeEntry(cycle=event.cycle, sessions=[event])
                entries.append(by_cycle[event.cycle_id])
        for entry in by_cycle.values():
            entry.sessions.sort(key=lambda e: (e.cycle_position or 0, e.start_date))
        if entries:
            strands.append(StrandGroup(strand, str(label), entries))
    lines = list(
        ProgrammeLine.objects.filter(year=year).prefetch_related(
            Prefetch("themes", queryset=Concept.objects.select_related("scheme"))
        )
    )
    return Programme(year=year, strands=strands, lines=lines)


# --- Event and cycle pages --------------------------------------------------------


def event_for_page(user) -> QuerySet:
    """Events a user may open (published ones; all for those who may view events),
    with everything the page shows, in a fixed number of queries."""
    events = Event.objects.all() if user.has_perm("events.view_event") else Event.objects.public()
    return events.select_related("cycle").prefetch_related(
        "organisers",
        Prefetch("themes", queryset=Concept.objects.select_related("scheme")),
        Prefetch("territories", queryset=Territory.objects.order_by("kind", "name")),
        Prefetch("place_links", queryset=EventPlace.objects.select_related("territory")),
        Prefetch("speakers", queryset=EventSpeaker.objects.select_related("person")),
    )


SESSION_FIELDS = (
    "slug", "title", "cycle_id", "cycle_position", "start_date", "end_date", "date_precision",
    "date_confirmed", "status",
)  # fmt: skip


@dataclass
class CyclePosition:
    number: int
    total: int
    sessions: list[Event]


def cycle_position(event: Event) -> CyclePosition | None:
    """ "séance 2 sur 3": the event among the cycle's public sessions (one query)."""
    if event.cycle_id is None:
        return None
    sessions = list(
        Event.objects.public()
        .filter(cycle_id=event.cycle_id)
        .order_by(F("cycle_position").asc(nulls_last=True), "start_date", "pk")
        .only(*SESSION_FIELDS)
    )
    ids = [session.pk for session in sessions]
    if event.pk not in ids:  # an unpublished session, seen by staff
        return CyclePosition(number=0, total=len(sessions), sessions=sessions)
    return CyclePosition(number=ids.index(event.pk) + 1, total=len(sessions), sessions=sessions)


def cycle_for_page(slug: str, user) -> tuple[Cycle, list[Event]] | None:
    """A cycle with its themes and its public sessions in order (four queries). A cycle
    without a public session only for those who may view events, as an unpublished
    event (`Cycle.objects.public()`)."""
    cycles = Cycle.objects.all() if user.has_perm("events.view_event") else Cycle.objects.public()
    cycle = (
        cycles.prefetch_related(
            Prefetch("themes", queryset=Concept.objects.select_related("scheme"))
        )
        .filter(slug=slug)
        .first()
    )
    if cycle is None:
        return None
    sessions = list(
        Event.objects.public()
        .filter(cycle=cycle)
        .with_list_related()
        .order_by(F("cycle_position").asc(nulls_last=True), "start_date", "pk")
    )
    return cycle, sessions


# --- schema.org -------------------------------------------------------------------


def _iso(day: datetime.date, time: datetime.time | None, precision: str) -> str:
    """ISO 8601 as precise as known: "2007", "2008-01", "2007-10-18",
    "2007-10-18T09:30:00+02:00"."""
    if precision == DatePrecision.YEAR:
        return f"{day.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if time is not None:
        moment = datetime.datetime.combine(day, time)
        return timezone.make_aware(moment).isoformat()
    return day.isoformat()


def event_json_ld(event: Event, *, absolute) -> dict:
    """The event as a schema.org Event (https://schema.org/Event). `absolute` makes a
    path an absolute URL. Needs the relations of `event_for_page`.

    While the place is not confirmed, the candidate communes ("Tours ou Orléans") are
    not given as `location`: schema.org would read that the event is held in all of
    them. The location is then left out, or only the online one."""
    places = [link.territory for link in event.place_links.all()]
    locations: list[dict] = []
    for place in places if event.place_confirmed else []:
        address = {"@type": "PostalAddress", "addressLocality": place.name, "addressCountry": "FR"}
        if event.address:
            address["streetAddress"] = event.address
        locations.append({"@type": "Place", "name": event.venue or place.name, "address": address})
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    # Held somewhere, even while it is not known where.
    if event.online_url and places:
        mode = "MixedEventAttendanceMode"
    elif event.online_url:
        mode = "OnlineEventAttendanceMode"
    else:
        mode = "OfflineEventAttendanceMode"
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": absolute(event.get_absolute_url()),
        "startDate": _iso(event.start_date, event.start_time, event.date_precision),
        "endDate": _iso(event.end_date, event.end_time, event.date_precision),
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if event.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": f"https://schema.org/{mode}",
        "inLanguage": "fr",
        "organizer": [
            {
                "@type": "Organization",
                "name": organisation.name,
                **({"alternateName": organisation.acronym} if organisation.acronym else {}),
                "url": absolute(organisation.get_absolute_url()),
            }
            for organisation in event.organisers.all()
        ],
    }
    if event.description:
        data["description"] = event.description
    if locations:
        data["location"] = locations if len(locations) > 1 else locations[0]
    performers = [
        {"@type": "Person", "name": speaker.display_name}
        for speaker in event.public_speakers
        if speaker.confirmed
    ]
    if performers:
        data["performer"] = performers
    themes = [concept.pref_label_fr for concept in event.themes.all()]
    if themes:
        data["keywords"] = ", ".join(themes)
    if event.cycle is not None:
        data["superEvent"] = {
            "@type": "EventSeries",
            "name": event.cycle.title,
            "url": absolute(event.cycle.get_absolute_url()),
        }
    return data


# Characters that could end the <script> element or open a comment in it: written as
# JSON escapes, which mean the same characters to a JSON parser.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_text(data: dict) -> str:
    """JSON safe to put inside `<script type="application/ld+json">`."""
    return json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)


# --- Territory pages --------------------------------------------------------------


def linked_events_section(territory) -> LinkedSection | None:
    """Provider for "linked to this territory": public events concerning the territory
    or held in it (or in a territory inside it), upcoming first (soonest first), then
    past ones (most recent first). One query, two when there are more than shown."""
    on = today()
    upcoming = Q(end_date__gte=on)
    events = Event.objects.public().for_territory(territory)
    ordered = events.order_by(
        Case(When(upcoming, then=Value(0)), default=Value(1)),
        Case(When(upcoming, then=F("start_date"))).asc(),
        F("start_date").desc(),
        "title",
    ).only("slug", "title", "start_date", "end_date", "date_precision", "date_confirmed")
    items = list(ordered[:LINKED_LIMIT])
    if not items:
        return None
    total = events.count() if len(items) == LINKED_LIMIT else len(items)
    return LinkedSection(
        key="events",
        title=_("Events"),
        items=[
            LinkedItem(title=e.title, url=e.get_absolute_url(), detail=date_full_label(e))
            for e in items
        ],
        total=total,
        more_url=reverse("events:list") + f"?territoire={territory.kind}-{territory.code}",
    )
