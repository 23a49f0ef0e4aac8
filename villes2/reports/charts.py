"""Horizontal bar charts of the report's figures, drawn as inline SVG by the template (no
JavaScript). A chart repeats one column of its figure's table, which stays beside it as
the alternative; its `summary` (the SVG's title) also reads every value."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH = 680
LABEL_WIDTH = 290  # the bars start here; labels are right-aligned before it
VALUE_ROOM = 60  # after the longest bar, for its value
BAR_HEIGHT = 18
GAP = 8
PADDING = 6
MAX_LABEL_CHARS = 40


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (shortened if too long; the table has it whole)
    text: str
    y: float
    width: float

    @property
    def label_y(self) -> float:
        return self.y + BAR_HEIGHT / 2

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 4


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    column: str  # the heading of the column drawn
    width: int
    height: int
    summary: str
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(figure) -> BarChart | None:
    """The bars of `figure.chart_column`, totals left out; None when every value is 0 or
    missing (nothing to draw: the table says it)."""
    column = figure.chart_column
    rows = [row for row in figure.rows if not row.total]
    values = [float(row.cells[column].value or 0) for row in rows]
    if not rows or max(values) <= 0:
        return None
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / max(values)
    bars = [
        Bar(
            label=_short(row.label),
            text=row.cells[column].text,
            y=PADDING + index * (BAR_HEIGHT + GAP),
            width=round(value * scale, 1),
        )
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    ]
    summary = _("Bar chart: %(title)s (%(column)s). %(values)s.") % {
        "title": figure.title,
        "column": figure.columns[column].label,
        "values": "; ".join(
            _("%(label)s: %(value)s") % {"label": row.label, "value": row.cells[column].text}
            for row in rows
        ),
    }
    height = 2 * PADDING + len(rows) * (BAR_HEIGHT + GAP) - GAP
    return BarChart(
        bars=bars,
        column=figure.columns[column].label,
        width=WIDTH,
        height=height,
        summary=summary,
    )
