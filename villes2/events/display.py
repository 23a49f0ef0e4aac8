"""How an event's date, times and place read, as the note writes them: "1er juin 2007",
"18 et 19 octobre 2007", "janvier 2008 (date à confirmer)", "de 9 h 30 à 17 h",
"Tours ou Orléans (lieu à confirmer)". Used by the pages, the e-mails, the certificates
and the calendars."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import DatePrecision, Event

# French typography keeps a time on one line: "9 h 30", with no-break spaces.
NBSP = "\u00a0"


def _day(day: datetime.date) -> str:
    """ "1er" for the first of the month in French (typographic convention)."""
    if day.day == 1 and get_language() != "en":
        return "1er"
    return str(day.day)


def _month_year(day: datetime.date) -> str:
    return date_format(day, "F Y")


def _month(day: datetime.date) -> str:
    return date_format(day, "F")


def day_span_label(start: datetime.date, end: datetime.date) -> str:
    """A span of exact days: "1er juin 2007", "18 et 19 octobre 2007",
    "du 30 septembre au 2 octobre 2007", "du 28 décembre 2007 au 2 janvier 2008"."""
    if start == end:
        return f"{_day(start)} {_month_year(start)}"
    if (start.year, start.month) == (end.year, end.month):
        if (end - start).days == 1:
            return _("%(first)s and %(second)s %(month)s") % {
                "first": _day(start),
                "second": _day(end),
                "month": _month_year(end),
            }
        return _("from %(first)s to %(last)s %(month)s") % {
            "first": _day(start),
            "last": _day(end),
            "month": _month_year(end),
        }
    if start.year == end.year:
        return _("from %(first)s to %(last)s") % {
            "first": f"{_day(start)} {_month(start)}",
            "last": f"{_day(end)} {_month_year(end)}",
        }
    return _("from %(first)s to %(last)s") % {
        "first": f"{_day(start)} {_month_year(start)}",
        "last": f"{_day(end)} {_month_year(end)}",
    }


def date_label(event: Event) -> str:
    """The event's date as precise as it is known, without the uncertainty mark."""
    if event.date_precision == DatePrecision.YEAR:
        return str(event.start_date.year)
    if event.date_precision == DatePrecision.MONTH:
        if (event.start_date.year, event.start_date.month) == (
            event.end_date.year,
            event.end_date.month,
        ):
            return _month_year(event.start_date)
        return _("from %(first)s to %(last)s") % {
            "first": _month_year(event.start_date),
            "last": _month_year(event.end_date),
        }
    return day_span_label(event.start_date, event.end_date)


def date_note(event: Event) -> str:
    """What remains to be confirmed about the date, or ""."""
    if not event.date_confirmed:
        return _("date to be confirmed")
    if event.date_precision == DatePrecision.MONTH:
        return _("day to be confirmed")
    if event.date_precision == DatePrecision.YEAR:
        return _("date to be confirmed")
    return ""


def date_full_label(event: Event) -> str:
    """ "janvier 2008 (date à confirmer)", "1er juin 2007"."""
    label, note = date_label(event), date_note(event)
    return f"{label} ({note})" if note else label


def time_label(moment: datetime.time) -> str:
    """ "9 h", "9 h 30", "17 h 05" in French (typographic convention, no-break spaces);
    "9:30 am", "5:00 pm" in English."""
    if get_language() == "en":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"
    if moment.minute:
        return f"{moment.hour}{NBSP}h{NBSP}{moment.minute:02d}"
    return f"{moment.hour}{NBSP}h"


def time_span_label(start: datetime.time | None, end: datetime.time | None) -> str:
    """ "de 9 h 30 à 17 h" ("9:30 am – 5:00 pm"), "à 9 h 30" ("at 9:30 am") when only
    the start is known, "" without a start."""
    if start is None:
        return ""
    if end is None:
        return _("at %(start)s") % {"start": time_label(start)}
    return _("%(start)s – %(end)s") % {"start": time_label(start), "end": time_label(end)}


def date_time_label(event: Event) -> str:
    """The date with the times when the day is known: "14 mars 2030, de 9 h 30 à 17 h";
    otherwise as `date_full_label` (a time without its day means nothing)."""
    label = date_full_label(event)
    if event.date_precision != DatePrecision.DAY:
        return label
    times = time_span_label(event.start_time, event.end_time)
    return f"{label}, {times}" if times else label


def place_names(event: Event) -> list[str]:
    """Names of the place communes in their order (prefetch `place_links__territory`,
    as `Event.objects.with_list_related()` does)."""
    return [link.territory.name for link in event.place_links.all()]


def place_label(event: Event) -> str:
    """ "Orléans", "Dreux – Vernouillet", "Tours ou Orléans (lieu à confirmer)",
    "Blois (lieu à confirmer)", or "" when no place is known."""
    names = place_names(event)
    if not names:
        return ""
    if event.place_confirmed:
        return " – ".join(names)
    alternatives = _(" or ").join(names)
    return _("%(places)s (place to be confirmed)") % {"places": alternatives}


# Words of an address: hyphens stay inside them, so that "Tours" is not a word of
# "Joué-lès-Tours".
_WORD_SEPARATORS = re.compile(r"[\s'’,;:()/.]+")


def _words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return tuple(word for word in _WORD_SEPARATORS.split(plain) if word)


def _named_in(name: str, text: str) -> bool:
    """Whether `text` names the commune, whatever the case and accents, its hyphens
    written or not: "Orléans" in "45000 ORLEANS", "Saint-Cyr-sur-Loire" in "37540 Saint
    Cyr sur Loire", but not "Tours" in "37300 Joué-lès-Tours"."""
    words = _words(text)
    for wanted in {_words(name), _words(name.replace("-", " "))}:
        size = len(wanted)
        if size and any(words[i : i + size] == wanted for i in range(len(words) - size + 1)):
            return True
    return False


@dataclass(frozen=True)
class PlaceDetails:
    """Where an event is held, each piece once: the venue, the lines of the address, then
    the communes unless the address names them all. While the place is not confirmed,
    the candidate communes only ("Tours ou Orléans (lieu à confirmer)"): a venue or an
    address entered early is not shown yet."""

    confirmed: bool = False  # then every line is data written in French
    venue: str = ""
    address: list[str] = field(default_factory=list)
    communes: str = ""

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.venue, *self.address, self.communes) if line]

    def __str__(self) -> str:
        """On one line: "Salle de test, 1 rue Fictive, 37000 Tours"."""
        return ", ".join(self.lines)

    def __bool__(self) -> bool:
        return bool(self.lines)


def place_details(event: Event) -> PlaceDetails:
    if not event.place_confirmed:
        return PlaceDetails(confirmed=False, communes=place_label(event))
    address = [line.strip(" ,;") for line in event.address.splitlines() if line.strip(" ,;")]
    names = place_names(event)
    written = " ".join(address)
    communes = (
        "" if names and all(_named_in(name, written) for name in names) else place_label(event)
    )
    return PlaceDetails(
        confirmed=True, venue=event.venue.strip(), address=address, communes=communes
    )
