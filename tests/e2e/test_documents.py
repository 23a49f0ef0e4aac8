"""The catalogue in a real browser: htmx updates of the results keep the state in the
URL and the back button; the page works without JavaScript; private records stay out."""

import re

import pytest

pytestmark = pytest.mark.e2e


def results_heading(page) -> str:
    return page.locator("#results-heading").inner_text()


def test_facet_updates_results_in_place_and_back_restores(page):
    page.goto("/documents/?q=quartiers", wait_until="networkidle")
    before = results_heading(page)
    assert before.startswith("3 résultats")
    page.get_by_label(re.compile(r"^Rapport")).check()
    page.wait_for_url(re.compile(r"type=rapport"))
    page.wait_for_function(
        "document.querySelector('#results-heading').innerText.startsWith('1 résultat')"
    )
    # Updated in place: the search box kept its value and the checkbox stays checked.
    assert page.locator("#id_q").input_value() == "quartiers"
    assert page.get_by_label(re.compile(r"^Rapport")).is_checked()
    assert "Type : Rapport" in page.locator(".active-filters").inner_text()
    page.go_back()
    page.wait_for_url(re.compile(r"/documents/\?q=quartiers$"))
    page.wait_for_function(
        "document.querySelector('#results-heading').innerText.startsWith('3 résultats')"
    )
    # The address is shareable: opening it gives the filtered page.
    page.goto("/documents/?q=quartiers&type=rapport", wait_until="networkidle")
    assert results_heading(page).startswith("1 résultat")


def test_search_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/documents/")
    page.locator("#id_q").fill("résidentialisation")
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.wait_for_url(re.compile(r"q=r%C3%A9sidentialisation"))
    titles = page.locator(".hit-title").all_inner_texts()
    assert titles[0].startswith("Guide de la résidentialisation")
    assert len(titles) == 2


def test_private_records_appear_nowhere_public(page):
    for url in ("/documents/?q=quartiers", "/recherche/?q=quartiers", "/flux/documents.atom"):
        page.goto(url)
        content = page.content()
        assert "Note interne" not in content and "Brouillon sur" not in content


def test_acronym_finds_the_expanded_label(page):
    page.goto("/recherche/?q=ZUS", wait_until="networkidle")
    titles = page.locator(".hit-title").all_inner_texts()
    assert "L'accès à l'emploi des jeunes en zone urbaine sensible" in titles
    assert page.locator(".hit-title mark").first.inner_text().lower() in {"zone", "zus"}
