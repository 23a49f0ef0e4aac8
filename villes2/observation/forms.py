"""The comparison form's fields: an indicator by code, a scope ("kind:code", several, or
the centre's two former regions), a period (a year or a date). Every error is a French
sentence that names what was typed; the page answers 400 with the form, never 500."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villes2.territories.models import Territory, TerritoryKind

from . import selectors
from .models import Indicator, Periodicity

K = TerritoryKind
MAX_SCOPE_PARTS = 12
SCOPE_PART = re.compile(r"^(?P<kind>[a-z-]{2,20}):(?P<code>[0-9A-Za-z-]{1,20})$")
YEAR = re.compile(r"^\d{4}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The levels a comparison lists, named in the plural.
LEVEL_CHOICES = [
    (K.COMMUNE, _("Communes")),
    (K.EPCI, _("EPCI (intercommunal bodies)")),
    (K.QPV, _("QPV (priority neighbourhoods)")),
    (K.ZUS, _("ZUS (1996 sensitive urban zones)")),
    (K.DEPARTEMENT, _("Départements")),
    (K.FORMER_REGION, _("Former regions (before 2016)")),
    (K.REGION, _("Regions")),
]
LEVEL_LABELS = dict(LEVEL_CHOICES)


def parse_scope(text: str) -> list[tuple[str, str]] | None:
    """ "departement:37", "a:1,b:2" or "centre-poitou" as (kind, code) pairs; None when
    the text has another shape."""
    text = text.strip()
    if text == selectors.CENTRE_SCOPE:
        return [(K.FORMER_REGION, code) for code in settings.VILLES2_FORMER_REGIONS]
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or len(parts) > MAX_SCOPE_PARTS:
        return None
    pairs = []
    for part in parts:
        match = SCOPE_PART.match(part)
        if match is None or match["kind"] not in K.values:
            return None
        pairs.append((match["kind"], match["code"].upper()))
    return pairs


def scope_value(territories: list[Territory]) -> str:
    """The URL value of a scope (the inverse of `parse_scope`)."""
    pairs = sorted((t.kind, t.code) for t in territories)
    centre = sorted((K.FORMER_REGION, code) for code in settings.VILLES2_FORMER_REGIONS)
    if pairs == centre:
        return selectors.CENTRE_SCOPE
    return ",".join(f"{kind}:{code}" for kind, code in pairs)


def scope_label(territories: list[Territory]) -> str:
    if scope_value(territories) == selectors.CENTRE_SCOPE:
        return str(_("Centre and Poitou-Charentes (the two former regions)"))
    return " + ".join(territory.name for territory in territories)


class IndicatorField(forms.ChoiceField):
    """An indicator by its code, among those given; cleans to the Indicator."""

    default_error_messages = {
        "required": _("Choose an indicator."),
        "invalid_choice": _("Unknown indicator: “%(value)s”. Choose one from the list."),
    }

    def __init__(self, *, indicators: list[Indicator] | None = None, **kwargs) -> None:
        self.indicators = {indicator.code: indicator for indicator in indicators or []}
        kwargs.pop("choices", None)
        super().__init__(
            choices=[("", _("Choose an indicator"))]
            + [
                (code, f"{selectors.indicator_label(indicator)} ({indicator.unit})")
                for code, indicator in self.indicators.items()
            ],
            **kwargs,
        )

    def clean(self, value):
        code = super().clean(value)
        return self.indicators[code] if code else None


class ScopeSelect(forms.Select):
    """A select whose value may be given several times (`perimetre=a&perimetre=b`)."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        return ",".join(value for value in values if value)


class ScopeField(forms.Field):
    """Where to compare: the centre's two former regions, one territory or several."""

    widget = ScopeSelect
    default_error_messages = {
        "required": _("Choose a scope."),
        "invalid": _(
            "Unknown scope: “%(value)s”. Choose a scope from the list, or write kind:code, "
            "e.g. departement:37."
        ),
    }

    def __init__(self, *, territories: list[Territory] | None = None, requested: str = "", **kw):
        self.territories = {(t.kind, t.code): t for t in territories or []}
        super().__init__(**kw)
        self.widget.choices = self._choices(requested)

    def _choices(self, requested: str) -> list:
        by_kind: dict[str, list[Territory]] = {}
        for territory in self.territories.values():
            by_kind.setdefault(territory.kind, []).append(territory)
        former = [
            t for t in by_kind.get(K.FORMER_REGION, []) if t.code in settings.VILLES2_FORMER_REGIONS
        ]
        centre = [(selectors.CENTRE_SCOPE, scope_label(former))] + [
            (f"{t.kind}:{t.code}", _("%(name)s (former region)") % {"name": t.name}) for t in former
        ]
        choices = [(_("The centre's area"), centre)]
        for kind, title in (
            (K.REGION, _("Regions")),
            (K.DEPARTEMENT, _("Départements")),
            (K.COUNTRY, _("Country")),
        ):
            group = [
                (f"{t.kind}:{t.code}", f"{t.name} ({t.code})" if kind == K.DEPARTEMENT else t.name)
                for t in sorted(by_kind.get(kind, []), key=lambda t: t.code)
            ]
            if group:
                choices.append((title, group))
        offered = {value for _title, group in choices for value, _label in group}
        pairs = parse_scope(requested) if requested else None
        if pairs and requested not in offered:
            found = [self.territories[pair] for pair in pairs if pair in self.territories]
            if len(found) == len(pairs):
                choices.append((_("Requested"), [(requested, scope_label(found))]))
        return choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pairs = parse_scope(str(value))
        if pairs is None or any(pair not in self.territories for pair in pairs):
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        return list(dict.fromkeys(self.territories[pair] for pair in pairs))


class PeriodField(forms.CharField):
    """A year ("2023") or a date ("2023-01-01"); empty for the latest period."""

    widget = forms.Select
    default_error_messages = {
        "invalid": _("Invalid period: “%(value)s”. Give a year (2023) or a date (2023-01-01)."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.pop("max_length", None)  # checked in clean(), before parsing
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.choices = [("", _("The latest"))]

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            if YEAR.match(text):
                return datetime.date(int(text), 1, 1)
            if DATE.match(text):
                return datetime.date.fromisoformat(text)
        except ValueError:
            pass
        raise ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": text}
        )

    def clean(self, value):
        # The length check would quote the value without a readable message: parse first.
        if value and len(str(value)) > 10:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": str(value)[:40]}
            )
        return super().clean(value)


def period_value(period: datetime.date, periodicity: str) -> str:
    return str(period.year) if periodicity == Periodicity.YEAR else period.isoformat()


class ComparisonForm(forms.Form):
    """Base form of `ComparisonFilterSet`: checks that the indicator has values for the
    level in the scope, and picks the period (the latest unless one is asked)."""

    periods: list[datetime.date]

    def clean(self):
        cleaned = super().clean()
        self.periods = []
        indicator = cleaned.get("indicateur")
        kind = cleaned.get("niveau")
        scope = cleaned.get("perimetre")
        if not (indicator and kind and scope):
            return cleaned
        periods = selectors.comparison_periods(indicator=indicator, kind=kind, scope=scope)
        self.periods = periods
        self.fields["periode"].widget.choices = [("", _("The latest"))] + [
            (
                period_value(period, indicator.periodicity),
                selectors.period_label(period, indicator.periodicity),
            )
            for period in periods
        ]
        if not periods:
            raise ValidationError(
                _("No value of “%(indicator)s” for the %(level)s of %(scope)s."),
                code="no_values",
                params={
                    "indicator": selectors.indicator_label(indicator),
                    "level": str(LEVEL_LABELS.get(kind, kind)).lower(),
                    "scope": scope_label(scope),
                },
            )
        asked = cleaned.get("periode")
        if asked is None:
            cleaned["period"] = periods[0]
            return cleaned
        if indicator.periodicity == Periodicity.YEAR:
            found = next((p for p in periods if p.year == asked.year), None)
        else:
            found = next((p for p in periods if p == asked), None)
        if found is None:
            self.add_error(
                "periode",
                ValidationError(
                    _(
                        "No value of “%(indicator)s” for %(period)s in this scope. "
                        "Available periods: %(periods)s."
                    ),
                    code="unavailable",
                    params={
                        "indicator": selectors.indicator_label(indicator),
                        "period": self.data.get("periode", ""),
                        "periods": ", ".join(
                            selectors.period_label(p, indicator.periodicity) for p in periods
                        ),
                    },
                ),
            )
        else:
            cleaned["period"] = found
        return cleaned
