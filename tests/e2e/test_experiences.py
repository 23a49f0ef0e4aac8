"""Experience records in a real browser: the list filtered through htmx (the URL, the
results and the export links follow), the record page in French and English (axe-core
clean), its printed layout (no header, menu, footer or buttons; links' addresses shown)
and its PDF. Records of tests/e2e/data/practices_test_data.py (invented)."""

import re

import pytest

from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

RECORD = "/experiences/1/"
RECORD_TITLE = "Médiation sociale de nuit (fiche de test)"
TRANSFERRED_TITLE = "Médiation de nuit transposée à Poitiers (fiche de test)"


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def _hit_titles(page) -> list[str]:
    return page.locator("ol.hits > li h3 > a").all_inner_texts()


def test_the_list_filters_without_reloading(page, screenshot_dir):
    page.goto("/experiences/")
    assert _hit_titles(page) == [TRANSFERRED_TITLE, RECORD_TITLE]
    assert "Brouillon de test" not in page.content()
    page.evaluate("window.__same_document = true")

    # Ticking a period facet updates the results, the URL and the export links in place.
    page.get_by_label(re.compile(r"^2010–2019")).check()
    page.wait_for_url(re.compile(r"periode=2010-2019"))
    page.locator("#search-status").filter(has_text="1 résultat").wait_for(state="attached")
    assert _hit_titles(page) == [TRANSFERRED_TITLE]
    assert page.evaluate("window.__same_document") is True  # htmx, not a new page
    exports = page.locator("#practices-links a[type='application/json']")
    assert exports.get_attribute("href") == "/experiences/export.json?periode=2010-2019"
    page.screenshot(path=screenshot_dir / "experiences-filtered-htmx-fr.png", full_page=True)
    _assert_accessible(page)


def test_the_list_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/experiences/")
    page.get_by_label("Habitants").check()
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(re.compile(r"public=habitants"))
    assert _hit_titles(page) == [TRANSFERRED_TITLE, RECORD_TITLE]


@pytest.mark.parametrize(
    ("prefix", "headings"),
    [
        ("", ["Synthèse", "Contexte", "Transférabilité"]),
        ("/en", ["Summary", "Context", "Transferability"]),
    ],
)
def test_the_record_page(page, screenshot_dir, prefix, headings):
    response = page.goto(prefix + RECORD)
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == RECORD_TITLE
    assert page.locator("h1").get_attribute("lang") == "fr"
    all_headings = page.locator("article h2").all_inner_texts()
    assert [h for h in all_headings if h in headings] == headings
    criteria = page.locator("table.fiche-criteria tbody tr")
    assert criteria.count() == 4
    # The print button appears with JavaScript (and the page is styled for print anyway).
    assert page.locator("button[data-print]").is_visible()
    # The lead contact consented to publish her e-mail, not her phone.
    contact = page.locator("section[aria-labelledby='contact']")
    assert "camille.essai@example.org" in contact.inner_text()
    assert "02 47" not in contact.inner_text()
    page.screenshot(
        path=screenshot_dir / f"experience-record-{prefix.strip('/') or 'fr'}.png", full_page=True
    )
    _assert_accessible(page)


def test_the_printed_record(page, screenshot_dir):
    page.goto(RECORD)
    page.emulate_media(media="print")
    for hidden in (".site-header", ".main-nav", ".site-footer", ".breadcrumb", ".fiche-actions"):
        assert page.locator(hidden).is_hidden(), hidden
    assert page.locator("h1").is_visible()
    assert page.locator("table.fiche-criteria").is_visible()
    address = page.locator(".fiche-print-url")
    assert address.is_visible()
    assert address.inner_text().endswith(f"{RECORD}")
    # A link prints its address after its text.
    territory = page.locator(".fiche-facts a[href='/territoires/commune/37261/']")
    after = territory.evaluate("link => getComputedStyle(link, '::after').content")
    assert after == '" (/territoires/commune/37261/)"'
    page.screenshot(path=screenshot_dir / "experience-record-print-fr.png", full_page=True)
    page.emulate_media(media="screen")
    assert page.locator(".site-header").is_visible()
    assert page.locator(".fiche-print-url").is_hidden()


def test_the_pdf_link_answers_a_pdf(page):
    page.goto(RECORD)
    link = page.get_by_role("link", name="Télécharger en PDF")
    href = link.get_attribute("href")
    assert href == "/experiences/1/fiche.pdf"
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_a_draft_is_not_found(page):
    response = page.goto("/experiences/3/")
    assert response is not None and response.status == 404
    assert page.request.get("/experiences/3/fiche.pdf").status == 404
