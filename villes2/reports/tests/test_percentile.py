"""The percentile method of the report: linear interpolation between the nearest ranks
(type 7), checked on lists worked out by hand, against the standard library and, on
PostgreSQL, against `percentile_cont`."""

import statistics

import pytest
from django.db import connection

from villes2.reports.selectors import percentile


def test_no_values():
    assert percentile([], 0.5) is None


@pytest.mark.parametrize("fraction", [0, 0.5, 0.9, 1])
def test_one_value(fraction):
    assert percentile([7], fraction) == 7


def test_odd_list():
    values = [5, 1, 4, 2, 3]  # sorted 1 2 3 4 5
    assert percentile(values, 0.5) == 3
    # rank (5 - 1) × 0.9 = 3.6: 4 + 0.6 × (5 - 4)
    assert percentile(values, 0.9) == pytest.approx(4.6)


def test_even_list():
    values = [10, 1, 4, 2]  # sorted 1 2 4 10
    # the mean of the two middle values
    assert percentile(values, 0.5) == 3
    # rank 3 × 0.9 = 2.7: 4 + 0.7 × (10 - 4)
    assert percentile(values, 0.9) == pytest.approx(8.2)


def test_two_values():
    assert percentile([0, 1], 0.5) == 0.5
    assert percentile([0, 1], 0.9) == pytest.approx(0.9)


def test_bounds():
    assert percentile([3, 9, 1], 0) == 1
    assert percentile([3, 9, 1], 1) == 9
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def test_same_as_inclusive_quantiles():
    values = [0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    for index, expected in enumerate(deciles, start=1):
        assert percentile(values, index / 10) == pytest.approx(expected)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont: PostgreSQL")
def test_same_as_postgresql_percentile_cont():
    values = [0, 2, 3, 7, 7, 12, 30]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY v) "
            "FROM unnest(%s::int[]) AS v",
            [values],
        )
        median, p90 = cursor.fetchone()
    assert percentile(values, 0.5) == pytest.approx(median)
    assert percentile(values, 0.9) == pytest.approx(p90)
