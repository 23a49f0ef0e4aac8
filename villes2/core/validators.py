"""Validators shared by the apps' forms."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LINE_BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"


def no_line_break(value: str) -> None:
    """Refuse line breaks in what may end up in a mail header or on one line of a
    certificate or a mail (header injection)."""
    if any(character in value for character in LINE_BREAKS):
        raise ValidationError(_("This field cannot hold a line break."), code="line_break")
