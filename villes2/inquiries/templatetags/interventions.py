"""Filters of the interventions' back-office pages."""

from decimal import Decimal

from django import template

from ..selectors.interventions import half_days_label, half_days_number_label, procedures_label

register = template.Library()


@register.filter
def half_days(value: Decimal) -> str:
    """ "1,5 demi-journée", "3 demi-journées"."""
    return half_days_label(Decimal(value))


@register.filter
def half_days_number(value: Decimal) -> str:
    """The number alone, with the language's decimal mark: "1,5", "3"."""
    return half_days_number_label(Decimal(value))


@register.filter
def procedures(values: list[str]) -> str:
    """The procedures in words: "CUCS, PRU"."""
    return procedures_label(values)


@register.filter
def staff_names(intervention) -> str:
    """The staff of an intervention (prefetched), by name."""
    return ", ".join(
        user.get_full_name() or user.get_username() for user in intervention.staff.all()
    )
