"""How an event's date and place read, as the note writes them: "1er juin 2007",
"18 et 19 octobre 2007", "janvier 2008 (date à confirmer)", "Tours ou Orléans (lieu à
confirmer)". Used by the pages, the e-mails, the certificates and the calendars."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import DatePrecision, Event


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
