"""Reads for the observatory's public pages: the portrait of a territory, the comparison
of one indicator across the territories of a scope (with its map classes), a scheme's
dashboard, and the overview of what the observatory holds (docs/observation.md).

Each page reads its values in one query whatever the number of indicators, periods or
territories (the query budgets are tests). The selectors return display-ready values:
numbers are formatted here, once, in the active language, and the charts' SVG paths are
computed in Python, so that templates only print strings (a portrait may hold 2,500
values).
"""

from __future__ import annotations

import bisect
import datetime
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Count, Exists, FilteredRelation, Max, Min, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from villes2.territories.models import Boundary, Scheme, Territory, TerritoryKind

from .models import (
    Aggregation,
    Indicator,
    IndicatorValue,
    Periodicity,
    SchemeIndicator,
    Source,
    ValueStatus,
    period_of_year,
)

Ancestors = Territory.ancestors.through
K = TerritoryKind

# What a territory is compared with, in this order (issue 7: its commune, EPCI,
# département, région and France).
COMPARISON_KINDS = (K.COMMUNE, K.EPCI, K.DEPARTEMENT, K.REGION, K.COUNTRY)
KIND_ORDER = {
    kind: position
    for position, kind in enumerate(
        (K.QPV, K.ZUS, K.COMMUNE, K.EPCI, K.DEPARTEMENT, K.FORMER_REGION, K.REGION, K.COUNTRY)
    )
}
ZONE_KINDS = (K.QPV, K.ZUS)
# Below the commune (and the commune itself), INSEE's rolling census forbids comparing two
# consecutive vintages.
CENSUS_FINE_KINDS = (K.COMMUNE, K.QPV, K.ZUS)
# The kinds a comparison may list, and those that have boundaries to map.
COMPARISON_LEVELS = (
    K.COMMUNE,
    K.EPCI,
    K.QPV,
    K.ZUS,
    K.DEPARTEMENT,
    K.FORMER_REGION,
    K.REGION,
)
MAPPED_LEVELS = (K.COMMUNE, K.DEPARTEMENT, K.FORMER_REGION, K.REGION)
# The scope "the centre's two former regions" (settings.VILLES2_FORMER_REGIONS).
CENTRE_SCOPE = "centre-poitou"

MAX_PERIODS = 15  # columns of a series table; older periods are left out (and said so)
MAX_CHART_SERIES = 6  # lines beyond that are unreadable: the table stays
CLASS_COUNT = 5
# ColorBrewer "Blues" (sequential, colour-blind safe), one palette per number of classes.
PALETTES = {
    1: ("#3182bd",),
    2: ("#bdd7e7", "#2171b5"),
    3: ("#deebf7", "#9ecae1", "#3182bd"),
    4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
    5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
}
# Lines of a chart: colour (≥ 3:1 on white) and dash pattern, so that they differ
# without colour too; the first is the territory of the page.
LINE_STYLES = (
    ("#1d4e89", ""),
    ("#b3261e", "7 4"),
    ("#1e6b3a", "2 4"),
    ("#6a3d9a", "10 4 2 4"),
    ("#4a5361", "4 4"),
    ("#8c510a", "12 3"),
)
OVERVIEW_CACHE_SECONDS = 15 * 60

CENSUS_WARNING = _(
    "INSEE: do not compare two consecutive vintages of the census at commune level and "
    "below; compare vintages at least five years apart."
)
ZONE_WARNING = _(
    "ZUS (1996), QPV 2015 and QPV 2024 are different geographies: a value measured on one "
    "cannot be compared with a value measured on another."
)
GEOGRAPHY_WARNING = _(
    "The values of this series were measured on different geographies (%(versions)s): "
    "a change may come from a change of boundaries."
)
PROVISIONAL_WARNING = _("Some values are provisional (marked “p”).")


# --- Formatting ---------------------------------------------------------------------------


class NumberFormat:
    """Numbers as the active language writes them ("137 087,5" / "137,087.5"), fast: a
    portrait formats thousands of values, and Django's number_format costs ~10 µs each."""

    def __init__(self) -> None:
        self.table = str.maketrans(
            {",": get_format("THOUSAND_SEPARATOR"), ".": get_format("DECIMAL_SEPARATOR")}
        )

    def __call__(self, value: float, decimals: int = 0) -> str:
        text = f"{value:,.{decimals}f}"
        if text.startswith("-") and not text.strip("-0.,"):
            text = text[1:]  # no "-0"
        return text.translate(self.table)


def with_unit(number: str, unit: str) -> str:
    return f"{number}\u00a0{unit}" if unit else number


def period_label(period: datetime.date, periodicity: str) -> str:
    if periodicity == Periodicity.YEAR:
        return str(period.year)
    return date_format(period, get_format("SHORT_DATE_FORMAT"))


def indicator_label(indicator: Indicator) -> str:
    if get_language() == "en" and indicator.label_en:
        return indicator.label_en
    return indicator.label


def indicator_definition(indicator: Indicator) -> str:
    if get_language() == "en" and indicator.definition_en:
        return indicator.definition_en
    return indicator.definition


def is_extensive(indicator: Indicator) -> bool:
    """A count or amount that adds up: comparing its level between a commune and France
    says nothing, so charts draw only the page's own territories."""
    return indicator.aggregation == Aggregation.SUM


def portrait_url_prefix(kind: str) -> str:
    """The portrait URL of a territory of `kind` without its code: reverse() costs
    ~10 µs, and a comparison links thousands of territories."""
    return reverse("observation:portrait", kwargs={"kind": kind, "code": "0"})[:-2]


# --- Values and series ---------------------------------------------------------------------


NO_VALUE_MARK = "–"
PROVISIONAL_MARK = "p"
COMPUTED_MARK = "c"


@dataclass(slots=True)
class ValueCell:
    """One value as shown: its text (without unit), its flags, and `display`, the text
    of its table cell with the marks "p" (provisional) and "c" (computed)."""

    text: str = ""
    value: float | None = None
    provisional: bool = False
    computed: bool = False
    synthetic: bool = False
    display: str = NO_VALUE_MARK

    @property
    def empty(self) -> bool:
        return self.value is None


def make_cell(
    text: str, value: float, provisional: bool, computed: bool, synthetic: bool
) -> ValueCell:
    display = text
    if provisional:
        display += f" ({PROVISIONAL_MARK})"
    if computed:
        display += f" ({COMPUTED_MARK})"
    return ValueCell(text, value, provisional, computed, synthetic, display)


EMPTY_CELL = ValueCell()

# (indicator_id, territory_id, period, value, status, source_id, geography, computed)
ValueRow = tuple[int, int, datetime.date, float, int, int, str, bool]
VALUE_COLUMNS = (
    "indicator_id",
    "territory_id",
    "period",
    "value",
    "status",
    "source_id",
    "geography",
    "computed",
)


@dataclass
class SeriesRow:
    """A territory's values for the periods of a series table."""

    territory: Territory
    own: bool  # the page's territory (or one of the scheme's), not a comparison
    cells: list[ValueCell]
    url: str = ""


@dataclass(frozen=True)
class ChartLine:
    name: str
    path: str  # SVG path data
    colour: str
    dash: str
    own: bool
    markers: list[tuple[str, str, str]]  # (cx, cy, title)


@dataclass(frozen=True)
class ChartTick:
    position: str
    label: str


@dataclass
class Chart:
    """A server-rendered SVG line chart (no JavaScript); its table is the alternative."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: list[ChartLine]
    y_ticks: list[ChartTick]
    x_ticks: list[ChartTick]
    summary: str  # the text alternative


@dataclass
class IndicatorBlock:
    """What a page shows of one indicator: latest value, series table, chart, warnings."""

    indicator: Indicator
    label: str
    definition: str
    unit: str
    periods: list[str]
    rows: list[SeriesRow]
    latest: ValueCell
    latest_period: str
    sources: list[Source]
    warnings: list[str]
    chart: Chart | None
    periods_left_out: int = 0
    compare_url: str = ""
    anchor: str = ""

    @property
    def synthetic(self) -> bool:
        return any(source.synthetic for source in self.sources)

    @property
    def has_provisional(self) -> bool:
        return any(cell.provisional for row in self.rows for cell in row.cells)

    @property
    def has_computed(self) -> bool:
        return any(cell.computed for row in self.rows for cell in row.cells)

    @property
    def extensive(self) -> bool:
        return is_extensive(self.indicator)

    @property
    def period_rows(self) -> list[tuple[str, list[ValueCell]]]:
        """The table transposed, one row per period: for a long series of few territories."""
        return [
            (label, [row.cells[index] for row in self.rows])
            for index, label in enumerate(self.periods)
        ]

    @property
    def period_range(self) -> str:
        if not self.periods:
            return ""
        if len(self.periods) == 1:
            return self.periods[0]
        return f"{self.periods[0]}–{self.periods[-1]}"


def _fetch_values(territory_ids: Iterable[int], **filters) -> list[ValueRow]:
    """Every value of these territories (one query on `value_territory_idx`).

    The query is the ORM's; its rows are read from the cursor and converted here: a
    portrait reads thousands of rows, and Django's per-cell converters (a regular
    expression per date on SQLite) cost more than the query. Periods repeat: each
    distinct one is parsed once."""
    queryset = (
        IndicatorValue.objects.filter(territory_id__in=list(territory_ids), **filters)
        .order_by()
        .values_list(*VALUE_COLUMNS)
    )
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    periods: dict = {}
    for raw in {row[2] for row in rows}:
        periods[raw] = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(raw)
    return [
        (indicator, territory, periods[period], value, status, source, geography, bool(computed))
        for indicator, territory, period, value, status, source, geography, computed in rows
    ]


def _consecutive_years(periods: Iterable[datetime.date]) -> bool:
    years = {period.year for period in periods}
    return any(year + 1 in years for year in years)


def _indicator_block(
    *,
    indicator: Indicator,
    own: list[Territory],
    comparisons: list[Territory],
    values: list[ValueRow],
    sources: dict[int, Source],
    fmt: NumberFormat,
    compare_url: str = "",
    urls: dict[int, str] | None = None,
) -> IndicatorBlock | None:
    """The block of one indicator, from its values on the page's territories (`own`)
    and their comparison territories; None when no own territory has a value."""
    own_ids = {territory.pk for territory in own}
    by_territory: dict[int, dict[datetime.date, ValueRow]] = defaultdict(dict)
    for row in values:
        by_territory[row[1]][row[2]] = row
    own_periods = sorted({period for pk in own_ids for period in by_territory.get(pk, {})})
    if not own_periods:
        return None
    left_out = max(0, len(own_periods) - MAX_PERIODS)
    periods = own_periods[left_out:]
    synthetic_ids = {pk for pk, source in sources.items() if source.synthetic}
    decimals = indicator.decimals
    rows: list[SeriesRow] = []
    used_sources: set[int] = set()
    provisional_status = int(ValueStatus.PROVISIONAL)
    for territory, is_own in [(t, True) for t in own] + [(t, False) for t in comparisons]:
        found = by_territory.get(territory.pk)
        if not found:
            continue
        cells = []
        for period in periods:
            row = found.get(period)
            if row is None:
                cells.append(EMPTY_CELL)
                continue
            # make_cell(), inlined: this loop runs for every value of a portrait.
            value, computed = row[3], row[7]
            text = display = fmt(value, decimals)
            provisional = row[4] == provisional_status
            if provisional:
                display += f" ({PROVISIONAL_MARK})"
            if computed:
                display += f" ({COMPUTED_MARK})"
            cells.append(
                ValueCell(text, value, provisional, computed, row[5] in synthetic_ids, display)
            )
            used_sources.add(row[5])
        if is_own or any(not cell.empty for cell in cells):
            rows.append(SeriesRow(territory, is_own, cells, (urls or {}).get(territory.pk, "")))
    own_rows = [row for row in rows if row.own]
    latest_row = own_rows[0]
    last_index = max(
        (index for index, cell in enumerate(latest_row.cells) if not cell.empty), default=None
    )
    latest = latest_row.cells[last_index] if last_index is not None else EMPTY_CELL
    labels = [period_label(period, indicator.periodicity) for period in periods]

    warnings: list[str] = []
    if (
        indicator.census_based
        and any(t.kind in CENSUS_FINE_KINDS for t in own)
        and _consecutive_years(periods)
    ):
        warnings.append(str(CENSUS_WARNING))
    geographies = sorted(
        {
            by_territory[pk][period][6]
            for pk in own_ids
            for period in periods
            if period in by_territory.get(pk, {}) and by_territory[pk][period][6]
        }
    )
    if len(geographies) > 1:
        warnings.append(str(GEOGRAPHY_WARNING) % {"versions": ", ".join(geographies)})
    if any(cell.provisional for row in rows for cell in row.cells):
        warnings.append(str(PROVISIONAL_WARNING))

    chart_rows = own_rows if is_extensive(indicator) else rows
    label = indicator_label(indicator)
    return IndicatorBlock(
        indicator=indicator,
        label=label,
        definition=indicator_definition(indicator),
        unit=indicator.unit,
        periods=labels,
        rows=rows,
        latest=latest,
        latest_period=labels[last_index] if last_index is not None else "",
        sources=[sources[pk] for pk in sorted(used_sources) if pk in sources],
        warnings=warnings,
        chart=line_chart(
            label=label,
            unit=indicator.unit,
            periods=periods,
            labels=labels,
            rows=chart_rows,
            decimals=decimals,
            fmt=fmt,
        ),
        periods_left_out=left_out,
        compare_url=compare_url,
        anchor=f"indicateur-{indicator.code}",
    )


# --- Charts ---------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 560, 250
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 78, 30, 14, 34


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], int]:
    """Round tick values covering [low, high] (about `count`), and the decimals they need."""
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    ticks = [start + i * step for i in range(round((end - start) / step) + 1)]
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < step * 1e-6), 6)
    return ticks, decimals


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def line_chart(
    *,
    label: str,
    unit: str,
    periods: Sequence[datetime.date],
    labels: Sequence[str],
    rows: Sequence[SeriesRow],
    decimals: int,
    fmt: NumberFormat,
) -> Chart | None:
    """An SVG line chart of the rows over the periods; None for fewer than two periods
    or more own lines than a reader can tell apart (the table remains). Comparison lines
    beyond `MAX_CHART_SERIES` are left out of the chart."""
    own = [row for row in rows if row.own]
    if len(periods) < 2 or not own or len(own) > MAX_CHART_SERIES:
        return None
    # As many comparison lines as stay readable; the table keeps them all.
    rows = own + [row for row in rows if not row.own][: MAX_CHART_SERIES - len(own)]
    values = [cell.value for row in rows for cell in row.cells if cell.value is not None]
    if not values:
        return None
    ticks, tick_decimals = nice_ticks(min(values), max(values))
    y_low, y_high = ticks[0], ticks[-1]
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    first, last = periods[0].toordinal(), periods[-1].toordinal()
    xs = [CHART_LEFT + (p.toordinal() - first) / (last - first) * plot_width for p in periods]
    x_texts = [_coordinate(x) for x in xs]
    scale = plot_height / (y_high - y_low)

    def y_of(value: float) -> float:
        return CHART_TOP + (y_high - value) * scale

    lines = []
    summaries = []
    for index, row in enumerate(rows):
        colour, dash = LINE_STYLES[index % len(LINE_STYLES)]
        commands, markers, previous = [], [], False
        name = row.territory.name
        for x_text, cell, period_text in zip(x_texts, row.cells, labels, strict=True):
            value = cell.value
            if value is None:
                previous = False
                continue
            y_text = f"{CHART_TOP + (y_high - value) * scale:.1f}"
            commands.append(f"{'L' if previous else 'M'}{x_text} {y_text}")
            previous = True
            if row.own:
                title = f"{name}, {period_text} — {with_unit(cell.text, unit)}"
                markers.append((x_text, y_text, title))
        lines.append(
            ChartLine(row.territory.name, "".join(commands), colour, dash, row.own, markers)
        )
        shown = [
            (text, cell) for text, cell in zip(labels, row.cells, strict=True) if not cell.empty
        ]
        if shown:
            (first_text, first_cell), (last_text, last_cell) = shown[0], shown[-1]
            summaries.append(
                gettext("%(territory)s: %(first)s in %(first_period)s, %(last)s in %(last_period)s")
                % {
                    "territory": row.territory.name,
                    "first": with_unit(first_cell.text, unit),
                    "first_period": first_text,
                    "last": with_unit(last_cell.text, unit),
                    "last_period": last_text,
                }
            )
    step = max(1, math.ceil(len(periods) / 8))
    shown_indexes = list(range(0, len(periods), step))
    if shown_indexes[-1] != len(periods) - 1:
        # Always label the last period; its label replaces a too-close previous one.
        if len(periods) - 1 - shown_indexes[-1] < step:
            shown_indexes.pop()
        shown_indexes.append(len(periods) - 1)
    x_ticks = [ChartTick(_coordinate(xs[index]), labels[index]) for index in shown_indexes]
    summary = gettext("Line chart of %(indicator)s, %(first)s–%(last)s. %(lines)s.") % {
        "indicator": label,
        "first": labels[0],
        "last": labels[-1],
        "lines": "; ".join(summaries),
    }
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        top=CHART_TOP,
        bottom=CHART_HEIGHT - CHART_BOTTOM,
        lines=lines,
        y_ticks=[ChartTick(_coordinate(y_of(t)), fmt(t, tick_decimals)) for t in ticks],
        x_ticks=x_ticks,
        summary=summary,
    )


# --- Portrait ----------------------------------------------------------------------------


@dataclass
class ThemeGroup:
    label: str
    anchor: str
    blocks: list[IndicatorBlock]


@dataclass
class Portrait:
    territory: Territory
    comparisons: list[Territory]
    themes: list[ThemeGroup]
    notes: list[str] = field(default_factory=list)

    @property
    def blocks(self) -> list[IndicatorBlock]:
        return [block for theme in self.themes for block in theme.blocks]

    @property
    def synthetic(self) -> bool:
        return any(block.synthetic for block in self.blocks)

    @property
    def is_zone(self) -> bool:
        return self.territory.kind in ZONE_KINDS


def comparison_territories(territory: Territory) -> list[Territory]:
    """Its communes (for a zone), EPCI, département, région and France (one query)."""
    if territory.kind == K.COUNTRY:
        return []
    found = list(
        Territory.objects.filter(descendants=territory, kind__in=COMPARISON_KINDS)
        .with_list_related()
        .order_by()
    )
    return sorted(found, key=lambda t: (KIND_ORDER[t.kind], t.name, t.code))


def _comparison_scope(territory: Territory, comparisons: list[Territory]) -> tuple[str, str]:
    """The comparison a portrait links to: (level, scope) — a commune among the communes
    of its département, a département among those of its région…"""
    by_kind: dict[str, Territory] = {}
    for candidate in comparisons:
        by_kind.setdefault(candidate.kind, candidate)
    container_kind = {
        K.QPV: K.DEPARTEMENT,
        K.ZUS: K.DEPARTEMENT,
        K.COMMUNE: K.DEPARTEMENT,
        K.EPCI: K.DEPARTEMENT,
        K.DEPARTEMENT: K.REGION,
        K.REGION: K.COUNTRY,
    }.get(territory.kind)
    container = by_kind.get(container_kind) if container_kind else None
    if container is None:
        return "", ""
    return territory.kind, f"{container.kind}:{container.code}"


def territory_portrait(*, territory: Territory) -> Portrait:
    """Every indicator with values for the territory: its series, compared with its
    commune(s), EPCI, département, région and France, grouped by theme.

    Five queries whatever the number of indicators, periods and values: the comparison
    territories, every value of all of them (one query on `value_territory_idx`), the
    indicators, their themes and the sources.
    """
    comparisons = comparison_territories(territory)
    values = _fetch_values([territory.pk] + [t.pk for t in comparisons])
    own_id = territory.pk
    own_indicator_ids = {row[0] for row in values if row[1] == own_id}
    notes = [str(ZONE_WARNING)] if territory.kind in ZONE_KINDS else []
    if not own_indicator_ids:
        return Portrait(territory, comparisons, [], notes)
    indicators = list(Indicator.objects.filter(pk__in=own_indicator_ids).prefetch_related("themes"))
    sources = {
        source.pk: source
        for source in Source.objects.filter(pk__in={row[5] for row in values}).order_by()
    }
    by_indicator: dict[int, list[ValueRow]] = defaultdict(list)
    for row in values:
        if row[0] in own_indicator_ids:
            by_indicator[row[0]].append(row)
    fmt = NumberFormat()
    level, scope = _comparison_scope(territory, comparisons)
    compare_base = reverse("observation:compare")
    urls = {t.pk: portrait_url_prefix(t.kind) + t.code + "/" for t in comparisons}
    groups: dict[str, ThemeGroup] = {}
    for indicator in indicators:
        compare_url = ""
        if level:
            compare_url = (
                f"{compare_base}?indicateur={indicator.code}&niveau={level}&perimetre={scope}"
            )
        block = _indicator_block(
            indicator=indicator,
            own=[territory],
            comparisons=comparisons,
            values=by_indicator[indicator.pk],
            sources=sources,
            fmt=fmt,
            compare_url=compare_url,
            urls=urls,
        )
        if block is None:
            continue
        themes = sorted(indicator.themes.all(), key=lambda concept: concept.label)
        key = themes[0].slug if themes else ""
        if key not in groups:
            groups[key] = ThemeGroup(
                themes[0].label if themes else str(_("Other indicators")),
                f"theme-{key or 'autres'}",
                [],
            )
        groups[key].blocks.append(block)
    ordered = sorted(groups.values(), key=lambda group: min(_order(b) for b in group.blocks))
    for group in ordered:
        group.blocks.sort(key=_order)
    return Portrait(territory, comparisons, ordered, notes)


def _order(block: IndicatorBlock) -> tuple[int, str]:
    return block.indicator.position, block.label


# --- Comparison ---------------------------------------------------------------------------


def quantile_classes(values: Sequence[float], count: int = CLASS_COUNT) -> list[float]:
    """The lower bounds of up to `count` quantile classes of `values` (ascending).

    Each class holds about as many values as the others; equal values always fall in the
    same class, so ties and fewer distinct values than `count` give fewer classes (one
    value: one class; no value: none). Every class holds at least one value.
    """
    ordered = sorted(values)
    distinct = sorted(set(ordered))
    classes = min(count, len(distinct))
    if not classes:
        return []
    lows = [ordered[0]]
    for index in range(1, classes):
        candidate = ordered[round(index * len(ordered) / classes)]
        if candidate <= lows[-1]:
            # A tie swallowed the boundary: start the class at the next distinct value.
            position = bisect.bisect_right(distinct, lows[-1])
            if position == len(distinct):
                break
            candidate = distinct[position]
        lows.append(candidate)
    return lows


def class_of(value: float, lows: Sequence[float]) -> int:
    """The class (1-based) of a value given the classes' lower bounds."""
    return bisect.bisect_right(lows, value)


@dataclass(frozen=True)
class MapClass:
    number: int
    low: str
    high: str
    count: int
    colour: str


@dataclass(slots=True)
class ComparisonRow:
    territory_id: int
    kind: str
    code: str
    name: str
    sort_name: str
    no_longer_valid: bool
    url: str
    cell: ValueCell
    source_id: int | None
    geography: str
    rank: int | None = None
    map_class: int | None = None
    swatch: str = ""  # the colour of its class


@dataclass(frozen=True)
class ReferenceValue:
    territory: Territory
    cell: ValueCell


SORTS = {
    "nom": ("name", False),
    "-nom": ("name", True),
    "valeur": ("value", False),
    "-valeur": ("value", True),
}
DEFAULT_SORT = "-valeur"


@dataclass
class Comparison:
    indicator: Indicator
    label: str
    definition: str
    kind: str
    scope: list[Territory]
    period: datetime.date
    period_label: str
    rows: list[ComparisonRow]
    classes: list[MapClass]
    references: list[ReferenceValue]
    sources: list[Source]
    warnings: list[str]
    sort: str = DEFAULT_SORT

    @property
    def synthetic(self) -> bool:
        return any(source.synthetic for source in self.sources)

    @property
    def with_value(self) -> int:
        return sum(1 for row in self.rows if row.rank is not None)

    @property
    def without_value(self) -> int:
        return len(self.rows) - self.with_value

    @property
    def mapped(self) -> bool:
        return self.kind in MAPPED_LEVELS

    @property
    def palette(self) -> list[str]:
        return [map_class.colour for map_class in self.classes]

    @property
    def palette_json(self) -> str:
        return json.dumps(self.palette)

    @property
    def has_provisional(self) -> bool:
        return any(row.cell.provisional for row in self.rows)

    @property
    def has_computed(self) -> bool:
        return any(row.cell.computed for row in self.rows)

    @property
    def sorted_column(self) -> str:
        return SORTS[self.sort][0]

    @property
    def sort_direction(self) -> str:
        return "descending" if SORTS[self.sort][1] else "ascending"

    def source_of(self, row: ComparisonRow) -> Source | None:
        return next((s for s in self.sources if s.pk == row.source_id), None)


def scope_territory_ids(scope: Sequence[Territory]) -> list[int]:
    return [territory.pk for territory in scope]


def within_scope(scope: Sequence[Territory]):
    return Ancestors.objects.filter(to_territory_id__in=scope_territory_ids(scope)).values(
        "from_territory_id"
    )


def comparison_periods(*, indicator: Indicator, kind: str, scope: Sequence[Territory]):
    """The periods for which territories of `kind` in the scope have values, latest
    first (one query on the unique index of values)."""
    return list(
        IndicatorValue.objects.filter(
            indicator=indicator, territory__kind=kind, territory_id__in=within_scope(scope)
        )
        .values_list("period", flat=True)
        .distinct()
        .order_by("-period")
    )


def indicator_comparison(
    *,
    indicator: Indicator,
    kind: str,
    scope: Territory | Sequence[Territory],
    period: datetime.date,
    sort: str = DEFAULT_SORT,
) -> Comparison:
    """One indicator for one period across the territories of `kind` inside the scope
    (a territory or several): values, ranks, quantile classes for the map, and the
    values of the scope and of France for reference.

    Four queries: the territories with their values (one join on the unique index of
    values), France's id, the reference values, the sources.
    """
    scope = [scope] if isinstance(scope, Territory) else list(scope)
    sort = sort if sort in SORTS else DEFAULT_SORT
    records = list(
        Territory.objects.filter(kind=kind, pk__in=within_scope(scope))
        .annotate(
            measured=FilteredRelation(
                "indicator_values",
                condition=Q(indicator_values__indicator=indicator)
                & Q(indicator_values__period=period),
            )
        )
        .order_by()
        .values_list(
            "pk",
            "code",
            "name",
            "search_name",
            "valid_to",
            "measured__value",
            "measured__status",
            "measured__source_id",
            "measured__geography",
            "measured__computed",
        )
    )
    # One IN list (not an OR with a subquery, which made SQLite scan the indicator's
    # values): the scope and France.
    reference_ids = [
        *scope_territory_ids(scope),
        *Territory.objects.filter(kind=K.COUNTRY).values_list("pk", flat=True),
    ]
    references = list(
        IndicatorValue.objects.filter(
            indicator=indicator, period=period, territory_id__in=reference_ids
        )
        .select_related("territory")
        .only(
            "value",
            "status",
            "computed",
            "source_id",
            "territory__kind",
            "territory__code",
            "territory__name",
        )
    )
    source_ids = {record[7] for record in records if record[7] is not None}
    source_ids |= {reference.source_id for reference in references}
    sources = list(Source.objects.filter(pk__in=source_ids))
    synthetic_ids = {source.pk for source in sources if source.synthetic}

    fmt = NumberFormat()
    decimals = indicator.decimals
    prefix = portrait_url_prefix(kind)
    rows = []
    for (
        pk,
        code,
        name,
        sort_name,
        valid_to,
        value,
        status,
        source_id,
        geography,
        computed,
    ) in records:
        if value is None:
            cell = EMPTY_CELL
        else:
            cell = make_cell(
                fmt(value, decimals),
                value,
                status == ValueStatus.PROVISIONAL,
                bool(computed),
                source_id in synthetic_ids,
            )
        rows.append(
            ComparisonRow(
                pk,
                kind,
                code,
                name,
                sort_name,
                valid_to is not None,
                prefix + code + "/",
                cell,
                source_id,
                geography or "",
            )
        )
    _rank(rows)
    lows = quantile_classes([row.cell.value for row in rows if row.cell.value is not None])
    classes = _map_classes(rows, lows, fmt, decimals)
    _sort(rows, sort)

    warnings = []
    if kind in ZONE_KINDS:
        warnings.append(str(ZONE_WARNING))
    geographies = sorted({row.geography for row in rows if row.geography})
    if len(geographies) > 1:
        warnings.append(
            str(
                _(
                    "These values were measured on different geographies (%(versions)s): "
                    "compare them with care."
                )
            )
            % {"versions": ", ".join(geographies)}
        )
    if any(row.cell.provisional for row in rows):
        warnings.append(str(PROVISIONAL_WARNING))
    reference_values = [
        ReferenceValue(
            reference.territory,
            make_cell(
                fmt(reference.value, decimals),
                reference.value,
                reference.status == ValueStatus.PROVISIONAL,
                reference.computed,
                reference.source_id in synthetic_ids,
            ),
        )
        for reference in sorted(
            references, key=lambda r: (KIND_ORDER[r.territory.kind], r.territory.code)
        )
    ]
    return Comparison(
        indicator=indicator,
        label=indicator_label(indicator),
        definition=indicator_definition(indicator),
        kind=kind,
        scope=scope,
        period=period,
        period_label=period_label(period, indicator.periodicity),
        rows=rows,
        classes=classes,
        references=reference_values,
        sources=sources,
        warnings=warnings,
        sort=sort,
    )


def _rank(rows: list[ComparisonRow]) -> None:
    """Rank 1 for the highest value; equal values share a rank ("1, 2, 2, 4")."""
    ordered = sorted(
        (row for row in rows if row.cell.value is not None),
        key=lambda row: row.cell.value,
        reverse=True,
    )
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.cell.value != previous:
            rank, previous = position, row.cell.value
        row.rank = rank


def _map_classes(
    rows: list[ComparisonRow], lows: list[float], fmt: NumberFormat, decimals: int
) -> list[MapClass]:
    if not lows:
        return []
    palette = PALETTES[len(lows)]
    members: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        if row.cell.value is not None:
            row.map_class = class_of(row.cell.value, lows)
            row.swatch = palette[row.map_class - 1]
            members[row.map_class].append(row.cell.value)
    return [
        MapClass(
            number,
            fmt(min(members[number]), decimals),
            fmt(max(members[number]), decimals),
            len(members[number]),
            palette[number - 1],
        )
        for number in range(1, len(lows) + 1)
    ]


def _sort(rows: list[ComparisonRow], sort: str) -> None:
    column, descending = SORTS[sort]
    rows.sort(key=lambda row: (row.sort_name, row.code))
    if column == "name":
        if descending:
            rows.reverse()
        return
    with_value = [row for row in rows if row.cell.value is not None]
    without = [row for row in rows if row.cell.value is None]
    with_value.sort(key=lambda row: row.cell.value, reverse=descending)
    rows[:] = with_value + without  # territories without a value last, either way


# --- Scheme dashboard ---------------------------------------------------------------------


@dataclass
class Dashboard:
    scheme: Scheme
    territories: list[Territory]
    comparisons: list[Territory]
    blocks: list[IndicatorBlock]
    followed: list[Indicator]
    first_year: int | None
    last_year: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return any(block.synthetic for block in self.blocks)

    @property
    def without_values(self) -> list[Indicator]:
        shown = {block.indicator.pk for block in self.blocks}
        return [indicator for indicator in self.followed if indicator.pk not in shown]


def scheme_dashboard(*, scheme: Scheme) -> Dashboard:
    """The indicators chosen for a scheme, for each territory it covers, over its period
    (its start year to its end year; an open end runs to the latest value), with the
    territories' comparison territories. Five queries whatever the number of indicators
    and territories."""
    followed = [
        link.indicator
        for link in SchemeIndicator.objects.filter(scheme=scheme)
        .select_related("indicator")
        .order_by("position", "pk")
    ]
    territories = sorted(
        scheme.territories.with_list_related(),
        key=lambda t: (KIND_ORDER[t.kind], t.name, t.code),
    )
    first_year = scheme.start_date.year if scheme.start_date else None
    last_year = scheme.end_date.year if scheme.end_date else None
    notes = []
    if any(t.kind in ZONE_KINDS for t in territories):
        notes.append(str(ZONE_WARNING))
    if not followed or not territories:
        return Dashboard(scheme, territories, [], [], followed, first_year, last_year, notes)
    own_ids = {t.pk for t in territories}
    comparisons = sorted(
        Territory.objects.filter(descendants__in=own_ids, kind__in=COMPARISON_KINDS)
        .exclude(pk__in=own_ids)
        .with_list_related()
        .distinct(),
        key=lambda t: (KIND_ORDER[t.kind], t.name, t.code),
    )
    period_filter = {"indicator_id__in": [indicator.pk for indicator in followed]}
    if first_year is not None:
        period_filter["period__gte"] = period_of_year(first_year)
    if scheme.end_date is not None:
        period_filter["period__lte"] = scheme.end_date
    values = _fetch_values(own_ids | {t.pk for t in comparisons}, **period_filter)
    sources = {
        source.pk: source for source in Source.objects.filter(pk__in={row[5] for row in values})
    }
    by_indicator: dict[int, list[ValueRow]] = defaultdict(list)
    for row in values:
        by_indicator[row[0]].append(row)
    fmt = NumberFormat()
    urls = {t.pk: portrait_url_prefix(t.kind) + t.code + "/" for t in territories + comparisons}
    blocks = []
    for indicator in followed:
        rows = by_indicator.get(indicator.pk, [])
        if indicator.periodicity == Periodicity.DATE and scheme.start_date:
            # A dated indicator follows the scheme's exact dates, not its years.
            rows = [row for row in rows if row[2] >= scheme.start_date]
        block = _indicator_block(
            indicator=indicator,
            own=territories,
            comparisons=comparisons,
            values=rows,
            sources=sources,
            fmt=fmt,
            urls=urls,
        )
        if block is not None:
            blocks.append(block)
    return Dashboard(
        scheme, territories, comparisons, blocks, followed, first_year, last_year, notes
    )


def schemes_with_dashboards() -> list[Scheme]:
    return list(
        Scheme.objects.filter(
            pk__in=SchemeIndicator.objects.values("scheme_id"),
        ).order_by("kind", "name")
    )


# --- Overview -------------------------------------------------------------------------------


@dataclass
class IndicatorSummary:
    indicator: Indicator
    label: str
    definition: str
    first: str
    last: str
    territories: int

    @property
    def period_range(self) -> str:
        if not self.first:
            return ""
        return self.first if self.first == self.last else f"{self.first}–{self.last}"


@dataclass
class Overview:
    themes: list[tuple[str, list[IndicatorSummary]]]
    sources: list[Source]
    first: str
    last: str
    territories: int
    schemes: list[Scheme]

    @property
    def period_range(self) -> str:
        if not self.first:
            return ""
        return self.first if self.first == self.last else f"{self.first}–{self.last}"

    @property
    def indicators(self) -> list[IndicatorSummary]:
        return [summary for _, summaries in self.themes for summary in summaries]

    @property
    def synthetic(self) -> bool:
        return any(source.synthetic for source in self.sources)


def _value_statistics() -> dict:
    """Per indicator, its first and last period and how many territories have values
    (one scan of the unique index of values, covering), and how many territories have
    any value (one probe per territory). Cached, and recomputed when a value is added
    (the largest id grows); at 17.5 million values the scan takes seconds."""
    latest_id = IndicatorValue.objects.aggregate(latest=Max("pk"))["latest"] or 0
    key = f"observation:overview:{latest_id}"
    statistics = cache.get(key)
    if statistics is None:
        per_indicator = {
            row["indicator_id"]: row
            for row in IndicatorValue.objects.order_by()
            .values("indicator_id")
            .annotate(
                first=Min("period"),
                last=Max("period"),
                territories=Count("territory_id", distinct=True),
            )
        }
        territories = Territory.objects.filter(
            Exists(IndicatorValue.objects.filter(territory=OuterRef("pk")))
        ).count()
        statistics = {"indicators": per_indicator, "territories": territories}
        cache.set(key, statistics, OVERVIEW_CACHE_SECONDS)
    return statistics


def observatory_overview() -> Overview:
    """What the observatory holds: indicators by theme with their periods and coverage;
    the sources of its values with their licence and vintage; the schemes with a
    dashboard. Six queries (four once the statistics are cached)."""
    statistics = _value_statistics()
    per_indicator = statistics["indicators"]
    indicators = list(Indicator.objects.prefetch_related("themes"))
    sources = list(
        Source.objects.filter(Exists(IndicatorValue.objects.filter(source=OuterRef("pk"))))
    )
    groups: dict[str, tuple[str, list[IndicatorSummary]]] = {}
    for indicator in indicators:
        stats = per_indicator.get(indicator.pk)
        periodicity = indicator.periodicity
        summary = IndicatorSummary(
            indicator=indicator,
            label=indicator_label(indicator),
            definition=indicator_definition(indicator),
            first=period_label(stats["first"], periodicity) if stats else "",
            last=period_label(stats["last"], periodicity) if stats else "",
            territories=stats["territories"] if stats else 0,
        )
        themes = sorted(indicator.themes.all(), key=lambda concept: concept.label)
        key = themes[0].slug if themes else ""
        label = themes[0].label if themes else str(_("Other indicators"))
        groups.setdefault(key, (label, []))[1].append(summary)
    themes = sorted(groups.values(), key=lambda group: min(s.indicator.position for s in group[1]))
    firsts = [row["first"] for row in per_indicator.values()]
    lasts = [row["last"] for row in per_indicator.values()]
    return Overview(
        themes=themes,
        sources=sources,
        first=str(min(firsts).year) if firsts else "",
        last=str(max(lasts).year) if lasts else "",
        territories=statistics["territories"],
        schemes=schemes_with_dashboards(),
    )


# --- Comparison form helpers ----------------------------------------------------------------


def scope_choices_territories(requested: Iterable[tuple[str, str]] = ()) -> list[Territory]:
    """The territories offered as comparison scopes (the centre's former regions, their
    régions and départements, France) and those requested, in one query whose every
    branch is indexed (a join on `children` made SQLite scan every territory)."""
    codes = settings.VILLES2_FORMER_REGIONS
    parents = Territory.parents.through.objects
    former = Territory.objects.filter(kind=K.FORMER_REGION, code__in=codes).values("pk")
    departements = parents.filter(
        to_territory_id__in=former, from_territory__kind=K.DEPARTEMENT
    ).values("from_territory_id")
    regions = parents.filter(
        from_territory_id__in=departements, to_territory__kind=K.REGION
    ).values("to_territory_id")
    condition = (
        Q(kind=K.FORMER_REGION, code__in=codes)
        | Q(pk__in=departements)
        | Q(pk__in=regions)
        | Q(kind=K.COUNTRY)
    )
    for kind, code in requested:
        condition |= Q(kind=kind, code=code)
    # Sorted here: an ORDER BY makes SQLite scan the (kind, code) index instead.
    found = Territory.objects.filter(condition).with_list_related().order_by()
    return sorted(found, key=lambda territory: (territory.kind, territory.code))


def indicators_for_choice() -> list[Indicator]:
    """Every indicator, whole: the chosen one is then used without another query."""
    return list(Indicator.objects.all())


def indicator_by_code(indicators: Iterable[Indicator], code: str) -> Indicator | None:
    return next((indicator for indicator in indicators if indicator.code == code), None)


def comparison_geometries(*, kind: str, scope: Sequence[Territory]) -> dict[int, str]:
    """The boundaries of the territories of `kind` in the scope and of the scope itself,
    as GeoJSON text by territory id: spliced into the map layer as they are stored, not
    decoded and encoded again (3,000 communes weigh 2.5 MB). One query."""
    boundaries = Boundary.objects.filter(
        Q(territory__kind=kind, territory_id__in=within_scope(scope))
        | Q(territory_id__in=scope_territory_ids(scope))
    )
    return dict(
        boundaries.annotate(text=Cast("geometry", TextField()))
        .order_by()
        .values_list("territory_id", "text")
    )


def collection_template_context() -> dict:
    """What the collection template page lists: the template's columns (the importer's),
    the indicator codes to use (one query) and the territory kinds it accepts."""
    from .services.imports import COLUMNS, REQUIRED, column_description

    indicators = list(
        Indicator.objects.only(
            "code", "label", "label_en", "unit", "type", "periodicity", "decimals", "position"
        )
    )
    return {
        "columns": [
            {
                "name": column,
                "required": column in REQUIRED,
                "description": column_description(column),
            }
            for column in COLUMNS
        ],
        "indicators": [(indicator, indicator_label(indicator)) for indicator in indicators],
        "kinds": [
            (kind, label, KIND_EXAMPLES[kind])
            for kind, label in TerritoryKind.choices
            if kind in KIND_EXAMPLES
        ],
    }


# One real code of each kind, for the template page.
KIND_EXAMPLES = {
    K.COMMUNE: "37261",
    K.QPV: "QN03702M",
    K.ZUS: "ZUS-28-01",
    K.EPCI: "243700754",
    K.DEPARTEMENT: "37",
    K.FORMER_REGION: "24",
    K.REGION: "24",
    K.COUNTRY: "FR",
}
