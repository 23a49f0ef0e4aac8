from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def thousands(value):
    """12345 → "12 345" in French, "12,345" in English; empty for None."""
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)
