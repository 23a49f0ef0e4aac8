"""The CSV import of records in `/gestion/`, in two steps like the directory's: the
uploaded file is checked as a dry run showing every error and warning; if there is no
error, "Confirmer l'import" imports the same bytes, kept meanwhile under
`VAR_DIR/imports/` named by their SHA-256 (never by the uploader's file name) and
deleted once imported. Only the SHA-256 travels through the form; the session ties it to
the person who uploaded the file."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from villes2.actors.services import (
    PENDING_IMPORT_MAX_AGE,
    pending_imports_dir,
    pending_imports_purge,
)
from villes2.core.admin import LimitedUploadForm
from villes2.core.uploads import PendingUploads, UploadLimitHandler, size_label

from .. import services
from ..models import Document

# Files checked and never confirmed may name persons (authors): purged like the
# directory's, in the same folder.
PENDING = PendingUploads(
    directory=pending_imports_dir,
    purge=lambda: pending_imports_purge(older_than=PENDING_IMPORT_MAX_AGE),
    session_key="documents_import_pending",
    prefix="documents-",
)
SHA256_PATTERN = r"^[0-9a-f]{64}$"


def can_import(user) -> bool:
    return user.has_perm("documents.add_document")


class ImportUploadForm(LimitedUploadForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or Windows-1252, columns separated by ; or ,), %(size)s at most."
        ) % {"size": size_label(services.document_import_max_bytes())}

    def max_bytes(self) -> int:
        return services.document_import_max_bytes()

    def check_file_name(self, name: str) -> None:
        if not name.lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Choose a .csv file (save the spreadsheet as “CSV UTF-8”).")
            )


class ImportConfirmForm(forms.Form):
    sha256 = forms.RegexField(regex=SHA256_PATTERN, widget=forms.HiddenInput)


@csrf_exempt  # CSRF is checked by _import_page, once the upload limit is in place
def import_view(request):
    limit = UploadLimitHandler(request, limit=services.document_import_max_bytes())
    request.upload_handlers.insert(0, limit)
    return _import_page(request, limit)


@csrf_protect
def _import_page(request, limit: UploadLimitHandler):
    if not can_import(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if "sha256" in request.POST:
            return _confirm(request)
        return _check(request, limit)
    return _render(request, form=ImportUploadForm())


def _check(request, limit: UploadLimitHandler):
    """Step 1: the dry run of the uploaded file; keep it if it can be imported."""
    form = ImportUploadForm(request.POST, request.FILES, too_large=limit.exceeded)
    if not form.is_valid():
        return _render(request, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    report = services.document_import(
        file_name=upload.name, content=content, user=request.user, dry_run=True
    )
    confirm = None
    if report.ok:
        PENDING.store(request, file_name=upload.name, content=content)
        confirm = ImportConfirmForm(initial={"sha256": report.sha256})
    return _render(request, form=ImportUploadForm(), report=report, confirm=confirm)


def _confirm(request):
    """Step 2: import the bytes checked in step 1."""
    form = ImportConfirmForm(request.POST)
    content = pending = None
    if form.is_valid():
        sha256 = form.cleaned_data["sha256"]
        pending = PENDING.details(request, sha256)
        if pending:
            content = PENDING.read(sha256)
    if content is None or pending is None:
        messages.error(
            request, _("This file is no longer waiting to be imported: upload it again.")
        )
        return redirect(reverse("admin:documents_document_import"))
    report = services.document_import(file_name=pending["name"], content=content, user=request.user)
    PENDING.forget(request, sha256)
    if not report.ok:
        return _render(request, form=ImportUploadForm(), report=report)
    messages.success(
        request,
        _("File %(file)s imported: %(count)s records created.")
        % {"file": report.file_name, "count": report.created},
    )
    return redirect(reverse("admin:documents_document_changelist"))


def _render(request, **context):
    context = {
        **admin.site.each_context(request),
        "title": _("Import records from a CSV file"),
        "opts": Document._meta,
        "columns": services.column_rows(),
        "template_url": reverse("admin:documents_document_import_template"),
        **context,
    }
    return TemplateResponse(request, "admin/documents/document/import.html", context)


def template_view(request):
    """An empty CSV file with the column headers."""
    if not can_import(request.user):
        raise PermissionDenied
    response = HttpResponse(services.csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="villes2-notices.csv"'
    return response
