"""The collection template: CSV and XLSX files, documented, formula-safe, and a copy
filled in by a partner imports."""

import io

import openpyxl
import pytest
from django.utils import translation

from villes2.observation.collection import collection_template_csv, collection_template_xlsx
from villes2.observation.models import IndicatorValue
from villes2.observation.services.imports import COLUMNS, values_import

from .factories import IndicatorFactory, SourceFactory

pytestmark = pytest.mark.django_db


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_csv_template_is_the_header_for_french_excel():
    content = collection_template_csv()
    assert (
        content
        == (
            "\ufeffniveau;code;indicateur;periode;valeur;numerateur;denominateur;statut;nom\r\n"
        ).encode()
    )


def test_the_xlsx_template_documents_columns_indicators_and_territories(
    territories, django_assert_num_queries
):
    IndicatorFactory(code="logements-sociaux", label="Logements sociaux")
    with translation.override("fr"), django_assert_num_queries(5):
        content = collection_template_xlsx()
    book = workbook(content)
    assert book.sheetnames == ["valeurs", "colonnes", "indicateurs", "territoires"]
    values = book["valeurs"]
    assert [cell.value for cell in values[1]] == list(COLUMNS)
    assert values.max_row == 1
    assert values.column_dimensions["B"].number_format == "@"  # 01001 keeps its zero
    columns = [[cell.value for cell in row] for row in book["colonnes"].iter_rows(max_col=4)]
    assert columns[0] == ["Colonne", "Obligatoire", "Description", "Exemple"]
    assert [row[0] for row in columns[1:10]] == list(COLUMNS)
    assert columns[1][1] == "oui" and columns[6][1] == "non"
    codes = [row[0].value for row in book["indicateurs"].iter_rows(min_row=2)]
    assert "logements-sociaux" in codes
    listed = {
        (row[0].value, row[1].value)
        for row in book["territoires"].iter_rows(min_row=3)
        if row[1].value
    }
    for expected in [
        ("pays", "FR"),
        ("region", "24"),
        ("region", "75"),
        ("ancienne-region", "24"),
        ("ancienne-region", "54"),
        ("departement", "37"),
        ("departement", "86"),
        ("epci", "243700754"),
        ("commune", "37261"),
        ("commune", "79191"),
        ("qpv", "QN03701I"),
        ("zus", "ZUS-37-01"),
    ]:
        assert expected in listed
    assert ("commune", "01001") not in listed  # Ain: outside the two former regions
    assert ("departement", "33") not in listed
    kinds = [row[0].value for row in book["territoires"].iter_rows(min_row=3, max_row=10)]
    assert kinds == [
        "pays",
        "region",
        "ancienne-region",
        "departement",
        "epci",
        "commune",
        "qpv",
        "zus",
    ]


def test_the_xlsx_template_is_formula_safe(territories):
    IndicatorFactory(code="piege", label='=HYPERLINK("http://example.org")', unit="@x")
    book = workbook(collection_template_xlsx())
    row = next(r for r in book["indicateurs"].iter_rows(min_row=2) if r[0].value == "piege")
    assert (row[1].value, row[1].data_type) == ('\'=HYPERLINK("http://example.org")', "s")
    assert row[2].value == "'@x"


def test_a_filled_template_imports(territories):
    """As a partner fills it: the first sheet, codes typed as text or numbers, the
    documentation sheets left in the file."""
    indicator = IndicatorFactory(code="logements-sociaux")
    rate = IndicatorFactory(code="taux-de-pauvrete", rate=True)
    book = workbook(collection_template_xlsx())
    sheet = book["valeurs"]
    sheet.append(["commune", "37261", "logements-sociaux", 2023, 21500, None, None, None, "Tours"])
    sheet.append(["commune", 1001, "logements-sociaux", 2023, 12.5, None, None, "provisoire"])
    sheet.append(["departement", "37", "taux-de-pauvrete", "2023", "", 45000, 300000])
    sheet.append(["qpv", "QN03701I", "taux-de-pauvrete", 2024, "38,2", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("fr"):
        report = values_import(
            file_name="modele-rempli.xlsx",
            stream=io.BytesIO(buffer.getvalue()),
            source=SourceFactory(),
        )
    assert report.ok, [str(problem) for problem in report.errors]
    assert (report.lines, report.created) == (4, 4)
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 2
    assert IndicatorValue.objects.get(indicator=rate, territory__code="37").value == 15.0


def test_the_empty_template_is_refused_as_having_no_values(territories):
    report = values_import(
        file_name="modele.csv", stream=io.BytesIO(collection_template_csv()), source=SourceFactory()
    )
    assert [(problem.line, problem.column) for problem in report.errors] == [(1, "")]
