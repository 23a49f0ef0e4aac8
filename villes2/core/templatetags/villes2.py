from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def thousands(value):
    """12345 → "12 345" in French, "12,345" in English; empty for None."""
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_without(context, parameter, value):
    """The current query string without one value of a parameter (and without the page):
    the link that removes one filter of a search."""
    query = context["request"].GET.copy()
    query.setlist(parameter, [v for v in query.getlist(parameter) if v != str(value)])
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
