"""The comparison page: the form and its French errors (400, never 500), the sortable
table with aria-sort and ranks, the reference values, the map layer, the query budget."""

import json

import pytest

from villes2.observation.models import period_of_year

from .factories import IndicatorFactory, SourceFactory
from .test_pages_helpers import INDRE_ET_LOIRE, rate_indicator, texts, tree, values

pytestmark = pytest.mark.django_db
URL = "/observatoire/comparer/"
QUERY = "?indicateur=taux-test&niveau=commune&perimetre=departement:37"


@pytest.fixture
def rate(territories):
    """Five communes of Indre-et-Loire with a 2023 value (two equal), one with 2021 too;
    the département (computed) and France for reference."""
    indicator = rate_indicator(code="taux-test", label="Taux de test")
    source = SourceFactory(synthetic=True, licence="Licence de test")
    for code, value in {
        "37261": 12.0,
        "37122": 8.0,
        "37214": 8.0,
        "37233": 20.0,
        "37208": 4.0,
    }.items():
        values(indicator, ("commune", code), [2023], base=value, source=source)
    values(indicator, ("commune", "37261"), [2021], base=11.0, source=source)
    values(indicator, INDRE_ET_LOIRE, [2023], base=11.0, source=source, computed=True)
    values(indicator, ("pays", "FR"), [2023], base=14.5, source=source)
    return indicator


def rows_of(page) -> list[list[str]]:
    return [texts(row, "./*") for row in page.xpath("//table[@class='comparison']/tbody/tr")]


def test_comparison_page(client, rate):
    response = client.get(URL + QUERY)
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Taux de test Communes, Indre-et-Loire, 2023"]
    rows = rows_of(page)
    assert len(rows) == 272
    assert rows[:3] == [
        ["1", "Saint-Pierre-des-Corps 37233", "20,0", "4"],
        ["2", "Tours 37261", "12,0", "3"],
        ["3", "Joué-lès-Tours 37122", "8,0", "2"],
    ]
    assert rows[5] == ["–", "Abilly 37001", "–", "–"]
    references = texts(page, "//dl[contains(@class, 'reference-values')]/*")
    assert references == [
        "Territoires comparés",
        "272 (avec une valeur : 5)",
        "Indre-et-Loire (Département)",
        "11,0 % (calculée)",
        "France (Pays)",
        "14,5 %",
    ]
    legend = texts(page, "//ul[@class='legend']/li")
    assert legend == ["4,0 (1)", "8,0 (2)", "12,0 (1)", "20,0 (1)", "Pas de valeur (267)"]
    (map_element,) = page.xpath("//div[@data-choropleth]")
    assert json.loads(map_element.get("data-palette")) == [
        "#eff3ff",
        "#bdd7e7",
        "#6baed6",
        "#2171b5",
    ]
    assert map_element.get("data-geojson-url") == (
        "/observatoire/comparer/carte.geojson?indicateur=taux-test&niveau=commune"
        "&perimetre=departement:37&periode=2023&tri=-valeur"
    )
    assert texts(page, "//p[contains(@class, 'notice-synthetic')]/strong") == [
        "Données synthétiques."
    ]


def test_sort_by_name_without_javascript(client, rate):
    page = tree(client.get(URL + QUERY + "&tri=nom"))
    headers = page.xpath("//table[@class='comparison']/thead/tr/th")
    assert [th.get("aria-sort") for th in headers] == [None, "ascending", None, None]
    assert rows_of(page)[0][1] == "Abilly 37001"
    # The header links: name descending next, value descending.
    links = [th.xpath("./a/@href") for th in headers]
    assert "tri=-nom" in links[1][0] and "tri=-valeur" in links[2][0]
    page = tree(client.get(URL + QUERY + "&tri=valeur"))
    headers = page.xpath("//table[@class='comparison']/thead/tr/th")
    assert [th.get("aria-sort") for th in headers] == [None, None, "ascending", None]
    assert rows_of(page)[0][:3] == ["5", "Saint-Avertin 37208", "4,0"]


def test_an_older_period(client, rate):
    page = tree(client.get(URL + QUERY + "&periode=2021"))
    assert rows_of(page)[0][:3] == ["1", "Tours 37261", "11,0"]
    options = page.xpath("//select[@name='periode']/option")
    assert [(o.get("value"), o.text) for o in options] == [
        ("", "La plus récente"),
        ("2023", "2023"),
        ("2021", "2021"),
    ]
    assert page.xpath("//select[@name='periode']/option[@selected]/@value") == ["2021"]


def test_the_centres_two_former_regions(client, territories):
    indicator = IndicatorFactory(code="compte-test")
    values(indicator, ("qpv", "QN03702M"), [2023], base=5)
    values(indicator, ("qpv", "QN08601M"), [2023], base=7)
    for query in (
        "?indicateur=compte-test&niveau=qpv&perimetre=centre-poitou",
        "?indicateur=compte-test&niveau=qpv"
        "&perimetre=ancienne-region:24&perimetre=ancienne-region:54",
        "?indicateur=compte-test&niveau=qpv&perimetre=ancienne-region:54,ancienne-region:24",
        "?indicateur=compte-test&niveau=qpv",  # the default scope
    ):
        response = client.get(URL + query)
        assert response.status_code == 200, query
        page = tree(response)
        assert texts(page, "//h1") == [
            f"{indicator.label} QPV (quartiers prioritaires), "
            "Centre et Poitou-Charentes (les deux anciennes régions), 2023"
        ]
        assert [row[2] for row in rows_of(page)[:3]] == ["7", "5", "–"]
    # The zones' geography note; no map for zones.
    assert any("QPV 2024 sont des géographies" in t for t in texts(page, "//p[@role='note']"))
    assert page.xpath("//div[@data-map]") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "?indicateur=inconnu",
            "Indicateur inconnu : « inconnu ». Choisissez-en un dans la liste.",
        ),
        (
            "?indicateur=taux-test&niveau=pays",
            "Niveau inconnu : « pays ». Choisissez-en un dans la liste.",
        ),
        (
            "?indicateur=taux-test&perimetre=departement:99",
            "Périmètre inconnu : « departement:99 ». Choisissez un périmètre dans la liste, "
            "ou écrivez type:code, par exemple departement:37.",
        ),
        (
            "?indicateur=taux-test&perimetre=<script>",
            "Périmètre inconnu : « <script> ». Choisissez un périmètre dans la liste, "
            "ou écrivez type:code, par exemple departement:37.",
        ),
        (
            "?indicateur=taux-test&perimetre=departement:37&periode=2023-02-30",
            "Période invalide : « 2023-02-30 ». Indiquez une année (2023) ou une date "
            "(2023-01-01).",
        ),
        (
            "?indicateur=taux-test&perimetre=departement:37&periode=" + "9" * 200,
            "Période invalide : « " + "9" * 40 + " ». Indiquez une année (2023) ou une date "
            "(2023-01-01).",
        ),
        (
            "?indicateur=taux-test&perimetre=departement:37&periode=2019",
            "Aucune valeur de « Taux de test » pour 2019 dans ce périmètre. Périodes "
            "disponibles : 2023, 2021.",
        ),
        (
            "?indicateur=taux-test&niveau=qpv&perimetre=departement:37",
            "Aucune valeur de « Taux de test » pour les qpv (quartiers prioritaires) de ce "
            "périmètre (Indre-et-Loire).",
        ),
        (
            "?indicateur=taux-test&niveau=region&perimetre=departement:37",
            "Aucune valeur de « Taux de test » pour les régions de ce périmètre (Indre-et-Loire).",
        ),
    ],
)
def test_bad_parameters_give_a_400_with_a_french_message(client, rate, query, message):
    response = client.get(URL + query)
    assert response.status_code == 400
    page = tree(response)
    errors = texts(page, "//ul[@class='errorlist']/li")
    assert [error.replace("\u00a0", " ") for error in errors] == [message]
    assert page.xpath("//form[contains(@class, 'compare-form')]")  # the form, to correct
    assert page.xpath("//table[@class='comparison']") == []


def test_nul_character_and_repeated_parameters_never_500(client, rate):
    assert client.get(URL + "?indicateur=taux-test%00").status_code == 400
    assert (
        client.get(URL + "?indicateur=taux-test&perimetre=" + ",".join(["a:1"] * 50)).status_code
        == 400
    )


def test_without_indicator_the_page_shows_the_form(client, rate):
    response = client.get(URL)
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Comparer des territoires"]
    assert page.xpath("//select[@name='perimetre']//option[@selected]/@value") == ["centre-poitou"]


def test_map_layer(client, rate):
    response = client.get(URL + "carte.geojson" + QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    layer = json.loads(response.content)
    features = [f for f in layer["features"] if not f["properties"].get("outline")]
    outlines = [f for f in layer["features"] if f["properties"].get("outline")]
    assert len(features) == 272  # every commune of Indre-et-Loire has a boundary
    assert [f["properties"]["name"] for f in outlines] == ["Indre-et-Loire"]
    tours = next(f for f in features if f["properties"]["code"] == "37261")
    assert tours["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert {
        key: tours["properties"][key] for key in ("value", "class", "rank", "url", "label")
    } == {
        "value": 12.0,
        "class": 3,
        "rank": 2,
        "url": "/observatoire/territoire/commune/37261/",
        "label": "Tours (37261) — 12,0\u00a0%",
    }
    abilly = next(f for f in features if f["properties"]["code"] == "37001")
    assert (abilly["properties"]["class"], abilly["properties"]["label"]) == (
        None,
        "Abilly (37001) — pas de valeur",
    )


def test_map_layer_with_bad_parameters(client, rate):
    response = client.get(URL + "carte.geojson?indicateur=nope")
    assert response.status_code == 400
    assert "indicateur" in response.json()["errors"]


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        # Form: indicators, scope territories, periods; selector: rows, references,
        # sources.
        (URL + QUERY, 7),
        (URL + QUERY + "&tri=nom&page=1", 7),
        (URL + "?indicateur=taux-test&niveau=commune&perimetre=centre-poitou", 7),
        (URL, 2),
        (URL + "?indicateur=inconnu", 2),
        # Map: the same, plus the boundaries.
        (URL + "carte.geojson" + QUERY, 8),
    ],
)
def test_query_budget(client, rate, django_assert_num_queries, url, budget):
    with django_assert_num_queries(budget):
        status = client.get(url).status_code
    assert status == (400 if "inconnu" in url else 200)


def test_query_budget_does_not_grow_with_territories(
    client, territories, django_assert_num_queries
):
    indicator = IndicatorFactory(code="compte-test")
    source = SourceFactory()
    for territory in territories.filter(
        kind="commune", ancestors__code="37", ancestors__kind="departement"
    ):
        values(indicator, territory, [2022, 2023], source=source)
    with django_assert_num_queries(7):
        response = client.get(
            URL + "?indicateur=compte-test&niveau=commune&perimetre=departement:37"
        )
    assert len(rows_of(tree(response))) == 272
    assert period_of_year(2023) == response.context["comparison"].period
