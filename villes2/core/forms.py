"""What the public forms share (proposing an experience record, asking the desk): a
field hidden from people that robots fill (no visual CAPTCHA: RELIABILITY.md), and the
error summary at the top of the page linking to each field in error."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PublicForm(forms.Form):
    """Mixed into a public form (`class F(PublicForm, forms.ModelForm)`). The template
    renders `website` inside `<div hidden>` (`includes/honeypot.html`); the view answers
    404 when `is_robot()`, saving and sending nothing."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Field name → a label shorter than the field's, for the error summary.
    summary_labels: dict = {}

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def error_links(self) -> list[tuple[str, str, str]]:
        """For the summary at the top: (anchor, field label, message) of every error."""
        links = []
        for name, errors in self.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                continue
            bound = self[name]
            anchor = bound.auto_id
            if isinstance(bound.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                anchor = f"{bound.auto_id}_0"
            label = self.summary_labels.get(name, bound.label)
            for message in errors:
                links.append((anchor, str(label), message))
        return links


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, at the
    top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
