"""The second factor in a real browser (docs/accounts.md): a new staff account sets up its
authenticator app after its password (QR code and typed key), gets its backup codes, and
at the next sign-in gives a code — a wrong one is refused in French, a backup code works.
axe-core on each page (set-up, codes, the code's page with its error)."""

import re
from base64 import b32decode

import pytest

from villes2.accounts.roles import DOCUMENTALIST

from .conftest import app_code, create_staff_account
from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

USERNAME = "e2e-double-facteur"


def _axe(page, screenshot_dir, name: str) -> None:
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def _password_step(page, password: str) -> None:
    page.goto("/gestion/")
    page.locator("#id_username").fill(USERNAME)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").first.click()


def test_setting_up_the_app_then_signing_in_with_a_code(
    new_page, screenshot_dir, live_site_var_dir
):
    password = create_staff_account(live_site_var_dir, USERNAME, DOCUMENTALIST, app=False)
    page = new_page()
    _password_step(page, password)
    page.wait_for_url(re.compile(r"/gestion/double-authentification/application/\?next="))
    assert page.locator("h1").inner_text() == "Configurer votre application d’authentification"
    assert page.locator(".second-factor-qr svg").is_visible()
    _axe(page, screenshot_dir, "second-factor-setup-fr")
    # The person types the key into the app instead of scanning it.
    typed = page.locator("#second-factor-key").inner_text()
    secret = b32decode(typed.replace(" ", "")).hex()
    page.locator("#id_code").fill("000000" if app_code(secret) != "000000" else "111111")
    page.locator("#login-form input[type=submit]").click()
    assert "Ce code ne correspond pas" in page.locator("#login-form").inner_text()
    assert page.locator("#id_code").get_attribute("aria-invalid") == "true"
    _axe(page, screenshot_dir, "second-factor-setup-error-fr")
    page.locator("#id_code").fill(app_code(secret, account=USERNAME))
    page.locator("#login-form input[type=submit]").click()
    page.wait_for_url(re.compile(r"/gestion/double-authentification/compte/"))
    codes = page.locator(".second-factor-codes code").all_inner_texts()
    assert len(codes) == 10
    _axe(page, screenshot_dir, "second-factor-account-fr")
    page.get_by_role("link", name="Continuer vers l’espace de gestion").click()
    page.wait_for_url(re.compile(r"/gestion/$"))

    # Next sign-in: the code's page; a wrong code, then a backup code.
    page.locator("#logout-form button").click()
    _password_step(page, password)
    page.wait_for_url(re.compile(r"/gestion/double-authentification/\?next="))
    _axe(page, screenshot_dir, "second-factor-fr")
    page.locator("#id_code").fill("aaaa bbbb")
    page.locator("#login-form input[type=submit]").click()
    assert "Ce code n’est pas valide." in page.locator("#login-form").inner_text()
    _axe(page, screenshot_dir, "second-factor-error-fr")
    page.wait_for_timeout(1100)  # after a wrong code, the backup codes wait one second
    page.locator("#id_code").fill(codes[0])
    page.locator("#login-form input[type=submit]").click()
    page.wait_for_url(re.compile(r"/gestion/$"))
    assert "Il vous reste 9 codes de secours." in page.locator(".messagelist").inner_text()
