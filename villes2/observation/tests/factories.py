"""Factories of the observation app. Every source they make is synthetic: test figures
are never real ones."""

import factory

from villes2.core.testing import m2m
from villes2.observation.models import (
    Aggregation,
    ImportBatch,
    ImportStatus,
    Indicator,
    IndicatorType,
    IndicatorValue,
    Periodicity,
    SchemeIndicator,
    Source,
    period_of_year,
)
from villes2.territories.tests.factories import SchemeFactory, TerritoryFactory


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"source-de-test-{n}")
    producer = "Producteur de test"
    dataset = factory.Sequence(lambda n: f"Jeu de données de test {n}")
    vintage = "millésime 2023"
    licence = "Licence Ouverte 2.0"
    synthetic = True


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A count that sums up; `IndicatorFactory(rate=True)` makes a percentage whose
    larger territories take the ratio of the sums."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    class Params:
        rate = factory.Trait(
            type=IndicatorType.RATE,
            aggregation=Aggregation.RATIO_OF_SUMS,
            unit="%",
            decimals=1,
        )

    code = factory.Sequence(lambda n: f"indicateur-de-test-{n}")
    label = factory.Sequence(lambda n: f"Indicateur de test {n}")
    definition = "Indicateur synthétique pour les tests."
    unit = "habitants"
    type = IndicatorType.COUNT
    aggregation = Aggregation.SUM
    periodicity = Periodicity.YEAR
    rate_base = 100
    themes = m2m("themes")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = factory.Sequence(lambda n: f"valeurs-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    source = factory.SubFactory(SourceFactory)
    status = ImportStatus.IMPORTED


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A value of 2023 for a test commune; give `numerator` and `denominator` for a rate
    (the value is then computed from them unless given)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    territory = factory.SubFactory(TerritoryFactory)
    period = period_of_year(2023)
    value = factory.LazyAttribute(
        lambda v: (
            v.numerator / v.denominator * v.indicator.rate_base
            if v.numerator is not None and v.denominator
            else 1000.0
        )
    )
    numerator = None
    denominator = None
    source = factory.SubFactory(SourceFactory)
    geography = "COG 2026"


class SchemeIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeIndicator

    scheme = factory.SubFactory(SchemeFactory)
    indicator = factory.SubFactory(IndicatorFactory)
