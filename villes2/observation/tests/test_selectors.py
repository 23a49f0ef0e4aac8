"""The observatory's read side: quantile classes, ranks, number formats, charts, and the
portrait, comparison and dashboard selectors (their values and their query counts)."""

import datetime

import pytest
from django.utils import translation

from villes2.observation import selectors
from villes2.observation.models import IndicatorValue, SchemeIndicator, period_of_year
from villes2.observation.selectors import (
    NumberFormat,
    class_of,
    nice_ticks,
    quantile_classes,
)
from villes2.territories.tests.factories import SchemeFactory

from .factories import IndicatorFactory, SourceFactory
from .test_pages_helpers import (
    CHAIN,
    INDRE_ET_LOIRE,
    JOUE,
    RABIERE,
    chain_values,
    provisional,
    rate_indicator,
    territory,
    values,
)

# --- Quantile classes -----------------------------------------------------------------


def classes_of(numbers, count=5):
    lows = quantile_classes(numbers, count)
    return lows, [class_of(number, lows) for number in numbers]


def test_ten_distinct_values_make_five_classes_of_two():
    lows, classes = classes_of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert lows == [1, 3, 5, 7, 9]
    assert classes == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_order_of_the_values_does_not_matter():
    lows, classes = classes_of([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])
    assert lows == [1, 3, 5, 7, 9]
    assert classes == [5, 1, 5, 1, 4, 2, 4, 2, 3, 3]


def test_ties_stay_in_one_class():
    lows, classes = classes_of([1, 1, 1, 1, 1, 1, 2, 3])
    assert lows == [1, 2, 3]
    assert classes == [1, 1, 1, 1, 1, 1, 2, 3]


def test_a_tie_across_a_boundary_moves_the_boundary_up():
    lows, classes = classes_of([1, 2, 3, 3, 3, 3, 3, 3, 4, 5])
    assert lows == [1, 3, 4, 5]
    assert classes == [1, 1, 2, 2, 2, 2, 2, 2, 3, 4]


def test_fewer_values_than_classes():
    assert classes_of([7.5, 2.5, 5.0]) == ([2.5, 5.0, 7.5], [3, 1, 2])


def test_one_value_makes_one_class():
    assert classes_of([42.0]) == ([42.0], [1])


def test_equal_values_make_one_class():
    assert classes_of([3, 3, 3]) == ([3], [1, 1, 1])


def test_no_value_makes_no_class():
    assert quantile_classes([]) == []


def test_negative_values():
    lows, classes = classes_of([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4])
    assert lows == [-5, -3, -1, 1, 3]
    assert classes == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_every_class_has_about_as_many_values():
    numbers = [float(n) for n in range(1, 273)]  # the 272 communes of Indre-et-Loire
    _lows, classes = classes_of(numbers)
    sizes = [classes.count(number) for number in range(1, 6)]
    assert sizes == [54, 55, 54, 55, 54]


# --- Formats and charts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        ("fr", 137087.0, 0, "137\u00a0087"),
        ("fr", 12.345, 1, "12,3"),
        ("fr", -0.04, 1, "0,0"),
        ("fr", -1234.5, 1, "-1\u00a0234,5"),
        ("en", 137087.0, 0, "137,087"),
        ("en", 12.345, 2, "12.35"),
    ],
)
def test_number_format(language, value, decimals, expected):
    with translation.override(language):
        assert NumberFormat()(value, decimals) == expected


@pytest.mark.parametrize(
    ("low", "high", "ticks", "decimals"),
    [
        (18.9, 31.9, [15, 20, 25, 30, 35], 0),
        (0.0, 1.0, [0, 0.25, 0.5, 0.75, 1.0], 2),
        (134000, 138668, [134000, 136000, 138000, 140000], 0),
        (5.0, 5.0, [4.5, 4.75, 5.0, 5.25, 5.5], 2),  # one value: ±10 %
    ],
)
def test_nice_ticks(low, high, ticks, decimals):
    found, found_decimals = nice_ticks(low, high)
    assert found == pytest.approx(ticks)
    assert found_decimals == decimals


# --- Portrait ---------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_portrait_compares_a_qpv_with_its_commune_epci_departement_region_and_france(
    territories, django_assert_num_queries
):
    young = rate_indicator(label="Part des jeunes", census_based=True)
    chain_values(young)
    provisional(young, RABIERE, 2023)
    rabiere = territory(RABIERE)
    with django_assert_num_queries(5):
        portrait = selectors.territory_portrait(territory=rabiere)
    assert [(t.kind, t.code) for t in portrait.comparisons] == CHAIN[1:]
    (theme,) = portrait.themes
    (block,) = theme.blocks
    assert block.periods == [str(year) for year in range(2014, 2024)]
    assert [(row.territory.code, row.own) for row in block.rows] == [
        (code, kind == "qpv") for kind, code in CHAIN
    ]
    assert [cell.display for cell in block.rows[0].cells][-2:] == ["24,0", "24,5 (p)"]
    assert block.latest.text == "24,5" and block.latest.provisional
    assert block.latest_period == "2023"
    assert block.warnings == [
        str(selectors.CENSUS_WARNING),
        str(selectors.PROVISIONAL_WARNING),
    ]
    assert portrait.notes == [str(selectors.ZONE_WARNING)]
    assert portrait.synthetic  # the factories' sources are synthetic
    # A rate: the chart draws every territory; its first line is the QPV's.
    assert [line.name for line in block.chart.lines] == [
        "Rabière",
        "Joué-lès-Tours",
        "Tours Métropole Val de Loire",
        "Indre-et-Loire",
        "Centre-Val de Loire",
        "France",
    ]
    assert len(block.chart.lines[0].markers) == 10
    assert block.chart.lines[0].path.startswith("M")
    assert block.chart.lines[0].path.count("L") == 9
    assert "Rabière\u00a0: 20,0\u00a0% en 2014, 24,5\u00a0% en 2023" in block.chart.summary


def test_portrait_query_count_does_not_grow_with_indicators(territories, django_assert_num_queries):
    for number in range(12):
        chain_values(IndicatorFactory(position=number))
    rabiere = territory(RABIERE)
    with django_assert_num_queries(5):
        portrait = selectors.territory_portrait(territory=rabiere)
    assert len(portrait.blocks) == 12
    assert sum(len(row.cells) for b in portrait.blocks for row in b.rows) == 12 * 6 * 10


def test_a_count_is_charted_for_the_territory_alone(territories):
    chain_values(IndicatorFactory())
    (block,) = selectors.territory_portrait(territory=territory(RABIERE)).blocks
    assert [line.name for line in block.chart.lines] == ["Rabière"]
    assert len(block.rows) == 6  # the table keeps the comparisons


def test_census_warning_needs_two_consecutive_years(territories):
    indicator = IndicatorFactory(census_based=True)
    values(indicator, RABIERE, [2013, 2018, 2023])
    (block,) = selectors.territory_portrait(territory=territory(RABIERE)).blocks
    assert str(selectors.CENSUS_WARNING) not in block.warnings


def test_census_warning_only_at_commune_level_and_below(territories):
    indicator = IndicatorFactory(census_based=True)
    values(indicator, INDRE_ET_LOIRE, [2022, 2023])
    blocks = selectors.territory_portrait(territory=territory(INDRE_ET_LOIRE)).blocks
    (block,) = [block for block in blocks if block.indicator == indicator]
    assert block.warnings == []


def test_a_change_of_geography_is_a_warning(territories):
    indicator = IndicatorFactory()
    values(indicator, RABIERE, [2015, 2016], geography="QPV 2015")
    values(indicator, RABIERE, [2024], geography="QPV 2024")
    (block,) = selectors.territory_portrait(territory=territory(RABIERE)).blocks
    assert block.warnings == [str(selectors.GEOGRAPHY_WARNING) % {"versions": "QPV 2015, QPV 2024"}]


def test_comparison_values_of_other_periods_are_left_out(territories):
    indicator = IndicatorFactory()
    values(indicator, RABIERE, [2020])
    values(indicator, JOUE, [2019])
    (block,) = selectors.territory_portrait(territory=territory(RABIERE)).blocks
    assert block.periods == ["2020"]
    assert [row.territory.code for row in block.rows] == ["QN03702M"]
    assert block.chart is None  # one period: nothing to draw


def test_a_territory_without_values(territories, django_assert_num_queries):
    chain_values(IndicatorFactory(), keys=CHAIN[1:])  # only its comparison territories
    rabiere = territory(RABIERE)
    with django_assert_num_queries(2):
        portrait = selectors.territory_portrait(territory=rabiere)
    assert portrait.themes == []


# --- Comparison -------------------------------------------------------------------------


@pytest.fixture
def communes(territories):
    """Five communes of Indre-et-Loire with values (two equal), one without."""
    indicator = rate_indicator(code="taux-test", label="Taux de test")
    source = SourceFactory(synthetic=True)
    codes = {"37261": 12.0, "37122": 8.0, "37214": 8.0, "37233": 20.0, "37208": 4.0}
    for code, value in codes.items():
        values(indicator, ("commune", code), [2023], base=value, source=source)
    values(indicator, INDRE_ET_LOIRE, [2023], base=11.0, source=source, computed=True)
    values(indicator, ("pays", "FR"), [2023], base=14.5, source=source)
    return indicator


def test_comparison_ranks_classes_and_references(communes, django_assert_num_queries):
    departement = territory(INDRE_ET_LOIRE)
    with django_assert_num_queries(4):
        comparison = selectors.indicator_comparison(
            indicator=communes, kind="commune", scope=departement, period=period_of_year(2023)
        )
    assert len(comparison.rows) == 272
    ranked = [(row.code, row.rank, row.map_class) for row in comparison.rows[:6]]
    assert ranked == [
        ("37233", 1, 4),
        ("37261", 2, 3),
        ("37122", 3, 2),  # equal values share a rank, sorted by name
        ("37214", 3, 2),
        ("37208", 5, 1),
        ("37001", None, None),  # then the communes without a value, by name
    ]
    assert [(c.low, c.high, c.count) for c in comparison.classes] == [
        ("4,0", "4,0", 1),
        ("8,0", "8,0", 2),
        ("12,0", "12,0", 1),
        ("20,0", "20,0", 1),
    ]
    assert comparison.palette == list(selectors.PALETTES[4])
    assert comparison.with_value == 5 and comparison.without_value == 267
    assert [(r.territory.code, r.cell.text, r.cell.computed) for r in comparison.references] == [
        ("37", "11,0", True),
        ("FR", "14,5", False),
    ]
    assert comparison.synthetic


@pytest.mark.parametrize(
    ("sort", "first"),
    [("nom", "37001"), ("-nom", "37282"), ("valeur", "37208"), ("-valeur", "37233")],
)
def test_comparison_sorts(communes, sort, first):
    comparison = selectors.indicator_comparison(
        indicator=communes,
        kind="commune",
        scope=territory(INDRE_ET_LOIRE),
        period=period_of_year(2023),
        sort=sort,
    )
    assert comparison.rows[0].code == first
    if sort == "valeur":
        assert comparison.rows[4].code == "37233"
        assert comparison.rows[5].rank is None  # no value: last, either way


def test_comparison_over_two_scopes_lists_each_territory_once(territories):
    indicator = IndicatorFactory()
    scope = [territory(("ancienne-region", "24")), territory(("departement", "37"))]
    comparison = selectors.indicator_comparison(
        indicator=indicator, kind="departement", scope=scope, period=period_of_year(2023)
    )
    assert sorted(row.code for row in comparison.rows) == ["18", "28", "36", "37", "41", "45"]
    assert comparison.classes == [] and comparison.with_value == 0


def test_comparison_periods_latest_first(communes, django_assert_num_queries):
    values(communes, ("commune", "37261"), [2019, 2021])
    scope = [territory(INDRE_ET_LOIRE)]
    with django_assert_num_queries(1):
        periods = selectors.comparison_periods(indicator=communes, kind="commune", scope=scope)
    assert periods == [period_of_year(2023), period_of_year(2021), period_of_year(2019)]


# --- Scheme dashboard ---------------------------------------------------------------------


def test_dashboard_follows_the_schemes_period(territories, django_assert_num_queries):
    rabiere, joue = territory(RABIERE), territory(JOUE)
    scheme = SchemeFactory(
        territories=[rabiere, joue],
        start_date=datetime.date(2015, 3, 1),
        end_date=datetime.date(2020, 6, 30),
    )
    young, jobs, unused = rate_indicator(), IndicatorFactory(), IndicatorFactory()
    chain_values(young, range(2010, 2024))
    values(jobs, RABIERE, range(2016, 2024))
    for position, indicator in enumerate([jobs, young, unused]):
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, position=position)
    with django_assert_num_queries(5):
        dashboard = selectors.scheme_dashboard(scheme=scheme)
    assert [block.indicator for block in dashboard.blocks] == [jobs, young]
    assert dashboard.without_values == [unused]
    assert dashboard.blocks[0].periods == ["2016", "2017", "2018", "2019", "2020"]
    assert dashboard.blocks[1].periods == [str(year) for year in range(2015, 2021)]
    assert [(row.territory.code, row.own) for row in dashboard.blocks[1].rows] == [
        ("QN03702M", True),
        ("37122", True),
        ("243700754", False),
        ("37", False),
        ("24", False),
        ("FR", False),
    ]
    assert (dashboard.first_year, dashboard.last_year) == (2015, 2020)


def test_dashboard_with_an_open_end_runs_to_the_latest_value(territories):
    scheme = SchemeFactory(territories=[territory(RABIERE)], start_date=datetime.date(2020, 1, 1))
    indicator = IndicatorFactory()
    values(indicator, RABIERE, range(2018, 2025))
    SchemeIndicator.objects.create(scheme=scheme, indicator=indicator)
    (block,) = selectors.scheme_dashboard(scheme=scheme).blocks
    assert block.periods == ["2020", "2021", "2022", "2023", "2024"]


def test_dashboard_without_followed_indicators(territories, django_assert_num_queries):
    scheme = SchemeFactory(territories=[territory(RABIERE)])
    with django_assert_num_queries(2):
        dashboard = selectors.scheme_dashboard(scheme=scheme)
    assert dashboard.blocks == [] and dashboard.followed == []
    assert dashboard.notes == [str(selectors.ZONE_WARNING)]


# --- Overview ---------------------------------------------------------------------------


def test_overview_counts_and_caches(territories, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    indicator = IndicatorFactory(label="Indicateur suivi")
    chain_values(indicator, range(2019, 2022))
    overview = selectors.observatory_overview()
    summary = next(s for s in overview.indicators if s.indicator == indicator)
    source = IndicatorValue.objects.filter(indicator=indicator).first().source
    assert (summary.first, summary.last, summary.territories) == ("2019", "2021", 6)
    assert summary.period_range == "2019–2021"
    assert overview.synthetic  # the factories' source is listed, synthetic
    # Cached: the version check, the indicators and their themes, the sources, the schemes.
    with django_assert_num_queries(5):
        selectors.observatory_overview()
    IndicatorValue.objects.create(
        indicator=indicator,
        territory=territory(JOUE),
        period=period_of_year(2025),
        value=1,
        source=source,
    )
    summary = next(
        s for s in selectors.observatory_overview().indicators if s.indicator == indicator
    )
    assert summary.last == "2025"
