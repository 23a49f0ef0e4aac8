"""The territory picker: one text field, usable with or without JavaScript.

Without JavaScript the user types a name or a code; with it, htmx suggests territories as
the user types and fills the field with the canonical label "Name — kind code", which
`TerritoryField` parses back. Ambiguous input gets a French error naming the candidates.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import Territory
from .selectors import territory_resolve

MAX_LENGTH = 120


class TerritoryPickerWidget(forms.TextInput):
    template_name = "territories/widgets/picker.html"

    def __init__(self, attrs=None, kinds=None):
        self.kinds = kinds or []
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = reverse_lazy("territories:suggest")
        context["widget"]["kinds"] = self.kinds
        return context

    def format_value(self, value):
        # Only an initial value is a Territory; typed text is shown back as typed.
        if isinstance(value, Territory):
            return value.label
        return super().format_value(value)


class TerritoryField(forms.Field):
    """A territory, typed as a name, a code, "kind code", or the picker's label."""

    widget = TerritoryPickerWidget
    default_error_messages = {
        "unknown": _("No territory matches “%(value)s”."),
        "ambiguous": _("“%(value)s” matches several territories: %(candidates)s. Choose one."),
        "too_long": _("Type at most %(max)d characters."),
    }

    def __init__(self, *, kinds: list[str] | None = None, **kwargs):
        self.kinds = kinds or []
        kwargs.setdefault("help_text", _("Type a name or an official code, e.g. Tours or 37261."))
        super().__init__(**kwargs)
        self.widget.kinds = self.kinds

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Territory):
            return value
        text = str(value).strip()
        ProhibitNullCharactersValidator()(text)  # before any query: PostgreSQL refuses NUL
        if len(text) > MAX_LENGTH:
            raise ValidationError(
                self.error_messages["too_long"], code="too_long", params={"max": MAX_LENGTH}
            )
        candidates = territory_resolve(text, kinds=self.kinds)
        if not candidates:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        if len(candidates) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"value": text, "candidates": ", ".join(str(t) for t in candidates[:5])},
            )
        return candidates[0]


class TerritoryGoForm(forms.Form):
    """ "Go to a territory" on the territories page."""

    territoire = TerritoryField(label=_("Territory"))
