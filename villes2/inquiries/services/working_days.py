"""Working days: Monday to Friday, French public holidays excluded (the `holidays`
package, metropolitan France; docs/decisions/0002).

`working_days_between` is computed, not counted day by day: the queue shows the lateness
of every open request and the activity report the response time of thousands, some of
them years apart."""

import bisect
import datetime
from functools import lru_cache

import holidays

# A Monday: working days are ranked from it.
_EPOCH = datetime.date(1990, 1, 1)


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("FR", years=year))


@lru_cache(maxsize=256)
def _weekday_holidays(year: int) -> tuple[datetime.date, ...]:
    """The year's public holidays that fall on a weekday, in order."""
    return tuple(sorted(day for day in _public_holidays(year) if day.weekday() < 5))


@lru_cache(maxsize=256)
def _weekday_holidays_before(year: int) -> int:
    """Weekday holidays from the epoch to the end of the year before `year`."""
    if year <= _EPOCH.year:
        return 0
    return _weekday_holidays_before(year - 1) + len(_weekday_holidays(year - 1))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def _rank(day: datetime.date) -> int:
    """Working days from the epoch up to and including `day` (day ≥ epoch)."""
    days = (day - _EPOCH).days + 1
    weekdays = 5 * (days // 7) + min(days % 7, 5)
    holidays_so_far = _weekday_holidays_before(day.year) + bisect.bisect_right(
        _weekday_holidays(day.year), day
    )
    return weekdays - holidays_so_far


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (a request received on a Friday with a
    target of 5 working days is due the next Friday; one received on a Saturday is
    counted from the Monday, as if received then)."""
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after
    `start`): the same count as `add_working_days`, so that
    `working_days_between(d, add_working_days(d, n)) == n`."""
    if end <= start:
        return 0
    if start < _EPOCH:
        return sum(
            is_working_day(start + datetime.timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )
    return _rank(end) - _rank(start)
