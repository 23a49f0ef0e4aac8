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


@dataclass
class _Total:
    communes: int = 0
    value: float = 0.0
    numerator: float = 0.0
    denominator: float = 0.0
    with_ratio: int = 0
    provisional: bool = False


def commune_counts() -> dict[int, int]:
    """Number of communes in each territory of the aggregate kinds (one query)."""
    closure = Territory.ancestors.through
    rows = (
        closure.objects.filter(
            from_territory__kind=TerritoryKind.COMMUNE,
            to_territory__kind__in=AGGREGATE_KINDS,
        )
        .values_list("to_territory_id")
        .order_by()
    )
    return Counter(territory_id for (territory_id,) in rows.iterator())


@transaction.atomic
def values_aggregate_upward(
    *,
    indicator: Indicator,
    periods: Iterable[datetime.date],
    communes_in: dict[int, int] | None = None,
) -> int:
    """Recompute the computed values of `indicator` for `periods`; return how many
    computed values were created, changed or removed."""
    if indicator.aggregation == Aggregation.NONE:
        return 0
    communes_in = commune_counts() if communes_in is None else communes_in
    changed = 0
    for period in sorted(set(periods)):
        changed += _aggregate_period(indicator, period, communes_in)
    return changed


def _aggregate_period(indicator: Indicator, period: datetime.date, communes_in) -> int:
    closure = Territory.ancestors.through._meta.db_table
    territory = Territory._meta.db_table
    value_table = IndicatorValue._meta.db_table
    kinds = ", ".join(["%s"] * len(AGGREGATE_KINDS))
    # Table names come from the models' metadata; every value is a parameter.
    sql = f"""
        SELECT a.to_territory_id, v.value, v.numerator, v.denominator, v.status,
               v.source_id, v.geography
        FROM {value_table} v
        JOIN {territory} c ON c.id = v.territory_id AND c.kind = %s
        JOIN {closure} a ON a.from_territory_id = v.territory_id
        JOIN {territory} t ON t.id = a.to_territory_id AND t.kind IN ({kinds})
        WHERE v.indicator_id = %s AND v.period = %s
    """  # noqa: S608
    totals: dict[int, _Total] = {}
    sources: dict[int, Counter] = {}
    geographies: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [TerritoryKind.COMMUNE, *AGGREGATE_KINDS, indicator.pk, period])
        for target, value, numerator, denominator, status, source, geography in cursor:
            total = totals.setdefault(target, _Total())
            total.communes += 1
            total.value += value
            if numerator is not None:
                total.numerator += numerator
                total.denominator += denominator
                total.with_ratio += 1
            total.provisional |= status == ValueStatus.PROVISIONAL
            sources.setdefault(target, Counter())[source] += 1
            geographies.setdefault(target, set()).add(geography)

    existing = {
        row.territory_id: row
        for row in IndicatorValue.objects.filter(
            indicator=indicator, period=period, territory_id__in=set(communes_in)
        ).only(
            "id",
            "territory_id",
            "value",
            "numerator",
            "denominator",
            "status",
            "source_id",
            "geography",
            "computed",
        )
    }
    wanted: dict[int, IndicatorValue] = {}
    for target, total in totals.items():
        if total.communes != communes_in.get(target):
            continue  # a commune has no value: no figure rather than a wrong one
        if indicator.aggregation == Aggregation.SUM:
            value, numerator, denominator = total.value, None, None
        else:
            if total.with_ratio != total.communes or total.denominator <= 0:
                continue
            numerator, denominator = total.numerator, total.denominator
            value = numerator / denominator * indicator.rate_base
        geography = geographies[target]
        wanted[target] = IndicatorValue(
            indicator=indicator,
            territory_id=target,
            period=period,
            value=value,
            numerator=numerator,
            denominator=denominator,
            status=ValueStatus.PROVISIONAL if total.provisional else ValueStatus.FINAL,
            # The source of most communal values (nearly always the only one).
            source_id=sources[target].most_common(1)[0][0],
            geography=geography.pop() if len(geography) == 1 else "",
            computed=True,
        )

    changed = 0
    to_create, to_update, to_delete = [], [], []
    for target, row in existing.items():
        if not row.computed:
            wanted.pop(target, None)  # the source gives this territory's own value
        elif target not in wanted:
            to_delete.append(row.pk)
    for target, new in wanted.items():
        old = existing.get(target)
        if old is None:
            to_create.append(new)
        elif _differs(old, new):
            new.pk = old.pk
            to_update.append(new)
    if to_delete:
        changed += IndicatorValue.objects.filter(pk__in=to_delete).delete()[0]
    IndicatorValue.objects.bulk_create(to_create, batch_size=1000)
    IndicatorValue.objects.bulk_update(
        to_update,
        ["value", "numerator", "denominator", "status", "source", "geography"],
        batch_size=1000,
    )
    return changed + len(to_create) + len(to_update)


def _differs(old: IndicatorValue, new: IndicatorValue) -> bool:
    return any(
        getattr(old, name) != getattr(new, name)
        for name in ("value", "numerator", "denominator", "status", "source_id", "geography")
    )
