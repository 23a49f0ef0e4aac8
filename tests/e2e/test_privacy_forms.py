"""The personal-data forms a listed person uses, in a real browser: the request form
(its errors and its receipt) and the page of choices reached by the signed link."""

import importlib
import sqlite3

import pytest
from django.core import signing

from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, "\n".join(violations)


def test_request_form_errors_then_receipt(page, screenshot_dir):
    page.goto("/annuaire/personnes/alain-baudin/demande/")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.locator(".errorlist").count() == 3
    page.screenshot(path=screenshot_dir / "rights-request-errors-fr.png", full_page=True)
    _assert_accessible(page)

    page.get_by_label("Corriger ma fiche").check()
    page.get_by_label("Votre nom").fill("Alain Baudin")
    page.get_by_label("Votre courriel").fill("alain.baudin@example.org")
    page.get_by_label("Précisions").fill("Ma fonction a changé.")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Demande reçue"
    assert "Votre demande n°" in page.get_by_role("status").inner_text()
    page.screenshot(path=screenshot_dir / "rights-request-receipt-fr.png", full_page=True)
    _assert_accessible(page)


def _consent_path(var_dir) -> str:
    """The signed link the information e-mail would carry, signed with the served site's
    key (local settings)."""
    database = var_dir / "villes2.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (pk,) = connection.execute(
            "SELECT id FROM actors_person WHERE slug = 'alain-baudin'"
        ).fetchone()
    key = importlib.import_module("config.settings.local").SECRET_KEY
    token = signing.TimestampSigner(key=key, salt="villes2.actors.consent-link").sign(str(pk))
    return f"/annuaire/mes-choix/{token}/"


def test_consent_page_choices_and_withdrawal(page, screenshot_dir, live_site_var_dir):
    page.goto(_consent_path(live_site_var_dir))
    assert page.locator("h1").inner_text() == "Votre fiche dans l’annuaire : vos choix"
    _assert_accessible(page)
    page.get_by_label("Courriel").check()
    page.get_by_label("Recevoir la lettre d’information").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    page.wait_for_load_state()
    assert "Vos choix sont enregistrés" in page.get_by_role("status").inner_text()
    assert page.get_by_label("Courriel").is_checked()
    page.screenshot(path=screenshot_dir / "consent-fr.png", full_page=True)
    _assert_accessible(page)
    page.get_by_role("button", name="Retirer tous mes consentements").click()
    page.wait_for_load_state()
    assert "Tous vos consentements sont retirés" in page.get_by_role("status").inner_text()
    assert not page.get_by_label("Courriel").is_checked()
