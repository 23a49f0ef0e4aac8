from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows written by services or loaders only: shown, never added, changed or deleted
    here (reference data, logs of exports, imports and erasures)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
