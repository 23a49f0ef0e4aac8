"""Record entry for the documentalist. Every write goes through the catalogue's
services: the record is saved by `document_save`, re-indexed by
`document_relations_changed` once its inlines and many-to-many fields are saved (same
transaction: the admin's), attachments are checked and added by `attachment_add`, and
deletions go through `document_delete` and `attachment_delete`."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import (
    AttachmentInlineSaveMixin,
    ConcurrentEditAdminMixin,
    SaveThroughServiceAdmin,
    VersionedAdminForm,
)

from .. import services
from ..duplicates import document_duplicates
from ..models import Attachment, Document, DocumentAuthor
from .imports import import_view, template_view


class DocumentForm(VersionedAdminForm):
    """The concurrent-edit check, and a warning when a record of the same title and year
    is already in the catalogue: the save waits until "this is another document" is
    ticked."""

    # Hidden until a duplicate is found, then shown as a checkbox next to the warning.
    not_a_duplicate = forms.BooleanField(
        label=_("This is indeed another document"), required=False, widget=forms.HiddenInput
    )

    # No Meta: the admin gives the model and fields (one with its URL field's scheme).

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("not_a_duplicate") or not cleaned.get("title") or not cleaned.get("year"):
            return cleaned
        duplicates = document_duplicates(
            title=cleaned["title"], year=cleaned["year"], exclude_pk=self.instance.pk
        )
        if duplicates:
            field = self.fields["not_a_duplicate"]
            field.widget = forms.CheckboxInput()
            # Opened in a new tab: the form being filled stays as it is.
            links = format_html_join(
                ", ",
                '<a href="{}" target="_blank" rel="noopener">{} ({})</a>',
                (
                    (reverse("admin:documents_document_change", args=[d.pk]), d.title, d.year)
                    for d in duplicates[:5]
                ),
            )
            advice = gettext("If it is another one, tick “%(label)s” and save again.") % {
                "label": field.label
            }
            message = gettext("This document may already be in the catalogue:")
            self.add_error(
                None,
                ValidationError(format_html("{} {}. {}", message, links, advice), code="duplicate"),
            )
        return cleaned


class DocumentAuthorForm(forms.ModelForm):
    class Meta:
        model = DocumentAuthor
        fields = ("order", "person", "organisation", "name", "role")

    def clean(self):
        cleaned = super().clean()
        given = [
            bool(cleaned.get("person")),
            bool(cleaned.get("organisation")),
            bool((cleaned.get("name") or "").strip()),
        ]
        if sum(given) != 1:
            raise ValidationError(
                gettext(
                    "Choose a person or an organisation of the directory, or type a name: "
                    "one of the three, not several."
                ),
                code="one_author",
            )
        return cleaned


class DocumentAuthorInline(admin.TabularInline):
    model = DocumentAuthor
    form = DocumentAuthorForm
    extra = 1
    autocomplete_fields = ("person", "organisation")


class AttachmentForm(forms.ModelForm):
    """A new attachment is checked here, with the same checks as `attachment_add`, so
    that a refused file shows its French message on the field."""

    class Meta:
        model = Attachment
        fields = ("file", "title")
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("PDF only, %(size)s at most.") % {
            "size": services.attachments._megabytes(services.attachment_max_bytes())
        }
        if self.instance.pk:  # a stored file is replaced by deleting it and adding another
            self.fields["file"].disabled = True
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.instance.pk or upload is None:
            return self.instance.file if self.instance.pk else upload
        checked = services.attachment_check(upload)
        document_id = self.instance.document_id
        if (
            document_id
            and Attachment.objects.filter(document_id=document_id, sha256=checked.sha256).exists()
        ):
            raise ValidationError(
                gettext("This file is already attached to this record."), code="already_attached"
            )
        return upload


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 1
    fields = ("file", "title", "original_name", "size", "page_count", "extraction")
    readonly_fields = ("original_name", "size", "page_count", "extraction")


@admin.register(Document)
class DocumentAdmin(
    ConcurrentEditAdminMixin,
    AttachmentInlineSaveMixin,
    SimpleHistoryAdmin,
    SaveThroughServiceAdmin,
):
    form = DocumentForm
    # The creator and the first publication date set, the record indexed, its files
    # deleted after commit, as everywhere else.
    services = services
    attachment_model = Attachment
    attachment_add_service = "attachment_add"
    attachment_delete_service = "attachment_delete"
    save_service = "document_save"
    relations_service = "document_relations_changed"
    delete_service = "document_delete"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "subtitle",
                    ("doc_type", "year", "published_on"),
                    ("publisher", "language"),
                    "not_a_duplicate",
                    "seen_version",
                )
            },
        ),
        (_("Abstract"), {"fields": ("abstract", "abstract_en")}),
        (_("Indexing"), {"fields": ("descriptors", "territories")}),
        (
            _("Access and publication"),
            {"fields": ("url", ("isbn", "pages"), "licence", ("access", "status"))},
        ),
        (_("Management"), {"fields": ("call_number", "notes")}),
    )
    autocomplete_fields = ("descriptors", "territories")
    inlines = [DocumentAuthorInline, AttachmentInline]
    list_display = ("title", "doc_type", "year", "status", "access", "modified")
    list_filter = ("doc_type", "status", "access", "year", "attachments__extraction")
    search_fields = ("title", "subtitle", "publisher", "call_number", "isbn")
    ordering = ("-modified",)
    show_full_result_count = False
    # An address typed without scheme is taken as https (Django 6's default, set now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("importer/", view(import_view), name="documents_document_import"),
            path("modele.csv", view(template_view), name="documents_document_import_template"),
            *super().get_urls(),
        ]
