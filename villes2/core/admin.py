from collections.abc import Callable
from types import ModuleType
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .uploads import size_label


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the form was opened at, and refuses a stale save."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Locked until the admin's transaction ends: two saves cannot interleave.
            current = (
                type(self.instance)
                ._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != cleaned.get("seen_version"):
                raise ValidationError(
                    _(
                        "Someone else saved this record while you were editing it. "
                        "Your changes were not saved: reload the page to see theirs, "
                        "then make yours again."
                    ),
                    code="stale",
                )
        return cleaned


class LimitedUploadForm(forms.Form):
    """The upload form of an import page: its `file` field checked against the size
    limit (`max_bytes`) and by `check_file_name`. When the page's `UploadLimitHandler`
    dropped a file over the limit, the form is made with `too_large=True` and says so,
    rather than "this field is required"."""

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:
            self.fields["file"].required = False

    def max_bytes(self) -> int:
        raise NotImplementedError

    def check_file_name(self, name: str) -> None:
        """Raise `ValidationError` for a file the import does not take."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return upload
        if upload.size > self.max_bytes():
            raise ValidationError(self.too_large_message())
        self.check_file_name(upload.name)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            self.add_error("file", self.too_large_message())
        return cleaned

    def too_large_message(self) -> str:
        return gettext("This file is larger than %(size)s: split it.") % {
            "size": size_label(self.max_bytes())
        }


class ConcurrentEditAdminMixin:
    """Warn instead of overwriting when two people edit the same record at once
    (RELIABILITY.md, "no silent overwrites"). For models based on `core.models.Versioned`.
    """

    form = VersionedAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            # The form checked, under a row lock, that the stored version is this one.
            obj.version = form.cleaned_data["seen_version"] + 1
        super().save_model(request, obj, form, change)


class SaveThroughServiceAdmin(admin.ModelAdmin):
    """The bottom of the save chain for records written by their app's services: the
    back office validates, records the creator, indexes and deletes as every other
    surface does. A subclass gives the app's `services` module and the names of its
    functions (looked up at each call, as any caller of the module would):

    - `save_service(obj, *, user)`, instead of `obj.save()`;
    - `relations_service(obj)`, once the many-to-many fields and inlines are saved;
    - `delete_service(obj)`, for one record and for the "delete selected" action.
    """

    services: ModuleType
    save_service: str
    relations_service: str
    delete_service: str

    def _service(self, name: str) -> Callable[..., Any]:
        return getattr(self.services, name)

    def save_model(self, request, obj, form, change):
        self._service(self.save_service)(obj, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._service(self.relations_service)(form.instance)

    def delete_model(self, request, obj):
        self._service(self.delete_service)(obj)

    def delete_queryset(self, request, queryset):
        delete = self._service(self.delete_service)
        for obj in queryset:
            delete(obj)


class AttachmentInlineSaveMixin:
    """The attachment inline of a record (catalogue, experience records) saved through
    the app's services: new files are checked and stored by `attachment_add_service(
    record, upload, title=, user=)`, removed ones deleted by `attachment_delete_service(
    attachment)` (file removed after the commit), and only the label is edited in place.
    A subclass gives `attachment_model` and the two names, looked up in `services`."""

    attachment_model: type
    attachment_add_service: str
    attachment_delete_service: str

    def save_formset(self, request, form, formset, change):
        if formset.model is not self.attachment_model:
            return super().save_formset(request, form, formset, change)
        record = form.instance
        add = getattr(self.services, self.attachment_add_service)
        delete = getattr(self.services, self.attachment_delete_service)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.initial_forms:
            attachment = inline_form.instance
            if formset.can_delete and formset._should_delete_form(inline_form):
                delete(attachment)
                formset.deleted_objects.append(attachment)
            elif inline_form.has_changed():
                attachment.title = inline_form.cleaned_data.get("title", "")
                attachment.save(update_fields=["title"])
                formset.changed_objects.append((attachment, inline_form.changed_data))
        for inline_form in formset.extra_forms:
            upload = inline_form.cleaned_data.get("file") if inline_form.has_changed() else None
            if upload is None or formset._should_delete_form(inline_form):
                continue
            try:
                attachment = add(
                    record,
                    upload,
                    title=inline_form.cleaned_data.get("title", ""),
                    user=request.user,
                )
            except ValidationError as error:  # the same file twice in one submission
                messages.warning(request, " ".join(error.messages))
                continue
            formset.new_objects.append(attachment)
        return None


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows written by services or loaders only: shown, never added, changed or deleted
    here (reference data, logs of exports, imports and erasures)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
