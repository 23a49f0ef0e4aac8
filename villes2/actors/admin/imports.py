"""The directory import in `/gestion/`: the log of imports and the upload page.

Two steps, like django-import-export: the uploaded file is checked as a dry run showing
every error; if there is none, "Confirmer l'import" imports the same bytes, kept
meanwhile under `VAR_DIR/imports/` named by their SHA-256 (never by the uploader's file
name) and deleted once imported. Only the SHA-256 and the kind travel through the form;
the session ties them to the person who uploaded the file.
"""

from __future__ import annotations

import io

import openpyxl
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from openpyxl.comments import Comment
from openpyxl.styles import Font

from villes2.core.admin import LimitedUploadForm
from villes2.core.uploads import PendingUploads, UploadLimitHandler, size_label

from .. import services
from ..columns import ORGANISATION_COLUMNS, PERSON_COLUMNS, headers
from ..models import ImportKind, ImportRun
from ..services.imports import import_file_id

COLUMNS = {ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS, ImportKind.PERSONS: PERSON_COLUMNS}
MODEL_OF_KIND = {ImportKind.ORGANISATIONS: "organisation", ImportKind.PERSONS: "person"}
# Files checked and never confirmed hold personal data: purged at every new upload.
PENDING = PendingUploads(
    directory=services.pending_imports_dir,
    purge=lambda: services.pending_imports_purge(older_than=services.PENDING_IMPORT_MAX_AGE),
    session_key="actors_import_pending",
)
SHA256_PATTERN = r"^[0-9a-f]{64}$"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def allowed_kinds(user) -> list[str]:
    """The kinds of file the user may import: an import creates and changes entries."""
    if not user.has_perm("actors.add_importrun"):
        return []
    return [
        kind
        for kind, model in MODEL_OF_KIND.items()
        if user.has_perm(f"actors.add_{model}") and user.has_perm(f"actors.change_{model}")
    ]


class ImportUploadForm(LimitedUploadForm):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ImportKind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or Windows-1252, columns separated by ; or ,) or XLSX (first sheet), "
            "%(size)s at most."
        ) % {"size": size_label(services.import_max_bytes())}

    def max_bytes(self) -> int:
        return services.import_max_bytes()

    def check_file_name(self, name: str) -> None:
        if services.import_file_format(name) is None:
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))


class ImportConfirmForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportKind.choices, widget=forms.HiddenInput)
    sha256 = forms.RegexField(regex=SHA256_PATTERN, widget=forms.HiddenInput)


@csrf_exempt  # CSRF is checked by _import_page, once the upload limit is in place
def import_view(request):
    limit = UploadLimitHandler(request, limit=services.import_max_bytes())
    request.upload_handlers.insert(0, limit)
    return _import_page(request, limit)


@csrf_protect
def _import_page(request, limit: UploadLimitHandler):
    kinds = allowed_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    if request.method == "POST":
        if "sha256" in request.POST:
            return _confirm(request, kinds)
        return _check(request, kinds, limit)
    kind = request.GET.get("kind")
    form = ImportUploadForm(kinds=kinds, initial={"kind": kind if kind in kinds else kinds[0]})
    return _render(request, kinds, form=form)


def _check(request, kinds: list[str], limit: UploadLimitHandler):
    """Step 1: the dry run of the uploaded file; keep it if it can be imported."""
    if request.POST.get("kind") in ImportKind.values and request.POST["kind"] not in kinds:
        raise PermissionDenied
    form = ImportUploadForm(request.POST, request.FILES, kinds=kinds, too_large=limit.exceeded)
    if not form.is_valid():
        return _render(request, kinds, form=form)
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    content = upload.read()
    report = services.directory_import(
        kind=kind, file_name=upload.name, content=content, user=request.user, dry_run=True
    )
    confirm = None
    if report.ok:
        PENDING.store(request, kind=kind, file_name=upload.name, content=content)
        confirm = ImportConfirmForm(initial={"kind": kind, "sha256": report.sha256})
    form = ImportUploadForm(kinds=kinds, initial={"kind": kind})
    return _render(request, kinds, form=form, report=report, confirm=confirm)


def _confirm(request, kinds: list[str]):
    """Step 2: import the bytes checked in step 1."""
    form = ImportConfirmForm(request.POST)
    content = None
    if form.is_valid():
        kind, sha256 = form.cleaned_data["kind"], form.cleaned_data["sha256"]
        if kind not in kinds:
            raise PermissionDenied
        pending = PENDING.details(request, sha256)
        if pending and pending["kind"] == kind:
            content = PENDING.read(sha256)
    if content is None:
        messages.error(
            request, _("This file is no longer waiting to be imported: upload it again.")
        )
        return redirect(reverse("admin:actors_importrun_upload"))
    report = services.directory_import(
        kind=kind, file_name=pending["name"], content=content, user=request.user
    )
    PENDING.forget(request, sha256)
    if not report.ok:
        form = ImportUploadForm(kinds=kinds, initial={"kind": kind})
        return _render(request, kinds, form=form, report=report)
    messages.success(
        request,
        _(
            "File %(file)s imported. Created: %(created)s, updated: %(updated)s, "
            "unchanged: %(unchanged)s."
        )
        % {
            "file": report.file_name,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return redirect(reverse(f"admin:actors_{MODEL_OF_KIND[kind]}_changelist"))


def _render(request, kinds: list[str], **context):
    labels = dict(ImportKind.choices)
    report = context.get("report")
    context = {
        **admin.site.each_context(request),
        "title": _("Import a file into the directory"),
        "opts": ImportRun._meta,
        "kind_label": labels.get(report.kind, "") if report else "",
        "models": [
            {
                "label": labels[kind],
                "csv": reverse("admin:actors_importrun_template", args=[kind, "csv"]),
                "xlsx": reverse("admin:actors_importrun_template", args=[kind, "xlsx"]),
                "columns": [
                    (column.header, column.required, services.column_description(column))
                    for column in COLUMNS[kind]
                ],
            }
            for kind in kinds
        ],
        **context,
    }
    return TemplateResponse(request, "admin/actors/importrun/import.html", context)


def template_view(request, kind: str, file_format: str):
    """An empty file with the right headers; the XLSX one describes each column."""
    if kind not in COLUMNS or file_format not in ("csv", "xlsx"):
        raise Http404
    if kind not in allowed_kinds(request.user):
        raise PermissionDenied
    columns = COLUMNS[kind]
    if file_format == "csv":
        # A BOM and semicolons: what French Excel opens in columns with accents intact.
        content = ("\ufeff" + ";".join(headers(columns)) + "\r\n").encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        content, content_type = _xlsx_template(kind, columns), XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="villes2-{kind}.{file_format}"'
    return response


def _xlsx_template(kind: str, columns) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(headers(columns))
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = Font(bold=True)
        cell.comment = Comment(services.column_description(column), "Villes²")
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
    # The importer reads the first sheet only: the description can sit in a second one.
    help_sheet = workbook.create_sheet(_("columns"))
    help_sheet.append([_("Column"), _("Required"), _("Description")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        required = _("yes") if column.required else ""
        help_sheet.append([column.header, required, services.column_description(column)])
    help_sheet.column_dimensions["A"].width = 24
    help_sheet.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The log of imports, read-only; "add" leads to the upload page."""

    list_display = (
        "imported_at",
        "kind",
        "file_name",
        "file_id",
        "imported_by",
        "created",
        "updated",
        "unchanged",
    )
    list_filter = ("kind",)
    list_select_related = ("imported_by",)
    # Imported rows name their file by these digits ("Import du … (fichier a1b2c3d4)").
    search_fields = ("sha256__istartswith",)
    search_help_text = gettext_lazy(
        "The file identifier shown in the source of imported entries (“fichier a1b2c3d4”)."
    )

    @admin.display(description=gettext_lazy("file identifier"), ordering="sha256")
    def file_id(self, obj):
        return import_file_id(obj.sha256)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("admin:actors_importrun_upload"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("importer/", view(import_view), name="actors_importrun_upload"),
            path(
                "modele/<slug:kind>.<slug:file_format>",
                view(template_view),
                name="actors_importrun_template",
            ),
            *super().get_urls(),
        ]
