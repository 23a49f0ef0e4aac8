"""CSV import of catalogue records.

Every line is read and checked before anything is written, so that every bad cell is
reported with its line, column and a French message, and nothing is written if one is
bad (RELIABILITY.md, "clean rejections"). Then one transaction saves the records through
`document_save`, so each is indexed as it is written. A record that looks like one
already in the catalogue, or like another line (same title and year), is a warning shown
before the import is confirmed. Columns: docs/documents.md, section "CSV import".
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from villes2.actors.models import Organisation, Person
from villes2.core import tabular
from villes2.core.tabular import ImportProblem
from villes2.core.text import normalize_for_search
from villes2.taxonomy.models import Concept, Label
from villes2.territories.models import Territory
from villes2.territories.selectors import territory_canonical, territory_find

from ..duplicates import documents_by_title_year, title_key
from ..models import Access, Document, DocumentAuthor, DocumentType, Language, Licence, Status
from .records import AuthorInput, document_save

logger = logging.getLogger(__name__)
security_log = logging.getLogger("villes2.security")

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 20_000
MULTI_SEPARATOR = ";"
MULTI_LINE_COLUMNS = {"resume"}
CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
YEAR = re.compile(r"^\d{4}$")
UNEXPECTED_ERROR = gettext_noop(
    "The file could not be checked because of an unexpected error, recorded for the "
    "developers: nothing was written."
)


class Column(NamedTuple):
    header: str
    description: str
    required: bool = False


# Descriptions are marked for translation and translated when shown (`column_rows`).
COLUMNS: tuple[Column, ...] = (
    Column("titre", gettext_noop("title"), required=True),
    Column("sous_titre", gettext_noop("subtitle")),
    Column(
        "type",
        gettext_noop("kind of record: its code (rapport) or its label (Rapport)"),
        required=True,
    ),
    Column("annee", gettext_noop("year of publication, 4 digits"), required=True),
    Column("date_publication", gettext_noop("full date if known: DD/MM/YYYY or YYYY-MM-DD")),
    Column("editeur", gettext_noop("publisher")),
    Column("langue", gettext_noop("language: fr, en… or its name; French when empty")),
    Column("resume", gettext_noop("abstract")),
    Column(
        "auteurs",
        gettext_noop(
            "authors separated by « ; »: “Last name, First name” or an organisation's name "
            "or acronym; matched to the directory, else kept as written"
        ),
    ),
    Column(
        "descripteurs",
        gettext_noop("thesaurus descriptors separated by « ; » (preferred or alternative label)"),
    ),
    Column(
        "territoires",
        gettext_noop(
            "territory codes separated by « ; »: 37261, QN03701M, departement:37, epci:243700754"
        ),
    ),
    Column("url", gettext_noop("http(s) address of the document online")),
    Column("licence", gettext_noop("licence: its code (cc-by-4.0) or its label")),
    Column("acces", gettext_noop("public or equipe (staff only); public when empty")),
    Column("statut", gettext_noop("brouillon (draft) or publie (published); draft when empty")),
)
HEADERS = tuple(column.header for column in COLUMNS)
FIELD_COLUMNS = {
    "title": "titre",
    "subtitle": "sous_titre",
    "doc_type": "type",
    "year": "annee",
    "published_on": "date_publication",
    "publisher": "editeur",
    "language": "langue",
    "abstract": "resume",
    "url": "url",
    "licence": "licence",
    "access": "acces",
    "status": "statut",
}


@dataclass
class DocumentImportReport:
    """What an import did, or would do for a dry run."""

    file_name: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, line: int | None, column: str, message: Any) -> None:
        self.errors.append(ImportProblem(line, column, str(message)))

    def warn(self, line: int | None, column: str, message: Any) -> None:
        self.warnings.append(ImportProblem(line, column, str(message)))

    def lines(self) -> list[str]:
        """The report as French text, for the command line."""
        lines = [
            _("File %(file)s, lines read: %(rows)s.") % {"file": self.file_name, "rows": self.rows}
        ]
        if self.ok:
            if self.dry_run:
                lines.append(_("Dry run: nothing was written."))
                lines.append(_("Records to create: %(count)s.") % {"count": self.created})
            else:
                lines.append(_("Records created: %(count)s.") % {"count": self.created})
            if self.skipped:
                lines.append(
                    _("Lines skipped, already in the catalogue: %(count)s.")
                    % {"count": self.skipped}
                )
        if self.warnings:
            lines.append(_("Warnings (%(count)s):") % {"count": len(self.warnings)})
            lines += [f"  {warning}" for warning in self.warnings]
        if self.errors:
            count = len(self.errors)
            lines.append(_("Errors (%(count)s): nothing was written.") % {"count": count})
            lines += [f"  {error}" for error in self.errors]
        return lines


def document_import_max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def column_rows() -> list[tuple[str, bool, str]]:
    """(header, required, description in the active language) of each column."""
    return [(column.header, column.required, _(column.description)) for column in COLUMNS]


def csv_template() -> bytes:
    """An empty file with the headers: a BOM and semicolons, what French Excel opens in
    columns with accents intact."""
    return ("\ufeff" + ";".join(HEADERS) + "\r\n").encode("utf-8")


def document_import(
    *, file_name: str, content: bytes, user=None, dry_run: bool = False
) -> DocumentImportReport:
    """Import records from a CSV file. Never raises on a bad file: the report lists every
    problem. Writes nothing unless every line is good and `dry_run` is false; then
    creates every record in one transaction."""
    report = DocumentImportReport(
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        dry_run=dry_run,
    )
    planner = _Planner(report)
    try:
        table = _read_csv(content)
        mapping = _map_columns(table)
    except _FileRefused as refusal:
        report.errors += refusal.problems
        _log_rejection(report, user)
        return report
    report.rows = len(table.rows)
    try:
        for line, cells in table.rows:
            values = _row_values(line, cells, mapping, report)
            planner.plan_row(line, values)
        planner.finish()
    except Exception:  # a bug must not become a 500 nor a partial import: say so, log it
        logger.exception("document import check failed sha256=%s", report.sha256)
        report.error(None, "", _(UNEXPECTED_ERROR))
    report.errors.sort(key=lambda problem: problem.line or 0)
    report.warnings.sort(key=lambda problem: problem.line or 0)
    if not report.ok:
        _log_rejection(report, user)
        return report
    report.created = len(planner.planned)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            report.documents = planner.write(user)
    except (DatabaseError, ValidationError):
        security_log.exception("document import failed sha256=%s", report.sha256)
        report.error(
            None, "", _("The catalogue could not be written: nothing was written. Try again later.")
        )
        report.created = 0
        report.documents = []
        return report
    security_log.info(
        "document import user=%s sha256=%s created=%s",
        getattr(user, "pk", None),
        report.sha256,
        report.created,
    )
    return report


def _log_rejection(report: DocumentImportReport, user) -> None:
    security_log.info(
        "document import rejected user=%s sha256=%s errors=%s dry_run=%s",
        getattr(user, "pk", None),
        report.sha256,
        len(report.errors),
        report.dry_run,
    )


# --- Reading the file -------------------------------------------------------------------

# Reading and refusing files is shared with the other importers (core/tabular.py).
_FileRefused = tabular.FileRefused
_refused = tabular.refused


@dataclass
class _Table:
    header_line: int
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _read_csv(content: bytes) -> _Table:
    limit = document_import_max_bytes()
    if len(content) > limit:
        raise _refused(
            _("This file is larger than %(size)s: split it.") % {"size": tabular.megabytes(limit)}
        )
    if not content.strip():
        raise _refused(_("The file is empty."))
    # This import takes CSV only: a workbook is refused with words of its own.
    if content.startswith(b"PK\x03\x04"):
        raise _refused(_("This file is a workbook (XLSX), not CSV: save it as “CSV UTF-8”."))
    if content.startswith(b"\xd0\xcf\x11\xe0"):  # an old .xls
        raise _refused(_("This file is not text: save the spreadsheet as “CSV UTF-8”."))
    table = tabular.csv_table(io.BytesIO(content), delimiters=(";", ","))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in table.rows:
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise _refused(
                    _("The file has more than %(max)s lines: split it.")
                    % {"max": formats.number_format(MAX_ROWS, force_grouping=True)}
                )
    finally:
        table.close()
    header = table.header
    while header and not header[-1].strip():
        header.pop()
    if not rows:
        raise _refused(_("The file has a header line but no entries."), line=table.header_line)
    return _Table(table.header_line, header, rows)


def _map_columns(table: _Table) -> dict[int, str]:
    """{cell index: column header}; headers are matched ignoring case and accents."""
    return tabular.columns_map(
        table.header,
        table.header_line,
        columns=HEADERS,
        required=[column.header for column in COLUMNS if column.required],
        max_columns=MAX_COLUMNS,
    )


def _row_values(
    line: int, cells: list[str], mapping: dict[int, str], report: DocumentImportReport
) -> dict[str, str | None]:
    """{column header: text}, with None for a bad cell (already reported)."""
    values: dict[str, str | None] = dict.fromkeys(mapping.values(), "")
    for index, cell in enumerate(cells):
        header = mapping.get(index, "")
        text = cell.strip()
        if not text:
            continue
        if not header:
            report.error(
                line,
                "",
                _("A value is in column %(number)s, which has no header.") % {"number": index + 1},
            )
        elif len(text) > MAX_CELL_CHARS:
            report.error(
                line,
                header,
                _("This cell is too long (%(length)s characters; at most %(max)s).")
                % {"length": len(text), "max": MAX_CELL_CHARS},
            )
            values[header] = None
        elif _has_control_characters(text, multi_line=header in MULTI_LINE_COLUMNS):
            report.error(
                line,
                header,
                _(
                    "The column “%(column)s” must hold a single line of text: remove the line "
                    "break, tab or other control character."
                )
                % {"column": header}
                if header not in MULTI_LINE_COLUMNS
                else _(
                    "The column “%(column)s” may hold line breaks but no other control "
                    "character (tab…): remove it."
                )
                % {"column": header},
            )
            values[header] = None
        else:
            values[header] = text
    return values


def _has_control_characters(text: str, *, multi_line: bool) -> bool:
    allowed = "\n\r" if multi_line else ""
    return any(
        unicodedata.category(char) in CONTROL_CATEGORIES and char not in allowed for char in text
    )


# --- Checking the lines -----------------------------------------------------------------


def _choice_lookup(choices) -> dict[str, str]:
    """{normalised value, English label or French label: value} of a TextChoices."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[normalize_for_search(value)] = value
        for language in ("en", "fr"):
            with translation.override(language):
                lookup.setdefault(normalize_for_search(str(label)), value)
    return lookup


@dataclass
class _Planned:
    line: int
    document: Document
    authors: list[AuthorInput]
    descriptors: list[Concept]
    territories: list[Territory]


class _Planner:
    def __init__(self, report: DocumentImportReport):
        self.report = report
        self.planned: list[_Planned] = []
        self._choices = {
            "type": _choice_lookup(DocumentType),
            "langue": _choice_lookup(Language),
            "licence": _choice_lookup(Licence),
            "acces": _choice_lookup(Access),
            "statut": _choice_lookup(Status),
        }
        # Common ways of writing them that are not their code nor their label.
        self._choices["acces"].update({"equipe": Access.STAFF, "interne": Access.STAFF})
        self._choices["statut"].update({"publie": Status.PUBLISHED, "brouillon": Status.DRAFT})
        self._concepts: dict[str, set[int]] | None = None
        self._concepts_by_pk: dict[int, Concept] = {}
        self._territories: dict[str, list[Territory]] = {}
        self._authors: dict[str, AuthorInput] = {}
        self._seen: dict[tuple[str, int], int] = {}  # (title, year) → first line

    def plan_row(self, line: int, values: dict[str, str | None]) -> None:
        errors_before = len(self.report.errors)
        title = values.get("titre")
        if title == "":
            self.report.error(line, "titre", _("The title is required."))
        doc_type = self._choice(line, "type", values.get("type"), required=True)
        published_on = self._date(line, values.get("date_publication"))
        year = self._year(line, values.get("annee"), published_on)
        document = Document(
            title=title or "",
            subtitle=values.get("sous_titre") or "",
            doc_type=doc_type or "",
            year=year,
            published_on=published_on,
            publisher=values.get("editeur") or "",
            language=self._choice(line, "langue", values.get("langue")) or Language.FRENCH,
            abstract=values.get("resume") or "",
            url=values.get("url") or "",
            licence=self._choice(line, "licence", values.get("licence")) or "",
            access=self._choice(line, "acces", values.get("acces")) or Access.PUBLIC,
            status=self._choice(line, "statut", values.get("statut")) or Status.DRAFT,
        )
        authors = self._author_list(line, values.get("auteurs"))
        descriptors = self._descriptor_list(line, values.get("descripteurs"))
        territories = self._territory_list(line, values.get("territoires"))
        self._validate(line, document)
        if len(self.report.errors) == errors_before:
            self.planned.append(_Planned(line, document, authors, descriptors, territories))
            if title and year:
                self._check_repeated(line, title, year)

    def _check_repeated(self, line: int, title: str, year: int) -> None:
        key = (title_key(title), year)
        first = self._seen.setdefault(key, line)
        if first != line:
            self.report.warn(
                line,
                "titre",
                _("Line %(line)s has the same title and year: is it the same record?")
                % {"line": first},
            )

    def finish(self) -> None:
        """Skip the lines whose record is already in the catalogue (same title once
        case, accents and punctuation are ignored, same year): importing a file twice
        changes nothing. To change such a record, edit it in the back office."""
        years = {item.document.year for item in self.planned}
        existing = documents_by_title_year(years)
        kept = []
        for item in self.planned:
            key = (title_key(item.document.title), item.document.year)
            found = existing.get(key, [])
            if not found:
                kept.append(item)
                continue
            self.report.skipped += 1
            self.report.warn(
                item.line,
                "titre",
                _(
                    "Already in the catalogue (no. %(number)s, same title and year): line "
                    "skipped. Edit that record in the back office to change it."
                )
                % {"number": found[0].pk},
            )
        self.planned = kept

    def _choice(self, line: int, column: str, text: str | None, *, required=False) -> str | None:
        if text is None:
            return None
        if text == "":
            if required:
                self.report.error(line, column, _("This column is required."))
            return None
        value = self._choices[column].get(normalize_for_search(text))
        if value is None:
            allowed = sorted(set(self._choices[column].values()))
            self.report.error(
                line,
                column,
                _("Unknown value “%(value)s”; expected one of: %(allowed)s.")
                % {"value": text[:60], "allowed": ", ".join(allowed)},
            )
        return value

    def _date(self, line: int, text: str | None) -> datetime.date | None:
        if not text:
            return None
        match = FRENCH_DATE.match(text) or ISO_DATE.match(text)
        if match:
            parts = [int(part) for part in match.groups()]
            day, month, year = parts if match.re is FRENCH_DATE else reversed(parts)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
        self.report.error(
            line,
            "date_publication",
            _("Write the date as DD/MM/YYYY or YYYY-MM-DD (e.g. 29/05/2007)."),
        )
        return None

    def _year(self, line: int, text: str | None, published_on: datetime.date | None):
        if text is None:
            return None
        if text == "":
            if published_on is not None:
                return published_on.year
            self.report.error(line, "annee", _("The year is required."))
            return None
        if not YEAR.match(text) or not 1800 <= int(text) <= 2200:
            self.report.error(line, "annee", _("Write the year with 4 digits, e.g. 2015."))
            return None
        year = int(text)
        if published_on is not None and published_on.year != year:
            self.report.error(
                line,
                "date_publication",
                _("This date is not in the year given in the column annee (%(year)s).")
                % {"year": year},
            )
        return year

    def _split(self, text: str) -> list[str]:
        items: list[str] = []
        for part in text.split(MULTI_SEPARATOR):
            part = part.strip()
            if part and part not in items:
                items.append(part)
        return items

    def _author_list(self, line: int, text: str | None) -> list[AuthorInput]:
        if not text:
            return []
        authors = []
        max_length = DocumentAuthor._meta.get_field("name").max_length
        for item in self._split(text):
            if len(item) > max_length:
                self.report.error(
                    line,
                    "auteurs",
                    _("This author's name is too long (%(max)s characters at most): %(name)s…")
                    % {"name": item[:40], "max": max_length},
                )
                continue
            authors.append(self._author(item))
        return authors

    def _author(self, item: str) -> AuthorInput:
        """A person of the directory ("Last, First"), else an organisation (name or
        acronym), else the name as written. Only an unambiguous match links."""
        if item in self._authors:
            return self._authors[item]
        author = AuthorInput(name=item)
        if "," in item:
            last, _sep, first = item.partition(",")
            sort_name = normalize_for_search(f"{last} {first}")
            persons = list(
                Person.objects.filter(sort_name=sort_name).values_list("pk", flat=True)[:2]
            )
            if len(persons) == 1:
                author = AuthorInput(person_id=persons[0])
        if author.person_id is None:
            key = normalize_for_search(item)
            organisations = list(
                Organisation.objects.filter(sort_name=key).values_list("pk", flat=True)[:2]
            )
            if not organisations and key:
                organisations = list(
                    Organisation.objects.filter(acronym__iexact=item).values_list("pk", flat=True)[
                        :2
                    ]
                )
            if len(organisations) == 1:
                author = AuthorInput(organisation_id=organisations[0])
        self._authors[item] = author
        return author

    def _concept_index(self) -> dict[str, set[int]]:
        """{normalised label: concept ids}: preferred labels first, then alternative and
        hidden labels; deprecated concepts are not proposed."""
        if self._concepts is None:
            preferred: dict[str, set[int]] = {}
            others: dict[str, set[int]] = {}
            concepts = Concept.objects.filter(deprecated=False).select_related("scheme")
            for concept in concepts:
                self._concepts_by_pk[concept.pk] = concept
                for label in (concept.pref_label_fr, concept.pref_label_en):
                    if label:
                        preferred.setdefault(normalize_for_search(label), set()).add(concept.pk)
            for concept_id, text in Label.objects.filter(concept__deprecated=False).values_list(
                "concept_id", "text"
            ):
                others.setdefault(normalize_for_search(text), set()).add(concept_id)
            self._concepts = {**others, **preferred}
        return self._concepts

    def _descriptor_list(self, line: int, text: str | None) -> list[Concept]:
        if not text:
            return []
        index = self._concept_index()
        found: list[Concept] = []
        unknown: list[str] = []
        for item in self._split(text):
            ids = index.get(normalize_for_search(item), set())
            if not ids:
                unknown.append(item[:60])
            elif len(ids) > 1:
                concepts = sorted(
                    (self._concepts_by_pk[pk] for pk in ids if pk in self._concepts_by_pk),
                    key=lambda concept: concept.pk,
                )
                self.report.error(
                    line,
                    "descripteurs",
                    _(
                        "“%(label)s” names several concepts (%(concepts)s): write its "
                        "preferred label."
                    )
                    % {
                        "label": item[:60],
                        "concepts": ", ".join(
                            f"{concept.pref_label_fr} ({concept.scheme.title})"
                            for concept in concepts
                        ),
                    },
                )
            else:
                concept = self._concepts_by_pk.get(next(iter(ids)))
                if concept is None:
                    concept = Concept.objects.get(pk=next(iter(ids)))
                if concept not in found:
                    found.append(concept)
        if unknown:
            self.report.error(
                line,
                "descripteurs",
                _("Unknown descriptors (not in the thesaurus): %(labels)s.")
                % {"labels": ", ".join(f"« {label} »" for label in unknown)},
            )
        return found

    def _territory_list(self, line: int, text: str | None) -> list[Territory]:
        if not text:
            return []
        found: list[Territory] = []
        unknown: list[str] = []
        ambiguous: list[str] = []
        for item in self._split(text):
            matches = self._territory(item)
            if not matches:
                unknown.append(item[:40])
            elif len(matches) > 1:
                ambiguous.append(
                    _("%(code)s (%(kinds)s)")
                    % {
                        "code": item[:40],
                        "kinds": ", ".join(f"{t.kind}:{t.code}" for t in matches),
                    }
                )
            elif matches[0] not in found:
                found.append(matches[0])
        if unknown:
            self.report.error(
                line,
                "territoires",
                _(
                    "Unknown territories: %(codes)s (expected an INSEE or QPV code, or "
                    "kind:code, e.g. 37261, QN03701M, departement:37)."
                )
                % {"codes": ", ".join(unknown)},
            )
        if ambiguous:
            self.report.error(
                line,
                "territoires",
                _("These codes name several territories: %(codes)s. Write kind:code.")
                % {"codes": "; ".join(ambiguous)},
            )
        return found

    def _territory(self, item: str) -> list[Territory]:
        if item not in self._territories:
            kind, separator, code = item.partition(":")
            if separator:
                kind = normalize_for_search(kind).replace(" ", "-")
                code = code.strip()
                territory = None
                if kind and code:
                    territory = territory_find(kind=kind, code=code) or territory_canonical(
                        kind=kind, code=code
                    )
                matches = [territory] if territory else []
            else:
                code = item.strip().upper()
                matches = list(Territory.objects.filter(code=code).order_by("kind")[:5])
                if not matches:
                    alias = territory_canonical(kind="commune", code=code)
                    matches = [alias] if alias else []
            self._territories[item] = matches
        return self._territories[item]

    def _validate(self, line: int, document: Document) -> None:
        """The model's own checks (lengths, address, constraints), reported on the
        columns this line has no error on yet."""
        reported = {problem.column for problem in self.report.errors if problem.line == line}
        try:
            document.full_clean(exclude=["descriptors", "territories"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = FIELD_COLUMNS.get(name, "")
                if column and column in reported:
                    continue
                if not column and name != "__all__":
                    continue  # a field no column sets, already reported through its cause
                if column == "" and reported:
                    continue  # a constraint on a value already reported
                self.report.error(line, column, " ".join(messages))

    # Writing: inside the transaction, only if every line was good.

    def write(self, user) -> list[Document]:
        reason = _("CSV import of %(date)s (file %(file)s)") % {
            "date": timezone.localdate().strftime("%d/%m/%Y"),
            "file": self.report.sha256[:8],
        }
        written = []
        for item in self.planned:
            document = item.document
            document._change_reason = reason
            document._history_user = user if getattr(user, "pk", None) else None
            document_save(
                document,
                descriptors=item.descriptors,
                territories=item.territories,
                authors=item.authors,
                user=user,
            )
            written.append(document)
        return written
