"""The interventions' map and calendar in a real browser, for a project officer: the map
draws the centre's départements, the sites' boundaries and a circle per site, and its
table gives the same figures; the month calendar places each intervention on its day,
moves from month to month, and a wrong parameter gives a French message (400). axe-core
runs on each page; screenshots at 1280 and 375 px. Interventions of
tests/e2e/data/interventions_test_data.py (invented); the account is invented, created
by `manage.py shell` as `test_agenda.staff_login` does."""

import re

import pytest

from villes2.accounts.roles import PROJECT_OFFICER

from .conftest import create_staff_account, sign_in
from .test_agenda import _assert_accessible

pytestmark = pytest.mark.e2e

USERNAME = "e2e-interventions-charge-de-mission"
MAP = "/gestion/inquiries/intervention/carte/"
CALENDAR = "/gestion/inquiries/intervention/calendrier/"
MAP_PATHS = "[data-intervention-map] .leaflet-overlay-pane path"
NARROW = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def officer_login(live_site, live_site_var_dir) -> tuple[str, str]:
    """A project officer's account on the served site: (username, password)."""
    password = create_staff_account(
        live_site_var_dir, USERNAME, PROJECT_OFFICER, first_name="Dominique"
    )
    return USERNAME, password


def _cells(row) -> list[str]:
    return [cell.inner_text().strip() for cell in row.locator("th, td").all()]


def test_map_and_its_table(page, screenshot_dir, officer_login):
    sign_in(page, *officer_login, MAP + "?annee=2026")
    assert page.locator("h1").inner_text() == "Carte des interventions"
    summary = page.locator(".intervention-summary").inner_text()
    assert summary == "2026\u00a0: 6 interventions, 10,5 demi-journées, sur 5 sites."

    # The map: ten départements, the three sites with a boundary (Tours, Orléans, the
    # Indre), a circle for each of the five sites; only the circles are interactive.
    page.locator(MAP_PATHS).first.wait_for(state="attached")
    page.locator(f"{MAP_PATHS}.leaflet-interactive").nth(4).wait_for(state="attached")
    assert page.locator(MAP_PATHS).count() == 10 + 3 + 5
    assert page.locator(f"{MAP_PATHS}.leaflet-interactive").count() == 5

    # The table gives the same figures, most half-days first.
    table = page.locator("table.intervention-table")
    rows = table.locator("tbody tr")
    assert rows.count() == 5
    assert _cells(rows.first) == ["Tours\nCommune 37261", "2", "3,5"]
    assert _cells(rows.nth(4)) == ["Sanitas\nQPV (quartier prioritaire) QN03709M", "1", "1"]
    assert _cells(table.locator("tfoot tr")) == ["Total", "6", "10,5"]
    page.screenshot(path=screenshot_dir / "interventions-map-fr.png", full_page=True)
    _assert_accessible(page)

    # Filtered on a procedure: the table and the map follow.
    page.get_by_label("Procédure").select_option("fonds-europeens")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"procedure=fonds-europeens"))
    assert [_cells(row)[0] for row in table.locator("tbody tr").all()] == ["Orléans\nCommune 45234"]
    page.locator(f"{MAP_PATHS}.leaflet-interactive").first.wait_for(state="attached")
    assert page.locator(f"{MAP_PATHS}.leaflet-interactive").count() == 1

    page.set_viewport_size(NARROW)
    page.goto(MAP + "?annee=2026")
    page.locator(f"{MAP_PATHS}.leaflet-interactive").nth(4).wait_for(state="attached")
    page.screenshot(path=screenshot_dir / "interventions-map-375-fr.png", full_page=True)
    _assert_accessible(page)


def test_calendar_month_navigation_and_errors(page, screenshot_dir, officer_login):
    sign_in(page, *officer_login, CALENDAR + "?annee=2026&mois=3")
    assert page.locator("h1").inner_text() == "Interventions en mars 2026"
    grid = page.locator("table.intervention-calendar")
    assert grid.locator("caption").inner_text() == "Calendrier — mars 2026"
    headers = grid.locator("thead th[scope=col]").all_text_contents()
    assert headers == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    # 1 March 2026 was a Sunday: the 12th is a Thursday of the third week.
    cell = grid.locator("tbody tr").nth(2).locator("td").nth(3)
    assert cell.locator(".day-number").inner_text() == "12"
    assert cell.get_by_role("link").all_inner_texts() == [
        "Appui à l'évaluation du projet de renouvellement urbain (test)",
        "Animation d'un atelier d'habitants au Sanitas (test)",
    ]
    listing = page.locator("table.intervention-table")
    assert listing.locator("tbody tr").count() == 5
    assert _cells(listing.locator("tfoot tr")) == ["Total", "8,5"]
    page.screenshot(path=screenshot_dir / "interventions-calendar-fr.png", full_page=True)
    _assert_accessible(page)

    # Next month, then the one after: the June intervention.
    page.get_by_role("link", name="Mois suivant : avril 2026").click()
    page.wait_for_url(re.compile(r"annee=2026&mois=4"))
    assert page.locator("h1").inner_text() == "Interventions en avril 2026"
    assert page.get_by_text("Aucune intervention ce mois-ci.").is_visible()
    page.get_by_role("link", name="Mois suivant : mai 2026").click()
    page.get_by_role("link", name="Mois suivant : juin 2026").click()
    page.wait_for_url(re.compile(r"mois=6"))
    assert [_cells(row) for row in listing.locator("tbody tr").all()] == [
        ["04/06/2026", "Conseil sur le contrat de pays (test)\nIndre · Conseil", "2"]
    ]

    # A month that does not exist: the form says why, in French, with a 400.
    response = page.goto(CALENDAR + "?annee=abc&mois=13")
    assert response.status == 400
    assert page.locator("#id_annee").input_value() == "abc"
    assert page.locator("#id_annee_error").inner_text() == (
        "Saisissez une année en chiffres, par exemple 2025."
    )
    assert page.locator("#id_mois_error").inner_text() == "Choisissez un mois de 1 à 12."
    assert page.locator("#id_annee").get_attribute("aria-invalid") == "true"
    page.screenshot(path=screenshot_dir / "interventions-calendar-error-fr.png", full_page=True)
    _assert_accessible(page)

    page.set_viewport_size(NARROW)
    page.goto(CALENDAR + "?annee=2026&mois=3")
    # On a narrow screen the month's list replaces the grid.
    assert not grid.is_visible()
    assert listing.is_visible()
    page.screenshot(path=screenshot_dir / "interventions-calendar-375-fr.png", full_page=True)
    _assert_accessible(page)
