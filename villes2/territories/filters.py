import django_filters
from django.utils.translation import gettext_lazy as _

from .forms import TerritoryField
from .models import Territory, TerritoryKind


class TerritoryFilter(django_filters.Filter):
    field_class = TerritoryField


class TerritoryFilterSet(django_filters.FilterSet):
    """Territory search: the `/territoires/recherche/` list and the territory picker."""

    q = django_filters.CharFilter(label=_("Name or code"), method="filter_q", max_length=120)
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=TerritoryKind.choices, empty_label=_("All kinds")
    )
    within = TerritoryFilter(label=_("Inside"), method="filter_within", required=False)

    class Meta:
        model = Territory
        fields = ["q", "kind", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_within(self, queryset, name, value):
        return queryset.within(value)
