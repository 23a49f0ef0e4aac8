"""Working days: weekends and French public holidays (moving ones included) skipped."""

import datetime

import pytest

from villes2.inquiries.services import add_working_days, is_working_day, working_days_between

D = datetime.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 11, 25), True),  # Wednesday
        (D(2026, 11, 28), False),  # Saturday
        (D(2026, 11, 29), False),  # Sunday
        (D(2026, 11, 11), False),  # Armistice
        (D(2026, 4, 6), False),  # Easter Monday 2026
        (D(2027, 3, 29), False),  # Easter Monday 2027
        (D(2026, 5, 14), False),  # Ascension 2026
        (D(2026, 5, 25), False),  # Whit Monday 2026
        (D(2026, 7, 14), False),
        (D(2026, 12, 25), False),
        (D(2026, 12, 26), False),  # Saturday (Saint-Étienne only in Alsace-Moselle)
        (D(2026, 12, 28), True),
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 11, 23), 5, D(2026, 11, 30)),  # Monday → next Monday
        (D(2026, 11, 27), 5, D(2026, 12, 4)),  # Friday → next Friday
        (D(2026, 11, 28), 5, D(2026, 12, 4)),  # Saturday: counted from Monday
        (D(2026, 11, 10), 5, D(2026, 11, 18)),  # 11 November skipped
        (D(2026, 5, 8), 5, D(2026, 5, 18)),  # 8 May (holiday) and Ascension skipped
        (D(2026, 12, 24), 5, D(2027, 1, 4)),  # Christmas and New Year skipped
        (D(2026, 11, 25), 0, D(2026, 11, 25)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_working_days_between_is_the_inverse_of_add():
    start = D(2026, 1, 1)
    for offset in range(0, 400, 7):
        day = start + datetime.timedelta(days=offset)
        for n in (0, 1, 5, 12):
            assert working_days_between(day, add_working_days(day, n)) == n


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 11, 27), D(2026, 11, 30), 1),  # Friday → Monday
        (D(2026, 11, 30), D(2026, 11, 27), 0),  # backwards
        (D(2026, 11, 27), D(2026, 11, 27), 0),
        (D(2026, 12, 31), D(2027, 1, 4), 1),  # over New Year's Day and a weekend
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_the_computed_count_equals_counting_day_by_day():
    import random

    def counted(start, end):
        return sum(
            is_working_day(start + datetime.timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

    rng = random.Random(8)
    first = D(1989, 12, 1)  # before the epoch of the ranks too
    for _ in range(3000):
        start = first + datetime.timedelta(days=rng.randrange(0, 14000))
        end = start + datetime.timedelta(days=rng.randrange(-30, 1500))
        assert working_days_between(start, end) == max(counted(start, end), 0), (start, end)
