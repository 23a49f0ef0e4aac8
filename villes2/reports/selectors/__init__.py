"""Reads of the activity report (docs/reports.md)."""

from .base import Cell, Column, Figure, Period, Row, Section, TerritoryGroups, percentile
from .report import (
    ActivityReport,
    KeyFigure,
    activity_report,
    report_years,
    year_in_range,
)

__all__ = [
    "ActivityReport",
    "Cell",
    "Column",
    "Figure",
    "KeyFigure",
    "Period",
    "Row",
    "Section",
    "TerritoryGroups",
    "activity_report",
    "percentile",
    "report_years",
    "year_in_range",
]
