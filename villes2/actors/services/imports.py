"""CSV and XLSX import of organisations and persons into the directory.

Every line is read and checked before anything is written, so that every bad line is
reported with its line, column and a French message, and nothing is written if one is
bad (RELIABILITY.md, "clean rejections"). Then one transaction upserts the entries: the
same file twice changes nothing (RELIABILITY.md, "safe re-runs"). Rules: docs/actors.md,
section "Import".
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import openpyxl  # noqa: F401 (the tests check, through this name, that it never opens a bomb)
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from villes2.core import tabular
from villes2.core.tabular import ImportProblem
from villes2.core.text import normalize_for_search
from villes2.territories.models import Territory
from villes2.territories.selectors import territory_canonical, territory_find

from .. import selectors
from ..columns import MULTI_SEPARATOR, ORGANISATION_COLUMNS, PERSON_COLUMNS, Column
from ..models import ImportKind, ImportRun, Membership, Organisation, OrganisationKind, Person
from ..selectors.duplicates import NAME_SIMILARITY
from .directory import organisation_search_text_refresh, person_search_text_refresh

logger = logging.getLogger(__name__)
security_log = logging.getLogger("villes2.security")

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Padding rows openpyxl yields for gaps: a sheet declaring row 1 048 576 stops here.
MAX_PHYSICAL_ROWS = 100_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 5_000
COLUMNS = {ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS, ImportKind.PERSONS: PERSON_COLUMNS}
IMPORT_FILE_ID_LENGTH = 8  # hex digits of the SHA-256 naming the file in sources

# The descriptions of columns.py, shared with the export as plain strings: marked here so
# that the catalogues keep their French (the upload page and template files show them).
COLUMN_DESCRIPTIONS = (
    gettext_noop("slug of an existing entry to update; empty to create or match"),
    gettext_noop("name"),
    gettext_noop("acronym"),
    gettext_noop("kind: its code (association) or its French label (Association)"),
    gettext_noop("9 digits, checked"),
    gettext_noop("identifiant (slug) or SIREN of the parent organisation"),
    gettext_noop("http(s) address"),
    gettext_noop("postal address"),
    gettext_noop("territory codes, e.g. commune:37261|departement:37"),
    gettext_noop("oui / non: listed on the Partners page"),
    gettext_noop("where the information comes from"),
    gettext_noop("first name"),
    gettext_noop("last name"),
    gettext_noop("public job title"),
    gettext_noop("e-mail"),
    gettext_noop("phone"),
    gettext_noop("identifiant (slug) or SIREN of the organisation"),
    gettext_noop("role in that organisation, e.g. Cheffe de projet politique de la ville"),
    gettext_noop("territory codes, e.g. commune:79191"),
    gettext_noop("date the person was told of their listing (JJ/MM/AAAA)"),
)

NAME_WITHOUT_LETTERS = gettext_noop("The name must contain letters or digits.")
UNEXPECTED_ERROR = gettext_noop(
    "The file could not be checked because of an unexpected error, recorded for the "
    "developers: nothing was written."
)
TRUE_WORDS = {"oui", "o", "1", "vrai", "x", "yes", "true"}
FALSE_WORDS = {"non", "n", "0", "faux", "no", "false"}
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
SIREN_SEPARATORS = re.compile(r"[\s.\u00a0\u202f]")
# Control characters and line or paragraph separators: refused in every cell, but for
# the line breaks of a postal address.
CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}
MULTI_LINE_COLUMNS = {"adresse"}
MULTI_LINE_BREAKS = "\n\r"

ORGANISATION_FIELDS = {
    "nom": "name",
    "sigle": "acronym",
    "type": "kind",
    "siren": "siren",
    "site_web": "website",
    "adresse": "address",
    "partenaire": "is_partner",
    "source": "source",
}
PERSON_FIELDS = {
    "prenom": "first_name",
    "nom": "last_name",
    "fonction": "job_title",
    "courriel": "email",
    "telephone": "phone",
    "adresse": "address",
    "informe_le": "informed_on",
    "source": "source",
}


@dataclass
class ImportReport:
    """What an import did, or would do for a dry run. Counts are of entries (a person on
    two lines, for two roles, counts once)."""

    kind: str
    file_name: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    previous_run: ImportRun | None = None
    run: ImportRun | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def already_imported(self) -> str:
        """When the same bytes were imported before, a sentence that says so; else ""."""
        if self.previous_run is None:
            return ""
        moment = timezone.localtime(self.previous_run.imported_at)
        return _("This file was already imported on %(date)s at %(time)s.") % {
            "date": formats.date_format(moment, "SHORT_DATE_FORMAT"),
            "time": formats.time_format(moment, "TIME_FORMAT"),
        }

    def error(self, line: int | None, column: str, message: Any) -> None:
        self.errors.append(ImportProblem(line, column, str(message)))

    def warn(self, line: int | None, column: str, message: Any) -> None:
        self.warnings.append(ImportProblem(line, column, str(message)))

    def lines(self) -> list[str]:
        """The report as French text, for the command line."""
        labels = dict(ImportKind.choices)
        lines = [
            _("%(kind)s — file %(file)s, lines read: %(rows)s.")
            % {"kind": labels.get(self.kind, self.kind), "rows": self.rows, "file": self.file_name}
        ]
        if self.already_imported:
            lines.append(self.already_imported)
        if self.ok:
            if self.dry_run:
                lines.append(_("Dry run: nothing was written."))
            lines.append(
                _("Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s.")
                % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
            )
        if self.warnings:
            lines.append(_("Warnings (%(count)s):") % {"count": len(self.warnings)})
            lines += [f"  {warning}" for warning in self.warnings]
        if self.errors:
            count = len(self.errors)
            lines.append(_("Errors (%(count)s): nothing was written.") % {"count": count})
            lines += [f"  {error}" for error in self.errors]
        return lines


def import_max_bytes() -> int:
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def import_file_format(file_name: str) -> str | None:
    """The format of a file by its name: "csv", "xlsx", or None."""
    return tabular.file_format(file_name)


def import_file_id(sha256: str) -> str:
    """How rows and history name the file they were imported from: the first digits of
    its SHA-256, which identify its `ImportRun` without carrying its name."""
    return sha256[:IMPORT_FILE_ID_LENGTH]


def column_description(column: Column) -> str:
    """The column's description in the active language."""
    return _(column.description)


def directory_import(
    *,
    kind: str,
    file_name: str,
    content: bytes,
    user=None,
    dry_run: bool = False,
) -> ImportReport:
    """Import organisations or persons from a CSV or XLSX file.

    Never raises on a bad file: the report lists every problem. Writes nothing unless
    every line is good and `dry_run` is false, then upserts in one transaction and
    records an `ImportRun`.
    """
    report = ImportReport(
        kind=kind,
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        dry_run=dry_run,
    )
    report.previous_run = (
        ImportRun.objects.filter(sha256=report.sha256).order_by("-imported_at").first()
    )
    if kind not in COLUMNS:
        report.error(None, "", _("Unknown import kind: %(kind)s.") % {"kind": kind})
        return report
    try:
        table = _read_table(file_name, content)
        mapping = _map_columns(table, COLUMNS[kind])
    except _FileRefused as refusal:
        report.errors += refusal.problems
        _log_rejection(report, user)
        return report
    report.rows = len(table.rows)

    importer_class = _OrganisationImporter if kind == ImportKind.ORGANISATIONS else _PersonImporter
    importer = importer_class(report=report, user=user)
    try:
        for line, cells in table.rows:
            values = _row_values(line, cells, mapping, report)
            if values is not None:
                importer.plan_row(line, values)
        importer.finish()
    except Exception:  # a bug must not become a 500 nor a partial import: say so, log it
        logger.exception("directory import check failed kind=%s sha256=%s", kind, report.sha256)
        report.error(None, "", _(UNEXPECTED_ERROR))
    report.errors.sort(key=lambda problem: problem.line or 0)
    report.warnings.sort(key=lambda problem: problem.line or 0)
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        _log_rejection(report, user)
        return report
    if dry_run:
        return report

    try:
        with transaction.atomic():
            importer.write()
            run = ImportRun(
                kind=kind,
                file_name=file_name[:255],
                sha256=report.sha256,
                imported_by=user if getattr(user, "is_authenticated", False) else None,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
            run.full_clean()
            run.save()
    except _ChangedMeanwhile as changed:
        report.error(
            changed.line,
            "",
            _(
                "Someone changed this entry while the file was being imported: nothing was "
                "written. Import the file again."
            ),
        )
    except (DatabaseError, ValidationError):
        security_log.exception("directory import failed kind=%s sha256=%s", kind, report.sha256)
        report.error(
            None,
            "",
            _("The directory could not be written: nothing was written. Try again later."),
        )
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        _log_rejection(report, user)
        return report
    report.run = run
    security_log.info(
        "directory import user=%s kind=%s sha256=%s created=%s updated=%s unchanged=%s",
        getattr(user, "pk", None),
        kind,
        report.sha256,
        report.created,
        report.updated,
        report.unchanged,
    )
    return report


def _log_rejection(report: ImportReport, user) -> None:
    security_log.info(
        "directory import rejected user=%s kind=%s sha256=%s errors=%s dry_run=%s",
        getattr(user, "pk", None),
        report.kind,
        report.sha256,
        len(report.errors),
        report.dry_run,
    )


# --- Reading the file -----------------------------------------------------------------

# Reading and refusing files is shared with the other importers (core/tabular.py).
_FileRefused = tabular.FileRefused
_refused = tabular.refused


@dataclass
class _Table:
    header_line: int
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (line or row number, cells); blank rows left out


def _read_table(file_name: str, content: bytes) -> _Table:
    limit = import_max_bytes()
    if len(content) > limit:
        raise tabular.too_large(len(content), limit)
    if not content.strip():
        raise _refused(_("The file is empty."))
    file_format = import_file_format(file_name)
    if file_format is None:
        raise tabular.only_csv_or_xlsx()
    table = _read_xlsx(content) if file_format == "xlsx" else _read_csv(content)
    while table.header and not _text(table.header[-1]):
        table.header.pop()
    if not table.rows:
        raise _refused(_("The file has a header line but no entries."), line=table.header_line)
    return table


def _read_csv(content: bytes) -> _Table:
    return _collect(tabular.csv_table(io.BytesIO(content)))


def _read_xlsx(content: bytes) -> _Table:
    try:
        table = tabular.xlsx_table(
            io.BytesIO(content), max_columns=MAX_COLUMNS, max_physical_rows=MAX_PHYSICAL_ROWS
        )
    except tabular.TooManyRows:
        raise _too_many_rows() from None
    return _collect(table)


def _collect(table: tabular.Table) -> _Table:
    """The rows of the file as a list: a directory file is small (`MAX_ROWS`)."""
    rows: list[tuple[int, list[Any]]] = []
    try:
        for row in table.rows:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
    except tabular.TooManyRows:
        raise _too_many_rows() from None
    finally:
        table.close()
    return _Table(table.header_line, table.header, rows)


def _too_many_rows() -> _FileRefused:
    return _refused(
        _("The file has more than %(max)s lines: split it.")
        % {"max": formats.number_format(MAX_ROWS, force_grouping=True)}
    )


def _text(value: Any, header: str = "") -> str:
    """A cell as text. XLSX cells may be numbers, dates or booleans."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and float(value).is_integer()
        and abs(value) < 1e15
    ):
        digits = str(int(value))
        # A spreadsheet drops the leading zeros of what it took for a number.
        if header == "siren":
            return digits.zfill(9)
        if header == "telephone" and len(digits) == 9:
            return "0" + digits
        return digits
    return tabular.cell_text(value)


def _map_columns(table: _Table, columns: tuple[Column, ...]) -> dict[int, str]:
    """{cell index: column header}; headers are matched ignoring case and accents."""
    return tabular.columns_map(
        table.header,
        table.header_line,
        columns=[column.header for column in columns],
        required=[column.header for column in columns if column.required],
        max_columns=MAX_COLUMNS,
    )


def _row_values(
    line: int, cells: list[Any], mapping: dict[int, str], report: ImportReport
) -> dict[str, str] | None:
    """{column header: text} for the columns of the file, or None if the line is bad."""
    values = dict.fromkeys(mapping.values(), "")
    good = True
    for index, cell in enumerate(cells):
        header = mapping.get(index, "")
        text = _text(cell, header)
        if not text:
            continue
        if not header:
            report.error(
                line,
                "",
                _("A value is in column %(number)s, which has no header.") % {"number": index + 1},
            )
            good = False
        elif len(text) > MAX_CELL_CHARS:
            report.error(
                line,
                header,
                _("This cell is too long (%(length)s characters; at most %(max)s).")
                % {"length": len(text), "max": MAX_CELL_CHARS},
            )
            good = False
        elif _has_control_characters(text, multi_line=header in MULTI_LINE_COLUMNS):
            report.error(line, header, _control_message(header))
            good = False
        else:
            values[header] = text
    return values if good else None


def _has_control_characters(text: str, *, multi_line: bool) -> bool:
    """Whether a cell holds a control character (tab, NUL, escape…) or, in a one-line
    column, a line break: stored, it would break a vCard, a mail header or a CSV reader."""
    allowed = MULTI_LINE_BREAKS if multi_line else ""
    return any(
        unicodedata.category(char) in CONTROL_CATEGORIES and char not in allowed for char in text
    )


def _control_message(header: str) -> str:
    if header in MULTI_LINE_COLUMNS:
        return _(
            "The column “%(column)s” may hold line breaks but no other control character "
            "(tab…): remove it."
        ) % {"column": header}
    return _(
        "The column “%(column)s” must hold a single line of text: remove the line break, "
        "tab or other control character."
    ) % {"column": header}


def _has_letters_or_digits(text: str) -> bool:
    """Whether a name is still a name once case, accents and punctuation are ignored, as
    entries are matched: "..." or "—" would match nothing and create a duplicate on
    every re-import."""
    return any(char.isalnum() for char in normalize_for_search(text))


# --- Checking and writing the entries ---------------------------------------------------


class _ChangedMeanwhile(Exception):
    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


@dataclass(eq=False)
class _Entry:
    """An organisation or a person the file creates or updates, and what changes."""

    instance: Any
    line: int
    fields: tuple[str, ...]
    original: dict[str, Any] = field(default_factory=dict)
    seen_version: int = 0
    assigned: dict[str, tuple[Any, int]] = field(default_factory=dict)
    territories: list[Territory] | None = None
    replace_territories: bool = False
    parent: Any = None  # organisations: an Organisation, an _Entry, or None
    parent_set: bool = False
    memberships: list[tuple[Organisation, str, str]] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)
    action: str = "unchanged"

    @property
    def is_new(self) -> bool:
        return self.instance.pk is None


class _Importer:
    model: Any
    fields_by_column: dict[str, str]
    slug_fallback: str

    def __init__(self, *, report: ImportReport, user):
        self.report = report
        self.user = user
        # The file is named by its SHA-256, as its `ImportRun` records it, never by its
        # name: "liste-<nom>.csv" would put a person's name in every row and history row.
        today = timezone.localdate()
        self.default_source = (
            f"Import du {today:%d/%m/%Y} (fichier {import_file_id(report.sha256)})"
        )
        self.reason = self.default_source
        self.entries: list[_Entry] = []
        self._territory_cache: dict[str, Territory | None] = {}
        self._organisation_cache: dict[str, list[Organisation]] = {}
        self._slugs: set[str] | None = None  # taken slugs, read once when writing

    # Planning: reads only.

    def plan_row(self, line: int, values: dict[str, str]) -> None:
        raise NotImplementedError

    def _new_entry(self, instance: Any, line: int) -> _Entry:
        entry = _Entry(instance=instance, line=line, fields=tuple(self.fields_by_column.values()))
        entry.original = {name: getattr(instance, name) for name in entry.fields}
        entry.seen_version = instance.version
        self.entries.append(entry)
        return entry

    def _assign(
        self,
        entry: _Entry,
        line: int,
        converted: dict[str, Any],
        values: dict[str, str],
        *,
        authoritative: bool,
    ) -> None:
        """Set the fields a line gives. A column absent from the file is never touched;
        an empty cell clears a field only on an authoritative line (a new entry, or a
        line naming its entry by `identifiant`), so a partial list erases nothing."""
        for column, name in self.fields_by_column.items():
            if column not in values or name not in converted:
                continue
            value = converted[name]
            if not values[column] and not authoritative:
                continue
            earlier = entry.assigned.get(name)
            if earlier is not None and values[column]:
                # A later line of the same entry (another role) may repeat a value.
                if not _same(earlier[0], value):
                    self.report.error(
                        line,
                        column,
                        _("The same entry is on line %(line)s with another value.")
                        % {"line": earlier[1]},
                    )
                continue
            if values[column]:
                entry.assigned[name] = (value, line)
            setattr(entry.instance, name, value)

    def _validate(self, entry: _Entry, line: int) -> None:
        """The model's own validation (validators, lengths, constraints), reported on the
        columns this line has no error on yet."""
        self._report_invalid(entry.instance, line, exclude=["slug"] if entry.is_new else None)

    def _validate_cells(self, line: int, converted: dict[str, Any]) -> None:
        """For a line that cannot be matched to an entry (a required value or its
        organisation is wrong): still check each cell given, so that every bad cell of the
        file is reported at once."""
        given = {name: value for name, value in converted.items() if value not in (None, "")}
        others = [f.name for f in self.model._meta.get_fields() if f.name not in given]
        self._report_invalid(
            self.model(**given),
            line,
            exclude=others,
            validate_unique=False,
            validate_constraints=False,
        )

    def _report_invalid(self, instance: Any, line: int, **options: Any) -> None:
        try:
            instance.full_clean(**options)
        except ValidationError as error:
            reported = set()
            for problem in reversed(self.report.errors):
                if problem.line != line:
                    break
                reported.add(problem.column)
            columns = {name: column for column, name in self.fields_by_column.items()}
            columns["parent"] = "organisation_parente"
            for name, messages in error.message_dict.items():
                column = "" if name == NON_FIELD_ERRORS else columns.get(name, name)
                if column not in reported:
                    self.report.error(line, column, " ".join(messages))

    def _default_source(self, entry: _Entry, line: int) -> None:
        if entry.is_new and entry.line == line and not entry.instance.source:
            entry.instance.source = self.default_source

    def _territories(self, line: int, text: str) -> list[Territory] | None:
        found: list[Territory] = []
        unknown: list[str] = []
        for item in (part.strip() for part in text.split(MULTI_SEPARATOR)):
            if not item:
                continue
            territory = self._territory(item)
            if territory is None:
                unknown.append(item[:40])
            elif territory not in found:
                found.append(territory)
        if unknown:
            self.report.error(
                line,
                "territoires",
                _("Unknown territories: %(codes)s (expected kind:code, e.g. commune:37261).")
                % {"codes": ", ".join(unknown)},
            )
            return None
        return found

    def _territory(self, item: str) -> Territory | None:
        if item not in self._territory_cache:
            kind, _sep, code = item.partition(":")
            kind = normalize_for_search(kind).replace(" ", "-")
            code = code.strip()
            territory = None
            if kind and code:
                territory = territory_find(kind=kind, code=code) or territory_canonical(
                    kind=kind, code=code
                )
            self._territory_cache[item] = territory
        return self._territory_cache[item]

    def _organisation(self, line: int, column: str, ref: str) -> Organisation | None:
        """An organisation of the directory named by its identifiant (slug) or SIREN."""
        if ref not in self._organisation_cache:
            found = Organisation.objects.filter(slug=ref).first()
            siren = SIREN_SEPARATORS.sub("", ref)
            if found is None and siren:
                matches = list(Organisation.objects.filter(siren=siren).order_by("pk")[:6])
            else:
                matches = [found] if found else []
            self._organisation_cache[ref] = matches
        matches = self._organisation_cache[ref]
        if len(matches) == 1:
            return matches[0]
        if matches:
            self._ambiguous(line, column, matches)
        else:
            self.report.error(
                line,
                column,
                _("No organisation has the identifiant or SIREN “%(value)s”.") % {"value": ref},
            )
        return None

    def _ambiguous(self, line: int, column: str, matches: list) -> None:
        self.report.error(
            line,
            column,
            _(
                "Several entries of the directory match this line (identifiants: %(slugs)s): "
                "put the identifiant of the right one in the line."
            )
            % {"slugs": ", ".join(match.slug for match in matches[:5])},
        )

    def _date(self, line: int, column: str, text: str) -> datetime.date | None:
        match = FRENCH_DATE.match(text) or ISO_DATE.match(text)
        if match:
            parts = [int(part) for part in match.groups()]
            day, month, year = parts if match.re is FRENCH_DATE else reversed(parts)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
        self.report.error(
            line, column, _("Write the date as DD/MM/YYYY or YYYY-MM-DD (e.g. 29/05/2007).")
        )
        return None

    def _boolean(self, line: int, column: str, text: str) -> bool | None:
        word = normalize_for_search(text)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.report.error(line, column, _("Write oui or non."))
        return None

    # Counting: after every line is planned.

    def finish(self) -> None:
        current: dict[int, set[int]] = {}
        with_territories = [
            e.instance.pk for e in self.entries if e.territories is not None and not e.is_new
        ]
        if with_territories:
            through = self.model.territories.through
            owner = f"{self.model._meta.model_name}_id"
            for owner_pk, territory_pk in through.objects.filter(
                **{f"{owner}__in": with_territories}
            ).values_list(owner, "territory_id"):
                current.setdefault(owner_pk, set()).add(territory_pk)
        for entry in self.entries:
            instance = entry.instance
            entry.changed_fields = [
                name for name in entry.fields if getattr(instance, name) != entry.original[name]
            ]
            if entry.parent_set and self._parent_changed(entry):
                entry.changed_fields.append("parent")
            changed = bool(entry.changed_fields or entry.memberships)
            if entry.territories is not None and not entry.is_new:
                planned = {territory.pk for territory in entry.territories}
                stored = current.get(entry.instance.pk, set())
                if entry.replace_territories:
                    changed |= planned != stored
                else:
                    changed |= not planned <= stored
            entry.action = "created" if entry.is_new else "updated" if changed else "unchanged"
            self._check_entry(entry)
        self.report.created = sum(entry.action == "created" for entry in self.entries)
        self.report.updated = sum(entry.action == "updated" for entry in self.entries)
        self.report.unchanged = sum(entry.action == "unchanged" for entry in self.entries)

    def _check_entry(self, entry: _Entry) -> None:
        """A last check of a planned entry, once its changes are known."""

    def _parent_changed(self, entry: _Entry) -> bool:
        parent = entry.parent
        if isinstance(parent, _Entry):
            return parent.is_new or parent.instance.pk != entry.instance.parent_id
        return getattr(parent, "pk", None) != entry.instance.parent_id

    # Writing: inside the transaction, only if every line was good.

    def write(self) -> None:
        raise NotImplementedError

    def _save(self, entry: _Entry, text_for_slug: str) -> None:
        instance = entry.instance
        instance._history_user = self.user if getattr(self.user, "pk", None) else None
        instance._change_reason = self.reason
        if entry.is_new:
            instance.slug = self._unique_slug(text_for_slug)
            instance.full_clean()
            instance.save()
            return
        # The stored version must still be the one read: else someone saved in between.
        stored = (
            self.model.objects.select_for_update()
            .filter(pk=instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if stored != entry.seen_version:
            raise _ChangedMeanwhile(entry.line)
        if entry.changed_fields:
            instance.version = entry.seen_version + 1
            instance.full_clean()
            instance.save(update_fields=[*entry.changed_fields, "version"])

    def _save_territories(self, entry: _Entry) -> None:
        if entry.territories is None:
            return
        if entry.replace_territories:
            entry.instance.territories.set(entry.territories)
        else:
            entry.instance.territories.add(*entry.territories)

    def _unique_slug(self, text: str) -> str:
        if self._slugs is None:  # inside the transaction: no one else writes meanwhile
            self._slugs = set(self.model.objects.values_list("slug", flat=True))
        base = slugify(text)[:110].strip("-") or self.slug_fallback
        slug, number = base, 1
        while slug in self._slugs:
            number += 1
            slug = f"{base}-{number}"
        self._slugs.add(slug)
        return slug


class _OrganisationImporter(_Importer):
    model = Organisation
    fields_by_column = ORGANISATION_FIELDS
    slug_fallback = "organisation"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._by_pk: dict[int, _Entry] = {}
        self._new_by_siren: dict[str, _Entry] = {}
        self._new_by_name: dict[str, _Entry] = {}
        self._kinds: dict[str, str] = {}
        for kind in OrganisationKind:
            self._kinds[normalize_for_search(kind.value)] = kind.value
            for language in ("fr", "en"):
                with translation.override(language):
                    self._kinds[normalize_for_search(str(kind.label))] = kind.value
        self._stored_parents: dict[int, int | None] | None = None

    def plan_row(self, line: int, values: dict[str, str]) -> None:
        name = values.get("nom", "")
        if not name:
            self.report.error(line, "nom", _("The name is required."))
        elif not _has_letters_or_digits(name):
            self.report.error(line, "nom", _(NAME_WITHOUT_LETTERS))
            name = ""
        converted: dict[str, Any] = {
            "name": name,
            "acronym": values.get("sigle", ""),
            "siren": SIREN_SEPARATORS.sub("", values.get("siren", "")),
            "website": _website(values.get("site_web", "")),
            "address": values.get("adresse", ""),
            "source": values.get("source", ""),
        }
        if values.get("type"):
            kind = self._kinds.get(normalize_for_search(values["type"]))
            if kind is None:
                self.report.error(
                    line,
                    "type",
                    _("Unknown kind “%(value)s”. The kinds are: %(kinds)s.")
                    % {"value": values["type"], "kinds": ", ".join(OrganisationKind.values)},
                )
            else:
                converted["kind"] = kind
        else:
            self.report.error(line, "type", _("The kind is required."))
        if values.get("partenaire"):
            partner = self._boolean(line, "partenaire", values["partenaire"])
            if partner is not None:
                converted["is_partner"] = partner
        else:
            converted["is_partner"] = False
        territories = None
        if "territoires" in values:
            territories = self._territories(line, values["territoires"])
        if not name:
            self._validate_cells(line, converted)
            return

        entry = self._match(line, values.get("identifiant", ""), converted["siren"], name)
        if entry is None:
            return
        by_identifiant = bool(values.get("identifiant"))
        authoritative = entry.is_new or by_identifiant
        self._assign(entry, line, converted, values, authoritative=authoritative)
        self._default_source(entry, line)
        if territories is not None and (territories or authoritative):
            entry.territories = territories
            entry.replace_territories = by_identifiant
        if "organisation_parente" in values:
            ref = values["organisation_parente"]
            if ref:
                parent = self._parent(line, ref, entry)
                if parent is not False:
                    entry.parent, entry.parent_set = parent, True
            elif by_identifiant:
                entry.parent, entry.parent_set = None, True
        self._validate(entry, line)

    def _match(self, line: int, identifiant: str, siren: str, name: str) -> _Entry | None:
        """The entry this line creates or updates: by identifiant, else SIREN, else the
        same name once case, accents and punctuation are ignored."""
        sort_name = normalize_for_search(name)
        if identifiant:
            found = Organisation.objects.filter(slug=identifiant).first()
            if found is None:
                self.report.error(
                    line,
                    "identifiant",
                    _("No organisation has the identifiant “%(value)s”.") % {"value": identifiant},
                )
                return None
            return self._existing(line, found)
        if siren and siren in self._new_by_siren:
            return self._repeated(line, self._new_by_siren[siren])
        if siren:
            matches = list(Organisation.objects.filter(siren=siren).order_by("pk")[:6])
            if len(matches) > 1:
                self._ambiguous(line, "siren", matches)
                return None
            if matches:
                return self._existing(line, matches[0])
        if sort_name and sort_name in self._new_by_name:
            return self._repeated(line, self._new_by_name[sort_name])
        # An organisation of the same name but another SIREN is another organisation.
        matches = [
            match
            for match in (selectors.organisation_duplicates(name=name) if sort_name else [])
            if not (siren and match.siren and match.siren != siren)
        ]
        if len(matches) > 1:
            self._ambiguous(line, "nom", matches)
            return None
        if matches:
            return self._existing(line, matches[0])
        entry = self._new_entry(Organisation(), line)
        if siren:
            self._new_by_siren[siren] = entry
        if sort_name:
            self._new_by_name[sort_name] = entry
        return entry

    def _existing(self, line: int, organisation: Organisation) -> _Entry | None:
        if organisation.pk in self._by_pk:
            return self._repeated(line, self._by_pk[organisation.pk])
        entry = self._new_entry(organisation, line)
        self._by_pk[organisation.pk] = entry
        return entry

    def _repeated(self, line: int, entry: _Entry) -> None:
        self.report.error(
            line,
            "",
            _("This organisation is already on line %(line)s.") % {"line": entry.line},
        )

    def _parent(self, line: int, ref: str, entry: _Entry) -> Any:
        """The parent a line names: an organisation of the directory, or one of an
        earlier line (by SIREN); False when there is none or it would make a loop."""
        column = "organisation_parente"
        siren = SIREN_SEPARATORS.sub("", ref)
        parent: Any = self._new_by_siren.get(siren)
        if parent is None:
            parent = self._organisation(line, column, ref)
            if parent is None:
                return False
        node: Any = self._node(parent)
        for _step in range(1000):
            if node == self._node(entry):
                self.report.error(
                    line,
                    column,
                    _("An organisation cannot be its own parent, even through others."),
                )
                return False
            node = self._parent_node(node)
            if node is None:
                break
        return parent

    def _node(self, item: Any) -> Any:
        """An organisation of the directory as ("pk", pk); a new one as its entry."""
        if isinstance(item, _Entry):
            return ("pk", item.instance.pk) if item.instance.pk else item
        return ("pk", item.pk)

    def _parent_node(self, node: Any) -> Any:
        """The parent of a node once the file is imported: the file's, else the stored."""
        entry = node if isinstance(node, _Entry) else self._by_pk.get(node[1])
        if entry is not None and entry.parent_set:
            return self._node(entry.parent) if entry.parent is not None else None
        if isinstance(node, _Entry):
            return None
        if self._stored_parents is None:
            self._stored_parents = dict(Organisation.objects.values_list("pk", "parent_id"))
        parent_pk = self._stored_parents.get(node[1])
        return ("pk", parent_pk) if parent_pk else None

    def write(self) -> None:
        renamed: list[Organisation] = []
        for entry in self.entries:
            if entry.action == "unchanged":
                continue
            organisation = entry.instance
            if entry.parent_set:
                parent = entry.parent
                organisation.parent = parent.instance if isinstance(parent, _Entry) else parent
            self._save(entry, organisation.name)
            self._save_territories(entry)
            if not entry.is_new and {"name", "acronym"} & set(entry.changed_fields):
                renamed.append(organisation)
        for entry in self.entries:
            if entry.action != "unchanged":
                organisation_search_text_refresh(organisation=entry.instance)
        # Children and members are found by the name of their organisation.
        for organisation in renamed:
            for child in organisation.children.select_related("parent"):
                organisation_search_text_refresh(organisation=child)
            for person in Person.objects.filter(memberships__organisation=organisation).distinct():
                person_search_text_refresh(person=person)


class _PersonImporter(_Importer):
    model = Person
    fields_by_column = PERSON_FIELDS
    slug_fallback = "personne"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._by_pk: dict[int, _Entry] = {}
        # Entries of earlier lines by e-mail and by (name, organisation): a person on
        # several lines is one entry, even when a later line names them differently.
        self._by_email: dict[str, _Entry] = {}
        self._by_name: dict[tuple[str, int | None], _Entry] = {}

    def plan_row(self, line: int, values: dict[str, str]) -> None:
        first_name, last_name = values.get("prenom", ""), values.get("nom", "")
        if not first_name:
            self.report.error(line, "prenom", _("The first name is required."))
        elif not _has_letters_or_digits(first_name):
            self.report.error(line, "prenom", _(NAME_WITHOUT_LETTERS))
            first_name = ""
        if not last_name:
            self.report.error(line, "nom", _("The last name is required."))
        elif not _has_letters_or_digits(last_name):
            self.report.error(line, "nom", _(NAME_WITHOUT_LETTERS))
            last_name = ""
        email = values.get("courriel", "")
        converted: dict[str, Any] = {
            "first_name": first_name,
            "last_name": last_name,
            "job_title": values.get("fonction", ""),
            "email": email,
            "phone": values.get("telephone", ""),
            "address": values.get("adresse", ""),
            "source": values.get("source", ""),
            "informed_on": None,
        }
        if values.get("informe_le"):
            converted["informed_on"] = self._date(line, "informe_le", values["informe_le"])
            if converted["informed_on"] is None:
                del converted["informed_on"]
        organisation = None
        if values.get("organisation"):
            organisation = self._organisation(line, "organisation", values["organisation"])
            if organisation is None:
                # Matching needs it; the line is bad already.
                self._validate_cells(line, converted)
                return
        territories = None
        if "territoires" in values:
            territories = self._territories(line, values["territoires"])
        if not (first_name and last_name):
            self._validate_cells(line, converted)
            return
        if selectors.identity_was_erased(
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation_slugs=[organisation.slug] if organisation else [],
        ):
            self.report.error(
                line,
                "",
                _(
                    "This person was erased from the directory (GDPR): they cannot be "
                    "imported again."
                ),
            )
            return

        entry = self._match(line, values, organisation)
        if entry is None:
            return
        if email:
            self._by_email.setdefault(email.casefold(), entry)
        org_pk = organisation.pk if organisation else None
        self._by_name.setdefault((normalize_for_search(f"{last_name} {first_name}"), org_pk), entry)
        first_line = entry.line == line
        by_identifiant = bool(values.get("identifiant"))
        authoritative = first_line and (entry.is_new or by_identifiant)
        self._assign(entry, line, converted, values, authoritative=authoritative)
        self._default_source(entry, line)
        if territories is not None and (territories or authoritative):
            if first_line:
                entry.territories = territories
                entry.replace_territories = by_identifiant
            else:  # a later line of the same person (another role) adds territories
                known = entry.territories or []
                entry.territories = known + [t for t in territories if t not in known]
        if organisation is not None:
            self._membership(line, entry, organisation, values)
        self._validate(entry, line)

    def _match(
        self, line: int, values: dict[str, str], organisation: Organisation | None
    ) -> _Entry | None:
        """The entry this line creates or updates: by identifiant, else e-mail (any case),
        else the exact same name in the same organisation (or, on a line without
        organisation, the same name among persons without any). A person may be on
        several lines, one per role."""
        identifiant, email = values.get("identifiant", ""), values.get("courriel", "")
        first_name, last_name = values["prenom"], values["nom"]
        sort_name = normalize_for_search(f"{last_name} {first_name}")
        org_pk = organisation.pk if organisation else None
        if identifiant:
            found = Person.objects.filter(slug=identifiant).first()
            if found is None:
                self.report.error(
                    line,
                    "identifiant",
                    _("No person has the identifiant “%(value)s”.") % {"value": identifiant},
                )
                return None
            return self._existing(found, line)
        if email:
            entry = self._by_email.get(email.casefold())
            if entry is None:
                matches = list(Person.objects.filter(email__iexact=email).order_by("pk")[:6])
                if len(matches) > 1:
                    self._ambiguous(line, "courriel", matches)
                    return None
                entry = self._existing(matches[0], line) if matches else None
            if entry is not None:
                # A shared address (accueil@…) must not turn one person into another.
                found = entry.instance
                if _similar_names(f"{first_name} {last_name}", str(found)):
                    return entry
                self.report.error(
                    line,
                    "courriel",
                    _(
                        "This e-mail belongs to %(name)s (%(where)s): to update that entry, "
                        "put its identifiant in the line; otherwise check the e-mail."
                    )
                    % {"name": found, "where": self._where(entry)},
                )
                return None
        if (sort_name, org_pk) in self._by_name:
            return self._by_name[(sort_name, org_pk)]
        if not sort_name:  # a name of punctuation only: nothing to compare
            candidates = Person.objects.none()
        elif organisation is not None:
            candidates = Person.objects.filter(
                sort_name=sort_name, memberships__organisation=organisation
            )
        else:
            candidates = Person.objects.filter(sort_name=sort_name, memberships__isnull=True)
        matches = list(candidates.distinct().order_by("pk")[:6])
        if len(matches) > 1:
            self._ambiguous(line, "nom", matches)
            return None
        if matches:
            return self._existing(matches[0], line)

        entry = self._new_entry(Person(), line)
        # Exact matches were updates (e-mail included): similar names in the organisation
        # are only warned of.
        duplicates = (
            selectors.person_duplicates(
                first_name=first_name,
                last_name=last_name,
                email=email,
                organisation_ids=[org_pk],
            )
            if org_pk
            else []
        )
        for candidate in duplicates:
            self.report.warn(
                line,
                "nom",
                _(
                    "A similar person is already in the directory: %(name)s (identifiant "
                    "%(slug)s). If it is the same person, put this identifiant in the line."
                )
                % {"name": candidate, "slug": candidate.slug},
            )
        return entry

    def _where(self, entry: _Entry) -> str:
        if entry.is_new:
            return _("line %(line)s") % {"line": entry.line}
        return _("identifiant %(slug)s") % {"slug": entry.instance.slug}

    def _existing(self, person: Person, line: int) -> _Entry:
        if person.pk not in self._by_pk:
            self._by_pk[person.pk] = self._new_entry(person, line)
        return self._by_pk[person.pk]

    def _membership(
        self, line: int, entry: _Entry, organisation: Organisation, values: dict[str, str]
    ) -> None:
        role = values.get("role") or entry.instance.job_title
        if not role:
            self.report.error(
                line,
                "role",
                _("Give the role of this person in the organisation (or their job title)."),
            )
            return
        if len(role) > Membership._meta.get_field("role").max_length:
            self.report.error(line, "role", _("This role is too long (200 characters at most)."))
            return
        planned = {(org.pk, planned_role) for org, planned_role, _source in entry.memberships}
        if (organisation.pk, role) in planned:
            return
        if (
            not entry.is_new
            and Membership.objects.filter(
                person=entry.instance, organisation=organisation, role=role
            ).exists()
        ):
            return
        entry.memberships.append((organisation, role, values.get("source") or self.default_source))

    def _check_entry(self, entry: _Entry) -> None:
        if entry.action == "updated" and entry.instance.processing_restricted:
            self.report.error(
                entry.line,
                "",
                _(
                    "The processing of this person's data is restricted (GDPR): an import "
                    "cannot change their entry."
                ),
            )

    def write(self) -> None:
        for entry in self.entries:
            if entry.action == "unchanged":
                continue
            person = entry.instance
            self._save(entry, f"{person.first_name} {person.last_name}")
            self._save_territories(entry)
            for organisation, role, source in entry.memberships:
                membership = Membership(
                    person=person, organisation=organisation, role=role, source=source[:300]
                )
                membership._history_user = person._history_user
                membership._change_reason = self.reason
                membership.full_clean()
                membership.save()
            person_search_text_refresh(person=person)


def _website(text: str) -> str:
    """Add the scheme people often leave out: www.example.org → https://www.example.org."""
    if text and "://" not in text and not text.startswith(("mailto:", "/")):
        return f"https://{text}"
    return text


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, str) and isinstance(second, str):
        return first.casefold() == second.casefold()
    return first == second


def _similar_names(first: str, second: str) -> bool:
    first, second = normalize_for_search(first), normalize_for_search(second)
    return SequenceMatcher(None, first, second).ratio() >= NAME_SIMILARITY


def pending_imports_dir() -> Path:
    """Where files checked on the upload page wait for confirmation, named by SHA-256."""
    return Path(settings.VAR_DIR) / "imports"


def pending_imports_purge(*, older_than: int) -> int:
    """Delete the files waiting for confirmation for more than `older_than` seconds
    (they hold personal data); returns how many were deleted."""
    directory = pending_imports_dir()
    if not directory.is_dir():
        return 0
    limit = time.time() - older_than
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
