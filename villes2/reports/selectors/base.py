"""The shapes every figure of the report takes (a table of rows and columns, with the
previous year beside), the periods compared, the percentile method and the grouping of
territories by département. Numbers are formatted here, once, in the active language:
the page, the PDF and the CSV show the same text."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from villes2.territories.models import Territory, TerritoryKind

from ..charts import BarChart, bar_chart

Number = int | float | Decimal

# The first year a report can be asked for (before: no centre, no data); the last is
# next year (programmes are planned ahead).
FIRST_YEAR = 1990

# Group keys of `TerritoryGroups` besides the départements' codes.
SEVERAL = "plusieurs"
ELSEWHERE = "ailleurs"
NOT_STATED = "non-renseigne"


# --- Periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The year reported on and the year before, as aware datetimes and dates (local
    time, Europe/Paris): a figure's rows are read for both years in one query, each row
    tagged with its year by `tag_datetime` / `tag_date`."""

    year: int

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @staticmethod
    def _start(year: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(year, 1, 1))

    @property
    def start(self) -> datetime.datetime:
        return self._start(self.year)

    @property
    def end(self) -> datetime.datetime:
        """The first instant of the next year (excluded)."""
        return self._start(self.year + 1)

    @property
    def previous_start(self) -> datetime.datetime:
        return self._start(self.year - 1)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def previous_first_day(self) -> datetime.date:
        return datetime.date(self.year - 1, 1, 1)

    def in_both_years(self, field_name: str) -> Q:
        """`field_name` (a datetime) falls in the year or the year before."""
        return Q(**{f"{field_name}__gte": self.previous_start, f"{field_name}__lt": self.end})

    def in_both_years_dates(self, field_name: str) -> Q:
        """`field_name` (a date) falls in the year or the year before."""
        return Q(
            **{f"{field_name}__gte": self.previous_first_day, f"{field_name}__lte": self.last_day}
        )

    def tag_datetime(self, field_name: str) -> Case:
        """The year (of the two) a datetime falls in; use with `in_both_years`."""
        return Case(
            When(**{f"{field_name}__gte": self.start}, then=Value(self.year)),
            default=Value(self.previous_year),
            output_field=IntegerField(),
        )

    def tag_date(self, field_name: str) -> Case:
        """The year (of the two) a date falls in; use with `in_both_years_dates`."""
        return Case(
            When(**{f"{field_name}__gte": self.first_day}, then=Value(self.year)),
            default=Value(self.previous_year),
            output_field=IntegerField(),
        )


# --- Numbers --------------------------------------------------------------------------


def percentile(values: Sequence[Number], fraction: float) -> float | None:
    """The `fraction` (0–1) percentile of `values` by linear interpolation between the
    two nearest ranks (Hyndman and Fan's type 7: numpy's default, Excel's
    PERCENTILE.INC, PostgreSQL's `percentile_cont`): on the sorted values x[0]…x[n-1],
    rank h = (n - 1) * fraction, result x[floor h] + (h - floor h) * (x[ceil h] -
    x[floor h]). The median is the
    0.5 percentile (the mean of the two middle values of an even list). None for no
    values."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie between 0 and 1")
    ordered = sorted(float(value) for value in values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def number_text(value: Number | None, *, decimals: int = 1) -> str:
    """A number as the page shows it, in the active language: whole numbers without
    decimals, others with `decimals` (French: "2,5"; thousands "1 234"); "–" for none."""
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer():
        return formats.number_format(int(value), 0, force_grouping=True)
    return formats.number_format(round(float(value), decimals), decimals, force_grouping=True)


def share(part: int, whole: int) -> float | None:
    """`part` in percent of `whole`; None when `whole` is 0."""
    return None if not whole else 100 * part / whole


# --- Figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A value and how it reads: `text` on the page and in the PDF, `value` (None: no
    value) and `unit` in the CSV."""

    value: Number | None
    unit: str
    text: str


def cell(value: Number | None, unit: str, *, percent: bool = False) -> Cell:
    text = number_text(value)
    if percent and value is not None:
        text = _("%(number)s %%") % {"number": text}
    return Cell(value, unit, text)


@dataclass(frozen=True)
class Column:
    """A column of a figure: its heading, the unit of its values (the CSV's `unite`), and
    whether the previous year's value follows it in a column of its own."""

    label: str
    unit: str
    compare: bool = False
    percent: bool = False


@dataclass
class Row:
    label: str
    cells: list[Cell]
    # The previous year's cells, one per column (None where the column is not compared).
    previous: list[Cell | None]
    key: str = ""
    total: bool = False

    def value(self, column: int = 0) -> Number | None:
        return self.cells[column].value

    def previous_value(self, column: int = 0) -> Number | None:
        previous = self.previous[column]
        return previous.value if previous is not None else None


@dataclass
class Figure:
    """One table of the report: `key` (its anchor and test handle), title, definition
    (what counts, which date decides the year), columns, rows. `chart_column` is the
    column drawn as a bar chart (None: no chart); totals are never drawn."""

    key: str
    title: str
    definition: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    chart_column: int | None = None
    # The heading of the rows' labels (the table's first column).
    row_heading: str = ""
    # The year reported on (set by `activity_report`): the compared columns' headings.
    year: int = 0

    def add(
        self,
        label: str,
        values: Sequence[Number | None],
        previous: Sequence[Number | None] = (),
        *,
        key: str = "",
        total: bool = False,
        unit: str = "",
        percent: bool | None = None,
    ) -> Row:
        """A row from its values (one per column) and the previous year's values (one per
        compared column, in order). `unit`/`percent` override the column's for this row
        (a figure whose rows measure different things)."""
        cells, previous_cells = [], []
        earlier = iter(previous)
        for column, value in zip(self.columns, values, strict=True):
            row_unit = unit or column.unit
            row_percent = column.percent if percent is None else percent
            cells.append(cell(value, row_unit, percent=row_percent))
            if column.compare:
                previous_value = next(earlier, None)
                previous_cells.append(cell(previous_value, row_unit, percent=row_percent))
            else:
                previous_cells.append(None)
        row = Row(label=label, cells=cells, previous=previous_cells, key=key, total=total)
        self.rows.append(row)
        return row

    def add_choices_with_total(self, period: Period, choices, counts: dict) -> None:
        """One row per (value, label) of `choices` from `counts` keyed by (year, value) —
        the year's count and the previous year's — then their total."""
        for value, label in choices:
            self.add(
                str(label),
                [counts.get((period.year, value), 0)],
                [counts.get((period.previous_year, value), 0)],
                key=value,
            )
        self.add(
            _("Total"),
            [sum(n for (year, _value), n in counts.items() if year == period.year)],
            [sum(n for (year, _value), n in counts.items() if year == period.previous_year)],
            key="total",
            total=True,
        )

    def row(self, key: str) -> Row:
        """The row of `key` (tests and templates); KeyError if there is none."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    @property
    def compares(self) -> bool:
        return any(column.compare for column in self.columns)

    @property
    def headings(self) -> list[str]:
        """The headings of the value columns as shown: a compared column and the previous
        year's beside it name their year."""
        headings = []
        for column in self.columns:
            if column.compare:
                for year in (self.year, self.year - 1):
                    headings.append(
                        _("%(label)s, %(year)s") % {"label": column.label, "year": year}
                    )
            else:
                headings.append(column.label)
        return headings

    def lines(self) -> list[tuple[Row, list[Cell]]]:
        """Each row with its cells as shown, the previous year's after each compared
        one."""
        lines = []
        for row in self.rows:
            cells = []
            for column, current, previous in zip(
                self.columns, row.cells, row.previous, strict=True
            ):
                cells.append(current)
                if column.compare:
                    cells.append(previous or Cell(None, current.unit, "–"))
            lines.append((row, cells))
        return lines

    @cached_property
    def chart(self) -> BarChart | None:
        return bar_chart(self) if self.chart_column is not None else None


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]


# --- Territories ----------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    label: str


class TerritoryGroups:
    """The readable grouping of territories used for requests and interventions: one of
    the ten départements of the centre's former regions (`VILLES2_FORMER_REGIONS`), when
    the territory is that département or lies inside it and no other of the ten;
    "several départements" when it lies inside two or more (an EPCI across a boundary)
    or is one of the two former regions; "elsewhere" for anything else (another
    département, a région, France). Containment is read from the closure
    `Territory.ancestors` (docs/territories.md): two queries whatever the number of
    territories."""

    def __init__(self) -> None:
        rows = list(
            Territory.objects.filter(
                kind=TerritoryKind.DEPARTEMENT,
                ancestors__kind=TerritoryKind.FORMER_REGION,
                ancestors__code__in=settings.VILLES2_FORMER_REGIONS,
            )
            .values_list("pk", "code", "name", "ancestors__pk")
            .order_by("ancestors__code", "code")
        )
        self.departements = {pk: (code, name) for pk, code, name, _region in rows}
        self.former_regions = {region for *_dep, region in rows}

    @cached_property
    def groups(self) -> list[Group]:
        """Every group, in the order of the tables: the départements by former region
        and code, then several, elsewhere, not stated."""
        return [
            *(Group(code, f"{name} ({code})") for code, name in self.departements.values()),
            Group(SEVERAL, _("Several départements, or a whole former region")),
            Group(ELSEWHERE, _("Elsewhere, or a wider territory")),
            Group(NOT_STATED, _("Not stated")),
        ]

    def of(self, territory_ids: QuerySet) -> dict[int, str]:
        """{territory id: group key} for the territories of `territory_ids` (a queryset
        of ids, run as a subquery): one query."""
        links = Territory.ancestors.through.objects.filter(
            from_territory_id__in=territory_ids,
            to_territory_id__in=[*self.departements, *self.former_regions],
        )
        inside: dict[int, set[str]] = {}
        for territory_id, ancestor_id in links.values_list("from_territory_id", "to_territory_id"):
            departement = self.departements.get(ancestor_id)
            inside.setdefault(territory_id, set())
            if departement is not None:
                inside[territory_id].add(departement[0])
        found: dict[int, str] = {}
        for territory_id, codes in inside.items():
            if len(codes) == 1:
                found[territory_id] = next(iter(codes))
            else:
                # Inside several départements, or inside a former region but none of its
                # départements (a zone typed without its communes): several.
                found[territory_id] = SEVERAL
        for pk, (code, _name) in self.departements.items():
            found[pk] = code
        for pk in self.former_regions:
            found[pk] = SEVERAL
        return found

    def group(self, territory_id: int | None, found: dict[int, str]) -> str:
        if territory_id is None:
            return NOT_STATED
        return found.get(territory_id, ELSEWHERE)
