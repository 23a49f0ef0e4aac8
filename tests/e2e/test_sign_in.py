"""Signing in to the back office in a real browser: five wrong passwords for one account
from one browser lead to the lockout page (French, 429, accessible), while the right
password from the same browser still signs another account in."""

import pytest

from villes2.accounts.roles import ASSISTANT

from .conftest import create_staff_account, sign_in
from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e


def _try(page, username: str, password: str):
    page.goto("/gestion/login/?next=/gestion/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation() as navigation:
        page.locator("input[type=submit], button[type=submit]").first.click()
    return navigation.value


def test_five_wrong_passwords_lock_the_account_here_only(
    new_page, screenshot_dir, live_site_var_dir
):
    locked = create_staff_account(live_site_var_dir, "e2e-verrou", ASSISTANT)
    other = "e2e-verrou-collegue"
    other_password = create_staff_account(live_site_var_dir, other, ASSISTANT)
    page = new_page()
    for _ in range(4):
        assert _try(page, "e2e-verrou", "mauvais").status == 200
        assert page.locator(".errornote").count() == 1
    response = _try(page, "e2e-verrou", "mauvais")
    assert response.status == 429
    assert page.locator("h1").inner_text() == "Connexion suspendue"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Réessayez dans 15 minutes" in page.locator("#contenu").inner_text()
    page.screenshot(path=screenshot_dir / "lockout-fr.png", full_page=True)
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)
    # The right password does not help now...
    assert _try(page, "e2e-verrou", locked).status == 429
    # ...but a colleague signs in from the same browser.
    sign_in(new_page(), other, other_password, "/gestion/")
