"""Values of larger territories computed from their communes (services.aggregation)."""

import datetime

import pytest

from villes2.observation.models import (
    Aggregation,
    Indicator,
    IndicatorType,
    IndicatorValue,
    Source,
    ValueStatus,
)
from villes2.observation.services import values_aggregate_upward
from villes2.territories.models import Territory

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2021, 1, 1)


def _territory(kind, code, *parents):
    # Codes no real territory has: the reference data may be loaded in the same database.
    territory = Territory.objects.create(
        kind=kind, code=f"T{code}", name=f"{kind} {code}", geography_version="COG", source="test"
    )
    territory.parents.set(parents)
    # The containment closure, as territory_closure_rebuild() makes it (without
    # rebuilding the closure of every real territory).
    ancestors = set(parents)
    for parent in parents:
        if parent.kind != "epci":
            ancestors |= set(parent.ancestors.all())
    territory.ancestors.set(ancestors)
    return territory


@pytest.fixture
def place():
    """France ⊃ région ⊃ département ⊃ communes A and B; an EPCI of A and B; a QPV in A."""
    france = _territory("pays", "FR")
    region = _territory("region", "24", france)
    departement = _territory("departement", "37", region)
    epci = _territory("epci", "243700754")
    a = _territory("commune", "37261", departement, epci)
    b = _territory("commune", "37122", departement, epci)
    qpv = _territory("qpv", "QN03701M", a)
    return {
        "france": france,
        "region": region,
        "departement": departement,
        "epci": epci,
        "a": a,
        "b": b,
        "qpv": qpv,
    }


@pytest.fixture
def source():
    return Source.objects.create(
        code="test", producer="Test", dataset="Test", vintage="2021", synthetic=True
    )


def _indicator(code, type_=IndicatorType.COUNT, aggregation=Aggregation.SUM):
    return Indicator.objects.create(
        code=code, label=code, definition="-", unit="u", type=type_, aggregation=aggregation
    )


def _value(indicator, territory, source, value, **fields):
    return IndicatorValue.objects.create(
        indicator=indicator,
        territory=territory,
        period=PERIOD,
        value=value,
        source=source,
        geography="COG 2026",
        **fields,
    )


def _computed(indicator):
    return {
        v.territory.kind: (v.value, v.numerator, v.denominator, v.status)
        for v in IndicatorValue.objects.filter(indicator=indicator, computed=True).select_related(
            "territory"
        )
    }


def test_a_count_is_summed_up_to_every_territory_made_of_whole_communes(place, source):
    indicator = _indicator("logements")
    _value(indicator, place["a"], source, 100)
    _value(indicator, place["b"], source, 50.5)
    _value(indicator, place["qpv"], source, 30)  # a part of a commune: never added

    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 4

    final = ValueStatus.FINAL
    assert _computed(indicator) == {
        "epci": (150.5, None, None, final),
        "departement": (150.5, None, None, final),
        "region": (150.5, None, None, final),
        "pays": (150.5, None, None, final),
    }
    computed = IndicatorValue.objects.get(indicator=indicator, territory=place["departement"])
    assert (computed.source, computed.geography) == (source, "COG 2026")
    # A second run finds nothing to do.
    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 0


def test_a_rate_is_the_ratio_of_the_sums_not_the_mean_of_the_rates(place, source):
    indicator = _indicator("chomage", IndicatorType.RATE, Aggregation.RATIO_OF_SUMS)
    _value(indicator, place["a"], source, 10.0, numerator=10, denominator=100)
    _value(
        indicator,
        place["b"],
        source,
        30.0,
        numerator=300,
        denominator=1000,
        status=ValueStatus.PROVISIONAL,
    )

    values_aggregate_upward(indicator=indicator, periods=[PERIOD])

    value, numerator, denominator, status = _computed(indicator)["departement"]
    assert (numerator, denominator) == (310, 1100)
    assert value == pytest.approx(310 / 1100 * 100)
    assert status == ValueStatus.PROVISIONAL  # one provisional part makes the whole so


def test_a_rate_without_numerators_is_not_aggregated(place, source):
    indicator = _indicator("taux", IndicatorType.RATE, Aggregation.RATIO_OF_SUMS)
    _value(indicator, place["a"], source, 10.0, numerator=10, denominator=100)
    _value(indicator, place["b"], source, 30.0)

    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 0
    assert _computed(indicator) == {}


def test_no_figure_for_a_territory_with_a_commune_missing(place, source):
    indicator = _indicator("logements")
    _value(indicator, place["a"], source, 100)
    _value(indicator, place["b"], source, 50)
    values_aggregate_upward(indicator=indicator, periods=[PERIOD])
    assert len(_computed(indicator)) == 4

    IndicatorValue.objects.filter(indicator=indicator, territory=place["b"]).delete()
    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 4

    assert _computed(indicator) == {}


def test_a_value_given_by_the_source_is_never_replaced(place, source):
    indicator = _indicator("population")
    _value(indicator, place["a"], source, 100)
    _value(indicator, place["b"], source, 50)
    _value(indicator, place["epci"], source, 149)  # the source's own figure

    values_aggregate_upward(indicator=indicator, periods=[PERIOD])

    epci = IndicatorValue.objects.get(indicator=indicator, territory=place["epci"])
    assert (epci.value, epci.computed) == (149, False)
    assert set(_computed(indicator)) == {"departement", "region", "pays"}


def test_a_changed_communal_value_updates_the_computed_ones(place, source):
    indicator = _indicator("logements")
    _value(indicator, place["a"], source, 100)
    b = _value(indicator, place["b"], source, 50)
    values_aggregate_upward(indicator=indicator, periods=[PERIOD])

    IndicatorValue.objects.filter(pk=b.pk).update(value=60)
    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 4

    assert _computed(indicator)["pays"][0] == 160


def test_an_indicator_that_does_not_aggregate_gets_no_computed_value(place, source):
    indicator = _indicator("indice", IndicatorType.INDEX, Aggregation.NONE)
    _value(indicator, place["a"], source, 100)
    _value(indicator, place["b"], source, 50)

    assert values_aggregate_upward(indicator=indicator, periods=[PERIOD]) == 0
    assert _computed(indicator) == {}


def test_periods_are_computed_independently(place, source):
    indicator = _indicator("logements")
    other = datetime.date(2022, 1, 1)
    _value(indicator, place["a"], source, 100)
    _value(indicator, place["b"], source, 50)
    IndicatorValue.objects.create(
        indicator=indicator, territory=place["a"], period=other, value=1, source=source
    )

    values_aggregate_upward(indicator=indicator, periods=[PERIOD, other])

    assert IndicatorValue.objects.filter(computed=True, period=PERIOD).count() == 4
    assert IndicatorValue.objects.filter(computed=True, period=other).count() == 0


def test_the_computed_value_names_the_source_of_most_communal_values(place, source):
    other = Source.objects.create(
        code="other", producer="Autre", dataset="Autre", vintage="2021", synthetic=True
    )
    c = _territory("commune", "37050", place["departement"], place["epci"])
    indicator = _indicator("logements")
    _value(indicator, place["a"], other, 1)
    _value(indicator, place["b"], source, 2)
    _value(indicator, c, source, 3)

    values_aggregate_upward(indicator=indicator, periods=[PERIOD])

    computed = IndicatorValue.objects.get(indicator=indicator, territory=place["departement"])
    assert (computed.value, computed.source) == (6, source)
