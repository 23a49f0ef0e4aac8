"""The FAQ's filters: one FilterSet for the public list (and the API, later).

URL parameters are French (the URLs are the public interface): `theme` (the slug of a
top theme; an entry under a narrower concept is found under its theme, as in the
shared search's "theme" facet) and `q`, the words looked for, which the list hands to
the shared search restricted to the FAQ (`selectors.public.faq_list_page`)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from villes2.core.search.query import MAX_QUERY_LENGTH
from villes2.taxonomy import selectors as taxonomy_selectors

from .models import FaqEntry, Intervention, InterventionKind, Procedure


class FaqSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and len(data.get("q", "")) > MAX_QUERY_LENGTH:
            # A pasted paragraph searches its beginning, as the shared search does.
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY_LENGTH]
        super().__init__(data, *args, **kwargs)


class FaqEntryFilterSet(django_filters.FilterSet):
    """Published FAQ entries by theme; the words (`q`) go to the shared search."""

    theme = django_filters.ChoiceFilter(
        label=_("Theme"),
        choices=[],  # set in __init__: the themes of published entries
        method="filter_theme",
        empty_label=_("All themes"),
    )

    class Meta:
        model = FaqEntry
        fields = ["theme"]
        form = FaqSearchForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._slugs_by_concept: dict[int, frozenset[str]] | None = None
        self.form.fields["theme"].choices = self.theme_choices()

    def filter_queryset(self, queryset):
        # `q` is a field of the form, not a filter: the words go to the shared search.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def slugs_by_concept(self) -> dict[int, frozenset[str]]:
        if self._slugs_by_concept is None:
            self._slugs_by_concept = taxonomy_selectors.theme_slugs_by_concept()
        return self._slugs_by_concept

    def theme_choices(self) -> list[tuple[str, str]]:
        """The top themes above the concepts of published entries, by label."""
        used = FaqEntry.themes.through.objects.filter(faqentry__published=True).values_list(
            "concept_id", flat=True
        )
        by_concept = self.slugs_by_concept()
        slugs = set().union(*(by_concept.get(pk, frozenset()) for pk in set(used)))
        labels = taxonomy_selectors.theme_labels(slugs)
        return sorted(labels.items(), key=lambda item: item[1].casefold())

    def filter_theme(self, queryset, name, value):
        concepts = [pk for pk, slugs in self.slugs_by_concept().items() if value in slugs]
        return queryset.filter(pk__in=FaqEntry.objects.filter(themes__in=concepts).values("pk"))


# --- Interventions -----------------------------------------------------------------------
# The map, the calendar and its table, the iCalendar export (back office): one FilterSet.
# Parameters are French, as the back office's list filters: `annee`, `mois` (1-12),
# `nature` (kind), `procedure`, `departement` (code of one of the centre's ten).

FIRST_YEAR, LAST_YEAR = 1900, 2200  # the agenda's month grid goes no further


class YearField(forms.IntegerField):
    default_error_messages = {
        "invalid": _("Type a year in figures, for example 2025."),
        "min_value": _("Type a year from 1900 to 2200."),
        "max_value": _("Type a year from 1900 to 2200."),
    }

    # Text, not a number input: a wrong value is shown back as typed, with its message.
    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "maxlength": 6})

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(**kwargs)


class YearFilter(django_filters.Filter):
    field_class = YearField


class InterventionFilterSet(django_filters.FilterSet):
    """Interventions of a year (and a month), by kind, procedure and département. The
    year defaults to the current one; with `month_required` (the calendar) the month
    too. `qs` is the filtered interventions."""

    annee = YearFilter(label=_("Year"), method="filter_year", required=True)
    mois = django_filters.ChoiceFilter(
        label=_("Month"),
        choices=[(str(number), name) for number, name in MONTHS.items()],
        method="filter_month",
        empty_label=_("Whole year"),
        error_messages={"invalid_choice": _("Choose a month from 1 to 12.")},
    )
    nature = django_filters.ChoiceFilter(
        label=_("Kind"),
        field_name="kind",
        choices=InterventionKind.choices,
        empty_label=_("All kinds"),
        error_messages={"invalid_choice": _("Choose a kind from the list.")},
    )
    procedure = django_filters.ChoiceFilter(
        label=_("Procedure"),
        choices=Procedure.choices,
        method="filter_procedure",
        empty_label=_("All procedures"),
        error_messages={"invalid_choice": _("Choose a procedure from the list.")},
    )
    departement = django_filters.ChoiceFilter(
        label=_("Département"),
        choices=[],  # set in __init__: the centre's ten départements
        method="filter_departement",
        empty_label=_("All départements"),
        error_messages={"invalid_choice": _("Choose one of the centre’s départements.")},
    )

    class Meta:
        model = Intervention
        fields = ["annee", "mois", "nature", "procedure", "departement"]

    def __init__(self, data=None, *args, month_required: bool = False, **kwargs):
        from .selectors.interventions import centre_departements

        today = timezone.localdate()
        data = data.copy() if data is not None else QueryDict(mutable=True)
        defaults = {"annee": str(today.year)}
        if month_required:
            defaults["mois"] = str(today.month)
        for name, value in defaults.items():
            if not data.get(name):
                data[name] = value
        if kwargs.get("queryset") is None:
            kwargs["queryset"] = Intervention.objects.all()
        super().__init__(data, *args, **kwargs)
        self.month_required = month_required
        self.departements = {territory.code: territory for territory in centre_departements()}
        self.filters["departement"].extra["choices"] = [
            (code, f"{code} — {territory.name}") for code, territory in self.departements.items()
        ]
        if month_required:
            self.filters["mois"].extra.update(required=True, empty_label=None)

    def filter_year(self, queryset, name, value):
        return queryset.in_year(value)

    def filter_month(self, queryset, name, value):
        return queryset.in_month(self.form.cleaned_data["annee"], int(value))

    def filter_procedure(self, queryset, name, value):
        return queryset.for_procedure(value)

    def filter_departement(self, queryset, name, value):
        return queryset.within(self.departements[value])

    # What the pages need once the form is valid.

    @property
    def year(self) -> int:
        return self.form.cleaned_data["annee"]

    @property
    def month(self) -> int | None:
        value = self.form.cleaned_data.get("mois")
        return int(value) if value else None

    def period_label(self) -> str:
        """ "2025" or "mars 2025"."""
        if self.month is None:
            return str(self.year)
        return date_format(datetime.date(self.year, self.month, 1), "F Y")

    def query(self, **changes) -> str:
        """The query string of these filters, some changed (None removes one)."""
        query = QueryDict(mutable=True)
        for name in self.Meta.fields:
            value = self.form.cleaned_data.get(name)
            if value not in (None, ""):
                query[name] = str(value)
        for name, value in changes.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = str(value)
        return query.urlencode()

    def changelist_query(self, *, site=None) -> str:
        """The same filters as parameters of the back office's list of interventions."""
        data = self.form.cleaned_data
        query = QueryDict(mutable=True)
        query["annee"] = str(self.year)
        if self.month is not None:
            query["date__year"] = str(self.year)
            query["date__month"] = str(self.month)
        for name, parameter in (
            ("nature", "kind__exact"),
            ("procedure", "procedure"),
            ("departement", "departement"),
        ):
            if data.get(name):
                query[parameter] = data[name]
        if site is not None:
            query["site__id__exact"] = str(site.pk)
        return query.urlencode()
