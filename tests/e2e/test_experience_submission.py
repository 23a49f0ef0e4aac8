"""Proposing an experience record in a real browser: the form in French and in English
(axe-core), its error state (summary linking to the fields, errors tied to them), then a
proposal through to the thank-you page, its acknowledgement mail and the record saved as
submitted with the first step of its history."""

import sqlite3

import pytest

from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

FORM = "/experiences/proposer/"
TITLE = "Jardins partagés de test au pied des immeubles"
SUBMITTER = "camille.essai@example.org"
# One mail of the console backend, as gunicorn's log holds it.
MAIL_SEPARATOR = "-" * 79


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def _send(page) -> None:
    page.locator("form.practice-form").get_by_role("button", name="Envoyer la proposition").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("prefix", "lang", "heading", "button"),
    [
        ("", "fr", "Proposer une expérience", "Envoyer la proposition"),
        ("/en", "en", "Propose an experience", "Send the proposal"),
    ],
)
def test_the_form_is_accessible_in_both_languages(
    page, screenshot_dir, prefix, lang, heading, button
):
    response = page.goto(prefix + FORM)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == heading
    assert page.get_by_role("button", name=button).is_visible()
    # The hidden field robots fill is out of reach of people.
    assert not page.locator("#id_website").is_visible()
    page.screenshot(path=screenshot_dir / f"experience-submit-{lang}.png", full_page=True)
    _assert_accessible(page)


def test_errors_then_a_proposal_through_to_the_thank_you_page(
    page, screenshot_dir, live_site_var_dir
):
    page.goto(FORM)
    page.locator("#id_start_year").fill("1800")
    _send(page)

    # (a) The error state: a summary at the top linking to each field, the errors on
    # the fields, tied to them; nothing saved.
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading").inner_text() == "La fiche n’a pas pu être envoyée"
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_title",
        "#id_summary",
        "#id_start_year",
        "#id_submitter_name",
        "#id_submitter_email",
        "#id_consent",
    ]
    field = page.locator("#id_start_year")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_start_year_error" in field.get_attribute("aria-describedby").split()
    assert page.locator("#id_start_year_error").inner_text() == (
        "Indiquez une année entre 1950 et 2200."
    )
    assert field.input_value() == "1800"
    links.first.click()
    assert page.url.endswith("#id_title")
    page.screenshot(path=screenshot_dir / "experience-submit-errors-fr.png", full_page=True)
    _assert_accessible(page)

    # (b) Filled in, a territory chosen with the picker by keyboard: the thank-you page.
    page.get_by_label("Titre de l’expérience (obligatoire)").fill(TITLE)
    page.get_by_label("Résumé (obligatoire)").fill(
        "Des habitants cultivent ensemble des parcelles, avec le bailleur et le centre social."
    )
    page.get_by_label("Année de début (obligatoire)").fill("2007")
    page.get_by_role("group", name="Publics visés").get_by_label("Habitants").check()
    territory = page.get_by_role("combobox", name="Territoire", exact=True)
    territory.focus()
    page.keyboard.type("Tours")
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert "37261" in territory.input_value()
    page.get_by_role("group", name="Santé").get_by_label("Tout le thème").check()
    page.get_by_label("Votre nom (obligatoire)").fill("Camille Essai")
    page.get_by_label("Votre courriel (obligatoire)").fill(SUBMITTER)
    page.get_by_label("J’accepte que le centre de ressources conserve").check()
    _send(page)
    assert "/experiences/proposer/merci/?fiche=" in page.url
    assert page.locator("h1").inner_text() == "Proposition reçue"
    assert TITLE in page.get_by_role("status").inner_text()
    page.screenshot(path=screenshot_dir / "experience-submit-done-fr.png", full_page=True)
    _assert_accessible(page)

    # (c) The acknowledgement (console back end: gunicorn's log), and the record saved
    # as submitted, its first step recorded with the submitter's name.
    log = (live_site_var_dir / "gunicorn.log").read_text()
    mails = [mail for mail in log.split(MAIL_SEPARATOR) if f"\nTo: {SUBMITTER}\n" in mail]
    assert len(mails) == 1
    database = live_site_var_dir / "villes2.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT id, status, submitter_name, start_year FROM practices_practice WHERE title = ?",
            (TITLE,),
        ).fetchone()
        assert row[1:] == ("soumise", "Camille Essai", 2007)
        steps = connection.execute(
            "SELECT from_status, to_status, by_id, by_name FROM practices_practicetransition "
            "WHERE practice_id = ?",
            (row[0],),
        ).fetchall()
        territories = connection.execute(
            "SELECT t.code FROM practices_practice_territories pt "
            "JOIN territories_territory t ON t.id = pt.territory_id WHERE pt.practice_id = ?",
            (row[0],),
        ).fetchall()
    assert steps == [("", "soumise", None, "Camille Essai")]
    assert territories == [("37261",)]
    # Not public before the review.
    assert page.goto(f"/experiences/{row[0]}/").status == 404
