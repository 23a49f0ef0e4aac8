"""How the agenda templates show an event's date and place: the wording of
`events.display`, the same as in the e-mails, certificates and calendars."""

from django import template

from .. import display

register = template.Library()


@register.filter
def date_full(event) -> str:
    """ "janvier 2008 (date à confirmer)", "18 et 19 octobre 2007"."""
    return display.date_full_label(event)


@register.filter
def place(event) -> str:
    """ "Tours ou Orléans (lieu à confirmer)"; needs the places prefetched."""
    return display.place_label(event)
