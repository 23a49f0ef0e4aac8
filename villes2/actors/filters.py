import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villes2.territories.filters import TerritoryFilter

from .models import Organisation, OrganisationKind, Person, PublicField, Tag
from .selectors import person_ids_publishing, public_themes


class _DirectoryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=120)
    territory = TerritoryFilter(label=_("Territory"), method="filter_territory", required=False)
    network = django_filters.ModelChoiceFilter(
        label=_("Network"),
        queryset=Organisation.objects.networks().order_by("sort_name"),
        method="filter_network",
        empty_label=_("All networks"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Tag.objects.none(),  # set in __init__: only themes that are public
        method="filter_theme",
        empty_label=_("All themes"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Persons publishing their themes: read once for the choices and the filter.
        self.publishing_themes = person_ids_publishing(PublicField.THEMES)
        themes = public_themes(publishing=self.publishing_themes)
        self.filters["theme"].queryset = themes
        self.form.fields["theme"].queryset = themes

    def filter_theme(self, queryset, name, value):
        return queryset.filter(themes=value)

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_territory(self, queryset, name, value):
        # The territory itself or one inside it (the views make the list distinct).
        return queryset.filter(Q(territories=value) | Q(territories__ancestors=value))


class OrganisationFilterSet(_DirectoryFilterSet):
    """The organisations of the directory (HTML list; the API will reuse it)."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganisationKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "territory", "network", "theme"]

    def filter_network(self, queryset, name, value):
        return queryset.filter(networks__network=value) | queryset.filter(parent=value)


class PersonFilterSet(_DirectoryFilterSet):
    """The persons of the directory: searched over names, organisations and roles."""

    organisation_kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"),
        choices=OrganisationKind.choices,
        field_name="memberships__organisation__kind",
        distinct=True,
        empty_label=_("All kinds"),
    )

    class Meta:
        model = Person
        fields = ["q", "organisation_kind", "territory", "network", "theme"]

    def filter_network(self, queryset, name, value):
        # Roles in the network's own organisation, which the person's page shows; a
        # person's `NetworkMembership` is shown nowhere public, so it filters nothing.
        return queryset.filter(memberships__organisation=value)

    def filter_theme(self, queryset, name, value):
        # A person's themes are personal data: filter only on those they published.
        return queryset.filter(themes=value, pk__in=self.publishing_themes)
