"""How the agenda templates show an event's date and place: the wording of
`events.display`, the same as in the e-mails, certificates and calendars."""

from django import template
from django.utils.html import format_html

from .. import display

register = template.Library()


@register.filter
def date_full(event) -> str:
    """ "janvier 2008 (date à confirmer)", "18 et 19 octobre 2007"."""
    return display.date_full_label(event)


@register.filter
def date_time(event) -> str:
    """ "14 mars 2030, de 9 h 30 à 17 h": the date with the times when they are known."""
    return display.date_time_label(event)


@register.filter
def place(event) -> str:
    """ "Tours ou Orléans (lieu à confirmer)"; needs the places prefetched."""
    return display.place_label(event)


@register.filter
def place_details(event) -> display.PlaceDetails:
    """Venue, address lines and communes, each once; needs the places prefetched."""
    return display.place_details(event)


@register.filter
def french(value) -> str:
    """Data written in French, marked as such for the English pages (RGAA 8.7), for use
    inside a translated sentence: `{% blocktranslate with title=cycle.title|french %}`."""
    if not value:
        return ""
    return format_html('<span lang="fr">{}</span>', value)
