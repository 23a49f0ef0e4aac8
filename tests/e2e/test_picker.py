"""The territory picker on /territoires/, by keyboard and without JavaScript.

Roles, not labels, find the field and its button: the labels change with the catalogues.
"""

import re

import pytest

pytestmark = pytest.mark.e2e

TOURS_URL = re.compile(r"/territoires/commune/37261/$")


def test_picker_by_keyboard(page):
    page.goto("/territoires/", wait_until="networkidle")
    field = page.get_by_role("combobox")
    field.focus()
    page.keyboard.type("Tours")
    options = page.get_by_role("option")
    options.first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"

    page.keyboard.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    page.keyboard.press("Enter")
    assert "37261" in field.input_value()
    assert options.count() == 0  # choosing closes the list
    assert page.url.endswith("/territoires/")  # Enter chose; it did not submit

    page.get_by_role("search").get_by_role("button").click()
    page.wait_for_url(TOURS_URL)
    assert page.locator("h1").inner_text().startswith("Tours")


def test_picker_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/territoires/")
    page.get_by_role("combobox").fill("37261")
    page.get_by_role("search").get_by_role("button").click()
    page.wait_for_url(TOURS_URL)
    assert page.locator("h1").inner_text().startswith("Tours")
