"""The observatory's repetitive markup, written in Python: a portrait holds thousands of
table cells and chart points, and the template engine costs about 10 µs per printed
variable (100 ms for a portrait of 50 indicators). Every text is escaped here, as the
template engine would."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from villes2.territories.models import TerritoryKind

register = template.Library()


def _cells(cells) -> str:
    # A cell's text is written by selectors.NumberFormat (digits, separators, the marks
    # "(p)" and "(c)", or "–"): nothing to escape, and a portrait has thousands.
    return "".join(f'<td class="num">{cell.display}</td>' for cell in cells)


def _kind_label(territory, labels: dict[str, str]) -> str:
    """The escaped label of a territory's kind, translated once per kind and tag
    (`get_kind_display` builds a dict of every translated choice on each call)."""
    if territory.kind not in labels:
        labels[territory.kind] = escape(str(TerritoryKind(territory.kind).label))
    return labels[territory.kind]


@register.simple_tag
def series_rows(block, link_own: bool = False) -> SafeString:
    """The body of a series table: one row per territory, one column per period."""
    rows, labels = [], {}
    for row in block.rows:
        name = escape(row.territory.name)
        if row.url and (link_own or not row.own):
            name = f'<a href="{escape(row.url)}">{name}</a>'
        kind = _kind_label(row.territory, labels)
        opening = '<tr class="own">' if row.own else "<tr>"
        rows.append(
            f'{opening}<th scope="row">{name} '
            f'<span class="muted small">{kind}</span></th>{_cells(row.cells)}</tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (every text escaped above)


@register.simple_tag
def series_headers(block) -> SafeString:
    """The column headers of a transposed series table: one per territory."""
    cells, labels = [], {}
    for row in block.rows:
        name = escape(row.territory.name)
        if row.url and not row.own:
            name = f'<a href="{escape(row.url)}">{name}</a>'
        kind = _kind_label(row.territory, labels)
        css = "num own" if row.own else "num"
        cells.append(f'<th scope="col" class="{css}">{name} <span class="kind">{kind}</span></th>')
    return mark_safe("".join(cells))  # noqa: S308 (every text escaped above)


@register.simple_tag
def period_rows(block) -> SafeString:
    """The body of a series table transposed: one row per period."""
    return mark_safe(  # noqa: S308 (every text escaped)
        "".join(
            f'<tr><th scope="row">{escape(label)}</th>{_cells(cells)}</tr>'
            for label, cells in block.period_rows
        )
    )


@register.simple_tag
def chart_lines(chart) -> SafeString:
    """The grid, the axes, the lines of a chart and the points of its own territories
    (with their titles)."""
    parts = ['<g class="chart-grid">']
    for tick in chart.y_ticks:
        parts.append(
            f'<line x1="{chart.left}" x2="{chart.right}" y1="{tick.position}" '
            f'y2="{tick.position}"/><text x="{chart.left - 8}" y="{tick.position}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(tick.label)}</text>'
        )
    parts.append('</g><g class="chart-axis">')
    for tick in chart.x_ticks:
        parts.append(
            f'<line x1="{tick.position}" x2="{tick.position}" y1="{chart.bottom}" '
            f'y2="{chart.bottom + 5}"/><text x="{tick.position}" y="{chart.bottom + 22}" '
            f'text-anchor="middle">{escape(tick.label)}</text>'
        )
    parts.append("</g>")
    for line in chart.lines:
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        width = 3 if line.own else 2
        parts.append(
            f'<path class="chart-line" d="{line.path}" stroke="{line.colour}" '
            f'stroke-width="{width}"{dash}/>'
        )
        parts.extend(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{line.colour}"><title>{escape(title)}'
            "</title></circle>"
            for x, y, title in line.markers
        )
    return mark_safe("".join(parts))  # noqa: S308 (paths and colours are ours, titles escaped)


@register.simple_tag
def comparison_rows(rows, mapped: bool, no_longer_valid: str) -> SafeString:
    """The body of the comparison table: rank, territory, value, map class."""
    badge = f' <span class="badge badge-past">{escape(str(no_longer_valid))}</span>'
    parts = []
    for row in rows:
        rank = "–" if row.rank is None else str(row.rank)
        name = (
            f'<a href="{escape(row.url)}">{escape(row.name)}</a> '
            f'<span class="muted small">{escape(row.code)}</span>'
            + (badge if row.no_longer_valid else "")
        )
        klass = ""
        if mapped:
            klass = (
                f'<td class="num"><span class="swatch" style="background-color: {row.swatch}">'
                f"</span>{row.map_class}</td>"
                if row.map_class
                else '<td class="num">–</td>'
            )
        parts.append(
            f'<tr><td class="num">{rank}</td><th scope="row">{name}</th>'
            f'<td class="num">{escape(row.cell.display)}</td>{klass}</tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


@register.simple_tag
def chart_legend(chart) -> SafeString:
    """The legend of a chart of several lines: each line's stroke and its territory."""
    if len(chart.lines) < 2:
        return mark_safe("")
    items = []
    for line in chart.lines:
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        width = 3 if line.own else 2
        items.append(
            '<li><svg width="32" height="12" aria-hidden="true" focusable="false">'
            f'<line x1="1" x2="31" y1="6" y2="6" stroke="{line.colour}" '
            f'stroke-width="{width}"{dash}/></svg>{escape(line.name)}</li>'
        )
    return mark_safe(f'<ul class="chart-legend">{"".join(items)}</ul>')  # noqa: S308 (escaped)
