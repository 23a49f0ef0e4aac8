"""Values of larger territories computed from the values of their communes.

A département, an EPCI, a région, a former region or France gets a computed value for an
indicator and a period when the source gives none and *every* one of its communes has a
value: the sum for counts and amounts, the ratio of the sums of numerators and
denominators for rates. A partial sum would be a wrong figure presented as a right one,
so an incomplete territory gets no value (docs/observation.md, "Aggregation").
Computed values are marked `computed`; an imported value replaces them, and they are
recomputed (or removed) whenever the communal values of their period change.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from villes2.territories.models import Territory, TerritoryKind

from ..models import Aggregation, Indicator, IndicatorValue, ValueStatus

# The kinds made of whole communes. QPV and ZUS are parts of communes: nothing adds up
# to them.
AGGREGATE_KINDS = (
    TerritoryKind.EPCI,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.REGION,
    TerritoryKind.FORMER_REGION,
    TerritoryKind.COUNTRY,
)
# What a computed value is made of: a recomputation rewrites a row when one differs. The
# communal values are read in this order (after period and territory).
COMPARED = ("value", "numerator", "denominator", "status", "source_id", "geography")


@dataclass(frozen=True)
class CommuneClosure:
    """Which territories of the aggregate kinds contain each commune, and how many
    communes each has: read once (one query), shared by every indicator of an import."""

    counts: dict[int, int]
    targets: dict[int, tuple[int, ...]]


def commune_closure() -> CommuneClosure:
    closure = Territory.ancestors.through
    rows = (
        closure.objects.filter(
            from_territory__kind=TerritoryKind.COMMUNE,
            to_territory__kind__in=AGGREGATE_KINDS,
        )
        .values_list("from_territory_id", "to_territory_id")
        .order_by()
    )
    targets: dict[int, list[int]] = {}
    counts: Counter = Counter()
    for commune, target in rows.iterator(chunk_size=10_000):
        targets.setdefault(commune, []).append(target)
        counts[target] += 1
    return CommuneClosure(dict(counts), {key: tuple(value) for key, value in targets.items()})


@transaction.atomic
def values_aggregate_upward(
    *,
    indicator: Indicator,
    periods: Iterable[datetime.date],
    closure: CommuneClosure | None = None,
) -> int:
    """Recompute the computed values of `indicator` for `periods`; return how many
    computed values were created, changed or removed."""
    periods = sorted(set(periods))
    if indicator.aggregation == Aggregation.NONE or not periods:
        return 0
    closure = commune_closure() if closure is None else closure
    wanted = _computed_values(indicator, periods, closure)
    existing = {
        (row.period, row.territory_id): row
        for row in IndicatorValue.objects.filter(
            indicator=indicator, period__in=periods, territory_id__in=set(closure.counts)
        ).only("id", "period", "territory_id", "computed", *COMPARED)
    }
    to_create, to_update, to_delete = [], [], []
    for key, row in existing.items():
        if not row.computed:
            wanted.pop(key, None)  # the source gives this territory's own value
        elif key not in wanted:
            to_delete.append(row.pk)
    for key, new in wanted.items():
        old = existing.get(key)
        if old is None:
            to_create.append(new)
        elif _differs(old, new):
            new.pk = old.pk
            to_update.append(new)
    deleted = 0
    if to_delete:
        deleted = IndicatorValue.objects.filter(pk__in=to_delete).delete()[0]
    IndicatorValue.objects.bulk_create(to_create, batch_size=1000)
    IndicatorValue.objects.bulk_update(to_update, COMPARED, batch_size=1000)
    return deleted + len(to_create) + len(to_update)


# Running totals of one territory and period, in a list for speed (a commune adds to
# about five territories): communes, sum of values, of numerators, of denominators,
# communes with a ratio, provisional, the first source, the common geography (None if
# they differ).
COMMUNES, TOTAL, NUMERATOR, DENOMINATOR, WITH_RATIO, PROVISIONAL, SOURCE, GEOGRAPHY = range(8)


def _computed_values(
    indicator: Indicator, periods: list[datetime.date], closure: CommuneClosure
) -> dict[tuple[datetime.date, int], IndicatorValue]:
    """The values of the territories whose every commune has one: the communal values
    of the periods are read in one query and added up to their territories here (faster
    than a grouped join over the closure in the database: the closure is read once per
    import)."""
    communal = (
        IndicatorValue.objects.filter(
            indicator=indicator, period__in=periods, territory__kind=TerritoryKind.COMMUNE
        )
        .order_by()
        .values_list("period", "territory_id", *COMPARED)
    )
    # The ORM's query, read from the cursor: Django's per-row converters (a regular
    # expression per date on SQLite) would cost more than the sums.
    sql, params = communal.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    dates = {raw: _date(raw) for raw in {row[0] for row in rows}}
    # Sources differing from the first communal value's, by territory (nearly always none).
    sources: dict[tuple[datetime.date, int], list[int]] = {}
    totals: dict[tuple[datetime.date, int], list] = {}
    targets = closure.targets
    provisional_status = ValueStatus.PROVISIONAL
    for raw_period, commune, value, numerator, denominator, status, source, geography in rows:
        period = dates[raw_period]
        for target in targets.get(commune, ()):
            total = totals.get((period, target))
            if total is None:
                total = totals[(period, target)] = [0, 0.0, 0.0, 0.0, 0, False, source, geography]
                sources[(period, target)] = []
            total[COMMUNES] += 1
            total[TOTAL] += value
            if numerator is not None:
                total[NUMERATOR] += numerator
                total[DENOMINATOR] += denominator
                total[WITH_RATIO] += 1
            if status == provisional_status:
                total[PROVISIONAL] = True
            if source != total[SOURCE]:
                sources[(period, target)].append(source)
            if geography != total[GEOGRAPHY]:
                total[GEOGRAPHY] = None

    wanted: dict[tuple[datetime.date, int], IndicatorValue] = {}
    for (period, target), total in totals.items():
        communes = total[COMMUNES]
        if communes != closure.counts.get(target):
            continue  # a commune has no value: no figure rather than a wrong one
        if indicator.aggregation == Aggregation.SUM:
            value, numerator, denominator = total[TOTAL], None, None
        else:
            numerator, denominator = total[NUMERATOR], total[DENOMINATOR]
            if total[WITH_RATIO] != communes or denominator <= 0:
                continue
            value = numerator / denominator * indicator.rate_base
        others = sources[(period, target)]
        # The source of most communal values (nearly always the only one).
        source = (
            Counter([total[SOURCE]] * (communes - len(others)) + others).most_common(1)[0][0]
            if others
            else total[SOURCE]
        )
        wanted[(period, target)] = IndicatorValue(
            indicator=indicator,
            territory_id=target,
            period=period,
            value=value,
            numerator=numerator,
            denominator=denominator,
            status=ValueStatus.PROVISIONAL if total[PROVISIONAL] else ValueStatus.FINAL,
            source_id=source,
            geography=total[GEOGRAPHY] or "",
            computed=True,
        )
    return wanted


def _date(raw) -> datetime.date:
    return raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(raw)


def _differs(old: IndicatorValue, new: IndicatorValue) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in COMPARED)
