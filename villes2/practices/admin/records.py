"""Record entry for the staff, laid out as the fiche. Every write goes through the
services: the record is saved by `practice_save`, re-indexed by
`practice_relations_changed` once its inlines and many-to-many fields are saved (same
transaction: the admin's), attachments are checked and added by
`practice_attachment_add` and removed by `practice_attachment_delete`, and deletions go
through `practice_delete`. The status moves only through the workflow buttons
(`workflow`)."""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villes2.core.admin import (
    AttachmentInlineSaveMixin,
    ConcurrentEditAdminMixin,
    SaveThroughServiceAdmin,
    VersionedAdminForm,
)

from .. import selectors, services
from ..models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    Practice,
    PracticeActor,
    PracticeAttachment,
    PracticeFunding,
    TargetPublic,
)
from ..services.records import transferred_to_itself
from . import workflow


class PracticeForm(VersionedAdminForm):
    """The concurrent-edit check; the target publics as checkboxes (the model keeps a
    JSON list); the end year checked on its field."""

    publics = forms.MultipleChoiceField(
        label=capfirst(_("target publics")),
        choices=TargetPublic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    # No Meta: the admin gives the model and the fields.

    def clean_publics(self) -> list[str]:
        chosen = set(self.cleaned_data["publics"])
        return [value for value in TargetPublic.values if value in chosen]  # the list's order

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                ValidationError(
                    gettext("The end year cannot be before the start year."), code="end_before"
                ),
            )
        if self.instance.pk and self.instance in cleaned.get("transferred_to", ()):
            self.add_error("transferred_to", transferred_to_itself())
        if self.instance.pk and self.instance.is_public:
            # `practice_save` refuses it too; here the errors go on the fields.
            edited = copy.copy(self.instance)
            for name in self._block_fields():
                setattr(edited, name, cleaned.get(name, getattr(edited, name)) or "")
            for name, error in services.published_block_errors(edited).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, error)
        return cleaned

    @staticmethod
    def _block_fields() -> tuple[str, ...]:
        criteria = (
            f"{key}_{part}" for key, _label in CRITERIA for part in ("rating", "justification")
        )
        return (*TRANSFERABILITY_FIELDS, *criteria)


class PracticeActorInline(admin.TabularInline):
    model = PracticeActor
    extra = 1
    fields = ("order", "organisation", "role", "role_detail")
    autocomplete_fields = ("organisation",)


class PracticeFundingInline(admin.TabularInline):
    model = PracticeFunding
    extra = 1
    fields = ("order", "organisation", "name", "amount")
    autocomplete_fields = ("organisation",)


class PracticeAttachmentForm(forms.ModelForm):
    """A new attachment is checked here, with the checks of `practice_attachment_add`,
    so that a refused file shows its French message on the field."""

    class Meta:
        model = PracticeAttachment
        fields = ("file", "title")
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext("PDF only, %(size)s at most.") % {
            "size": services.practice_attachment_size_label()
        }
        if self.instance.pk:  # a stored file is replaced by deleting it and adding another
            self.fields["file"].disabled = True
            self.fields["file"].required = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.instance.pk or upload is None:
            return self.instance.file if self.instance.pk else upload
        practice = self.instance.practice if self.instance.practice_id else None
        services.practice_attachment_check(upload, practice=practice)
        return upload


class PracticeAttachmentInline(admin.TabularInline):
    model = PracticeAttachment
    form = PracticeAttachmentForm
    extra = 1
    fields = ("file", "title", "original_name", "size")
    readonly_fields = ("original_name", "size")


@admin.action(description=_("Export the selected records (EUKN format, JSON)"))
def export_eukn_json(modeladmin, request, queryset):
    """The published records of the selection in the documented export format; the
    others are left out, and the user is told."""
    from .. import exports

    pks = list(queryset.values_list("pk", flat=True))
    if len(pks) > exports.MAX_RECORDS:
        messages.error(
            request,
            gettext("Select at most %(max)s records to export.") % {"max": exports.MAX_RECORDS},
        )
        return None
    practices = list(selectors.practices_for_export(pks))
    if not practices:
        messages.warning(request, gettext("Only published records are exported: none is selected."))
        return None
    left_out = len(pks) - len(practices)
    if left_out:
        messages.warning(
            request,
            ngettext(
                "%(count)s selected record is not published: it was left out of the export.",
                "%(count)s selected records are not published: they were left out of the export.",
                left_out,
            )
            % {"count": left_out},
        )
    document = exports.export_document(practices, absolute=request.build_absolute_uri)
    response = HttpResponse(exports.to_json(document), content_type="application/json")
    name = f"experiences-eukn-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _criteria_fields() -> tuple:
    return tuple((f"{key}_rating", f"{key}_justification") for key, _label in CRITERIA)


@admin.register(Practice)
class PracticeAdmin(
    ConcurrentEditAdminMixin,
    AttachmentInlineSaveMixin,
    SimpleHistoryAdmin,
    SaveThroughServiceAdmin,
):
    form = PracticeForm
    change_form_template = "admin/practices/practice/change_form.html"
    # The first step recorded, the record indexed, its tombstone kept, its files deleted
    # after commit, as everywhere else.
    services = services
    attachment_model = PracticeAttachment
    attachment_add_service = "practice_attachment_add"
    attachment_delete_service = "practice_attachment_delete"
    save_service = "practice_save"
    relations_service = "practice_relations_changed"
    delete_service = "practice_delete"
    fieldsets = (
        (
            _("Identification"),
            {
                "fields": (
                    "title",
                    "title_en",
                    "summary",
                    "summary_en",
                    ("start_year", "end_year"),
                    "territories",
                    "themes",
                    "schemes",
                    "seen_version",
                )
            },
        ),
        (
            _("The experience"),
            {
                "fields": (
                    "context",
                    "objectives",
                    "actions",
                    "publics",
                    "public_detail",
                    ("budget", "budget_detail"),
                    "tools",
                    "results",
                    "evaluation",
                    "success_factors",
                    "difficulties",
                )
            },
        ),
        (
            _("Actors and partners"),
            {
                "description": _(
                    "The organisations of the directory, each with its role, are entered "
                    "in the table “Actors and partners” below the form."
                ),
                "fields": ("partners_text", "lead_contact"),
            },
        ),
        (
            _("Transferability"),
            {
                "description": _("Every text is required to publish the record."),
                "fields": (
                    "transfer_prerequisites",
                    "transfer_specific",
                    "transfer_adaptation",
                    "transfer_cost_time",
                ),
            },
        ),
        (
            _("Assessment against the four criteria"),
            {
                "description": _(
                    "A rating and its justification for each criterion, required to publish."
                ),
                "fields": _criteria_fields(),
            },
        ),
        (_("Links"), {"fields": ("documents", "events", "transferred_to")}),
        (
            _("Submitter"),
            {
                "description": _(
                    "The contact left through the public form: never published, used only "
                    "to write to the submitter about the record."
                ),
                "fields": (
                    "submitter_name",
                    "submitter_email",
                    "submitter_organisation",
                    "submitted_by",
                ),
            },
        ),
        (_("Internal notes"), {"fields": ("notes",)}),
    )
    readonly_fields = ("submitted_by",)
    autocomplete_fields = (
        "lead_contact",
        "territories",
        "themes",
        "schemes",
        "documents",
        "events",
        "transferred_to",
    )
    inlines = [PracticeActorInline, PracticeFundingInline, PracticeAttachmentInline]
    list_display = ("title", "status", "start_year", "submitter_name", "last_review")
    list_filter = ("status", "start_year")
    search_fields = ("title", "title_en", "summary", "submitter_name", "submitter_organisation")
    list_select_related = ("last_reviewed_by",)
    ordering = ("-modified",)
    show_full_result_count = False
    actions = [export_eukn_json]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/etape/",
                view(self.take_step),
                name="practices_practice_transition",
            ),
            path(
                "<path:object_id>/relecture/",
                view(self.record_review),
                name="practices_practice_review",
            ),
            *super().get_urls(),
        ]

    def take_step(self, request, object_id):
        return workflow.transition_view(request, object_id, model_admin=self)

    def record_review(self, request, object_id):
        return workflow.review_view(request, object_id, model_admin=self)

    @admin.display(description=_("last review"), ordering="last_reviewed_at")
    def last_review(self, obj: Practice) -> str:
        if obj.last_reviewed_at is None:
            return ""
        day = date_format(timezone.localtime(obj.last_reviewed_at), "SHORT_DATE_FORMAT")
        reviewer = obj.last_reviewed_by
        if reviewer is None:
            return day
        return f"{day} — {reviewer.get_full_name() or reviewer.get_username()}"

    # Personal data and the team's notes: for those who edit records, not for the members
    # of partner networks who only view them.
    EDITORS_ONLY = ("submitter_name", "notes")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, options)
            for name, options in fieldsets
            if not set(self.EDITORS_ONLY) & set(options["fields"])
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["workflow"] = workflow.workflow_panel(
                obj, request.user, can_change=self.has_change_permission(request, obj)
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
