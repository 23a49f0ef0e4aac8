"""Import of indicator values from the collection template (CSV or XLSX).

The file is streamed (core/tabular.py): every line is checked against lookups loaded
once (territories, old commune codes, indicators), and the good lines go, in batches, to
a temporary staging table, never all held in memory. Then, if and only if no line is
bad, one transaction counts what is new, changed or unchanged by joining the staging
table to the values, and writes the new and changed values with one
`INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE`: all-or-nothing and idempotent
(RELIABILITY.md, "clean rejections", "safe re-runs"). Rules: docs/observation.md,
section "Import".
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import logging
import math
import operator
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from villes2.core import tabular
from villes2.core.tabular import ImportProblem
from villes2.core.text import normalize_for_search
from villes2.territories.models import Territory, TerritoryAlias, TerritoryKind

from ..models import (
    Aggregation,
    ImportBatch,
    ImportStatus,
    Indicator,
    IndicatorType,
    IndicatorValue,
    Periodicity,
    Source,
    ValueStatus,
)
from . import aggregation

__all__ = ["COLUMNS", "ImportProblem", "ImportReport", "import_max_bytes", "values_import"]

logger = logging.getLogger(__name__)
security_log = logging.getLogger("villes2.security")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Problems kept in the report and the batch row; the others are only counted.
MAX_PROBLEMS = 1_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 200
BATCH_ROWS = 20_000
PROGRESS_EVERY = 50_000
# An honest workbook inflates 5 to 20 times: allow that much for the largest file.
XLSX_INFLATION = 20
STAGING = "villes2_import_values"
SQLITE_CACHE_KB = 512 * 1024

# The columns of the collection template, in its order; headers are matched ignoring
# case and accents. `nom` is for people reading the file: ignored.
COLUMNS = (
    "niveau",
    "code",
    "indicateur",
    "periode",
    "valeur",
    "numerateur",
    "denominateur",
    "statut",
    "nom",
)
REQUIRED = ("niveau", "code", "indicateur", "periode", "valeur")
COLUMN_DESCRIPTIONS = {
    "niveau": gettext_noop(
        "kind of territory: commune, epci, departement, region, ancienne-region, qpv, zus "
        "or pays (the French names are accepted too)"
    ),
    "code": gettext_noop(
        "official code: INSEE code of the commune (old codes of merged communes are "
        "accepted), SIREN of the EPCI, code of the département or région, QPV or ZUS code"
    ),
    "indicateur": gettext_noop("code of the indicator (sheet “indicateurs”)"),
    "periode": gettext_noop(
        "the year (2023) for a yearly indicator; the date (30/06/2023 or 2023-06-30) for "
        "a dated one"
    ),
    "valeur": gettext_noop(
        "the value: decimal comma or point, spaces between thousands accepted (1 234,5); "
        "nd when not available, s for statistical secret (the line is then skipped); may "
        "be left empty for a rate whose numerator and denominator are given"
    ),
    "numerateur": gettext_noop("for a rate: its numerator (optional)"),
    "denominateur": gettext_noop("for a rate: its denominator (optional, above 0)"),
    "statut": gettext_noop("provisoire or définitif (empty: définitif)"),
    "nom": gettext_noop("name of the territory, for the reader: not read"),
}

NOT_AVAILABLE = {"nd", "n.d.", "n.d", "na", "n/a"}
SECRET = {"s", "secret", "secret statistique"}
PROVISIONAL_WORDS = {"provisoire", "p", "provisional"}
FINAL_WORDS = {"definitif", "d", "final", "definitive"}

SPACES = re.compile("[ \u00a0\u202f\u2009]")
# The common case, read without more checks: at most 16 digits on each side is finite.
FAST_NUMBER = re.compile(r"-?\d{1,16}(?:[.,]\d{1,16})?")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")
GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?")
YEAR = re.compile(r"\d{4}")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
MIN_YEAR, MAX_YEAR = 1800, 2200
# Zero-padding of codes a spreadsheet took for numbers (01001 → 1001).
CODE_WIDTHS = {
    TerritoryKind.COMMUNE: 5,
    TerritoryKind.DEPARTEMENT: 2,
    TerritoryKind.REGION: 2,
    TerritoryKind.FORMER_REGION: 2,
    TerritoryKind.EPCI: 9,
}
# Former regions are statistical aggregates of today's départements: their values are
# meaningful after 2015, so their end of validity does not limit the periods.
VALIDITY_EXEMPT = {TerritoryKind.FORMER_REGION}


def import_max_bytes() -> int:
    return int(getattr(settings, "OBSERVATION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def column_description(column: str) -> str:
    """The description of a column of the template, in the active language."""
    return _(COLUMN_DESCRIPTIONS[column])


class NumberError(ValueError):
    """A cell that is not a number in a French or plain format (message in French)."""


def number_parse(text: str, *, percent: bool = False) -> float:
    """A number written the French way or plainly: "1 234,5", "1234.5", "-3", "12,5 %"
    (when `percent`). Thousands separated by dots ("1.234,5") are refused: the dot may be
    a decimal point."""
    text = text.strip().replace("\u2212", "-")
    if percent and text.endswith("%"):
        text = text[:-1].rstrip()
    if PLAIN_NUMBER.fullmatch(text):
        number = float(text.replace(",", "."))
    elif GROUPED_NUMBER.fullmatch(text):
        number = float(SPACES.sub("", text).replace(",", "."))
    elif "." in text and "," in text:
        raise NumberError(
            _(
                "“%(value)s”: write the number without dots between the thousands, e.g. "
                "1234,5 or 1 234,5."
            )
            % {"value": text[:50]}
        )
    else:
        raise NumberError(
            _("“%(value)s” is not a number (e.g. 1234, 1 234,5 or 12.5).") % {"value": text[:50]}
        )
    if not math.isfinite(number):
        raise NumberError(_("“%(value)s” is too large.") % {"value": text[:50]})
    return number


@dataclass
class ImportReport:
    """What an import did: counts of lines and values, every problem (the first
    `MAX_PROBLEMS` kept, the others counted), and notes (skipped and merged lines)."""

    file_name: str
    sha256: str = ""
    source: Source | None = None
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    merged: int = 0
    rejected: int = 0
    error_count: int = 0
    note_count: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)
    batch: ImportBatch | None = None
    _last_bad_line: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    @property
    def more_notes(self) -> int:
        return self.note_count - len(self.notes)

    def error(self, line: int | None, column: str, message: Any) -> None:
        self.error_count += 1
        if line is not None and line != self._last_bad_line:
            self.rejected += 1
            self._last_bad_line = line
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(ImportProblem(line, column, str(message)))

    def note(self, line: int | None, column: str, message: Any) -> None:
        self.note_count += 1
        if len(self.notes) < MAX_PROBLEMS:
            self.notes.append(ImportProblem(line, column, str(message)))

    def as_json(self) -> list[dict[str, Any]]:
        """The report as the batch row keeps it: errors, then notes, each capped."""
        entries = [
            {"level": "error", "line": p.line, "column": p.column, "message": p.message}
            for p in self.errors
        ]
        if self.more_errors:
            entries.append(
                {"level": "error", "line": None, "column": "", "message": self.more_text(True)}
            )
        entries += [
            {"level": "note", "line": p.line, "column": p.column, "message": p.message}
            for p in self.notes
        ]
        if self.more_notes:
            entries.append(
                {"level": "note", "line": None, "column": "", "message": self.more_text(False)}
            )
        return entries

    def more_text(self, errors: bool) -> str:
        count = self.more_errors if errors else self.more_notes
        if errors:
            return _("… and %(count)s more errors, not listed.") % {"count": _number(count)}
        return _("… and %(count)s more notes, not listed.") % {"count": _number(count)}

    def counts_text(self) -> str:
        return _(
            "Lines read: %(lines)s. Values created: %(created)s, updated: %(updated)s, "
            "unchanged: %(unchanged)s; lines skipped (nd, s): %(skipped)s."
        ) % {
            "lines": _number(self.lines),
            "created": _number(self.created),
            "updated": _number(self.updated),
            "unchanged": _number(self.unchanged),
            "skipped": _number(self.skipped),
        }

    def text_lines(self) -> list[str]:
        """The report as French text, for the command line."""
        lines = [_("File %(file)s.") % {"file": self.file_name}]
        if self.ok:
            lines.append(self.counts_text())
        else:
            lines.append(
                _(
                    "Import refused: %(rejected)s bad lines out of %(lines)s, %(errors)s "
                    "errors; nothing was written."
                )
                % {
                    "rejected": _number(self.rejected),
                    "lines": _number(self.lines),
                    "errors": _number(self.error_count),
                }
            )
            lines += [f"  {problem}" for problem in self.errors]
            if self.more_errors:
                lines.append("  " + self.more_text(True))
        if self.notes:
            lines.append(_("Notes:"))
            lines += [f"  {problem}" for problem in self.notes]
            if self.more_notes:
                lines.append("  " + self.more_text(False))
        return lines


def _number(count: int) -> str:
    return formats.number_format(count, force_grouping=True)


def values_import(
    *,
    file_name: str,
    stream: IO[bytes],
    source: Source,
    user=None,
    geography: str = "",
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the values of a CSV or XLSX file (the collection template) from a seekable
    binary stream, for `source`, measured on `geography` (e.g. "COG 2024").

    Never raises on a bad file: the report lists every problem, nothing is written and a
    rejected `ImportBatch` records the attempt. Otherwise one transaction writes the new
    and changed values, records the batch and recomputes the values of the larger
    territories for the indicators and periods the file touched.
    """
    report = ImportReport(file_name=file_name, source=source)
    limit = import_max_bytes() if max_bytes is None else max_bytes
    size = tabular.stream_size(stream)
    # A file over the limit is not read, not even to hash it.
    report.sha256 = _sha256(stream, size) if size <= limit else ""
    geography = geography.strip()
    max_length = IndicatorValue._meta.get_field("geography").max_length or 30
    try:
        if size > limit:
            raise tabular.too_large(size, limit)
        if len(geography) > max_length:
            raise tabular.refused(
                _("The geography version is too long (%(max)s characters at most).")
                % {"max": max_length}
            )
        table = tabular.table_read(
            file_name,
            stream,
            max_columns=MAX_COLUMNS,
            max_uncompressed=max(tabular.MAX_UNCOMPRESSED_BYTES, XLSX_INFLATION * limit),
        )
    except tabular.FileRefused as refusal:
        for problem in refusal.problems:
            report.error(problem.line, problem.column, problem.message)
        return _reject(report, user)

    try:
        with _Staging() as staging:
            importer = _Importer(report, staging, source=source, geography=geography)
            try:
                importer.check(table, progress)
            finally:
                table.close()
            importer.merge()
            report.notes.sort(key=lambda problem: problem.line or 0)
            if report.ok:
                _write(report, importer, staging, user=user)
    except DatabaseError:
        security_log.exception("values import failed sha256=%s", report.sha256)
        report.error(
            None, "", _("The values could not be written: nothing was written. Try again later.")
        )
    except Exception:  # a bug must not become a 500 nor a partial import: say so, log it
        logger.exception("values import failed sha256=%s", report.sha256)
        report.error(
            None,
            "",
            _(
                "The file could not be checked because of an unexpected error, recorded "
                "for the developers: nothing was written."
            ),
        )
    if not report.ok:
        return _reject(report, user)
    security_log.info(
        "values import user=%s source=%s sha256=%s lines=%s created=%s updated=%s "
        "unchanged=%s skipped=%s",
        getattr(user, "pk", None),
        source.code,
        report.sha256,
        report.lines,
        report.created,
        report.updated,
        report.unchanged,
        report.skipped,
    )
    return report


def _sha256(stream: IO[bytes], size: int) -> str:
    """The SHA-256 of the first `size` bytes of the stream."""
    digest = hashlib.sha256()
    stream.seek(0)
    remaining = size
    while remaining > 0 and (chunk := stream.read(min(tabular.CHUNK, remaining))):
        digest.update(chunk)
        remaining -= len(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _reject(report: ImportReport, user) -> ImportReport:
    """Record the rejected attempt (after the rollback: no value was written) and log it."""
    report.created = report.updated = report.unchanged = 0
    report.errors.sort(key=lambda problem: problem.line or 0)
    try:
        report.batch = ImportBatch.objects.create(
            file_name=report.file_name[:255],
            sha256=report.sha256,
            source=report.source,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            status=ImportStatus.REJECTED,
            lines=report.lines,
            rejected=report.rejected,
            report=report.as_json(),
        )
    except DatabaseError:
        logger.exception("rejected values import not recorded sha256=%s", report.sha256)
    security_log.info(
        "values import rejected user=%s source=%s sha256=%s lines=%s rejected=%s errors=%s",
        getattr(user, "pk", None),
        getattr(report.source, "code", None),
        report.sha256,
        report.lines,
        report.rejected,
        report.error_count,
    )
    return report


# --- Checking the lines ---------------------------------------------------------------


class _Indicator:
    __slots__ = ("aggregation", "code", "index", "pk", "rate_base", "type", "yearly")

    def __init__(self, pk, index, code, type, aggregation, yearly, rate_base):
        self.pk, self.index, self.code, self.type = pk, index, code, type
        self.aggregation, self.yearly, self.rate_base = aggregation, yearly, rate_base


class _Period:
    __slots__ = ("date", "index", "iso")

    def __init__(self, iso: str, date: datetime.date, index: int):
        self.iso, self.date, self.index = iso, date, index


class _Place:
    """A territory a code designates; `origin` tells which code (0: its own code)."""

    __slots__ = ("bounded", "commune", "key", "kind", "origin", "pk", "valid_from", "valid_to")

    def __init__(self, pk, kind, valid_from, valid_to, origin):
        self.pk, self.kind, self.origin = pk, kind, origin
        self.valid_from, self.valid_to = valid_from, valid_to
        # Duplicate key: territory, indicator and period packed into one integer.
        self.key = pk << KEY_BITS
        self.commune = kind == TerritoryKind.COMMUNE
        self.bounded = kind not in VALIDITY_EXEMPT and (
            valid_from is not None or valid_to is not None
        )


class _Measure:
    """An indicator in a period, as the cells of a line name them, with the bounds of
    its values. `touched`: a communal value of it was staged (aggregation needed)."""

    __slots__ = ("high", "indicator", "key", "low", "period", "touched")

    def __init__(self, indicator: _Indicator, period: _Period):
        self.indicator, self.period = indicator, period
        self.key = (indicator.index << PERIOD_BITS) + period.index
        self.low, self.high = -math.inf, math.inf
        if indicator.type == IndicatorType.COUNT:
            self.low = 0.0
        elif indicator.type == IndicatorType.RATE:
            self.low, self.high = 0.0, float(indicator.rate_base)
        self.touched = False


KEY_BITS = 40  # indicator index (20 bits) then period index (20 bits)
PERIOD_BITS = 20
_SKIPPED = object()


class _LineError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(column, message)
        self.column = column
        self.message = message


class _Importer:
    """Checks every line and stages the good ones; remembers what the write needs."""

    def __init__(self, report: ImportReport, staging: _Staging, *, source: Source, geography: str):
        self.report = report
        self.staging = staging
        self.source = source
        self.geography = geography
        self.kinds = _levels()
        self.places, self.aliases = _places()
        # {level as written: (kind, {code as written: place})}, filled as cells come.
        self.levels: dict[Any, tuple[str, dict[Any, _Place]]] = {
            kind: (kind, self.places[kind]) for kind in TerritoryKind.values
        }
        self.indicators: dict[Any, _Indicator] = {
            code: _Indicator(pk, index, code, kind, agg, periodicity == Periodicity.YEAR, base)
            for index, (pk, code, kind, agg, periodicity, base) in enumerate(
                Indicator.objects.values_list(
                    "pk", "code", "type", "aggregation", "periodicity", "rate_base"
                )
            )
        }
        self.by_pk = {indicator.pk: indicator for indicator in self.indicators.values()}
        # {(indicator cell, period cell): measure, or (column, message) of the problem}
        self.measures: dict[tuple[Any, Any], _Measure | tuple[str, str]] = {}
        self.periods: dict[datetime.date, _Period] = {}
        # {key: line} of the staged lines of a territory's own code (duplicates are found
        # there), and the lines of old codes (merged at the end).
        self.seen: dict[int, int] = {}
        self.old_codes: dict[tuple[int, int, _Period], list[tuple]] = {}
        self._names: dict[int, str] | None = None

    @property
    def touched(self) -> set[tuple[int, datetime.date]]:
        """(indicator pk, period) of the staged communal values."""
        return {
            (measure.indicator.pk, measure.period.date)
            for measure in self.measures.values()
            if isinstance(measure, _Measure) and measure.touched
        }

    # The loop over the lines: lookups in preloaded dicts, no query. The common case is
    # written inline; every other case goes to a method (and its answer is cached).

    def check(self, table: tabular.Table, progress: Callable[[int], None] | None) -> None:
        report = self.report
        try:
            mapping = tabular.columns_map(
                table.header, table.header_line, columns=COLUMNS, required=REQUIRED
            )
        except tabular.FileRefused as refusal:
            for problem in refusal.problems:
                report.error(problem.line, problem.column, problem.message)
            return
        width = len(table.header)
        unnamed = [i for i in range(width) if i not in mapping]
        position = {column: i for i, column in mapping.items()}
        # A column left out reads as the empty cell appended to each row.
        missing = any(column not in position for column in COLUMNS[:8])
        getter = operator.itemgetter(*(position.get(column, width) for column in COLUMNS[:8]))
        levels, measures, seen_setdefault = self.levels, self.measures, self.seen.setdefault
        fast_number = FAST_NUMBER.fullmatch
        final = int(ValueStatus.FINAL)
        plain: list[tuple] = []  # (indicator, territory, period, value, status)
        ratios: list[tuple] = []  # the same with numerator and denominator
        lines = 0
        next_progress = PROGRESS_EVERY
        try:
            for line, cells in table.rows:
                lines += 1
                if len(cells) != width or unnamed:
                    cells = self._fit(line, cells, width, unnamed)
                    if cells is None:
                        continue
                if missing:
                    cells.append("")
                values = getter(cells)
                level, code, indicator_cell, period_cell, value_cell, num, den, status = values
                try:
                    found = levels.get(level)
                    if found is None:
                        found = self._level(level)
                    place = found[1].get(code)
                    if place is None:
                        place = self._place(found, code)
                    measure = measures.get((indicator_cell, period_cell))
                    if measure is None:
                        measure = self._measure(indicator_cell, period_cell)
                    if type(measure) is tuple:
                        raise _LineError(*measure)
                    if place.bounded:
                        self._check_validity(place, measure)
                    status_value = self._status(status) if status else final
                    if type(value_cell) is str and fast_number(value_cell):
                        value = float(value_cell.replace(",", "."))
                    else:
                        value = self._value(line, value_cell, measure)
                        if value is _SKIPPED:
                            continue
                    numerator = denominator = None
                    if num or den:
                        numerator, denominator, value = self._ratio(measure, value, num, den)
                    if value is None:
                        raise _LineError("valeur", _(MISSING_VALUE))
                    if not measure.low <= value <= measure.high:
                        self._out_of_range(measure, value)
                    indicator_pk = measure.indicator.pk
                    if numerator is None:
                        row: tuple = (
                            indicator_pk,
                            place.pk,
                            measure.period.iso,
                            value,
                            status_value,
                        )
                    else:
                        row = (
                            indicator_pk,
                            place.pk,
                            measure.period.iso,
                            value,
                            status_value,
                            numerator,
                            denominator,
                        )
                    if place.origin:
                        self._old_code(line, place, measure, code, row)
                        continue
                    first = seen_setdefault(place.key + measure.key, line)
                    if first != line:
                        raise self._duplicate(first)
                except _LineError as error:
                    for column, message in self._problems(line, values, error):
                        report.error(line, column, message)
                    continue
                if place.commune and not measure.touched:
                    measure.touched = True
                if numerator is None:
                    plain.append(row)
                    if len(plain) >= BATCH_ROWS:
                        if report.ok:
                            self.staging.add(plain)
                        plain = []
                else:
                    ratios.append(row)
                    if len(ratios) >= BATCH_ROWS:
                        if report.ok:
                            self.staging.add(ratios)
                        ratios = []
                if lines >= next_progress and progress is not None:
                    next_progress += PROGRESS_EVERY
                    report.lines = lines
                    progress(lines)
        except tabular.FileRefused as refusal:
            for problem in refusal.problems:
                report.error(problem.line, problem.column, problem.message)
        report.lines = lines
        if report.ok:
            self.staging.add(plain)
            self.staging.add(ratios)
        if progress is not None:
            progress(lines)
        if report.ok and lines == 0:
            report.error(table.header_line, "", _("The file has a header line but no values."))

    def _fit(self, line: int, cells: list, width: int, unnamed: list[int]) -> list | None:
        """A row with fewer cells than the header (padded), or with cells outside the
        named columns (refused if one of them holds something)."""
        extra = [i for i in [*unnamed, *range(width, len(cells))] if not _blank(cells[i])]
        if extra:
            self.report.error(
                line,
                "",
                _("A value is in column %(number)s, which has no header.")
                % {"number": extra[0] + 1},
            )
            return None
        if len(cells) < width:
            return list(cells) + [""] * (width - len(cells))
        return list(cells[:width])

    def _problems(self, line: int, values: tuple, first: _LineError) -> list[tuple[str, str]]:
        """Every problem of a bad line, not only the first one met: its cells checked
        again one by one (bad lines only: the common case never comes here)."""
        level, code, indicator_cell, period_cell, value_cell, num, den, status = values
        problems: list[tuple[str, str]] = []
        place = measure = value = None

        def check(function, *args):
            try:
                return function(*args)
            except _LineError as error:
                problems.append((error.column, error.message))
                return None

        found = check(lambda: self.levels.get(level) or self._level(level))
        if found is not None:
            place = check(lambda: found[1].get(code) or self._place(found, code))
        measure = self.measures.get((indicator_cell, period_cell)) or self._measure(
            indicator_cell, period_cell
        )
        if type(measure) is tuple:
            problems.append(measure)
            measure = None
        elif place is not None and place.bounded:
            check(self._check_validity, place, measure)
        if measure is not None:
            value = check(self._value, line, value_cell, measure, False)
            if value is not _SKIPPED:
                if num or den:
                    ratio = check(self._ratio, measure, value, num, den)
                    value = ratio[2] if ratio is not None else None
                elif value is None and _blank(value_cell):
                    problems.append(("valeur", _(MISSING_VALUE)))
                if value is not None and not measure.low <= value <= measure.high:
                    check(self._out_of_range, measure, value)
        if status:
            check(self._status, status)
        unique = list(dict.fromkeys(problems))
        return unique or [(first.column, first.message)]

    def _duplicate(self, first_line: int) -> _LineError:
        return _LineError(
            "",
            _(
                "This line repeats line %(line)s (same territory, indicator and period): "
                "keep one of them."
            )
            % {"line": first_line},
        )

    # The slow paths, taken once per distinct cell (their answers are cached).

    def _level(self, text: Any) -> tuple[str, dict[Any, _Place]]:
        kind = self.kinds.get(normalize_for_search(tabular.cell_text(text)))
        if kind is None:
            if _blank(text):
                raise _LineError("niveau", _("The kind of territory (niveau) is missing."))
            raise _LineError(
                "niveau",
                _("Unknown kind of territory “%(value)s”; the kinds are: %(kinds)s.")
                % {"value": str(text)[:50], "kinds": ", ".join(TerritoryKind.values)},
            )
        found = (kind, self.places[kind])
        if type(text) is str:
            self.levels[text] = found
        return found

    def _place(self, found: tuple[str, dict[Any, _Place]], code: Any) -> _Place:
        kind, places = found
        text = tabular.cell_text(code).upper().replace(" ", "")
        if not text:
            raise _LineError("code", _("The code of the territory is missing."))
        width = CODE_WIDTHS.get(kind)
        if width and text.isdigit() and len(text) < width:
            text = text.zfill(width)
        place = places.get(text)
        if place is None and kind == TerritoryKind.COMMUNE:
            place = self.aliases.get(text)
        if place is None:
            if kind == TerritoryKind.COMMUNE:
                message = _(
                    "No commune has the code “%(code)s”, nor had it before a merger "
                    "(old codes, communes déléguées and associées, arrondissements were "
                    "looked up)."
                )
            else:
                message = _("No territory of kind “%(kind)s” has the code “%(code)s”.")
            raise _LineError("code", message % {"code": text[:50], "kind": kind})
        if type(code) is str and len(places) < MAX_CACHED_CODES:
            places[code] = place
        return place

    def _measure(self, indicator_cell: Any, period_cell: Any) -> _Measure | tuple[str, str]:
        """The indicator and period of a line, or the (column, message) of the problem;
        cached either way."""
        try:
            indicator = self._indicator(indicator_cell)
            date = _period_date(period_cell, yearly=indicator.yearly)
            period = self.periods.get(date)
            if period is None:
                period = _Period(date.isoformat(), date, len(self.periods))
                self.periods[date] = period
            measure: _Measure | tuple[str, str] = _Measure(indicator, period)
        except _LineError as error:
            measure = (error.column, error.message)
        if len(self.measures) < MAX_CACHED_CODES:
            with contextlib.suppress(TypeError):  # an unhashable cell: never from CSV or XLSX
                self.measures[(indicator_cell, period_cell)] = measure
        return measure

    def _indicator(self, text: Any) -> _Indicator:
        code = tabular.cell_text(text).strip().lower()
        indicator = self.indicators.get(code)
        if indicator is None:
            if not code:
                raise _LineError("indicateur", _("The code of the indicator is missing."))
            raise _LineError(
                "indicateur",
                _("Unknown indicator “%(code)s”: see the sheet “indicateurs” of the template.")
                % {"code": code[:50]},
            )
        return indicator

    def _check_validity(self, place: _Place, measure: _Measure) -> None:
        period = measure.period.date
        if measure.indicator.yearly:
            ended = place.valid_to is not None and period.year > place.valid_to.year
            not_yet = place.valid_from is not None and period.year < place.valid_from.year
            shown = str(period.year)
        else:
            ended = place.valid_to is not None and period > place.valid_to
            not_yet = place.valid_from is not None and period < place.valid_from
            shown = formats.date_format(period, "SHORT_DATE_FORMAT")
        if not (ended or not_yet):
            return
        name = self._name(place.pk)
        if ended:
            message = _(
                "The territory %(name)s no longer existed in %(period)s: it ended on %(end)s."
            ) % {
                "name": name,
                "period": shown,
                "end": formats.date_format(place.valid_to, "SHORT_DATE_FORMAT"),
            }
        else:
            message = _(
                "The territory %(name)s did not exist yet in %(period)s: it starts on %(start)s."
            ) % {
                "name": name,
                "period": shown,
                "start": formats.date_format(place.valid_from, "SHORT_DATE_FORMAT"),
            }
        raise _LineError("periode", message)

    def _name(self, pk: int) -> str:
        if self._names is None:
            bounded = Q(valid_from__isnull=False) | Q(valid_to__isnull=False)
            self._names = {
                pk: f"{name} ({code})"
                for pk, name, code in Territory.objects.filter(bounded).values_list(
                    "pk", "name", "code"
                )
            }
        return self._names.get(pk, "")

    def _value(self, line: int, cell: Any, measure: _Measure, record: bool = True) -> Any:
        """The value of a cell that is not a plain number: None when empty, `_SKIPPED`
        for nd and s (noted when `record`), else the number it writes."""
        if _blank(cell):
            return None
        if type(cell) is str:
            word = cell.strip().casefold()
            if word in NOT_AVAILABLE or word in SECRET:
                if not record:
                    return _SKIPPED
                self.report.skipped += 1
                if word in SECRET:
                    message = _("Statistical secret (s): line skipped.")
                else:
                    message = _("Value not available (nd): line skipped.")
                self.report.note(line, "valeur", message)
                return _SKIPPED
        percent = measure.indicator.type == IndicatorType.RATE
        return self._number("valeur", cell, percent)

    def _number(self, column: str, cell: Any, percent: bool) -> float:
        if type(cell) is str:
            try:
                return number_parse(cell, percent=percent)
            except NumberError as error:
                raise _LineError(column, str(error)) from None
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            number = float(cell)
            if math.isfinite(number):
                return number
        raise _LineError(
            column,
            _("“%(value)s” is not a number (e.g. 1234, 1 234,5 or 12.5).")
            % {"value": str(cell)[:50]},
        )

    def _ratio(
        self, measure: _Measure, value: float | None, num_cell: Any, den_cell: Any
    ) -> tuple[float | None, float | None, float | None]:
        """(numerator, denominator, value) of a line with a numerator or a denominator
        cell; the value is computed from them when empty, else checked against them."""
        numerator = None if _blank(num_cell) else self._number("numerateur", num_cell, False)
        denominator = None if _blank(den_cell) else self._number("denominateur", den_cell, False)
        if numerator is None and denominator is None:
            return None, None, value
        indicator = measure.indicator
        if indicator.type != IndicatorType.RATE:
            raise _LineError(
                "numerateur" if numerator is not None else "denominateur",
                _(
                    "Only a rate has a numerator and a denominator: leave these cells "
                    "empty for this indicator."
                ),
            )
        if numerator is None or denominator is None:
            raise _LineError(
                "denominateur" if denominator is None else "numerateur",
                _("Give both the numerator and the denominator, or neither."),
            )
        if denominator <= 0:
            raise _LineError("denominateur", _("The denominator must be above 0."))
        if numerator < 0:
            raise _LineError("numerateur", _("The numerator cannot be negative."))
        if numerator > denominator:
            raise _LineError(
                "numerateur",
                _("The numerator (%(numerator)s) is above the denominator (%(denominator)s).")
                % {"numerator": _shown(numerator), "denominator": _shown(denominator)},
            )
        computed = numerator / denominator * indicator.rate_base
        if value is None:
            return numerator, denominator, computed
        # Values are published rounded: half a unit of a percentage point is tolerated.
        if abs(value - computed) > indicator.rate_base / 200 + 1e-9:
            raise _LineError(
                "valeur",
                _(
                    "The value %(value)s does not match numerator ÷ denominator × "
                    "%(base)s = %(computed)s."
                )
                % {
                    "value": _shown(value),
                    "base": indicator.rate_base,
                    "computed": _shown(computed),
                },
            )
        return numerator, denominator, value

    def _out_of_range(self, measure: _Measure, value: float) -> None:
        indicator = measure.indicator
        if indicator.type == IndicatorType.COUNT:
            raise _LineError("valeur", _("A count cannot be negative."))
        raise _LineError(
            "valeur",
            _("A rate is between 0 and %(base)s: %(value)s is impossible.")
            % {"base": indicator.rate_base, "value": _shown(value)},
        )

    def _status(self, cell: Any) -> int:
        word = normalize_for_search(tabular.cell_text(cell))
        if not word or word in FINAL_WORDS:
            return ValueStatus.FINAL
        if word in PROVISIONAL_WORDS:
            return ValueStatus.PROVISIONAL
        raise _LineError(
            "statut",
            _("Unknown status “%(value)s”: write provisoire or définitif.")
            % {"value": str(cell)[:50]},
        )

    def _old_code(self, line: int, place: _Place, measure: _Measure, code: Any, row: tuple):
        """A line of an old commune code: kept aside, merged at the end (`merge`)."""
        key = (measure.indicator.pk, place.pk, measure.period)
        group = self.old_codes.setdefault(key, [])
        for origin, first, _code, _row in group:
            if origin == place.origin:
                raise self._duplicate(first)
        group.append((place.origin, line, tabular.cell_text(code), row))
        if place.commune:
            measure.touched = True

    # After the loop.

    def merge(self) -> None:
        """Lines of old commune codes: alone, staged as they are; several for the same
        current commune (with or without a line of its own code), combined as the
        indicator aggregates, or refused when it does not."""
        if not self.old_codes:
            return
        rows: list[tuple] = []
        for (indicator_pk, territory_pk, period), group in self.old_codes.items():
            indicator = self.by_pk[indicator_pk]
            key = (territory_pk << KEY_BITS) + (indicator.index << PERIOD_BITS) + period.index
            own = None
            if key in self.seen:  # a line of the current commune's own code
                own = self.staging.take(indicator_pk, territory_pk, period.iso)
            if own is None and len(group) == 1:
                rows.append(group[0][3])
                continue
            lines = [line for _origin, line, _code, _row in group]
            codes = [code for _origin, _line, code, _row in group]
            merging = [row for _origin, _line, _code, row in group]
            if own is not None:
                lines.insert(0, self.seen[key])
                codes.insert(0, Territory.objects.get(pk=territory_pk).code)
                merging.insert(0, own)
            order = sorted(range(len(lines)), key=lines.__getitem__)
            lines, codes = [lines[i] for i in order], [codes[i] for i in order]
            merged = self._combine(indicator, merging, lines)
            if merged is None:
                continue
            rows.append(merged)
            self.report.merged += len(lines)
            self.report.note(
                lines[0],
                "code",
                _(
                    "Lines %(lines)s give codes (%(codes)s) of communes now merged into "
                    "one: their values were combined (%(how)s)."
                )
                % {
                    "lines": ", ".join(map(str, lines)),
                    "codes": ", ".join(codes),
                    "how": Aggregation(indicator.aggregation).label,
                },
            )
        if self.report.ok:
            self.staging.add([row for row in rows if len(row) == PLAIN_WIDTH])
            self.staging.add([row for row in rows if len(row) != PLAIN_WIDTH])

    def _combine(self, indicator: _Indicator, rows: list[tuple], lines: list[int]) -> tuple | None:
        """The row of the current commune from rows (indicator, territory, period,
        value, status[, numerator, denominator]) of its old codes."""
        shown = ", ".join(map(str, lines))
        if indicator.aggregation == Aggregation.NONE:
            self.report.error(
                lines[-1],
                "code",
                _(
                    "Lines %(lines)s give codes of communes now merged into one, and the "
                    "values of this indicator cannot be combined: give the value of the "
                    "current commune instead."
                )
                % {"lines": shown},
            )
            return None
        with_ratio = all(len(row) > PLAIN_WIDTH for row in rows)
        status = min(row[4] for row in rows)  # provisional if one of them is
        first = rows[0]
        if indicator.aggregation == Aggregation.RATIO_OF_SUMS:
            if not with_ratio:
                self.report.error(
                    lines[-1],
                    "numerateur",
                    _(
                        "Lines %(lines)s give codes of communes now merged into one: give "
                        "the numerator and denominator of each, so that the rate of the "
                        "current commune can be computed."
                    )
                    % {"lines": shown},
                )
                return None
            numerator = sum(row[5] for row in rows)
            denominator = sum(row[6] for row in rows)
            value = numerator / denominator * indicator.rate_base
            return (first[0], first[1], first[2], value, status, numerator, denominator)
        value = sum(row[3] for row in rows)
        if with_ratio:
            numerator = sum(row[5] for row in rows)
            denominator = sum(row[6] for row in rows)
            return (first[0], first[1], first[2], value, status, numerator, denominator)
        return (first[0], first[1], first[2], value, status)


PLAIN_WIDTH = 5
MISSING_VALUE = gettext_noop(
    "The value is missing: give it, or write nd (not available) or s (statistical secret)."
)
# Codes and cells remembered as written: bounded, for a hostile file of distinct cells.
MAX_CACHED_CODES = 500_000


def _levels() -> dict[Any, str]:
    """Every accepted way of writing a kind of territory, normalised → the kind."""
    levels: dict[Any, str] = {}
    for kind, label in TerritoryKind.choices:
        names = {kind}
        for language in ("fr", "en"):
            with translation.override(language):
                names.add(str(label))
        for name in names:
            levels[normalize_for_search(name)] = kind
    levels.update({"france": TerritoryKind.COUNTRY, "ancienne region": TerritoryKind.FORMER_REGION})
    return levels


def _places() -> tuple[dict[str, dict[Any, _Place]], dict[str, _Place]]:
    """{kind: {code: place}} for every territory, and {old code: current commune} (two
    queries). An old code reused by two communes goes to the one `territory_for_alias`
    chooses (reason, then code)."""
    places: dict[str, dict[Any, _Place]] = {kind: {} for kind in TerritoryKind.values}
    for pk, kind, code, valid_from, valid_to in Territory.objects.values_list(
        "pk", "kind", "code", "valid_from", "valid_to"
    ).iterator(chunk_size=10_000):
        places[kind][code] = _Place(pk, kind, valid_from, valid_to, 0)
    aliases: dict[str, _Place] = {}
    rows = (
        TerritoryAlias.objects.order_by("reason", "territory__code")
        .values_list("code", "territory_id", "territory__valid_from", "territory__valid_to")
        .iterator(chunk_size=10_000)
    )
    for origin, (code, pk, valid_from, valid_to) in enumerate(rows, start=1):
        aliases.setdefault(
            code.upper(), _Place(pk, TerritoryKind.COMMUNE, valid_from, valid_to, origin)
        )
    return places, aliases


def _period_date(cell: Any, *, yearly: bool) -> datetime.date:
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    year_only = None
    date = None
    if isinstance(cell, datetime.date):
        date = cell
    elif isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        year_only = int(cell)
    else:
        text = tabular.cell_text(cell)
        if not text:
            raise _LineError("periode", _("The period is missing."))
        if YEAR.fullmatch(text):
            year_only = int(text)
        elif match := ISO_DATE.fullmatch(text):
            date = _date(int(match[1]), int(match[2]), int(match[3]), text)
        elif match := FRENCH_DATE.fullmatch(text):
            date = _date(int(match[3]), int(match[2]), int(match[1]), text)
        else:
            raise _LineError(
                "periode",
                _("“%(value)s” is not a period: write a year (2023) or a date (30/06/2023).")
                % {"value": text[:50]},
            )
    year = year_only if year_only is not None else date.year  # type: ignore[union-attr]
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _LineError("periode", _("The year %(year)s is not plausible.") % {"year": year})
    if yearly:
        if year_only is None:
            raise _LineError(
                "periode",
                _("This indicator is yearly: write the year only (%(year)s), not a date.")
                % {"year": year},
            )
        return datetime.date(year_only, 1, 1)
    if date is None:
        raise _LineError(
            "periode",
            _("The values of this indicator are dated: write the date (e.g. 30/06/%(year)s).")
            % {"year": year},
        )
    return date


def _date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _LineError(
            "periode", _("“%(value)s” is not a valid date.") % {"value": text[:50]}
        ) from None


def _blank(cell: Any) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def _shown(number: float) -> str:
    if float(number).is_integer() and abs(number) < 1e15:
        return formats.number_format(int(number), force_grouping=True)
    return formats.number_format(round(number, 6), force_grouping=True)


# --- Staging and writing --------------------------------------------------------------


class _Staging:
    """A temporary table of the checked rows, on the import's own connection: written
    in batches (multi-row `INSERT` on SQLite, `COPY` on PostgreSQL), dropped at the end.
    Rows are (indicator, territory, period, value, status[, numerator, denominator])."""

    columns = ("indicator_id", "territory_id", "period", "value", "status")
    ratio_columns = (*columns, "numerator", "denominator")
    rows_per_insert = 500

    def __enter__(self) -> _Staging:
        self.vendor = connection.vendor
        self._inserts: dict[tuple[int, int], str] = {}
        self._cache_size = None
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                # The indexes of the values table are written all over: a page cache of
                # 2 MB (SQLite's default) makes the upsert several times slower.
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING} (indicator_id bigint NOT NULL, "
                "territory_id bigint NOT NULL, period date NOT NULL, value double precision "
                "NOT NULL, status smallint NOT NULL, numerator double precision, "
                "denominator double precision)"
            )
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
                if self._cache_size is not None:
                    cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
        except DatabaseError:  # the connection is gone: so is its temporary table
            logger.warning("staging table not dropped", exc_info=True)

    def add(self, rows: list[tuple]) -> None:
        """Stage rows of one width (plain, or with numerator and denominator)."""
        if not rows:
            return
        columns = self.columns if len(rows[0]) == PLAIN_WIDTH else self.ratio_columns
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                sql = f"COPY {STAGING} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # Many rows per statement, bound by the driver itself (`?` placeholders, not
            # rewritten by Django's wrapper): half the time of `executemany`. One
            # transaction of the temporary database per batch, not one per row; the main
            # database is not locked meanwhile.
            raw = cursor.cursor
            execute = sqlite3.Cursor.execute
            execute(raw, "SAVEPOINT villes2_staging")
            step = self.rows_per_insert
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                sql = self._insert(len(columns), len(chunk))
                execute(raw, sql, list(itertools.chain.from_iterable(chunk)))
            execute(raw, "RELEASE villes2_staging")

    def _insert(self, width: int, count: int) -> str:
        sql = self._inserts.get((width, count))
        if sql is None:
            columns = self.columns if width == PLAIN_WIDTH else self.ratio_columns
            values = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * count)
            sql = f"INSERT INTO {STAGING} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
            self._inserts[(width, count)] = sql
        return sql

    def take(self, indicator_pk: int, territory_pk: int, iso: str) -> tuple | None:
        """Remove a staged row and return it (a line merged with old codes)."""
        where = "indicator_id = %s AND territory_id = %s AND period = %s"
        params = [indicator_pk, territory_pk, iso]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, status, numerator, denominator FROM {STAGING} WHERE {where}",  # noqa: S608
                params,
            )
            found = cursor.fetchone()
            cursor.execute(f"DELETE FROM {STAGING} WHERE {where}", params)  # noqa: S608
        if found is None:
            return None
        value, status, numerator, denominator = found
        if numerator is None:
            return (indicator_pk, territory_pk, iso, value, status)
        return (indicator_pk, territory_pk, iso, value, status, numerator, denominator)


def _write(report: ImportReport, importer: _Importer, staging: _Staging, *, user) -> None:
    """Count, then write the new and changed values, in one transaction."""
    table = IndicatorValue._meta.db_table
    same_null = "IS" if connection.vendor == "sqlite" else "IS NOT DISTINCT FROM"
    source_pk = importer.source.pk
    geography = importer.geography

    def unchanged(old: str, new: str) -> str:
        return (
            f"{old}.value = {new}.value AND {old}.numerator {same_null} {new}.numerator "
            f"AND {old}.denominator {same_null} {new}.denominator AND {old}.status = "
            f"{new}.status AND {old}.source_id = {new}.source_id AND {old}.geography = "
            f"{new}.geography AND NOT {old}.computed"
        )

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT COUNT(*), COUNT(v.id), COALESCE(SUM(CASE WHEN
                    {unchanged("v", "s")} THEN 1 ELSE 0 END), 0)
                FROM (SELECT st.*, %s AS source_id, %s AS geography FROM {STAGING} st) s
                LEFT JOIN {table} v ON v.indicator_id = s.indicator_id
                    AND v.territory_id = s.territory_id AND v.period = s.period""",  # noqa: S608
                [source_pk, geography],
            )
            total, existing, same = cursor.fetchone()
        report.created = total - existing
        report.unchanged = same
        report.updated = existing - same
        batch = ImportBatch.objects.create(
            file_name=report.file_name[:255],
            sha256=report.sha256,
            source=importer.source,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            status=ImportStatus.IMPORTED,
            lines=report.lines,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            report=report.as_json(),
        )
        report.batch = batch
        if report.created or report.updated:
            with connection.cursor() as cursor:
                # Inserted in the order of the territory index: fewer pages touched.
                cursor.execute(
                    f"""INSERT INTO {table} (indicator_id, territory_id, period, value,
                        numerator, denominator, status, source_id, geography, computed)
                    SELECT indicator_id, territory_id, period, value, numerator, denominator,
                        status, %s, %s, %s
                    FROM {STAGING} WHERE 1 = 1 ORDER BY territory_id, indicator_id, period
                    ON CONFLICT (indicator_id, territory_id, period) DO UPDATE SET
                        value = excluded.value, numerator = excluded.numerator,
                        denominator = excluded.denominator, status = excluded.status,
                        source_id = excluded.source_id, geography = excluded.geography,
                        computed = excluded.computed
                    WHERE NOT ({unchanged(table, "excluded")})""",  # noqa: S608
                    [source_pk, geography, False],
                )
            _aggregate(importer)


def _aggregate(importer: _Importer) -> None:
    """Recompute the values of larger territories for what the file's communes touched."""
    if not importer.touched:
        return
    periods: dict[int, set[datetime.date]] = {}
    for indicator_pk, period in importer.touched:
        periods.setdefault(indicator_pk, set()).add(period)
    indicators = Indicator.objects.in_bulk(list(periods))
    closure = aggregation.commune_closure()
    for pk in sorted(periods):
        aggregation.values_aggregate_upward(
            indicator=indicators[pk], periods=sorted(periods[pk]), closure=closure
        )
