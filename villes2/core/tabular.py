"""Reading the CSV and XLSX files people import, as every importer needs it.

A file is refused as a whole, with a French message, when it cannot be what it claims:
too large, empty, UTF-16, an old .xls, a PDF, binary, neither UTF-8 nor Windows-1252, a
zip that is encrypted or would inflate too much (checked before openpyxl parses anything,
RELIABILITY.md "XLSX imports"), a quotation mark never closed. Otherwise its rows are
*streamed*: `table_read` returns the header and a generator of (line number, cells), so
that a file of millions of lines is never held in memory as Python objects. CSV cells are
strings; XLSX cells are what openpyxl gives (str, int, float, datetime, bool or None).

Also here: matching the header to the importer's columns (case and accents ignored), and
`cell_neutralise` for the files we write (OWASP "CSV injection").
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from django.utils import formats
from django.utils.translation import gettext as _

from .text import normalize_for_search

# An XLSX file is a zip, checked before openpyxl inflates anything. A sheet deflates
# about 10 to 20 times; a zip bomb about 1 000 times.
MAX_ZIP_MEMBERS = 1_000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024  # small parts of an honest workbook may deflate more
MAX_LEADING_BLANK_ROWS = 100
CHUNK = 1024 * 1024
SNIFF_CHARS = 64 * 1024

# OWASP "CSV injection": a cell starting with one of these may be read as a formula
# (or, for \t \r \0, hide one). `'` makes the spreadsheet show the cell as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
FORMULA_ESCAPE = "'"


@dataclass(frozen=True)
class ImportProblem:
    """An error or a warning: its line (None: the file as a whole), column, message."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return _("Line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class FileRefused(Exception):
    """The file as a whole cannot be imported (format, size, structure, columns)."""

    def __init__(self, *problems: ImportProblem):
        super().__init__(problems)
        self.problems = list(problems)


class TooManyRows(Exception):
    """More physical rows than the caller allows (`max_physical_rows`); the caller says
    so with its own limit."""


def refused(message: str, line: int | None = None, column: str = "") -> FileRefused:
    return FileRefused(ImportProblem(line, column, message))


def megabytes(size: int) -> str:
    return _("%(number)s MB") % {"number": formats.number_format(size / 1024 / 1024, 1)}


def too_large(size: int, limit: int) -> FileRefused:
    return refused(
        _("The file is too large (%(size)s); the limit is %(limit)s: split it.")
        % {"size": megabytes(size), "limit": megabytes(limit)}
    )


def file_format(file_name: str) -> str | None:
    """The format of a file by its name: "csv", "xlsx", or None."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return suffix if suffix in ("csv", "xlsx") else None


def stream_size(stream: IO[bytes]) -> int:
    """The size of a seekable binary stream, read from its end (nothing is read)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def only_csv_or_xlsx() -> FileRefused:
    return refused(
        _(
            "Only CSV and XLSX files can be imported: save the spreadsheet as “CSV UTF-8” "
            "or as an Excel workbook (.xlsx)."
        )
    )


@dataclass
class Table:
    """The first non-blank row of a file, and a generator of the rows after it: (line
    number, cells), blank rows left out. For a CSV file the line number is the line the
    record starts on; for XLSX, the row number."""

    header_line: int
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def table_read(
    file_name: str,
    stream: IO[bytes],
    *,
    max_columns: int | None = None,
    max_physical_rows: int | None = None,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> Table:
    """The header and rows of a CSV or XLSX file (by its name), from a seekable binary
    stream whose size the caller has checked. Raises `FileRefused` for a file that cannot
    be read; the rows generator may raise it too (a quotation mark never closed, a
    workbook broken further on), and `TooManyRows` past `max_physical_rows` (XLSX)."""
    stream.seek(0)
    head = stream.read(SNIFF_CHARS)
    stream.seek(0)
    if not head.strip():
        raise refused(_("The file is empty."))
    kind = file_format(file_name)
    if kind is None:
        raise only_csv_or_xlsx()
    if kind == "xlsx":
        table = xlsx_table(
            stream,
            max_columns=max_columns,
            max_physical_rows=max_physical_rows,
            max_uncompressed=max_uncompressed,
        )
    else:
        table = csv_table(stream)
    while table.header and _blank(table.header[-1]):
        table.header.pop()
    return table


# --- CSV ------------------------------------------------------------------------------


def csv_table(stream: IO[bytes], *, delimiters: Sequence[str] = (";", ",", "\t")) -> Table:
    """The table of a CSV file; its delimiter is whichever of `delimiters` its first
    non-blank line has most of (the first of them on a tie)."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refused(
            _("This file is UTF-16 text (Excel's “Unicode text”): save it as “CSV UTF-8”.")
        )
    if head.startswith(b"PK\x03\x04"):
        raise refused(
            _("This file is a workbook (XLSX or zip), not CSV: give it the .xlsx extension.")
        )
    if head.startswith(b"%PDF"):
        raise refused(_("This file is a PDF document, not CSV."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise refused(_("This file is an old Excel workbook (.xls): save it as XLSX or CSV."))
    encoding = _csv_encoding(stream)
    delimiter = _csv_delimiter(stream, encoding, delimiters)
    rows = _csv_rows(stream, encoding, delimiter)
    first = next(rows, None)
    if first is None:
        raise refused(_("The file is empty."))
    header_line, header = first
    return Table(header_line, header, rows)


def _csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 with or without BOM, else Windows-1252 (what French Excel writes), found by
    one pass over the bytes that also refuses binary files (a NUL byte anywhere)."""
    stream.seek(0)
    with_bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    if not with_bom:
        stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, error_line = 1, None
    while chunk := stream.read(CHUNK):
        if b"\x00" in chunk:
            raise refused(_("This file is not text: save the spreadsheet as “CSV UTF-8”."))
        if error_line is None:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                error_line = line + chunk[: max(error.start, 0)].count(b"\n")
        line += chunk.count(b"\n")
    if error_line is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            error_line = line
    stream.seek(0)
    if error_line is None:
        return "utf-8-sig"
    if not with_bom:
        try:
            while chunk := stream.read(CHUNK):
                chunk.decode("cp1252")  # one byte per character: chunks decode alone
            stream.seek(0)
            return "cp1252"
        except UnicodeDecodeError:
            pass
    raise refused(
        _("This line is neither UTF-8 nor Windows-1252 text: save the file as “CSV UTF-8”."),
        line=error_line,
    )


def _csv_delimiter(stream: IO[bytes], encoding: str, delimiters: Sequence[str]) -> str:
    """Whichever of `delimiters` the first non-blank line has most of."""
    stream.seek(0)
    sample = stream.read(SNIFF_CHARS).decode(encoding, errors="ignore")
    stream.seek(0)
    first = next((line for line in sample.splitlines() if line.strip()), "")
    return max(delimiters, key=first.count)


def _csv_rows(stream: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        previous = 0  # the record read next starts on the line after the previous one
        try:
            for cells in reader:
                line, previous = previous + 1, reader.line_num
                if "".join(cells).strip():
                    yield line, cells
        except csv.Error:
            raise refused(
                _(
                    "This line cannot be read as CSV (a quotation mark is misplaced or not "
                    "closed, or a cell is far too long); the lines after it were not read."
                ),
                line=previous + 1,
            ) from None
    finally:
        text.detach()  # the caller's stream stays open


# --- XLSX -----------------------------------------------------------------------------


def zip_check(stream: IO[bytes], *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """Refuse what is not a plain zip of reasonable size before anything inflates it."""
    not_xlsx = _(
        "This file is not an XLSX workbook (or it is protected by a password): save it "
        "again from the spreadsheet as .xlsx, without password, or as “CSV UTF-8”."
    )
    stream.seek(0)
    if not zipfile.is_zipfile(stream):
        raise refused(not_xlsx)
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise refused(not_xlsx) from None
    finally:
        stream.seek(0)
    if len(members) > MAX_ZIP_MEMBERS:
        raise refused(not_xlsx)
    if any(member.flag_bits & 0x1 for member in members):
        raise refused(not_xlsx)
    # Python's zipfile never inflates a member beyond its declared size, so the declared
    # sizes bound what openpyxl can be made to read.
    total = sum(member.file_size for member in members)
    suspicious = any(
        member.file_size > RATIO_CHECKED_FROM
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if total > max_uncompressed or suspicious:
        raise refused(
            _(
                "This workbook would take too much room once uncompressed (%(size)s): "
                "it is refused. Save it as “CSV UTF-8”, or split it."
            )
            % {"size": megabytes(total)}
        )


def _unreadable_workbook() -> FileRefused:
    return refused(
        _(
            "This workbook cannot be read: save it again from the spreadsheet as .xlsx, or "
            "as “CSV UTF-8”."
        )
    )


def xlsx_table(
    stream: IO[bytes],
    *,
    max_columns: int | None = None,
    max_physical_rows: int | None = None,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> Table:
    """The first sheet, read with openpyxl in read-only mode (rows parsed as they are
    read) once the zip passed `zip_check`. The header is the first non-blank row among
    the first 100."""
    zip_check(stream, max_uncompressed=max_uncompressed)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # untrusted input: openpyxl and the XML parser raise many kinds
        raise _unreadable_workbook() from None
    rows = _xlsx_rows(workbook, max_columns, max_physical_rows)
    first = next(rows, None)  # the generator closes the workbook when it ends or fails
    if first is None:
        raise refused(_("The first sheet of the workbook is empty."))
    header_line, header = first
    return Table(header_line, header, rows)


def _xlsx_rows(
    workbook, max_columns: int | None, max_physical_rows: int | None
) -> Iterator[tuple[int, list[Any]]]:
    header_seen = False
    try:
        sheet = workbook.worksheets[0]
        max_col = max_columns + 1 if max_columns else None
        for number, cells in enumerate(sheet.iter_rows(max_col=max_col, values_only=True), 1):
            if max_physical_rows is not None and number > max_physical_rows:
                raise TooManyRows
            if all(_blank(cell) for cell in cells):
                # Padding rows (openpyxl yields the gaps): a header is looked for at the
                # top only.
                if not header_seen and number >= MAX_LEADING_BLANK_ROWS:
                    return
                continue
            header_seen = True
            yield number, list(cells)
    except (FileRefused, TooManyRows):
        raise
    except GeneratorExit:
        raise
    except Exception:  # untrusted input, parsed lazily while rows are read
        raise _unreadable_workbook() from None
    finally:
        workbook.close()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# --- Columns --------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text. XLSX cells may be numbers, dates or booleans; a `'` written before
    a formula trigger by an export (`cell_neutralise`) is dropped on the way back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    if text[:1] == FORMULA_ESCAPE and text[1:2] in FORMULA_TRIGGERS:
        text = text[1:]
    return text.strip()


def columns_map(
    header: Sequence[Any],
    header_line: int,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_columns: int | None = None,
) -> dict[int, str]:
    """{cell index: column} for a header row; headers are matched ignoring case
    and accents. Raises `FileRefused` listing unknown, repeated and missing columns."""
    known = {normalize_for_search(column): column for column in columns}
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text:
            continue
        column = known.get(normalize_for_search(text))
        if column is None:
            unknown.append(text[:50])
        elif column in mapping.values():
            repeated.append(text[:50])
        else:
            mapping[index] = column
    line = header_line
    problems = []
    if max_columns is not None and len(header) > max_columns:
        problems.append(ImportProblem(line, "", _("The file has too many columns.")))
    if unknown:
        problems.append(
            ImportProblem(
                line,
                "",
                _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
                % {"unknown": ", ".join(unknown[:20]), "columns": ", ".join(columns)},
            )
        )
    if repeated:
        problems.append(
            ImportProblem(
                line,
                "",
                _("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)},
            )
        )
    missing = [column for column in required if column not in mapping.values()]
    if missing:
        problems.append(
            ImportProblem(
                line,
                "",
                _("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    if problems:
        raise FileRefused(*problems)
    return mapping


# --- Writing --------------------------------------------------------------------------


def cell_neutralise(value: str) -> str:
    """The text of a cell as it must be written: prefixed with `'` when a spreadsheet
    could take it for a formula."""
    return FORMULA_ESCAPE + value if value.startswith(FORMULA_TRIGGERS) else value
