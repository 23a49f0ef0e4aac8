"""Observation of territories: indicators, their sources, values by territory and period,
and the imports that wrote them (docs/observation.md)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, Territory

CODE_HELP = _("Lower-case letters, digits, “-” and “_”; used in import files and URLs.")


class IndicatorType(models.TextChoices):
    """What a value is. A rate carries its numerator and denominator."""

    COUNT = "effectif", _("Count")
    RATE = "taux", _("Rate")
    AMOUNT = "montant", _("Amount")
    INDEX = "indice", _("Index")


class Aggregation(models.TextChoices):
    """How an indicator's communal values make the value of a larger territory."""

    SUM = "somme", _("Sum")
    RATIO_OF_SUMS = "ratio-des-sommes", _("Ratio of the sums of numerators and denominators")
    NONE = "aucune", _("Not aggregatable")


class Periodicity(models.TextChoices):
    """Whether the period of a value is a year or a date."""

    YEAR = "annee", _("Year")
    DATE = "date", _("Date")


class ValueStatus(models.IntegerChoices):
    PROVISIONAL = 1, _("provisional")
    FINAL = 2, _("final")


class Source(models.Model):
    """Where values come from: a producer's dataset in one vintage, with its licence.

    `synthetic` marks generated data (tests, benchmarks): it is labelled as such
    everywhere it is shown, and the reference loader never creates such a source.
    """

    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=CODE_HELP)
    producer = models.CharField(_("producer"), max_length=200)
    dataset = models.CharField(_("dataset"), max_length=300)
    vintage = models.CharField(
        _("vintage"), max_length=100, help_text=_("E.g. “millésime 2023”, “2024 edition”.")
    )
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    synthetic = models.BooleanField(
        _("synthetic data"),
        default=False,
        help_text=_("Generated for tests or benchmarks: never real figures."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["producer", "dataset", "vintage"]

    def __str__(self) -> str:
        return f"{self.producer} — {self.dataset} ({self.vintage})"


class Indicator(models.Model):
    """A measure observed on territories: its definition, unit, type, how it aggregates
    to larger territories, and what limits its comparisons."""

    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=CODE_HELP)
    label = models.CharField(_("label"), max_length=250)
    label_en = models.CharField(_("label in English"), max_length=250, blank=True)
    definition = models.TextField(_("definition"))
    definition_en = models.TextField(_("definition in English"), blank=True)
    unit = models.CharField(
        _("unit"), max_length=50, help_text=_("E.g. “habitants”, “%”, “€”, “logements”.")
    )
    type = models.CharField(_("type"), max_length=20, choices=IndicatorType.choices)
    aggregation = models.CharField(
        _("aggregation to larger territories"), max_length=20, choices=Aggregation.choices
    )
    periodicity = models.CharField(
        _("period"), max_length=10, choices=Periodicity.choices, default=Periodicity.YEAR
    )
    rate_base = models.PositiveIntegerField(
        _("rate base"),
        default=100,
        help_text=_("For a rate: value = numerator ÷ denominator × this base (100 for a %)."),
    )
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=0)
    census_based = models.BooleanField(
        _("from the rolling census"),
        default=False,
        help_text=_(
            "INSEE's rolling census: two consecutive vintages must not be compared at "
            "commune level and below."
        ),
    )
    comparability_notes = models.TextField(_("comparability notes"), blank=True)
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="indicators", verbose_name=_("themes")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=IndicatorType.values), name="indicator_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values),
                name="indicator_aggregation_valid",
            ),
            models.CheckConstraint(
                condition=Q(periodicity__in=Periodicity.values),
                name="indicator_periodicity_valid",
            ),
            # Only a rate has numerators and denominators to add up.
            models.CheckConstraint(
                condition=~Q(aggregation=Aggregation.RATIO_OF_SUMS) | Q(type=IndicatorType.RATE),
                name="indicator_ratio_of_sums_is_rate",
            ),
            models.CheckConstraint(condition=Q(rate_base__gt=0), name="indicator_rate_base_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("observation:compare") + f"?indicateur={self.code}"


class ImportStatus(models.TextChoices):
    IMPORTED = "importe", _("imported")
    REJECTED = "refuse", _("rejected")


class ImportBatch(models.Model):
    """One import of a file (or of the reference data): who, when, what it did.

    A rejected file leaves no value behind; its batch row is kept, after the rollback,
    with the number of rejected lines and the report, as the trace of the attempt.
    """

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("source"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    lines = models.PositiveIntegerField(_("lines read"), default=0)
    created = models.PositiveIntegerField(_("values created"), default=0)
    updated = models.PositiveIntegerField(_("values updated"), default=0)
    unchanged = models.PositiveIntegerField(_("values unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("lines rejected"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_batch_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class IndicatorValue(models.Model):
    """The value of an indicator for a territory and a period.

    The period is a date; for a yearly indicator it is 1 January of the year. One value
    per (indicator, territory, period): a revised file updates it, a new vintage adds
    the values of its own period. A rate keeps its numerator and denominator, so that
    larger territories get the ratio of the sums, not a mean of rates. Each value names
    its source; the import log (`ImportBatch`) records the files.
    """

    # No single-column indexes on the two keys: the composite indexes below start with
    # them, and each index costs the import of millions of values (docs/performance.md).
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("indicator"),
        db_index=False,
    )
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        verbose_name=_("territory"),
        db_index=False,
    )
    period = models.DateField(_("period"))
    value = models.FloatField(_("value"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=ValueStatus.choices, default=ValueStatus.FINAL
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="values", verbose_name=_("source")
    )
    geography = models.CharField(
        _("geography version"),
        max_length=30,
        blank=True,
        help_text=_("The geography the value was measured on, e.g. COG 2024, QPV 2024."),
    )
    computed = models.BooleanField(
        _("computed"),
        default=False,
        help_text=_(
            "Computed from the values of the communes, where the source gives none for "
            "this territory; an imported value replaces it."
        ),
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            # In this order, the territories of a scope for one indicator and period are
            # one range of the index (comparisons, aggregation).
            models.UniqueConstraint(
                fields=["indicator", "period", "territory"], name="indicator_value_unique"
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__gt=0),
                name="indicator_value_ratio_complete",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ValueStatus.values), name="indicator_value_status_valid"
            ),
        ]
        indexes = [
            # The portrait reads every value of a few territories.
            models.Index(fields=["territory", "indicator", "period"], name="value_territory_idx")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.territory.code} {self.period}: {self.value}"

    @property
    def year(self) -> int:
        return self.period.year


def period_of_year(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


class SchemeIndicator(models.Model):
    """An indicator followed on a scheme's dashboard (contract follow-up)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="followed_indicators")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="followed_by", verbose_name=_("indicator")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("followed indicator")
        verbose_name_plural = _("followed indicators")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="scheme_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.indicator}"
