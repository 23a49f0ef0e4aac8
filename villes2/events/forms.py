from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from villes2.core.validators import no_line_break


def _one_line(field_class=forms.CharField, **kwargs) -> forms.Field:
    """A field of one line of text: line breaks refused."""
    return field_class(validators=[no_line_break], **kwargs)


class RegistrationForm(forms.Form):
    """Registering for an event, from its page (no account needed)."""

    name = _one_line(
        label=_("Full name"),
        max_length=200,
        help_text=_("As it should read on the attendance certificate."),
    )
    organisation = _one_line(label=_("Organisation"), max_length=300, required=False)
    email = _one_line(
        forms.EmailField,
        label=_("E-mail"),
        max_length=254,
        help_text=_("The confirmation, with the link to cancel, is sent to this address."),
    )
    role = _one_line(label=_("Job title"), max_length=200, required=False)
    # A field people never see (its block is hidden): robots that fill every field do.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.required:  # said in the label, read with it by screen readers
                field.label = format_lazy("{} ({})", field.label, _("required"))
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["role"].widget.attrs["autocomplete"] = "organization-title"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
