"""Exports of a comparison, read back: CSV (UTF-8 BOM, `;`, decimal comma, formula-safe),
XLSX (text cells as strings, numbers as numbers, sources and licence), GeoJSON (RFC 7946:
a FeatureCollection, WGS84 geometries or null, the properties the issue lists)."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from villes2.territories.models import Territory

from .factories import SourceFactory
from .test_pages_helpers import rate_indicator, values

pytestmark = pytest.mark.django_db
URL = "/observatoire/comparer/export.{}"
QUERY = "?indicateur=taux-test&niveau=commune&perimetre=departement:37&periode=2023"


@pytest.fixture
def rate(territories):
    indicator = rate_indicator(code="taux-test", label="Taux de test", unit="%")
    source = SourceFactory(
        code="source-piegee",
        producer='=HYPERLINK("http://evil.example")',
        dataset="+jeu",
        vintage="2023",
        licence="@licence",
        synthetic=True,
    )
    values(indicator, ("commune", "37261"), [2023], base=12.25, source=source)
    values(indicator, ("commune", "37233"), [2023], base=-3.5, source=source)
    # A territory whose name a spreadsheet could run: names are data too.
    Territory.objects.filter(kind="commune", code="37001").update(name="=1+1 Abilly")
    return indicator


def download(client, file_format, query=QUERY):
    response = client.get(URL.format(file_format) + query)
    assert response.status_code == 200
    return response


def test_csv(client, rate):
    response = download(client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="villes2-taux-test-commune-departement-37-2023.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "code",
        "nom",
        "niveau",
        "valeur",
        "unite",
        "periode",
        "statut",
        "calculee",
        "rang",
        "classe",
        "source",
        "licence",
        "donnees_synthetiques",
    ]
    assert len(rows) == 1 + 272
    assert rows[1] == [
        "37261",
        "Tours",
        "commune",
        "12,25",
        "%",
        "2023",
        "définitive",
        "non",
        "1",
        "2",
        '\'=HYPERLINK("http://evil.example") — +jeu (2023)',
        "'@licence",
        "oui",
    ]
    assert rows[2][3] == "-3,5"  # a negative number stays a number
    abilly = next(row for row in rows if row[0] == "37001")
    assert abilly[1] == "'=1+1 Abilly"
    assert abilly[3:] == ["", "%", "2023", "", "", "", "", "", "", ""]


def test_xlsx(client, rate):
    response = download(client, "xlsx")
    assert response["Content-Disposition"].endswith('-2023.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Comparaison", "Sources", "À propos"]
    sheet = workbook["Comparaison"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 272
    assert rows[1][:4] == ("37261", "Tours", "commune", 12.25)
    assert rows[2][3] == -3.5
    assert rows[1][8:10] == (1, 2)
    abilly = next(row for row in sheet.iter_rows() if row[0].value == "37001")
    assert abilly[1].value == "'=1+1 Abilly" and abilly[1].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    sources = list(workbook["Sources"].iter_rows(values_only=True))
    assert sources[1] == (
        "source-piegee",
        '\'=HYPERLINK("http://evil.example")',
        "'+jeu",
        "2023",
        "'@licence",
        None,
        "oui",
    )
    about = dict(workbook["À propos"].iter_rows(values_only=True))
    assert about["indicateur"] == "taux-test"
    assert about["donnees_synthetiques"] == "oui"
    assert about["adresse"].startswith("http://testserver/observatoire/comparer/?indicateur=")


def test_geojson(client, rate):
    response = download(client, "geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: WGS84, no crs member
    assert collection["sources"] == [
        {
            "name": '=HYPERLINK("http://evil.example") — +jeu (2023)',
            "licence": "@licence",
            "url": "",
            "synthetic": True,
        }
    ]
    assert len(collection["features"]) == 272
    tours = collection["features"][0]
    assert tours["type"] == "Feature"
    assert tours["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    longitude, latitude = _first_position(tours["geometry"])
    assert 0.5 < longitude < 0.8 and 47.3 < latitude < 47.5  # lon, lat order
    assert tours["properties"] == {
        "code": "37261",
        "name": "Tours",
        "kind": "commune",
        "value": 12.25,
        "period": "2023",
        "unit": "%",
        "status": "définitive",
        "computed": False,
        "rank": 1,
        "class": 2,
        "source": '=HYPERLINK("http://evil.example") — +jeu (2023)',
        "licence": "@licence",
        "synthetic": True,
    }
    abilly = next(f for f in collection["features"] if f["properties"]["code"] == "37001")
    assert abilly["properties"]["value"] is None and abilly["properties"]["class"] is None


def test_geojson_of_territories_without_boundaries_has_null_geometries(client, territories):
    indicator = rate_indicator(code="taux-qpv")
    values(indicator, ("qpv", "QN03702M"), [2023], base=3.0)
    response = download(
        client, "geojson", "?indicateur=taux-qpv&niveau=qpv&perimetre=departement:37"
    )
    features = json.loads(response.content)["features"]
    assert len(features) == 15
    assert {feature["geometry"] for feature in features} == {None}


def _first_position(geometry):
    coordinates = geometry["coordinates"]
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return coordinates


def test_unknown_format_is_404(client, rate):
    assert client.get(URL.format("pdf") + QUERY).status_code == 404


def test_bad_parameters_give_the_form_with_a_400(client, rate):
    response = client.get(URL.format("csv") + "?indicateur=inconnu")
    assert response.status_code == 400
    assert "Indicateur inconnu" in response.content.decode()


@pytest.mark.parametrize(("file_format", "budget"), [("csv", 7), ("xlsx", 7), ("geojson", 8)])
def test_query_budget(client, rate, django_assert_num_queries, file_format, budget):
    with django_assert_num_queries(budget):
        download(client, file_format)
