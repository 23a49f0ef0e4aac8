"""The activity report in a real browser, signed in as a member of the staff: the back
office's home links it, the year's page (invented requests and interventions of
tests/e2e/data/, if any this year) has its tables and charts and no serious axe-core
violation, and the PDF and CSV links answer."""

import re

import pytest
from django.utils import timezone

from villes2.accounts.roles import DIRECTION

from .conftest import create_staff_account, sign_in
from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

USERNAME = "e2e-direction-rapport"


@pytest.fixture(scope="module")
def director(live_site, live_site_var_dir) -> tuple[str, str]:
    """A director's account on the served site: (username, password)."""
    return USERNAME, create_staff_account(live_site_var_dir, USERNAME, DIRECTION)


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def test_report_of_the_current_year(page, screenshot_dir, director):
    year = timezone.localdate().year
    url = f"/gestion/rapport/{year}/"
    sign_in(page, *director, url)
    assert page.locator("h1").inner_text() == f"Rapport d’activité {year}"
    assert page.locator("html").get_attribute("lang") == "fr"
    # A table per figure and the key figures, each with its caption and headers.
    tables = page.locator("#content-main table")
    assert tables.count() == 17
    assert page.locator("#content-main table caption").count() == 17
    assert page.locator("#content-main th[scope=col]").count() > 17
    # The year's figures as the table shows them: the key figures, then the charts, each
    # named by its title.
    assert page.locator("#chiffres-cles").inner_text() == "Chiffres clés"
    for chart in page.locator("svg[role=img]").all():
        title_id = chart.get_attribute("aria-labelledby")
        assert page.locator(f"#{title_id}").text_content().startswith("Diagramme en barres")
    page.screenshot(path=screenshot_dir / "rapport-activite-fr.png", full_page=True)
    _assert_accessible(page)

    for link, content_type in (
        ("Télécharger en PDF", "application/pdf"),
        ("Télécharger en CSV", "text/csv; charset=utf-8"),
    ):
        href = page.get_by_role("link", name=link).get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"] == content_type


def test_home_of_the_back_office_links_the_reports(page, screenshot_dir, director):
    sign_in(page, *director, "/gestion/")
    page.get_by_role("link", name="Rapports d’activité, par année").click()
    page.wait_for_url(re.compile(r"/gestion/rapport/$"))
    assert page.locator("h1").inner_text() == "Rapport d’activité"
    year = timezone.localdate().year
    assert page.get_by_role("link", name=f"Rapport {year}").count() == 1
    page.screenshot(path=screenshot_dir / "rapport-activite-annees-fr.png", full_page=True)
    _assert_accessible(page)
