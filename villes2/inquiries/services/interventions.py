"""Writes of the interventions log: an intervention saved with its schemes, organisations
and staff, after the checks every caller gets (docs/inquiries.md, "Interventions").

The back office calls `intervention_rule_errors` from its form, so that the errors show
on their fields, then `intervention_save`, which checks everything again: a caller that
skips the form (a command, an import) cannot write what the form refuses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from villes2.territories.models import Territory

from ..models import Intervention

# How far ahead an intervention may be dated: planned ones are logged, typos are not
# (2205 for 2025).
FUTURE_LIMIT_YEARS = 1


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """The last date an intervention may have: a year from today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + FUTURE_LIMIT_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_LIMIT_YEARS, day=28)


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def intervention_rule_errors(
    *, date: datetime.date | None, site: Territory | None, today: datetime.date | None = None
) -> dict[str, list[ValidationError]]:
    """The checks that the model cannot make alone, by field: the date not more than a
    year ahead, the site a territory that existed on that date (territories carry
    validity dates: a ZUS ended in 2014, the QPV started in 2015 and 2024)."""
    errors: dict[str, list[ValidationError]] = {}
    if date is None:
        return errors
    limit = latest_date(today)
    if date > limit:
        errors.setdefault("date", []).append(
            ValidationError(
                _("The date cannot be more than a year ahead: %(limit)s at the latest.")
                % {"limit": _day(limit)},
                code="too_far_ahead",
            )
        )
    if site is not None:
        if site.valid_from is not None and date < site.valid_from:
            message = _(
                "“%(site)s” did not exist yet on that date: it is valid from %(start)s. "
                "Choose the territory of the time (a ZUS rather than a QPV, for example)."
            ) % {"site": site.name, "start": _day(site.valid_from)}
            errors.setdefault("site", []).append(ValidationError(message, code="not_yet"))
        elif site.valid_to is not None and date > site.valid_to:
            message = _(
                "“%(site)s” no longer existed on that date: it was valid until %(end)s. "
                "Choose the territory of the time (a QPV rather than a ZUS, for example)."
            ) % {"site": site.name, "end": _day(site.valid_to)}
            errors.setdefault("site", []).append(ValidationError(message, code="no_longer"))
    return errors


def _half_days_errors(errors: list[ValidationError]) -> list[ValidationError]:
    """One message for half-days: the model's "by halves" message says it all, the
    generic minimum message ("≥ 0.5") besides it would only repeat it."""
    own = [error for error in errors if error.code == "half_days"]
    return own or errors


def intervention_validate(
    intervention: Intervention, *, today: datetime.date | None = None
) -> None:
    """The model's checks (required fields, half-days, procedures) and the rules above,
    every error on its field; raises `ValidationError` with all of them."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        intervention.full_clean()
    except ValidationError as error:
        for field, field_errors in error.error_dict.items():
            errors[field] = list(field_errors)
    if "half_days" in errors:
        errors["half_days"] = _half_days_errors(errors["half_days"])
    site = None
    if "site" not in errors and intervention.site_id is not None:
        site = intervention.site
    date = intervention.date if "date" not in errors else None
    for field, field_errors in intervention_rule_errors(date=date, site=site, today=today).items():
        errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def intervention_save(
    intervention: Intervention,
    *,
    organisations: Iterable | None = None,
    schemes: Iterable | None = None,
    staff: Iterable | None = None,
) -> Intervention:
    """Validate, then save the intervention and, for each one given, replace its
    organisations, schemes and staff. Nothing is written if a check fails."""
    intervention_validate(intervention)
    intervention.save()
    if organisations is not None:
        intervention.organisations.set(organisations)
    if schemes is not None:
        intervention.schemes.set(schemes)
    if staff is not None:
        intervention.staff.set(staff)
    return intervention
