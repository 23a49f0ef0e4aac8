"""The territory picker on /territoires/, by keyboard and without JavaScript.

The field and its button are found by role and accessible name, which also checks that
the label reaches assistive technologies.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

TOURS_URL = re.compile(r"/territoires/commune/37261/$")


def picker(page):
    return page.get_by_role("combobox", name="Territoire")


def submit(page) -> None:
    page.get_by_role("search").get_by_role("button", name="Afficher").click()


def test_picker_by_keyboard(page):
    page.goto("/territoires/", wait_until="networkidle")
    field = picker(page)
    field.focus()
    page.keyboard.type("Tours")
    options = page.get_by_role("option")
    options.first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"

    page.keyboard.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert "37261" in field.input_value()
    assert options.count() == 0  # choosing closes the list...
    assert page.url.endswith("/territoires/")  # ...and does not submit the form yet

    submit(page)
    page.wait_for_url(TOURS_URL)
    assert page.locator("h1").inner_text().startswith("Tours")


def test_picker_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/territoires/")
    picker(page).fill("37261")
    submit(page)
    page.wait_for_url(TOURS_URL)
    assert page.locator("h1").inner_text().startswith("Tours")
