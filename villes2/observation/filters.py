"""The comparison list's FilterSet: one indicator, one level, one scope, one period.

Its `qs` is the values compared (for an API); the page itself calls
`selectors.indicator_comparison` with `comparison_arguments()`, which also lists the
territories without a value. The form's parameters are French: `indicateur`, `niveau`,
`perimetre`, `periode`.
"""

from __future__ import annotations

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from villes2.territories.models import TerritoryKind

from . import selectors
from .forms import (
    LEVEL_CHOICES,
    LEVEL_LABELS,
    ComparisonForm,
    IndicatorField,
    PeriodField,
    ScopeField,
    parse_scope,
    period_value,
    scope_label,
    scope_value,
)
from .models import IndicatorValue

DEFAULTS = {"niveau": TerritoryKind.COMMUNE, "perimetre": selectors.CENTRE_SCOPE}


class IndicatorFilter(django_filters.Filter):
    field_class = IndicatorField


class ScopeFilter(django_filters.Filter):
    field_class = ScopeField


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


class ComparisonFilterSet(django_filters.FilterSet):
    indicateur = IndicatorFilter(label=_("Indicator"), field_name="indicator")
    niveau = django_filters.ChoiceFilter(
        label=_("Territories compared"),
        field_name="territory__kind",
        choices=LEVEL_CHOICES,
        empty_label=None,
        required=True,
        error_messages={
            "invalid_choice": _("Unknown level: “%(value)s”. Choose one from the list.")
        },
    )
    perimetre = ScopeFilter(label=_("Scope"), method="filter_scope", required=True)
    periode = PeriodFilter(label=_("Period"), method="filter_period")

    class Meta:
        model = IndicatorValue
        fields = ["indicateur", "niveau", "perimetre", "periode"]
        form = ComparisonForm

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name, value in DEFAULTS.items():
                if not data.get(name):
                    data[name] = value
        super().__init__(data, *args, **kwargs)
        requested = ",".join(data.getlist("perimetre")) if data is not None else ""
        pairs = parse_scope(requested) or []
        # Before the form is built from the filters' fields.
        self.filters["indicateur"].extra["indicators"] = selectors.indicators_for_choice()
        self.filters["perimetre"].extra.update(
            territories=selectors.scope_choices_territories(pairs), requested=requested
        )
        if data is None:
            self.form.initial.update(DEFAULTS)

    def filter_scope(self, queryset, name, value):
        return queryset.filter(territory_id__in=selectors.within_scope(value))

    def filter_period(self, queryset, name, value):
        period = self.form.cleaned_data.get("period")
        return queryset.filter(period=period) if period else queryset

    def comparison_arguments(self) -> dict:
        """The selector's arguments, once the form is valid."""
        data = self.form.cleaned_data
        return {
            "indicator": data["indicateur"],
            "kind": data["niveau"],
            "scope": data["perimetre"],
            "period": data["period"],
        }

    def query(self, **changes) -> str:
        """The canonical query string of this comparison, with some parameters changed
        (None removes one): links to sort, to export, to the map data."""
        data = self.form.cleaned_data
        query = QueryDict(mutable=True)
        query["indicateur"] = data["indicateur"].code
        query["niveau"] = data["niveau"]
        query["perimetre"] = scope_value(data["perimetre"])
        query["periode"] = period_value(data["period"], data["indicateur"].periodicity)
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = value
        return query.urlencode(safe=":,")

    def heading(self) -> str:
        """ "Communes, Indre-et-Loire, 2023": what is compared, where, when."""
        data = self.form.cleaned_data
        return _("%(level)s, %(scope)s, %(period)s") % {
            "level": LEVEL_LABELS.get(data["niveau"], data["niveau"]),
            "scope": scope_label(data["perimetre"]),
            "period": selectors.period_label(data["period"], data["indicateur"].periodicity),
        }
