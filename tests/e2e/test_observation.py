"""The observatory in headless Chromium: the choropleth draws every territory with its
class colour (hatched without a value), the table sorts without JavaScript, the chart has
its text alternative, the language switch keeps the page, and the comparison form works
by keyboard. Data: real populations and tests/e2e/data/observation.py (synthetic)."""

import re

import pytest

pytestmark = pytest.mark.e2e

COMPARE_37 = (
    "/observatoire/comparer/?indicateur=population-municipale&niveau=commune"
    "&perimetre=departement:37"
)
PATHS = "[data-choropleth] .leaflet-overlay-pane path"
FILLS_SCRIPT = """(selector) => Array.from(document.querySelectorAll(selector), (path) => ({
    fill: path.getAttribute("fill"),
    classes: path.getAttribute("class"),
}))"""


def test_choropleth_colours_each_commune_by_its_class(page):
    page.goto(COMPARE_37, wait_until="networkidle")
    page.locator(PATHS).first.wait_for(state="attached")
    palette = page.locator("[data-choropleth]").get_attribute("data-palette")
    colours = re.findall(r"#[0-9a-f]{6}", palette)
    assert len(colours) == 5
    shapes = page.evaluate(FILLS_SCRIPT, PATHS)
    classed = [shape for shape in shapes if "class-" in (shape["classes"] or "")]
    assert len(classed) == 272  # every commune of Indre-et-Loire has a value
    for shape in classed:
        number = int(re.search(r"class-(\d)", shape["classes"])[1])
        assert shape["fill"] == colours[number - 1]
    assert {re.search(r"class-(\d)", s["classes"])[1] for s in classed} == set("12345")
    # The legend shows the same colours, in order.
    swatches = page.locator(".legend .swatch")
    assert swatches.count() == 5
    # Hovering a commune names it and gives its value.
    page.locator(PATHS + ".class-5").first.hover()
    assert "habitants" in page.locator(".leaflet-tooltip").inner_text()


def test_territories_without_a_value_are_hatched(page):
    page.goto(
        "/observatoire/comparer/?indicateur=demandeurs-emploi-synthetique"
        "&niveau=departement&perimetre=pays:FR",
        wait_until="networkidle",
    )
    page.locator(PATHS).first.wait_for(state="attached")
    shapes = page.evaluate(FILLS_SCRIPT, PATHS)
    hatched = [s for s in shapes if "no-value" in (s["classes"] or "")]
    assert len(hatched) >= 90  # metropolitan départements other than Indre-et-Loire
    assert {s["fill"] for s in hatched} == {"url(#observation-no-value)"}
    assert page.locator("#observation-no-value").count() == 1
    assert page.locator(".legend .swatch-none").count() == 1


def test_table_sorts_by_name_and_value(page):
    page.goto(COMPARE_37, wait_until="networkidle")
    table = page.locator("table.comparison")
    assert table.locator("thead th").nth(2).get_attribute("aria-sort") == "descending"
    assert table.locator("tbody tr").first.locator("th").inner_text().startswith("Tours")
    table.get_by_role("link", name="Territoire").click()
    page.wait_for_url(re.compile(r"tri=nom"))
    table = page.locator("table.comparison")
    assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "ascending"
    assert table.locator("tbody tr").first.locator("th").inner_text().startswith("Abilly")
    table.get_by_role("link", name="Territoire").click()
    page.wait_for_url(re.compile(r"tri=-nom"))
    assert page.locator("table.comparison thead th").nth(1).get_attribute("aria-sort") == (
        "descending"
    )


def test_sorting_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto(COMPARE_37 + "&tri=valeur")
    table = page.locator("table.comparison")
    assert table.locator("thead th").nth(2).get_attribute("aria-sort") == "ascending"
    rank = table.locator("tbody tr").first.locator("td").first.inner_text()
    assert int(rank) >= 270  # the smallest communes (equal values share a rank)


def test_comparison_form_by_keyboard(page):
    page.goto("/observatoire/comparer/", wait_until="networkidle")
    page.get_by_label("Indicateur").select_option("population-municipale")
    page.get_by_label("Territoires comparés").select_option("departement")
    page.get_by_label("Périmètre").select_option("region:24")
    page.get_by_label("Périmètre").focus()
    page.keyboard.press("Tab")  # the period
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"niveau=departement"))
    assert page.locator("table.comparison tbody tr").count() == 6
    page.locator(PATHS).first.wait_for(state="attached")


def test_chart_has_a_text_alternative(page):
    page.goto("/observatoire/territoire/qpv/QN03702M/", wait_until="networkidle")
    chart = page.locator("#indicateur-part-moins-25-ans-synthetique svg[role='img']").first
    name = chart.evaluate(
        "(svg) => document.getElementById(svg.getAttribute('aria-labelledby')).textContent"
    )
    assert name.startswith("Graphique en courbes")
    assert "Rabière" in name
    assert page.locator("text=Données synthétiques.").count() == 1


def test_language_switch_keeps_the_portrait(page):
    page.goto("/observatoire/territoire/commune/37261/", wait_until="networkidle")
    page.get_by_role("navigation", name="Langue").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/en/observatoire/territoire/commune/37261/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Statistical portrait: Tours")
    assert "Municipal population" in page.locator("main").inner_text()


def test_territory_page_links_to_its_portrait(page):
    page.goto("/territoires/commune/37261/", wait_until="networkidle")
    page.get_by_role("link", name="Portrait statistique").click()
    page.wait_for_url(re.compile(r"/observatoire/territoire/commune/37261/$"))
