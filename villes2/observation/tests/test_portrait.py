"""The portrait page: every indicator of a territory with its chart and accessible table,
comparisons, warnings, the synthetic label, the linked items; 404, redirects, and a query
budget that does not grow with the number of indicators."""

import pytest

from villes2.observation.tests.factories import IndicatorFactory
from villes2.practices.tests.factories import PracticeFactory
from villes2.taxonomy.models import Concept

from .test_pages_helpers import (
    RABIERE,
    TOURS,
    chain_values,
    provisional,
    rate_indicator,
    territory,
    texts,
    tree,
)

pytestmark = pytest.mark.django_db
RABIERE_URL = "/observatoire/territoire/qpv/QN03702M/"


@pytest.fixture
def young(territories):
    indicator = rate_indicator(
        code="part-jeunes",
        label="Part des jeunes",
        label_en="Share of young people",
        census_based=True,
        comparability_notes="Notes de comparabilité écrites par l'équipe.",
    )
    chain_values(indicator)
    provisional(indicator, RABIERE, 2023)
    return indicator


def test_qpv_portrait(client, young):
    response = client.get(RABIERE_URL)
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == [
        "Portrait statistique : Rabière QPV (quartier prioritaire) QN03702M"
    ]
    (block,) = page.xpath("//section[@id='indicateur-part-jeunes']")
    assert texts(block, ".//h3") == ["Part des jeunes données synthétiques"]
    assert texts(block, ".//p[@class='latest']") == ["24,5 % en 2023 provisoire"]
    warnings = texts(block, ".//div[@class='warning']//li")
    assert warnings[0].startswith("INSEE : ne comparez pas deux millésimes consécutifs")
    assert warnings[1] == "Certaines valeurs sont provisoires (marquées « p »)."
    assert "Comparabilité : Notes de comparabilité écrites par l'équipe." in texts(block, ".//p")
    # The zone note and the synthetic notice, once for the page.
    (zone_note,) = texts(page, "//p[@role='note']")
    assert "QPV 2015 et QPV 2024 sont des géographies différentes" in zone_note
    assert texts(page, "//p[contains(@class, 'notice-synthetic')]/strong") == [
        "Données synthétiques."
    ]


def test_the_chart_has_a_text_alternative_and_a_table(client, young):
    page = tree(client.get(RABIERE_URL))
    (svg,) = page.xpath("//section[@id='indicateur-part-jeunes']//svg[@role='img']")
    title_id = svg.get("aria-labelledby")
    (title,) = svg.xpath(f"./*[local-name()='title' and @id='{title_id}']")
    assert title.text.startswith("Graphique en courbes\u00a0: Part des jeunes, 2014–2023.")
    assert len(svg.xpath(".//*[local-name()='path'][@class='chart-line']")) == 6
    (table,) = page.xpath("//section[@id='indicateur-part-jeunes']//table")
    assert texts(table, "./caption") == ["Part des jeunes (%), 2014–2023"]
    assert [th.get("scope") for th in table.xpath(".//thead/tr/th")] == ["col"] * 7
    assert texts(table, ".//thead/tr/th")[:3] == [
        "Période",
        "Rabière QPV (quartier prioritaire)",
        "Joué-lès-Tours Commune",
    ]
    rows = table.xpath(".//tbody/tr")
    assert [row.xpath("./th")[0].get("scope") for row in rows] == ["row"] * 10
    assert texts(rows[-1], "./*") == [
        "2023",
        "24,5 (p)",
        "25,5",
        "26,5",
        "27,5",
        "28,5",
        "29,5",
    ]


def test_portrait_groups_indicators_by_theme(client, territories):
    theme = Concept.objects.filter(scheme__is_theme_scheme=True).order_by("slug").first()
    chain_values(IndicatorFactory(label="Avec thème", themes=[theme]))
    chain_values(IndicatorFactory(label="Sans thème"))
    page = tree(client.get(RABIERE_URL))
    headings = texts(page, "//div[@class='portrait-data']//h2")
    label = theme.pref_label_fr
    assert headings == [label[:1].upper() + label[1:], "Autres indicateurs"]


def test_commune_portrait_shows_real_population_and_linked_items(client, territories):
    PracticeFactory(published=True, title="Fiche liée à Tours", territories=[territory(TOURS)])
    page = tree(client.get("/observatoire/territoire/commune/37261/"))
    latest = texts(page, "//section[@id='indicateur-population-municipale']//p[@class='latest']")
    assert latest[0].endswith("habitants en 2023")
    assert "Fiche liée à Tours" in texts(page, "//aside[@class='portrait-links']//a")
    # Real data: no synthetic label anywhere.
    assert page.xpath("//*[contains(@class, 'badge-synthetic')]") == []


def test_a_territory_without_data_says_so_and_keeps_its_links(client, territories):
    PracticeFactory(published=True, title="Fiche du quartier", territories=[territory(RABIERE)])
    page = tree(client.get(RABIERE_URL))
    assert texts(page, "//p[@class='notice']") == [
        "L'observatoire n'a pas encore de données pour ce territoire."
    ]
    assert "Fiche du quartier" in texts(page, "//aside//a")


def test_english_portrait(client, young):
    page = tree(client.get("/en" + RABIERE_URL))
    assert texts(page, "//section[@id='indicateur-part-jeunes']//h3")[0].startswith(
        "Share of young people"
    )
    assert texts(page, "//section[@id='indicateur-part-jeunes']//p[@class='latest']") == [
        "24.5 % in 2023 provisional"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/observatoire/territoire/pays/37/",
        "/observatoire/territoire/inconnu/37/",
        "/observatoire/territoire/commune/99999/",
        "/observatoire/territoire/commune/%00/",
    ],
)
def test_unknown_territory_is_404(client, territories, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_old_commune_code_redirects_to_the_current_portrait(client, territories):
    response = client.get("/observatoire/territoire/commune/01003/")
    assert response.status_code == 301
    assert response["Location"] == "/observatoire/territoire/commune/01165/"


def test_lower_case_code_redirects(client, territories):
    response = client.get("/observatoire/territoire/qpv/qn03702m/")
    assert response.status_code == 301
    assert response["Location"] == RABIERE_URL


@pytest.mark.parametrize("indicators", [1, 8])
def test_query_budget_does_not_grow_with_indicators(
    client, territories, django_assert_num_queries, indicators
):
    for number in range(indicators):
        chain_values(IndicatorFactory(position=number))
    # The territory (1), the portrait (5: comparison territories, values, indicators,
    # themes, sources), the "linked to this territory" sections of the other apps (6).
    with django_assert_num_queries(12):
        response = client.get(RABIERE_URL)
    assert response.status_code == 200
    assert len(tree(response).xpath("//section[@class='indicator']")) == indicators


def test_query_budget_of_a_commune_portrait(client, territories, django_assert_num_queries):
    # As above, plus the totals of the directory's two sections (organisations and
    # persons are linked to Tours in the founding data).
    with django_assert_num_queries(14):
        assert client.get("/observatoire/territoire/commune/37261/").status_code == 200
