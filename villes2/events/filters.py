"""The agenda's filters: one FilterSet for the public list (and the API, later).

URL parameters are French (the URLs are the public interface): `volet`, `type`,
`organisateur`, `theme`, `territoire` ("kind-code", as the territory pages link),
`mois` (YYYY-MM) and `annee`. A value that cannot be understood never fails the page:
the form shows a French error on its field."""

import datetime
import re
from dataclasses import dataclass

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villes2.territories.forms import TerritoryField
from villes2.territories.models import Territory, TerritoryKind

from .models import Event, EventKind, Strand, month_span
from .selectors import agenda as selectors

MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 1900, 2200


class TerritoryCodeField(TerritoryField):
    """A territory as the territory pages link it ("ancienne-region-54",
    "commune-37261"), or anything the territory picker accepts (a name, a code, its
    label). Shown back as the picker's label once understood."""

    def to_python(self, value):
        text = str(value).strip() if value not in self.empty_values else ""
        territory = self._from_kind_code(text) if text else None
        if territory is None:
            territory = super().to_python(value)
        self._understood = (value, territory)
        return territory

    @staticmethod
    def _from_kind_code(text: str) -> Territory | None:
        for kind in sorted(TerritoryKind.values, key=len, reverse=True):
            prefix = f"{kind}-"
            code = text.removeprefix(prefix)
            if code != text and re.fullmatch(r"[0-9A-Za-z-]{1,20}", code):
                return Territory.objects.filter(kind=kind, code=code.upper()).first()
        return None

    def bound_data(self, data, initial):
        understood = getattr(self, "_understood", None)
        if understood is not None and understood[0] == data and understood[1] is not None:
            return understood[1]  # the widget shows the territory's label
        return super().bound_data(data, initial)


class TerritoryCodeFilter(django_filters.Filter):
    field_class = TerritoryCodeField


class MonthField(forms.CharField):
    # A text field, not `type="month"`: browsers without a month picker show a bare text
    # box anyway, and the others empty an invalid value, hiding what was typed.
    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 8, "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Type a month as year-month, e.g. 2007-10."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return (int(match["year"]), int(match["month"]))


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class SlugChoiceField(django_filters.fields.ChoiceField):
    """A choice among the listed values, or any other value of `accepts` (a function):
    the list shows only what leads to events, yet a link to a theme or an organiser with
    no event yet is understood (an empty list, not an error)."""

    accepts = None

    def valid_value(self, value):
        if super().valid_value(value):
            return True
        return self.accepts is not None and self.accepts(str(value))


class SlugChoiceFilter(django_filters.ChoiceFilter):
    field_class = SlugChoiceField


class EventFilterSet(django_filters.FilterSet):
    """Public events by strand, kind, organiser, theme (with its narrower concepts),
    territory (concerned or place, or inside it), month and year."""

    volet = django_filters.ChoiceFilter(
        label=_("Strand"),
        field_name="strand",
        choices=Strand.choices,
        empty_label=_("All strands"),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"),
        field_name="kind",
        choices=EventKind.choices,
        empty_label=_("All types"),
    )
    organisateur = SlugChoiceFilter(
        label=_("Organiser"),
        choices=[],  # set in __init__: the organisers of public events
        method="filter_organiser",
        empty_label=_("All organisers"),
    )
    theme = SlugChoiceFilter(
        label=_("Theme"),
        choices=[],  # set in __init__: the themes of public events and their broader ones
        method="filter_theme",
        empty_label=_("All themes"),
    )
    territoire = TerritoryCodeFilter(
        label=_("Territory"), method="filter_territory", required=False
    )
    mois = MonthFilter(
        label=_("Month"),
        method="filter_month",
        help_text=_("Year and month, e.g. 2007-10."),
    )
    annee = YearFilter(
        label=_("Year"),
        method="filter_year",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5, "autocomplete": "off"}),
    )

    class Meta:
        model = Event
        fields = ["volet", "type", "organisateur", "theme", "territoire", "mois", "annee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = selectors.theme_choices()
        self.organisers = selectors.organiser_choices()
        fields = self.form.fields
        fields["theme"].choices = self.themes.choices
        fields["theme"].accepts = self.themes.accepts
        fields["organisateur"].choices = self.organisers
        fields["organisateur"].accepts = selectors.organisation_exists

    def filter_organiser(self, queryset, name, value):
        return queryset.filter(organisers__slug=value)

    def filter_theme(self, queryset, name, value):
        ids = self.themes.with_narrower(value)
        return queryset.filter(pk__in=Event.objects.filter(themes__in=ids).values("pk"))

    def filter_territory(self, queryset, name, value):
        return queryset.for_territory(value)

    def filter_month(self, queryset, name, value):
        return queryset.overlapping(*month_span(*value))

    def filter_year(self, queryset, name, value):
        return queryset.overlapping(datetime.date(value, 1, 1), datetime.date(value, 12, 31))

    def feed(self) -> "FeedLink | None":
        """The calendar feed of the current filter, when it is one organiser, one theme
        or one territory (the feeds of `events.urls`), else None."""
        if not self.is_valid():
            return None
        data = self.form.cleaned_data
        chosen = [name for name in ("organisateur", "theme", "territoire") if data.get(name)]
        if len(chosen) != 1:
            return None
        if chosen == ["organisateur"]:
            slug = data["organisateur"]
            name = dict(self.organisers).get(slug, slug)
            return FeedLink(
                "events:ical_organiser",
                (slug,),
                _("Events organised by %(name)s") % {"name": name},
            )
        if chosen == ["theme"]:
            slug = data["theme"]
            return FeedLink(
                "events:ical_theme",
                (self.themes.scheme_slug(slug), slug),
                _("Events on the theme %(name)s") % {"name": self.themes.labels[slug]},
            )
        territory = data["territoire"]
        return FeedLink(
            "events:ical_territory",
            (territory.kind, territory.code),
            _("Events concerning or held in %(name)s") % {"name": territory.name},
        )


@dataclass(frozen=True)
class FeedLink:
    url_name: str
    args: tuple[str, ...]
    label: str

    @property
    def path(self) -> str:
        return reverse(self.url_name, args=self.args)
