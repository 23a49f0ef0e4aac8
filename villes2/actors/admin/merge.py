"""Duplicates in `/gestion/`: a warning on entry, and the merge action.

The forms keep the concurrent-edit check of `core.admin.VersionedAdminForm` and add one:
a likely duplicate stops the save until the editor ticks that it is another entry. A
person erased from the directory (GDPR) cannot be added back at all.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from villes2.core.admin import VersionedAdminForm

from .. import selectors, services
from ..models import Organisation, Person

# Prefix of the roles inline (`MembershipInline`) in the person form's POST data.
MEMBERSHIPS_PREFIX = "memberships"


def _duplicates_error(*, message, records, confirm_label) -> ValidationError:
    meta = type(records[0])._meta
    url_name = f"admin:{meta.app_label}_{meta.model_name}_change"
    # Opened in a new tab: the form being filled stays as it is.
    links = format_html_join(
        ", ",
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        ((reverse(url_name, args=[record.pk]), str(record)) for record in records),
    )
    advice = gettext("If it is another one, tick “%(label)s” and save again.") % {
        "label": confirm_label
    }
    return ValidationError(format_html("{} {}. {}", message, links, advice), code="duplicate")


class _DuplicateCheckForm(VersionedAdminForm):
    # Hidden until a duplicate is found, then shown as a checkbox next to the warning.
    not_a_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def find_duplicates(self, cleaned: dict) -> list:
        raise NotImplementedError

    def refusal(self, cleaned: dict) -> str:
        """Why the entry cannot be saved at all, whatever the editor ticks; else ""."""
        return ""

    def clean(self):
        cleaned = super().clean()
        refusal = self.refusal(cleaned)
        if refusal:  # no "it is another one" box: this one cannot be overridden
            self.add_error(None, ValidationError(refusal, code="refused"))
            return cleaned
        if cleaned.get("not_a_duplicate"):
            return cleaned
        duplicates = self.find_duplicates(cleaned)
        if duplicates:
            field = self.fields["not_a_duplicate"]
            field.widget = forms.CheckboxInput()
            self.add_error(
                None,
                _duplicates_error(
                    message=self.duplicate_message,
                    records=duplicates,
                    confirm_label=field.label,
                ),
            )
        return cleaned


def _posted_organisation_ids(data) -> list[int] | None:
    """Organisations of the roles in the posted inline (deleted rows left out), or None
    when the form came without it."""
    try:
        total = int(data.get(f"{MEMBERSHIPS_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        return None
    ids = []
    for index in range(min(total, 1000)):  # Django's own cap on a formset's forms
        prefix = f"{MEMBERSHIPS_PREFIX}-{index}-"
        value = data.get(f"{prefix}organisation", "")
        if value.isdigit() and not data.get(f"{prefix}DELETE"):
            ids.append(int(value))
    return ids


class PersonDuplicateForm(_DuplicateCheckForm):
    """Warns of a person with the same e-mail, or a similar name in one of the
    organisations of the roles entered."""

    duplicate_message = _("This person may already be in the directory:")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_a_duplicate"].label = _("This is indeed a different person")

    def refusal(self, cleaned: dict) -> str:
        """A person erased from the directory (GDPR art. 17) is not added back: their
        e-mail, or their name in one of the organisations of the roles entered, was
        recorded as erased (`selectors.identity_was_erased`, as the import checks)."""
        if self.instance.pk or not (cleaned.get("first_name") and cleaned.get("last_name")):
            return ""
        organisation_ids = _posted_organisation_ids(self.data) or []
        slugs = Organisation.objects.filter(pk__in=organisation_ids).values_list("slug", flat=True)
        if selectors.identity_was_erased(
            first_name=cleaned["first_name"],
            last_name=cleaned["last_name"],
            email=cleaned.get("email") or "",
            organisation_slugs=list(slugs),
        ):
            return gettext(
                "This person was erased from the directory at their request (GDPR): they "
                "cannot be added to it again."
            )
        return ""

    def find_duplicates(self, cleaned: dict) -> list:
        if not (cleaned.get("first_name") and cleaned.get("last_name")):
            return []
        organisation_ids = _posted_organisation_ids(self.data)
        if organisation_ids is None and self.instance.pk:
            organisation_ids = list(
                self.instance.memberships.values_list("organisation_id", flat=True)
            )
        return selectors.person_duplicates(
            first_name=cleaned["first_name"],
            last_name=cleaned["last_name"],
            email=cleaned.get("email") or "",
            organisation_ids=organisation_ids or (),
            exclude_pk=self.instance.pk,
        )


class OrganisationDuplicateForm(_DuplicateCheckForm):
    """Warns of an organisation with the same SIREN or the same name."""

    duplicate_message = _("This organisation may already be in the directory:")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_a_duplicate"].label = _("This is indeed a different organisation")

    def find_duplicates(self, cleaned: dict) -> list:
        if not cleaned.get("name"):
            return []
        return selectors.organisation_duplicates(
            name=cleaned["name"], siren=cleaned.get("siren") or "", exclude_pk=self.instance.pk
        )


@admin.action(description=_("Merge the selected duplicates"), permissions=["delete"])
def merge_duplicates(modeladmin, request, queryset):
    """A confirmation page where the editor chooses the entry to keep; its POST merges."""
    merge = services.person_merge if queryset.model is Person else services.organisation_merge
    records = list(queryset.order_by("pk")[: services.MERGE_MAX + 1])
    if len(records) < 2:
        modeladmin.message_user(
            request, gettext("Select at least two entries to merge."), messages.WARNING
        )
        return None
    if len(records) > services.MERGE_MAX:
        modeladmin.message_user(
            request,
            gettext("At most %(count)s entries can be merged at once.")
            % {"count": services.MERGE_MAX},
            messages.WARNING,
        )
        return None
    keep = next((r for r in records if str(r.pk) == request.POST.get("keep")), None)
    if request.POST.get("post") == "yes" and keep is not None:
        others = [record for record in records if record.pk != keep.pk]
        try:
            keep = merge(keep=keep, others=others, user=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            gettext("%(count)s entries merged into “%(name)s”.")
            % {"count": len(others), "name": keep},
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Merge duplicates"),
        "subtitle": None,
        "opts": opts,
        "preview": services.merge_preview(records=records),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "merge_duplicates",
        "choice_missing": request.POST.get("post") == "yes",
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/actors/merge.html", context)
