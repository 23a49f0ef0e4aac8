"""Staff CSV/XLSX exports of organisations and persons (admin actions), and the read-only
log of every export."""

from collections.abc import Sequence

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villes2.core.admin import ReadOnlyModelAdmin

from .. import selectors, services
from ..models import DataExport, Person

CSV, XLSX = "csv", "xlsx"


def export_response(
    request: HttpRequest,
    *,
    what: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    file_format: str,
    file_name: str,
    filters: str,
) -> HttpResponse:
    """Rows as a CSV or XLSX download, formula-safe, the export logged (who, what, how
    many rows, whether filtered): the directory's exports and the agenda's lists of
    registrants. `file_name` without the date and extension, which are added."""
    if file_format == CSV:
        content_type = selectors.CSV_CONTENT_TYPE
        content = selectors.rows_csv(header=header, rows=rows)
    else:
        content_type = selectors.XLSX_CONTENT_TYPE
        content = selectors.rows_xlsx(header=header, rows=rows, title=what)
    services.data_export_log(
        user=request.user,
        what=what,
        file_format=file_format,
        row_count=len(rows),
        filters=filters,
    )
    response = HttpResponse(content, content_type=content_type)
    dated = f"{file_name}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{dated}"'
    return response


def _export(request: HttpRequest, queryset, file_format: str) -> HttpResponse:
    if queryset.model is Person:
        what, header = services.EXPORT_PERSONS, selectors.person_export_headers()
        rows = selectors.person_export_rows(persons=queryset)
    else:
        what, header = services.EXPORT_ORGANISATIONS, selectors.organisation_export_headers()
        rows = selectors.organisation_export_rows(organisations=queryset)
    return export_response(
        request,
        what=what,
        header=header,
        rows=rows,
        file_format=file_format,
        file_name=f"villes2-{what}",
        # The changelist's filters ("select all" exports all they match); the service
        # keeps only the fact that a search was used, never its text.
        filters=request.GET.urlencode(),
    )


# Exporting takes the right to change entries: the partner role, which may only view
# organisations, sees neither action.
@admin.action(description=_("Export as CSV"), permissions=["change"])
def export_csv(modeladmin, request, queryset):
    return _export(request, queryset, CSV)


@admin.action(description=_("Export as XLSX"), permissions=["change"])
def export_xlsx(modeladmin, request, queryset):
    return _export(request, queryset, XLSX)


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyModelAdmin):
    """The export log: written by `services.data_export_log` only, never edited."""

    list_display = ("exported_at", "exported_by", "what", "file_format", "row_count", "filters")
    list_filter = ("what", "file_format")
    list_select_related = ("exported_by",)
    date_hierarchy = "exported_at"
