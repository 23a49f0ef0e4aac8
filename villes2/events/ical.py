"""The agenda as iCalendar (RFC 5545, with the calendar properties of RFC 7986), written
with vobject: subscription feeds (all events, per cycle, organiser, theme, territory)
and the download of one event.

Decisions (change them knowingly):

- **What a feed holds.** The subscription feeds (all events, organiser, theme, territory)
  hold every published event not over for more than a year (`FEED_PAST`) and every one
  to come: a subscriber's calendar needs the programme ahead and the recent past, and a
  feed stays the size of two years of programme however long the history grows (at ten
  centres' scale, ten years of events would take seconds to write at each poll). A
  cycle's feed and the `.ics` download of one event are complete, whatever the dates: the
  founding 2007 programme stays there, and on the agenda's pages. Each feed is written
  in five or six queries whatever its size (`feed_events`). Unpublished events never
  appear.
- **Year-precision events are left out of the feeds** ("Démarrage de l'atelier
  interrégional…", 2007): a bar across a whole year in every subscriber's calendar says
  nothing and hides the rest. Their own `.ics` download still gives them, as a tentative
  all-day span over the year.
- **Dates.** Exact days without times are all-day events, several days included
  (RFC 5545 3.6.1: `DTEND;VALUE=DATE` is the day after the last one: 18–19 October →
  20071018 to 20071020). A month-precision date ("Février", "Janvier ?") is an all-day
  span over the month, `STATUS:TENTATIVE`, `TRANSP:TRANSPARENT` (it must not mark the
  whole month busy), and the summary says what is to be confirmed, since most calendar
  applications do not show the status. An exact day with times gives UTC date-times
  (no VTIMEZONE needed); a start time without an end time gives a start only on a
  single day, and an all-day span on several days.
- **Status.** `CANCELLED` for a cancelled event (and "Annulé :" before its summary);
  `TENTATIVE` when the date is not a confirmed exact day (`Event.is_tentative`);
  `CONFIRMED` otherwise, whether the event is still "planned" or already held: the
  programme's status is about the event, the iCalendar status about its date.
- **Identity.** `UID` is `event-<pk>@<OAI_REPOSITORY_IDENTIFIER>`, independent of the host
  that served the feed; `SEQUENCE` is the event's version; `DTSTAMP` and `LAST-MODIFIED`
  are its last modification, so that an unchanged event is written identically.
- **Organisers** are named in the description: `ORGANIZER` needs a calendar address
  (mailto:) that the programme does not have.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import vobject
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from vobject.icalendar import utc

from . import display
from .models import DatePrecision, Event, EventKind, EventPlace, EventSpeaker, Strand
from .querysets import EventQuerySet

PRODID = "-//Villes²//Agenda//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often subscribers should fetch the feed again (RFC 7986 and Microsoft's name).
REFRESH_INTERVAL = "PT12H"
CALENDAR_TIMEZONE = "Europe/Paris"

# How far back subscription feeds go (events over for longer are left out).
FEED_PAST = datetime.timedelta(days=365)
# Lines are folded at 75 octets (RFC 5545 3.1).
LINE_OCTETS = 75

# Makes an absolute URL of a path: `request.build_absolute_uri`.
UrlMaker = Callable[[str], str]


def today() -> datetime.date:
    return timezone.localdate()


def feed_events(events: EventQuerySet | None = None, *, complete: bool = False) -> EventQuerySet:
    """The events of a feed, from `events` (all events by default): published, dated at
    least to the month, not over for more than `FEED_PAST` unless `complete`, with
    everything a VEVENT shows. Five queries, whatever the number of events."""
    if events is None:
        events = Event.objects.all()
    if not complete:
        events = events.filter(end_date__gte=today() - FEED_PAST)
    return (
        events.public()
        .exclude(date_precision=DatePrecision.YEAR)
        .order_by("start_date", "title", "pk")
        .select_related("cycle")
        .prefetch_related(*_RELATED)
    )


_RELATED = (
    "organisers",
    "themes",
    Prefetch("place_links", queryset=EventPlace.objects.select_related("territory")),
    Prefetch("speakers", queryset=EventSpeaker.objects.select_related("person")),
)


def event_for_download(slug: str) -> Event | None:
    """One published event (any date precision) with what its VEVENT shows."""
    events = Event.objects.public().filter(slug=slug)
    return events.select_related("cycle").prefetch_related(*_RELATED).first()


def calendar_serialize(
    events: Iterable[Event],
    *,
    name: str,
    description: str,
    url_for: UrlMaker,
    source: str = "",
) -> str:
    """A VCALENDAR of the events, named for calendar applications (`NAME`,
    `X-WR-CALNAME`); `source` is the feed's own absolute URL."""
    calendar = _calendar(name=name, description=description, source=source)
    for event in events:
        _vevent_add(calendar, event, url_for)
    return _serialize(calendar)


def event_serialize(event: Event, *, url_for: UrlMaker) -> str:
    """The VCALENDAR of one event, for the "add to my calendar" download."""
    calendar = _calendar(name=f"Villes² — {event.title}", description="", source="")
    _vevent_add(calendar, event, url_for)
    return _serialize(calendar)


def _serialize(calendar: vobject.base.Component) -> str:
    """vobject's text with every line folded at 75 octets (RFC 5545 3.1): vobject 0.9.9
    leaves a line of fewer than 75 characters unfolded, though accents make it longer
    in octets."""
    text = calendar.serialize()
    lines = text.replace("\r\n ", "").split("\r\n")
    return "\r\n".join(_fold(line) for line in lines)


def _fold(line: str) -> str:
    if len(line.encode()) <= LINE_OCTETS:
        return line
    parts, current, size = [], [], 0
    for char in line:
        octets = len(char.encode())
        # Continuation lines start with a space, which counts.
        if size + octets > LINE_OCTETS:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n".join(parts)


def _calendar(*, name: str, description: str, source: str) -> vobject.base.Component:
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = PRODID
    calendar.add("calscale").value = "GREGORIAN"
    calendar.add("method").value = "PUBLISH"
    calendar.add("name").value = name
    calendar.add("x-wr-calname").value = name
    if description:
        calendar.add("x-wr-caldesc").value = description
    calendar.add("x-wr-timezone").value = CALENDAR_TIMEZONE
    refresh = calendar.add("refresh-interval")
    refresh.value = REFRESH_INTERVAL
    refresh.params["VALUE"] = ["DURATION"]
    calendar.add("x-published-ttl").value = REFRESH_INTERVAL
    if source:
        feed = calendar.add("source")
        feed.value = source
        feed.params["VALUE"] = ["URI"]
    return calendar


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{settings.OAI_REPOSITORY_IDENTIFIER}"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    # vobject writes a "Z" date-time only for dateutil's UTC (it cannot name others).
    return moment.astimezone(utc)


def _local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ZoneInfo(CALENDAR_TIMEZONE))


def _dates(event: Event) -> tuple[datetime.date | datetime.datetime, object]:
    """DTSTART and DTEND (None: no DTEND) as the module docstring describes them."""
    if event.date_precision == DatePrecision.DAY and event.start_time is not None:
        start = _utc(_local(event.start_date, event.start_time))
        if event.end_time is not None:
            end = _utc(_local(event.end_date, event.end_time))
            return start, (end if end > start else None)
        if event.start_date == event.end_date:
            return start, None
    # All day: the end is exclusive (RFC 5545 3.6.1).
    return event.start_date, event.end_date + datetime.timedelta(days=1)


def _status(event: Event) -> str:
    if event.is_cancelled:
        return "CANCELLED"
    if event.is_tentative:
        return "TENTATIVE"
    return "CONFIRMED"


def _summary(event: Event) -> str:
    summary = event.title
    note = display.date_note(event)
    if note:
        summary = f"{summary} ({note})"
    if event.is_cancelled:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    return summary


def _location(event: Event) -> str:
    return str(display.place_details(event)) or event.online_url


def _speaker_label(speaker: EventSpeaker) -> str:
    if speaker.confirmed:
        return speaker.display_name
    return _("%(name)s (to be confirmed)") % {"name": speaker.display_name}


def _description(event: Event, page_url: str) -> str:
    lines = []
    if event.is_cancelled:
        lines += [_("This event is cancelled."), ""]
    if event.description.strip():
        lines += [event.description.strip(), ""]
    lines.append(_("Date: %(date)s") % {"date": display.date_time_label(event)})
    location = _location(event)
    if location:
        lines.append(_("Place: %(place)s") % {"place": location})
    organisers = [organisation.name for organisation in event.organisers.all()]
    if organisers:
        lines.append(_("Organised by: %(organisers)s") % {"organisers": ", ".join(organisers)})
    speakers = [_speaker_label(speaker) for speaker in event.public_speakers]
    if speakers:
        lines.append(_("Speakers: %(speakers)s") % {"speakers": ", ".join(speakers)})
    if event.cycle_id:
        lines.append(_("Cycle: %(cycle)s") % {"cycle": event.cycle.title})
    if event.online_url:
        lines.append(_("Online: %(url)s") % {"url": event.online_url})
    lines.append(_("Event page: %(url)s") % {"url": page_url})
    return "\n".join(lines)


def _categories(event: Event) -> list[str]:
    categories = [str(Strand(event.strand).label)]
    if event.kind:
        categories.append(str(EventKind(event.kind).label))
    categories += [theme.label for theme in event.themes.all()]
    return categories


def _vevent_add(calendar: vobject.base.Component, event: Event, url_for: UrlMaker) -> None:
    page_url = url_for(event.get_absolute_url())
    vevent = calendar.add("vevent")
    vevent.add("uid").value = event_uid(event)
    modified = _utc(event.modified)
    vevent.add("dtstamp").value = modified
    vevent.add("last-modified").value = modified
    vevent.add("created").value = _utc(event.created)
    vevent.add("sequence").value = str(event.version)
    start, end = _dates(event)
    vevent.add("dtstart").value = start
    if end is not None:
        vevent.add("dtend").value = end
    vevent.add("summary").value = _summary(event)
    vevent.add("description").value = _description(event, page_url)
    vevent.add("url").value = page_url
    location = _location(event)
    if location:
        vevent.add("location").value = location
    vevent.add("categories").value = _categories(event)
    vevent.add("status").value = _status(event)
    if event.date_precision != DatePrecision.DAY:
        # A date known to the month or year must not mark the whole span busy.
        vevent.add("transp").value = "TRANSPARENT"
