"""The agenda in a real browser: registering (errors, receipt, the link of the mail, the
two-step cancellation), the month table, the coordination page for staff, and the
JSON-LD of an event page. Events of tests/e2e/data/agenda_test_data.py (invented)."""

import json
import re
from urllib.parse import urlsplit

import pytest

from villes2.accounts.roles import PROJECT_OFFICER

from .conftest import create_staff_account, sign_in
from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

OPEN_EVENT = "/agenda/evenements/rencontre-test-inscriptions-2030/"
FULL_EVENT = "/agenda/evenements/atelier-test-complet-2030/"
OPEN_TITLE = "Rencontre régionale de test : l'accès à l'emploi des jeunes"
FULL_TITLE = "Atelier de test complet : les discriminations à l'embauche"
STAFF_USERNAME = "e2e-chargee-de-mission"
# One mail of the console backend, as gunicorn's log holds it.
MAIL_SEPARATOR = "-" * 79


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def _mail_to(log_text: str, address: str) -> str:
    """The only mail of the server's log sent to `address`."""
    mails = [mail for mail in log_text.split(MAIL_SEPARATOR) if f"\nTo: {address}\n" in mail]
    assert len(mails) == 1, f"{len(mails)} mails to {address} in the server's log"
    return mails[0]


def test_registration_errors_receipt_link_and_cancellation(page, screenshot_dir, live_site_var_dir):
    page.goto(OPEN_EVENT + "inscription/")
    page.get_by_role("button", name="S'inscrire", exact=True).click()
    page.wait_for_load_state()
    # (a) The empty form: French errors on the two required fields, tied to them.
    assert "corriger les champs" in page.get_by_role("alert").inner_text()
    for field_id in ("id_name", "id_email"):
        field = page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"{field_id}_error" in field.get_attribute("aria-describedby").split()
        assert page.locator(f"#{field_id}_error").inner_text() == "Ce champ est obligatoire."
    assert page.locator(".errorlist").count() == 2
    assert page.locator("#id_organisation").get_attribute("aria-invalid") is None
    page.screenshot(path=screenshot_dir / "agenda-register-errors-fr.png", full_page=True)
    _assert_accessible(page)

    # (b) Filled in: the receipt.
    page.get_by_label("Nom et prénom (obligatoire)").fill("Dominique Essai")
    page.get_by_label("Organisation").fill("Commune de test")
    page.get_by_label("Fonction").fill("Chargé de mission (test)")
    page.get_by_label("Courriel (obligatoire)").fill("dominique.essai@example.org")
    page.get_by_role("button", name="S'inscrire", exact=True).click()
    page.wait_for_url(re.compile(r"/agenda/inscription/[^/]+/\?enregistree=1$"))
    assert page.locator("h1").inner_text() == "Votre inscription"
    receipt = page.get_by_role("status").inner_text()
    assert "Votre inscription est enregistrée." in receipt
    assert "dominique.essai@example.org" in receipt
    assert page.locator("dl.facts").get_by_text("Inscription confirmée").is_visible()
    page.screenshot(path=screenshot_dir / "agenda-register-receipt-fr.png", full_page=True)
    _assert_accessible(page)

    # (c) The link of the confirmation mail (console back end: gunicorn's log) opens the
    # same page; cancelling asks first.
    link_path = urlsplit(page.url).path
    mail = _mail_to((live_site_var_dir / "gunicorn.log").read_text(), "dominique.essai@example.org")
    assert f"{link_path}\n" in mail
    page.goto(link_path)
    assert page.get_by_role("status").count() == 0
    _assert_accessible(page)
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.wait_for_load_state()
    confirmation = page.get_by_role("region", name="Annuler votre inscription ?")
    assert "Votre place sera libérée" in confirmation.inner_text()
    page.screenshot(path=screenshot_dir / "agenda-registration-cancel-fr.png", full_page=True)
    _assert_accessible(page)
    confirmation.get_by_role("button", name="Oui, annuler mon inscription").click()
    page.wait_for_url(re.compile(r"/agenda/inscription/[^/]+/\?annulee=1$"))
    # Announced, as the registration was.
    assert page.get_by_role("status").inner_text() == (
        "Votre inscription est annulée. "
        "Un message le confirmant a été envoyé à dominique.essai@example.org."
    )
    status = page.locator("dl.facts dd strong").inner_text()
    assert re.fullmatch(r"Annulée le \d{1,2} \w+ \d{4}", status), status
    assert page.get_by_role("button", name="Annuler mon inscription").count() == 0
    assert page.get_by_role("link", name="S'inscrire à nouveau").is_visible()
    page.screenshot(path=screenshot_dir / "agenda-registration-cancelled-fr.png", full_page=True)


def test_full_event_form_offers_the_waiting_list(page):
    page.goto(FULL_EVENT + "inscription/")
    assert "L'événement est complet" in page.locator("p.notice").inner_text()
    assert page.get_by_role("button", name="S'inscrire en liste d'attente").is_visible()


def test_closed_registration_says_why(page):
    response = page.goto("/agenda/evenements/egalite-des-chances-acces-emploi/inscription/")
    assert response.status == 200
    assert page.locator("form[method=post]").count() == 0
    assert "Les inscriptions ne sont pas ouvertes" in page.locator("#contenu").inner_text()


def test_filter_error_is_shown_on_the_field(page):
    page.goto("/agenda/?mois=2007-13")
    field = page.locator("#id_mois")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "2007-13"
    assert page.locator("#id_mois_error").inner_text() == (
        "Saisissez un mois sous la forme année-mois, par exemple 2007-10."
    )
    # The error under "Mois" moves nothing else: in the row of Territoire, Mois and
    # Année, labels and fields line up, with or without a hint, and the button with them.
    names = ("territoire", "mois", "annee")
    labels = {page.locator(f"label[for=id_{name}]").bounding_box()["y"] for name in names}
    fields = {page.locator(f"#id_{name}").bounding_box()["y"] for name in names}
    button = page.get_by_role("button", name="Filtrer").bounding_box()["y"]
    assert len(labels) == 1, labels
    assert len(fields | {button}) == 1, (fields, button)


def test_month_table_has_caption_and_column_headers(page):
    page.goto("/agenda/mois/2007/10/")
    table = page.locator("table.agenda-calendar")
    assert table.locator("caption").inner_text() == "Calendrier — octobre 2007"
    headers = table.locator("thead th[scope=col]").all_text_contents()
    assert headers == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    # 1 October 2007 was a Monday: the 9th is in the second week, second column.
    cell = table.locator("tbody tr").nth(1).locator("td").nth(1)
    assert cell.locator(".day-number").inner_text() == "9"
    assert cell.get_by_role("link").all_inner_texts() == [
        "Réunion de lancement du centre de ressources"
    ]


@pytest.fixture(scope="module")
def staff_login(live_site, live_site_var_dir) -> tuple[str, str]:
    """A project officer's account on the served site: (username, password)."""
    return STAFF_USERNAME, create_staff_account(live_site_var_dir, STAFF_USERNAME, PROJECT_OFFICER)


def test_coordination_page_for_staff(page, screenshot_dir, staff_login):
    sign_in(page, *staff_login, "/agenda/coordination/")
    assert page.locator("h1").inner_text() == "Coordination des programmes des réseaux"
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert rows.first.get_by_role("link").all_inner_texts() == [OPEN_TITLE, FULL_TITLE]
    page.screenshot(path=screenshot_dir / "agenda-coordination-fr.png", full_page=True)
    _assert_accessible(page)


def test_event_json_ld_is_an_event(page):
    page.goto(OPEN_EVENT)
    texts = page.locator('script[type="application/ld+json"]').all_text_contents()
    assert len(texts) == 1
    data = page.evaluate("text => JSON.parse(text)", texts[0])
    assert data["@type"] == "Event"
    assert data["name"] == OPEN_TITLE
    assert data["startDate"] == "2030-03-14T09:30:00+01:00"
    assert data["location"]["address"]["addressLocality"] == "Tours"
    # What Python's parser reads is what the browser reads.
    assert json.loads(texts[0]) == data
