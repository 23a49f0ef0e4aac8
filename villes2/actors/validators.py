import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_siren(value: str) -> None:
    """A SIREN is 9 digits whose Luhn checksum is valid (INSEE)."""
    if not re.fullmatch(r"[0-9]{9}", value):
        raise ValidationError(_("A SIREN number has exactly 9 digits."), code="siren_format")
    total = 0
    for index, char in enumerate(reversed(value)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    if total % 10:
        raise ValidationError(
            _("This SIREN number is not valid (check digit)."), code="siren_checksum"
        )
