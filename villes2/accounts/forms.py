from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code for the second factor: six digits from the authenticator app or, where
    `backup` is true, a backup code. Spaces are allowed (apps show "123 456")."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, backup: bool = False, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if autofocus:  # on the pages that ask for nothing else
            field.widget.attrs["autofocus"] = True
        if backup:
            field.help_text = _(
                "The six digits your authenticator app shows now, or one of your backup codes."
            )
        else:
            field.help_text = _("The six digits your authenticator app shows now.")
            field.widget.attrs["inputmode"] = "numeric"
