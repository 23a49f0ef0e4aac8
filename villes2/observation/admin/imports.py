"""The import of indicator values in `/gestion/`: the log of imports, each with its
report, and the upload page.

One step: the file is checked and, if every line is good, imported at once; a rejected
file writes no value, so there is nothing to confirm. The same file twice changes
nothing (the report says "unchanged").
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from villes2.core import tabular
from villes2.core.admin import LimitedUploadForm, ReadOnlyModelAdmin
from villes2.core.uploads import UploadLimitHandler, clean_file_name, size_label

from ..collection import (
    CSV_CONTENT_TYPE,
    FILE_NAME,
    XLSX_CONTENT_TYPE,
    collection_template_csv,
    collection_template_xlsx,
)
from ..models import ImportBatch, IndicatorValue, Source
from ..services.imports import COLUMNS, REQUIRED, column_description, import_max_bytes
from ..services.imports import values_import as values_import_service

IMPORT_PERMISSION = "observation.add_indicatorvalue"
GEOGRAPHY_MAX = IndicatorValue._meta.get_field("geography").max_length


def can_import(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm(IMPORT_PERMISSION)


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        label = f"{obj.producer} — {obj.vintage} ({obj.code})"
        return label + " — " + _("synthetic data") if obj.synthetic else label


class ValuesUploadForm(LimitedUploadForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    source = SourceChoiceField(
        label=gettext_lazy("Source"),
        queryset=Source.objects.order_by("producer", "dataset", "vintage"),
        help_text=gettext_lazy("The producer, dataset and vintage of the values of the file."),
    )
    geography = forms.CharField(
        label=gettext_lazy("Geography version"),
        max_length=GEOGRAPHY_MAX,
        required=False,
        help_text=gettext_lazy(
            "The geography the values were measured on, e.g. COG 2024, QPV 2024 (optional)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The collection template, filled in: CSV (UTF-8 or Windows-1252, columns "
            "separated by ; or ,) or XLSX (first sheet), %(size)s at most."
        ) % {"size": size_label(import_max_bytes())}

    def max_bytes(self) -> int:
        return import_max_bytes()

    def check_file_name(self, name: str) -> None:
        if tabular.file_format(name) is None:
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))


@csrf_exempt  # CSRF is checked by _upload_page, once the upload limit is in place
def upload_view(request):
    if not can_import(request.user):
        raise PermissionDenied
    limit = UploadLimitHandler(request, limit=import_max_bytes())
    request.upload_handlers.insert(0, limit)
    return _upload_page(request, limit)


@csrf_protect
def _upload_page(request, limit: UploadLimitHandler):
    report = None
    if request.method == "POST":
        form = ValuesUploadForm(request.POST, request.FILES, too_large=limit.exceeded)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = values_import_service(
                file_name=clean_file_name(upload.name),
                stream=upload.file,
                source=form.cleaned_data["source"],
                user=request.user,
                geography=form.cleaned_data["geography"],
            )
            form = ValuesUploadForm(
                initial={
                    "source": form.cleaned_data["source"],
                    "geography": form.cleaned_data["geography"],
                }
            )
    else:
        form = ValuesUploadForm()
    context = {
        **admin.site.each_context(request),
        "title": _("Import indicator values"),
        "opts": ImportBatch._meta,
        "form": form,
        "report": report,
        "columns": [(column, column in REQUIRED, column_description(column)) for column in COLUMNS],
        "template_csv": reverse("admin:observation_importbatch_template", args=["csv"]),
        "template_xlsx": reverse("admin:observation_importbatch_template", args=["xlsx"]),
    }
    return TemplateResponse(request, "admin/observation/importbatch/import.html", context)


def template_view(request, file_format: str):
    """The collection template, as the public template page serves it."""
    if file_format == "csv":
        content, content_type = collection_template_csv(), CSV_CONTENT_TYPE
    elif file_format == "xlsx":
        content, content_type = collection_template_xlsx(), XLSX_CONTENT_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.{file_format}"'
    return response


class SourceCodeFilter(admin.AllValuesFieldListFilter):
    """The sources by their code: their full names are too long for the side bar."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = gettext_lazy("source")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyModelAdmin):
    """The log of imports (accepted and rejected), each with its report; the button
    "Importer un fichier" leads to the upload page."""

    change_list_template = "admin/observation/importbatch/change_list.html"
    list_display = (
        "created_at",
        "file_name",
        "source_code",
        "status",
        "lines",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_by",
    )
    list_filter = ("status", ("source__code", SourceCodeFilter))
    list_select_related = ("source", "created_by")
    search_fields = ("file_name", "sha256__istartswith")
    fields = (
        "file_name",
        "sha256",
        "source",
        "created_by",
        "created_at",
        "status",
        ("lines", "created", "updated", "unchanged", "rejected"),
        "report_table",
    )
    readonly_fields = (
        "file_name",
        "sha256",
        "source",
        "created_by",
        "created_at",
        "status",
        "lines",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "report_table",
    )

    @admin.display(description=gettext_lazy("source"), ordering="source__code")
    def source_code(self, obj):
        return obj.source.code if obj.source else "—"

    @admin.display(description=gettext_lazy("report"))
    def report_table(self, obj):
        entries = obj.report or []
        if not entries:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    _("error") if entry.get("level") == "error" else _("note"),
                    entry.get("line") or "—",
                    entry.get("column") or "—",
                    entry.get("message", ""),
                )
                for entry in entries
            ),
        )
        return format_html(
            '<table class="import-report"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr>'
            "</thead><tbody>{}</tbody></table>",
            _("Kind"),
            _("Line"),
            _("Column"),
            _("Message"),
            rows,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": can_import(request.user)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("importer/", view(upload_view), name="observation_importbatch_upload"),
            path(
                "modele.<slug:file_format>",
                view(template_view),
                name="observation_importbatch_template",
            ),
            *super().get_urls(),
        ]
