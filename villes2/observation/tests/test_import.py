"""The import of indicator values: good files, every kind of bad file and bad line (each
ends with a line-numbered French report and an unchanged database), idempotence,
vintages, revisions, old commune codes."""

import datetime
import io
import logging
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from villes2.observation.models import (
    Aggregation,
    ImportBatch,
    ImportStatus,
    IndicatorType,
    IndicatorValue,
    Periodicity,
    ValueStatus,
)
from villes2.observation.services import imports as imports_module
from villes2.observation.services.imports import NumberError, number_parse, values_import
from villes2.territories.models import Territory

from .factories import IndicatorFactory, IndicatorValueFactory, SourceFactory

pytestmark = pytest.mark.django_db

HEADER = ["niveau", "code", "indicateur", "periode", "valeur"]
RATE_HEADER = [*HEADER, "numerateur", "denominateur"]


def csv_bytes(rows, *, delimiter=";", bom=True, encoding="utf-8") -> bytes:
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def source():
    return SourceFactory(code="source-de-test")


@pytest.fixture
def count(territories):
    return IndicatorFactory(code="logements-test", unit="logements")


@pytest.fixture
def rate(territories):
    return IndicatorFactory(code="taux-test", rate=True)


@pytest.fixture
def dated(territories):
    return IndicatorFactory(code="date-test", periodicity=Periodicity.DATE)


@pytest.fixture
def index(territories):
    return IndicatorFactory(
        code="indice-test", type=IndicatorType.INDEX, aggregation=Aggregation.NONE
    )


@pytest.fixture
def no_aggregation(monkeypatch):
    """The aggregation upward, recorded instead of run (tested with its service)."""
    calls = []

    def record(*, indicator, periods, **kwargs):
        calls.append((indicator.code, sorted(periods)))
        return 0

    monkeypatch.setattr(imports_module.aggregation, "values_aggregate_upward", record)
    return calls


def run(content: bytes, source, name: str = "valeurs.csv", **kwargs):
    with translation.override("fr"):
        return values_import(file_name=name, stream=io.BytesIO(content), source=source, **kwargs)


def territory(kind: str, code: str) -> Territory:
    return Territory.objects.get(kind=kind, code=code)


def snapshot():
    """Every value of the database, and the batches that wrote some."""
    values = IndicatorValue.objects.order_by("pk").values_list(
        "pk",
        "indicator_id",
        "territory_id",
        "period",
        "value",
        "numerator",
        "denominator",
        "status",
        "source_id",
        "geography",
        "computed",
    )
    return list(values), ImportBatch.objects.filter(status=ImportStatus.IMPORTED).count()


def problems(report) -> list[tuple]:
    return [(p.line, p.column) for p in report.errors]


def messages(report) -> list[str]:
    with translation.override("fr"):
        return [str(problem) for problem in report.errors]


def value_of(indicator, kind: str, code: str, year: int = 2023) -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator=indicator, territory__kind=kind, territory__code=code, period__year=year
    )


# --- Good files -------------------------------------------------------------------------


def test_a_good_file_imports_every_value(source, count, rate, no_aggregation):
    content = csv_bytes(
        [
            ["Niveau", "Code", "Indicateur", "Période", "Valeur", "Numérateur", "Dénominateur"],
            ["commune", "37261", "logements-test", "2023", "78 123", "", ""],
            ["Département", "37", "logements-test", "2023", "345\u00a0678", "", ""],
            ["epci", "243700754", "logements-test", "2023", "150\u202f000", "", ""],
            ["COMMUNE", "37261", "taux-test", "2023", "12,5 %", "125", "1000"],
            ["commune", "79191", "taux-test", "2023", "", "30", "120"],
            ["qpv", "QN03701I", "taux-test", "2024", "33.3", "", ""],
            ["Ancienne région", "24", "logements-test", "2023", "1234567,0", "", ""],
        ]
    )
    report = run(content, source, geography="COG 2026")
    assert report.ok, messages(report)
    assert (report.lines, report.created, report.updated, report.unchanged) == (7, 7, 0, 0)
    tours = value_of(count, "commune", "37261")
    assert (tours.value, tours.source, tours.geography, tours.computed) == (
        78123.0,
        source,
        "COG 2026",
        False,
    )
    assert tours.status == ValueStatus.FINAL
    assert value_of(count, "departement", "37").value == 345678.0
    assert value_of(count, "epci", "243700754").value == 150000.0
    assert value_of(count, "ancienne-region", "24").value == 1234567.0
    rate_tours = value_of(rate, "commune", "37261")
    assert (rate_tours.value, rate_tours.numerator, rate_tours.denominator) == (12.5, 125, 1000)
    assert value_of(rate, "commune", "79191").value == 25.0  # computed from 30 / 120
    assert value_of(rate, "qpv", "QN03701I", 2024).value == 33.3
    batch = report.batch
    assert (batch.status, batch.lines, batch.created, batch.source) == (
        ImportStatus.IMPORTED,
        7,
        7,
        source,
    )
    assert batch.sha256 == __import__("hashlib").sha256(content).hexdigest()
    # The aggregation upward runs for the indicators and periods of communal values.
    assert sorted(no_aggregation) == [
        ("logements-test", [datetime.date(2023, 1, 1)]),
        ("taux-test", [datetime.date(2023, 1, 1)]),
    ]


def test_columns_in_any_order_comma_separator_windows_1252_and_status(source, count, dated):
    rows = [
        ["statut", "valeur", "periode", "indicateur", "code", "niveau", "nom"],
        ["provisoire", "12", "2023", "logements-test", "37261", "commune", "Tours é"],
        ["Définitif", "13", "2023", "logements-test", "79191", "commune", "Niort"],
        ["", "14", "30/06/2023", "date-test", "37261", "commune", ""],
        ["", "15", "2023-12-31", "date-test", "79191", "commune", ""],
    ]
    content = csv_bytes(rows, delimiter=",", bom=False, encoding="cp1252")
    report = run(content, source)
    assert report.ok, messages(report)
    assert value_of(count, "commune", "37261").status == ValueStatus.PROVISIONAL
    assert value_of(count, "commune", "79191").status == ValueStatus.FINAL
    periods = sorted(
        IndicatorValue.objects.filter(indicator=dated).values_list("period", flat=True)
    )
    assert periods == [datetime.date(2023, 6, 30), datetime.date(2023, 12, 31)]


def test_an_xlsx_file_with_numbers_dates_and_codes_without_their_zeros(source, count, dated):
    content = xlsx_bytes(
        [
            HEADER,
            ["commune", 1001, "logements-test", 2023, 250],
            ["departement", 1, "logements-test", 2023, 1250.5],
            ["commune", "2a004", "logements-test", "2023", "73 000"],
            ["commune", 37261, "date-test", datetime.datetime(2023, 6, 30), 3],
            [None, None, None, None, None],
        ]
    )
    report = run(content, source, name="valeurs.xlsx")
    assert report.ok, messages(report)
    assert report.lines == 4
    assert value_of(count, "commune", "01001").value == 250
    assert value_of(count, "departement", "01").value == 1250.5
    assert value_of(count, "commune", "2A004").value == 73000
    assert IndicatorValue.objects.get(indicator=dated).period == datetime.date(2023, 6, 30)


def test_nd_and_secret_are_skipped_and_reported(source, count):
    content = csv_bytes(
        [
            HEADER,
            ["commune", "37261", "logements-test", "2023", "nd"],
            ["commune", "79191", "logements-test", "2023", "s"],
            ["commune", "86194", "logements-test", "2023", "5"],
        ]
    )
    report = run(content, source)
    assert report.ok
    assert (report.lines, report.created, report.skipped) == (3, 1, 2)
    with translation.override("fr"):
        assert [str(note) for note in report.notes] == [
            "Ligne 2, colonne « valeur » : Valeur non disponible (nd) : ligne ignorée.",
            "Ligne 3, colonne « valeur » : Secret statistique (s) : ligne ignorée.",
        ]
    assert [entry["level"] for entry in report.batch.report] == ["note", "note"]


# --- Idempotence, vintages, revisions ---------------------------------------------------

FILE_2022 = [
    HEADER,
    ["commune", "37261", "logements-test", "2022", "100"],
    ["commune", "79191", "logements-test", "2022", "200"],
]


def test_the_same_file_twice_changes_nothing(source, count, no_aggregation):
    first = run(csv_bytes(FILE_2022), source)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    before = snapshot()[0]
    with CaptureQueriesContext(connection) as queries:
        second = run(csv_bytes(FILE_2022), source)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert snapshot()[0] == before  # same rows, still from the first batch
    table = IndicatorValue._meta.db_table
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if table in query["sql"] and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []
    assert ImportBatch.objects.filter(sha256=second.sha256).count() == 2
    assert len(no_aggregation) == 1  # nothing changed the second time: nothing recomputed


def test_a_new_vintage_adds_values_and_a_revision_updates_one(source, count):
    run(csv_bytes(FILE_2022), source)
    report = run(
        csv_bytes(
            [
                HEADER,
                ["commune", "37261", "logements-test", "2023", "110"],
                ["commune", "79191", "logements-test", "2023", "210"],
            ]
        ),
        source,
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert IndicatorValue.objects.filter(indicator=count).count() == 4
    revision = csv_bytes(
        [
            HEADER,
            ["commune", "37261", "logements-test", "2022", "101"],
            ["commune", "79191", "logements-test", "2022", "200"],
        ]
    )
    report = run(revision, source)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert value_of(count, "commune", "37261", 2022).value == 101
    assert value_of(count, "commune", "37261", 2023).value == 110


def test_another_source_or_geography_is_an_update(source, count):
    run(csv_bytes(FILE_2022), source)
    other = SourceFactory(code="autre-source")
    report = run(csv_bytes(FILE_2022), other, geography="COG 2024")
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    tours = value_of(count, "commune", "37261", 2022)
    assert (tours.source, tours.geography) == (other, "COG 2024")


def test_an_imported_value_replaces_a_computed_one(source, count, no_aggregation):
    indre_et_loire = territory("departement", "37")
    IndicatorValueFactory(
        indicator=count, territory=indre_et_loire, value=999, computed=True, source=source
    )
    content = csv_bytes([HEADER, ["departement", "37", "logements-test", "2023", "999"]])
    report = run(content, source)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    value = value_of(count, "departement", "37")
    assert (value.value, value.computed) == (999, False)


def test_values_of_larger_territories_are_computed_after_the_import(source, count):
    """The real aggregation: an EPCI whose every commune has a value gets their sum."""
    epci = territory("epci", "200050532")
    communes = list(epci.children.filter(kind="commune").order_by("code"))
    rows = [HEADER] + [
        ["commune", commune.code, "logements-test", "2023", str(10 * (i + 1))]
        for i, commune in enumerate(communes)
    ]
    report = run(csv_bytes(rows), source)
    assert report.ok
    computed = value_of(count, "epci", "200050532")
    assert (computed.value, computed.computed) == (
        sum(10 * (i + 1) for i in range(len(communes))),
        True,
    )


# --- Old commune codes ------------------------------------------------------------------


def test_old_codes_of_one_commune_are_summed(source, count, rate, no_aggregation):
    """Coteaux-sur-Loire (37232) merged Saint-Patrice (37232), Ingrandes-de-Touraine
    (37120) and Saint-Michel-sur-Loire (37227)."""
    content = csv_bytes(
        [
            RATE_HEADER,
            ["commune", "37120", "logements-test", "2023", "300", "", ""],
            ["commune", "37232", "logements-test", "2023", "100", "", ""],
            ["commune", "37227", "logements-test", "2023", "200", "", ""],
            ["commune", "37120", "taux-test", "2023", "", "10", "100"],
            ["commune", "37227", "taux-test", "2023", "", "30", "100"],
            ["commune", "37235", "logements-test", "2023", "5", "", ""],
        ]
    )
    report = run(content, source)
    assert report.ok, messages(report)
    assert (report.lines, report.created, report.merged) == (6, 3, 5)
    assert value_of(count, "commune", "37232").value == 600
    merged_rate = value_of(rate, "commune", "37232")
    assert (merged_rate.value, merged_rate.numerator, merged_rate.denominator) == (20, 40, 200)
    assert value_of(count, "commune", "37261").value == 5  # 37235, an old code of Tours
    with translation.override("fr"):
        notes = [str(note) for note in report.notes]
    assert notes == [
        "Ligne 2, colonne « code » : Les lignes 2, 3, 4 donnent les codes (37120, 37232, 37227) "
        "de communes aujourd'hui fusionnées en une seule : leurs valeurs ont été combinées "
        "(Somme).",
        "Ligne 5, colonne « code » : Les lignes 5, 6 donnent les codes (37120, 37227) de communes "
        "aujourd'hui fusionnées en une seule : leurs valeurs ont été combinées (Rapport des "
        "sommes des numérateurs et des dénominateurs).",
    ]


def test_old_codes_that_cannot_be_combined_are_refused(source, rate, index):
    content = csv_bytes(
        [
            RATE_HEADER,
            ["commune", "37120", "indice-test", "2023", "100", "", ""],
            ["commune", "37227", "indice-test", "2023", "110", "", ""],
            ["commune", "37120", "taux-test", "2023", "10", "", ""],
            ["commune", "37227", "taux-test", "2023", "30", "", ""],
            ["commune", "37120", "taux-test", "2022", "10", "", ""],
            ["commune", "37120", "taux-test", "2022", "10", "", ""],
        ]
    )
    before = snapshot()
    report = run(content, source)
    assert problems(report) == [(3, "code"), (5, "numerateur"), (7, "")]
    assert messages(report)[2] == (
        "Ligne 7 : Cette ligne répète la ligne 6 (même territoire, même indicateur, même "
        "période) : gardez-en une seule."
    )
    assert snapshot() == before


# --- Bad lines --------------------------------------------------------------------------

BAD_LINES = [
    # (cells after the header, column, words of the French message)
    (["canton", "37261", "logements-test", "2023", "1"], "niveau", "Niveau de territoire inconnu"),
    (["", "37261", "logements-test", "2023", "1"], "niveau", "niveau de territoire"),
    (["commune", "99999", "logements-test", "2023", "1"], "code", "Aucune commune n'a le code"),
    (["departement", "999", "logements-test", "2023", "1"], "code", "de niveau « departement »"),
    (["commune", "", "logements-test", "2023", "1"], "code", "code du territoire manque"),
    (["commune", "37261", "inconnu", "2023", "1"], "indicateur", "Indicateur « inconnu » inconnu"),
    (["commune", "37261", "logements-test", "2023", "douze"], "valeur", "n'est pas un nombre"),
    (["commune", "37261", "logements-test", "2023", "1.234,5"], "valeur", "sans point"),
    (["commune", "37261", "logements-test", "2023", "1,234,567"], "valeur", "n'est pas un nombre"),
    (["commune", "37261", "logements-test", "2023", "12 34"], "valeur", "n'est pas un nombre"),
    (["commune", "37261", "logements-test", "2023", "1e999"], "valeur", "trop grand"),
    (["commune", "37261", "logements-test", "2023", "-5"], "valeur", "ne peut pas être négatif"),
    (["commune", "37261", "logements-test", "2023", ""], "valeur", "La valeur manque"),
    (["commune", "37261", "logements-test", "2023", "12 %"], "valeur", "n'est pas un nombre"),
    (["commune", "37261", "taux-test", "2023", "120"], "valeur", "entre 0 et 100"),
    (["commune", "37261", "taux-test", "2023", "-1"], "valeur", "entre 0 et 100"),
    (["commune", "37261", "taux-test", "2023", "", "120", "100"], "numerateur", "supérieur"),
    (["commune", "37261", "taux-test", "2023", "", "10", "0"], "denominateur", "supérieur à 0"),
    (["commune", "37261", "taux-test", "2023", "", "10", "-4"], "denominateur", "supérieur à 0"),
    (["commune", "37261", "taux-test", "2023", "", "10", ""], "denominateur", "les deux"),
    (["commune", "37261", "taux-test", "2023", "10", "", "100"], "numerateur", "les deux"),
    (["commune", "37261", "taux-test", "2023", "", "-1", "100"], "numerateur", "négatif"),
    (["commune", "37261", "taux-test", "2023", "50", "10", "100"], "valeur", "ne correspond pas"),
    (["commune", "37261", "logements-test", "2023", "5", "1", "2"], "numerateur", "Seul un taux"),
    (["commune", "37261", "logements-test", "2023-06-30", "5"], "periode", "annuel"),
    (["commune", "37261", "date-test", "2023", "5"], "periode", "sont datées"),
    (["commune", "37261", "logements-test", "23", "5"], "periode", "n'est pas une période"),
    (["commune", "37261", "date-test", "31/02/2023", "5"], "periode", "n'est pas une date"),
    (["commune", "37261", "logements-test", "1066", "5"], "periode", "pas plausible"),
    (["commune", "37261", "logements-test", "", "5"], "periode", "La période manque"),
    (["zus", "ZUS-37-01", "logements-test", "2020", "5"], "periode", "n'existait plus en 2020"),
    (["qpv", "QN03701I", "logements-test", "2020", "5"], "periode", "n'existait pas encore"),
    (["commune", "37261", "logements-test", "2023", "5", "", "", "peut-être"], "statut", "inconnu"),
]


@pytest.mark.parametrize(("cells", "column", "words"), BAD_LINES)
def test_each_bad_line_is_reported_and_nothing_is_written(
    source, count, rate, dated, cells, column, words
):
    header = [*RATE_HEADER, "statut"]
    good = ["commune", "79191", "logements-test", "2023", "5"]
    content = csv_bytes([header, good, cells])
    before = snapshot()
    report = run(content, source)
    assert problems(report) == [(3, column)]
    assert words in messages(report)[0]
    assert (report.lines, report.rejected, report.created) == (2, 1, 0)
    assert snapshot() == before
    batch = report.batch
    assert (batch.status, batch.rejected, batch.lines, batch.created) == (
        ImportStatus.REJECTED,
        1,
        2,
        0,
    )
    assert batch.report[0]["line"] == 3


def test_the_territory_messages_name_it(source, count):
    content = csv_bytes(
        [
            HEADER,
            ["zus", "ZUS-37-01", "logements-test", "2020", "5"],
            ["commune", "99999", "logements-test", "2023", "1"],
        ]
    )
    assert messages(run(content, source)) == [
        "Ligne 2, colonne « periode » : Le territoire La Verrerie (ZUS-37-01) n'existait plus en "
        "2020 : il a pris fin le 31/12/2014.",
        "Ligne 3, colonne « code » : Aucune commune n'a le code « 99999 », ni ne l'avait avant une "
        "fusion (les anciens codes, les communes déléguées et associées, les arrondissements "
        "ont été cherchés).",
    ]


def test_every_bad_line_is_reported_not_only_the_first(source, count):
    rows = [HEADER]
    rows += [["commune", "37261", "logements-test", str(2000 + i), "x"] for i in range(5)]
    rows += [["commune", "37261", "logements-test", "2023", "5"]]
    rows += [["commune", "37261", "logements-test", "2023", "6"]]
    before = snapshot()
    report = run(csv_bytes(rows), source)
    assert problems(report) == [
        (2, "valeur"),
        (3, "valeur"),
        (4, "valeur"),
        (5, "valeur"),
        (6, "valeur"),
        (8, ""),
    ]
    assert "répète la ligne 7" in messages(report)[-1]
    assert snapshot() == before


def test_the_report_keeps_a_thousand_problems_and_counts_the_others(source, count):
    rows = [HEADER] + [["commune", "37261", "inconnu", "2023", "1"]] * 1200
    before = snapshot()
    report = run(csv_bytes(rows), source)
    assert (report.rejected, report.error_count, len(report.errors)) == (1200, 1200, 1000)
    assert snapshot() == before
    stored = report.batch.report
    assert len(stored) == 1001
    assert stored[-1]["message"] == "… et 200 autres erreurs, non listées."


def test_a_cell_in_a_column_without_header_is_an_error(source, count):
    content = csv_bytes(
        [
            [*HEADER, ""],
            ["commune", "37261", "logements-test", "2023", "5", "oups"],
            ["commune", "79191", "logements-test", "2023", "5", "", "encore"],
        ]
    )
    report = run(content, source)
    assert problems(report) == [(2, ""), (3, "")]
    assert "colonne n° 6" in messages(report)[0]
    assert "colonne n° 7" in messages(report)[1]


def test_a_rejected_import_is_logged(source, count, caplog):
    with caplog.at_level(logging.INFO, logger="villes2.security"):
        report = run(csv_bytes([HEADER, ["commune", "1", "x", "2023", "1"]]), source)
    assert [record.getMessage() for record in caplog.records] == [
        f"values import rejected user=None source=source-de-test sha256={report.sha256} "
        "lines=1 rejected=1 errors=2"
    ]


# --- Bad files --------------------------------------------------------------------------


def _zip(members: dict[str, int]) -> bytes:
    """A zip whose members are that many zero bytes each: they deflate about 1 000×."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _chunk in range(size // 1_048_576):
                    member.write(bytes(1_048_576))
                member.write(bytes(size % 1_048_576))
    return buffer.getvalue()


def _encrypted_xlsx() -> bytes:
    encrypted = bytearray(xlsx_bytes([HEADER]))
    start = encrypted.find(b"PK\x01\x02")  # first central directory entry: flag bits at +8
    encrypted[start + 8] |= 0x1
    return bytes(encrypted)


GOOD_LINE = ["commune", "37261", "logements-test", "2023", "5"]
BAD_FILES = [
    ("valeurs.csv", b"", "Le fichier est vide."),
    ("valeurs.csv", b"  \r\n\r\n", "Le fichier est vide."),
    ("valeurs.txt", csv_bytes([HEADER, GOOD_LINE]), "Seuls les fichiers CSV et XLSX"),
    ("valeurs.csv", csv_bytes([HEADER]), "Ligne 1 : Le fichier a une ligne d'en-tête mais"),
    ("valeurs.csv", "niveau;code\r\n".encode("utf-16"), "UTF-16"),
    ("valeurs.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "ancien classeur Excel"),
    ("valeurs.csv", b"%PDF-1.7\n%%EOF", "document PDF"),
    ("valeurs.csv", b"niveau;code\x00\x01\x02", "n'est pas du texte"),
    ("valeurs.csv", xlsx_bytes([HEADER, GOOD_LINE]), "classeur (XLSX ou zip)"),
    ("valeurs.csv", b"niveau;code\r\ncommune;\x81\x8d\xe9\r\n", "Ligne 2 : Cette ligne n'est"),
    ("valeurs.xlsx", csv_bytes([HEADER, GOOD_LINE]), "n'est pas un classeur XLSX"),
    ("valeurs.xlsx", _encrypted_xlsx(), "n'est pas un classeur XLSX"),
    ("valeurs.xlsx", xlsx_bytes([[None]]), "La première feuille du classeur est vide."),
    (
        "valeurs.csv",
        csv_bytes([HEADER, GOOD_LINE]) + b'commune;"37261;logements-test;2023;5\r\n',
        "Ligne 3 : Cette ligne n'est pas du CSV lisible",
    ),
    (
        "valeurs.csv",
        csv_bytes([["niveau", "code", "indicator", "periode", "valeur", "code", "couleur"]]),
        "Ligne 1 : Colonnes inconnues : indicator, couleur.",
    ),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_french_message(source, count, name, content, words):
    before = snapshot()
    report = run(content, source, name=name)
    assert not report.ok
    assert words in " / ".join(messages(report))
    assert snapshot() == before
    assert report.batch.status == ImportStatus.REJECTED


def test_wrong_columns_are_all_named(source):
    content = csv_bytes([["niveau", "code", "indicator", "periode", "code", "couleur"]])
    assert messages(run(content, source)) == [
        "Ligne 1 : Colonnes inconnues : indicator, couleur. Les colonnes possibles sont : "
        "niveau, code, indicateur, periode, valeur, numerateur, denominateur, statut, nom.",
        "Ligne 1 : Colonnes en double : code.",
        "Ligne 1 : Colonnes obligatoires absentes : indicateur, valeur.",
    ]


def test_the_size_cap_is_checked_before_parsing(source, count, monkeypatch, settings):
    settings.OBSERVATION_IMPORT_MAX_BYTES = 1_048_576
    monkeypatch.setattr(imports_module.tabular, "table_read", _must_not_be_called)
    content = csv_bytes([HEADER] + [GOOD_LINE] * 40_000)  # 1,4 Mo
    before = snapshot()
    report = run(content, source)
    assert messages(report) == [
        "Le fichier est trop volumineux (1,4 Mo) ; la limite est de 1,0 Mo : découpez-le."
    ]
    assert snapshot() == before
    monkeypatch.undo()
    report = run(content, source, max_bytes=2_000_000)  # the command's --max-size
    assert problems(report)[0] == (3, "")  # read: the second line repeats the first


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("parsed although refused")


@pytest.mark.parametrize(
    "members",
    [
        # 60 MB once inflated, from a file of about 60 kB: over the limit for 1 MB files.
        {"[Content_Types].xml": 100, "xl/worksheets/sheet1.xml": 60 * 1_048_576},
        # Under the total, but a ratio no workbook has.
        {"[Content_Types].xml": 100, "xl/sharedStrings.xml": 4 * 1_048_576},
    ],
)
def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(source, monkeypatch, settings, members):
    settings.OBSERVATION_IMPORT_MAX_BYTES = 1_048_576
    content = _zip(members)
    assert len(content) < 100_000
    monkeypatch.setattr(openpyxl, "load_workbook", _must_not_be_called)
    before = snapshot()
    report = run(content, source, name="bombe.xlsx")
    assert len(report.errors) == 1
    assert "trop de place une fois décompressé" in report.errors[0].message
    assert snapshot() == before


def test_a_broken_workbook_is_refused_cleanly(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
    report = run(buffer.getvalue(), source, name="valeurs.xlsx")
    assert messages(report) == [
        "Ce classeur est illisible : enregistrez-le de nouveau depuis le tableur au format "
        ".xlsx, ou au format « CSV UTF-8 »."
    ]


def test_a_database_error_while_writing_leaves_nothing(source, count, monkeypatch):
    from django.db import DatabaseError

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(imports_module, "_aggregate", fail)
    before = snapshot()
    report = run(csv_bytes(FILE_2022), source)
    assert messages(report) == [
        "Les valeurs n'ont pas pu être écrites : rien n'a été écrit. Réessayez plus tard."
    ]
    assert snapshot() == before
    assert report.batch.status == ImportStatus.REJECTED


# --- French numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1234", 1234.0),
        ("1234.5", 1234.5),
        ("1234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234\u00a0567,25", 1234567.25),
        ("1\u202f234", 1234.0),
        ("-3,5", -3.5),
        ("\u22123", -3.0),
        (" 7 ", 7.0),
        ("1,5E+03", 1500.0),
    ],
)
def test_french_numbers(text, number):
    assert number_parse(text) == number


def test_a_percent_sign_only_for_rates():
    assert number_parse("12,5 %", percent=True) == 12.5
    with pytest.raises(NumberError):
        number_parse("12,5 %")


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False))
def test_a_number_written_the_french_way_reads_back(number):
    integer, _dot, decimals = f"{abs(number):f}".partition(".")
    groups = f"{int(integer):,}".replace(",", "\u202f")
    text = ("-" if number < 0 else "") + groups + ("," + decimals if decimals else "")
    assert number_parse(text) == pytest.approx(float(number), abs=1e-9)


def test_every_problem_of_a_bad_line_is_reported(source, count, rate):
    content = csv_bytes(
        [
            [*RATE_HEADER, "statut"],
            ["commune", "99999", "inconnu", "2023", "douze", "", "", ""],
            ["commune", "99999", "logements-test", "2023", "-5", "", "", ""],
            ["commune", "37261", "taux-test", "2023", "150", "", "", "peut-être"],
            ["commune", "37261", "logements-test", "2023", "", "", "", "peut-être"],
            ["commune", "79191", "logements-test", "2023", "nd", "", "", "peut-être"],
        ]
    )
    report = run(content, source)
    assert problems(report) == [
        (2, "code"),
        (2, "indicateur"),
        (3, "code"),
        (3, "valeur"),
        (4, "valeur"),
        (4, "statut"),
        (5, "valeur"),
        (5, "statut"),
        (6, "statut"),
    ]
    assert (report.rejected, report.skipped, report.notes) == (5, 0, [])


def test_no_query_per_line(source, count, no_aggregation):
    def queries_for(lines: int, year: str) -> int:
        communes = Territory.objects.filter(kind="commune").order_by("code")[:lines]
        rows = [HEADER] + [["commune", c.code, "logements-test", year, "1"] for c in communes]
        with CaptureQueriesContext(connection) as queries:
            assert run(csv_bytes(rows), source).created == lines
        return len(queries.captured_queries)

    assert queries_for(300, "2021") == queries_for(3, "2022")
