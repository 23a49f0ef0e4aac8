"""The territory picker: one text field, usable with or without JavaScript.

Without JavaScript the user types a name or a code; with it, htmx suggests territories as
the user types and fills the field with the canonical label "Name — kind code", which
`TerritoryField` parses back. Ambiguous input gets a French error naming the candidates.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import Territory, TerritoryKind

LABEL_PATTERN = re.compile(r"—\s*(?P<kind>[a-z-]+)\s+(?P<code>[0-9A-Z-]+)\s*$")
KIND_CODE_PATTERN = re.compile(r"^(?P<kind>[a-z-]+)[:/ ](?P<code>[0-9A-Za-z-]+)$")


class TerritoryPickerWidget(forms.TextInput):
    template_name = "territories/widgets/picker.html"

    def __init__(self, attrs=None, kinds=None):
        self.kinds = kinds or []
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = reverse_lazy("territories:search")
        context["widget"]["kinds"] = self.kinds
        return context

    def format_value(self, value):
        if isinstance(value, Territory):
            return value.label
        if isinstance(value, int | str) and str(value).isdigit() and len(str(value)) < 9:
            territory = Territory.objects.filter(pk=value).first()
            if territory is not None:
                return territory.label
        return super().format_value(value)


class TerritoryField(forms.Field):
    """A territory, typed as a name, a code, "kind code", or the picker's label."""

    widget = TerritoryPickerWidget
    default_error_messages = {
        "unknown": _("No territory matches “%(value)s”."),
        "ambiguous": _("“%(value)s” matches several territories: %(candidates)s. Choose one."),
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
        queryset = Territory.objects.all()
        if self.kinds:
            queryset = queryset.filter(kind__in=self.kinds)
        match = LABEL_PATTERN.search(text) or KIND_CODE_PATTERN.match(text)
        if match and match["kind"] in TerritoryKind.values:
            found = queryset.filter(kind=match["kind"], code=match["code"].upper())
        else:
            found = queryset.filter(code=text.upper())
            if not found.exists():
                found = queryset.search(text).filter(search_rank__lte=1)
        candidates = list(found[:6])
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
