from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import ReadOnlyModelAdmin

from .models import Boundary, DeclaredCount, Scheme, Territory, TerritoryAlias


class ReferenceDataAdmin(ReadOnlyModelAdmin):
    """Read-only: reference data is corrected in its files and reloaded, so that a reload
    never silently undoes an edit made here."""


@admin.register(Territory)
class TerritoryAdmin(ReferenceDataAdmin):
    list_display = ("name", "kind", "code", "population", "valid_from", "valid_to")
    list_filter = ("kind", "geography_version")
    search_fields = ("name", "search_name", "code")
    readonly_fields = ("search_name",)
    filter_horizontal = ()
    raw_id_fields = ("parents",)
    show_full_result_count = False


@admin.register(TerritoryAlias)
class TerritoryAliasAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "reason", "territory")
    list_filter = ("reason",)
    search_fields = ("code", "name", "territory__name")
    raw_id_fields = ("territory",)
    list_select_related = ("territory",)


@admin.register(Boundary)
class BoundaryAdmin(ReferenceDataAdmin):
    list_display = ("territory", "source")
    search_fields = ("territory__name", "territory__code")
    raw_id_fields = ("territory",)
    list_select_related = ("territory",)


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "start_date", "end_date", "lead_name")
    list_filter = ("kind",)
    search_fields = ("name", "lead_name")
    autocomplete_fields = ("territories", "lead_territory")


@admin.register(DeclaredCount)
class DeclaredCountAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "area", "count", "list_complete", "source")
    list_filter = ("subject", "list_complete")
    list_editable = ("list_complete",)
    list_select_related = ("area",)
    raw_id_fields = ("area",)
