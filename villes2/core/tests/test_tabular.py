"""Reading CSV and XLSX files for the importers (core/tabular.py): what is refused before
parsing, how rows are streamed and numbered, how headers are matched."""

import codecs
import datetime
import inspect
import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from villes2.core import tabular


def read(name: str, content: bytes, **kwargs) -> tuple[tabular.Table, list]:
    table = tabular.table_read(name, io.BytesIO(content), **kwargs)
    return table, list(table.rows)


def refusal(name: str, content: bytes, **kwargs) -> list[str]:
    with translation.override("fr"), pytest.raises(tabular.FileRefused) as raised:
        table = tabular.table_read(name, io.BytesIO(content), **kwargs)
        list(table.rows)
    return [str(problem) for problem in raised.value.problems]


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "a;b\r\n1;é\r\n".encode(),
        codecs.BOM_UTF8 + "a;b\r\n1;é\r\n".encode(),
        "a;b\r\n1;é\r\n".encode("cp1252"),
        "a,b\n1,é\n".encode(),
        "a\tb\n1\té\n".encode(),
    ],
)
def test_csv_encodings_and_separators(content):
    table, rows = read("f.csv", content)
    assert (table.header_line, table.header, rows) == (1, ["a", "b"], [(2, ["1", "é"])])


def test_csv_rows_are_streamed_numbered_and_blank_ones_left_out():
    content = b'\r\n\r\na;b\r\n1;"two\r\nlines"\r\n ; \r\n3;x\r\n'
    stream = io.BytesIO(content)
    table = tabular.table_read("f.csv", stream)
    assert inspect.isgenerator(table.rows)
    assert table.header_line == 3
    assert list(table.rows) == [(4, ["1", "two\r\nlines"]), (7, ["3", "x"])]
    assert not stream.closed  # the caller's stream is left open


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b" \r\n", "Le fichier est vide."),
        ("a;b".encode("utf-16"), "Ce fichier est du texte UTF-16"),
        (b"PK\x03\x04rest", "Ce fichier est un classeur (XLSX ou zip), pas un CSV"),
        (b"%PDF-1.4", "Ce fichier est un document PDF, pas un CSV."),
        (b"\xd0\xcf\x11\xe0" + bytes(8), "Ce fichier est un ancien classeur Excel (.xls)"),
        (b"a;b\r\n1;\x002", "Ce fichier n'est pas du texte"),
        (b"a;b\r\n1;2\r\n3;\x81\r\n", "Ligne 3 : Cette ligne n'est ni de l'UTF-8"),
        (codecs.BOM_UTF8 + b"a;b\r\n\xe9;2\r\n", "Ligne 2 : Cette ligne n'est ni de l'UTF-8"),
        (b'a;b\r\n1;2\r\n"3;4\r\n5;6\r\n', "Ligne 3 : Cette ligne n'est pas du CSV lisible"),
    ],
)
def test_csv_refusals(content, message):
    assert message in refusal("f.csv", content)[0]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused():
    assert refusal("f.ods", b"a;b") == [
        "Seuls les fichiers CSV et XLSX peuvent être importés : enregistrez le tableau au "
        "format « CSV UTF-8 » ou en classeur Excel (.xlsx)."
    ]


def test_xlsx_rows_keep_their_types_and_the_header_may_be_lower():
    content = xlsx(
        [
            [],
            ["a", "b", None],
            [1, datetime.datetime(2023, 6, 30), None],
            [None, None, None],
            ["x", 2.5, None],
        ]
    )
    table, rows = read("f.xlsx", content)
    assert (table.header_line, table.header) == (2, ["a", "b"])
    assert rows == [(3, [1, datetime.datetime(2023, 6, 30), None]), (5, ["x", 2.5, None])]


def test_xlsx_limits():
    with pytest.raises(tabular.TooManyRows):
        read("f.xlsx", xlsx([["a"]] + [[1]] * 5), max_physical_rows=3)
    assert refusal("f.xlsx", xlsx([[None]])) == ["La première feuille du classeur est vide."]


def _zip(members: dict[str, int], *, count: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _chunk in range(size // 1_048_576):
                    member.write(bytes(1_048_576))
                member.write(bytes(size % 1_048_576))
        for number in range(count):
            archive.writestr(f"x{number}", b"")
    return buffer.getvalue()


def test_zip_checks_come_before_any_inflation(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed although refused")

    monkeypatch.setattr(openpyxl, "load_workbook", must_not_parse)
    bomb = _zip({"xl/worksheets/sheet1.xml": 60 * 1_048_576})
    assert "trop de place une fois décompressé (60,0 Mo)" in refusal("f.xlsx", bomb)[0]
    ratio = _zip({"xl/sharedStrings.xml": 4 * 1_048_576})
    assert "trop de place" in refusal("f.xlsx", ratio)[0]
    # A larger allowance (the observation import's): still refused for its ratio.
    assert "trop de place" in refusal("f.xlsx", ratio, max_uncompressed=10**9)[0]
    many = _zip({}, count=tabular.MAX_ZIP_MEMBERS + 1)
    assert "n'est pas un classeur XLSX" in refusal("f.xlsx", many)[0]
    encrypted = bytearray(_zip({"a": 10}))
    encrypted[encrypted.find(b"PK\x01\x02") + 8] |= 0x1
    assert "n'est pas un classeur XLSX" in refusal("f.xlsx", bytes(encrypted))[0]
    assert "n'est pas un classeur XLSX" in refusal("f.xlsx", b"a;b\r\n1;2\r\n")[0]


def test_columns_are_matched_without_case_or_accents():
    mapping = tabular.columns_map(
        ["Période", "CODE", None, "valeur"],
        1,
        columns=["code", "periode", "valeur", "nom"],
        required=["code", "valeur"],
    )
    assert mapping == {0: "periode", 1: "code", 3: "valeur"}


def test_column_problems_are_all_reported():
    with translation.override("fr"), pytest.raises(tabular.FileRefused) as raised:
        tabular.columns_map(
            ["code", "couleur", "Code"], 4, columns=["code", "valeur"], required=["valeur"]
        )
    assert [str(problem) for problem in raised.value.problems] == [
        "Ligne 4 : Colonnes inconnues : couleur. Les colonnes possibles sont : code, valeur.",
        "Ligne 4 : Colonnes en double : Code.",
        "Ligne 4 : Colonnes obligatoires absentes : valeur.",
    ]


def test_too_many_columns_and_an_unknown_last_column_are_reported_not_raised():
    # The loop over the header once reused the name `header`: an unknown last column
    # with a column limit crashed (TypeError) instead of being reported.
    with translation.override("fr"), pytest.raises(tabular.FileRefused) as raised:
        tabular.columns_map(
            ["code", "valeur", "x1", "x2", "inconnue"],
            1,
            columns=["code", "valeur"],
            required=["code"],
            max_columns=4,
        )
    assert [str(problem) for problem in raised.value.problems] == [
        "Ligne 1 : Le fichier a trop de colonnes.",
        "Ligne 1 : Colonnes inconnues : x1, x2, inconnue. Les colonnes possibles sont : "
        "code, valeur.",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "oui"),
        (37261, "37261"),
        (12.0, "12"),
        (12.5, "12.5"),
        (datetime.datetime(2023, 6, 30), "2023-06-30"),
        (datetime.date(2023, 6, 30), "2023-06-30"),
        (" x ", "x"),
        ("'=1+1", "=1+1"),
        ("'abc", "'abc"),
    ],
)
def test_cell_text(value, text):
    assert tabular.cell_text(value) == text


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x"])
def test_cell_neutralise(value):
    assert tabular.cell_neutralise(value) == "'" + value
    assert tabular.cell_neutralise("Tours") == "Tours"
