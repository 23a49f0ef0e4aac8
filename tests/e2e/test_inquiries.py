"""The desk in a real browser: the form in French and in English, its error state, the
thank-you page and the tracking pages (axe-core on each, both languages); a request sent
with the keyboard alone through to its tracking page; the acknowledgement mail's link.
The desk's page, the FAQ list and an FAQ entry are in test_pages.py's PAGES.

Data: tests/e2e/data/inquiries_test_data.py (two requests with fixed tracking keys, one
answered with public and non-public resources)."""

import re
import sqlite3
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from .conftest import REPO_ROOT, _site_environment
from .test_pages import blocking_violations

pytestmark = pytest.mark.e2e

# The tracking keys of data/inquiries_test_data.py (not imported: it writes when run).
REQUEST_ANSWERED_KEY = "e2e-demande-repondue-cle-de-test-0001"
REQUEST_NEW_KEY = "e2e-demande-nouvelle-cle-de-test-0002"
FORM = "/demandes/nouvelle/"
REQUESTER = "dominique.essai@example.org"
SUBJECT = "Clauses d'insertion dans un marché (demande de test)"
# One mail of the console backend, as gunicorn's log holds it.
MAIL_SEPARATOR = "-" * 79
LANGS = [("", "fr"), ("/en", "en")]


def _assert_accessible(page):
    violations = blocking_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.fixture(scope="module")
def tracking_paths(live_site, live_site_var_dir) -> dict[str, str]:
    """The tracking paths of the test requests, signed with the served site's key."""
    script = (
        "from villes2.inquiries.models import Inquiry\n"
        "from villes2.inquiries.selectors.tracking import inquiry_tracking_url\n"
        f"for key in ({REQUEST_ANSWERED_KEY!r}, {REQUEST_NEW_KEY!r}):\n"
        "    print(key, inquiry_tracking_url(Inquiry.objects.get(tracking_key=key)))\n"
    )
    result = subprocess.run(  # noqa: S603 (fixed command line, no shell)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=REPO_ROOT,
        env=_site_environment(live_site_var_dir),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split(" ", 1) for line in result.stdout.split("\n") if line.strip())


@pytest.mark.parametrize(("prefix", "lang"), LANGS)
def test_the_form_is_accessible(page, screenshot_dir, prefix, lang):
    response = page.goto(prefix + FORM)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    heading = {"fr": "Envoyer une demande", "en": "Send a request"}[lang]
    assert page.locator("h1").inner_text() == heading
    assert not page.locator("#id_website").is_visible()
    page.screenshot(path=screenshot_dir / f"inquiry-form-{lang}.png", full_page=True)
    _assert_accessible(page)
    # The themes, opened.
    page.locator("details.themes-details summary").click()
    _assert_accessible(page)


@pytest.mark.parametrize(("prefix", "lang"), LANGS)
def test_the_form_with_errors(page, screenshot_dir, prefix, lang):
    page.goto(prefix + FORM)
    page.locator("#id_requester_email").fill("pas-une-adresse")
    page.locator("form.inquiry-form button[type=submit]").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "#id_kind_0",
        "#id_subject",
        "#id_question",
        "#id_requester_name",
        "#id_requester_email",
        "#id_requester_type",
        "#id_consent",
    ]
    email = page.locator("#id_requester_email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "id_requester_email_error" in email.get_attribute("aria-describedby").split()
    if lang == "fr":
        assert summary.get_by_role("heading").inner_text() == "La demande n’a pas pu être envoyée"
        assert page.locator("#id_requester_email_error").inner_text() == (
            "Saisissez une adresse électronique valide, par exemple marie.dupont@example.org."
        )
    links.nth(2).click()
    assert page.url.endswith("#id_question")
    page.screenshot(path=screenshot_dir / f"inquiry-form-errors-{lang}.png", full_page=True)
    _assert_accessible(page)


def test_a_request_sent_with_the_keyboard_alone(page, screenshot_dir, live_site_var_dir):
    page.goto(FORM)
    page.locator("#id_kind_0").focus()
    page.keyboard.press("ArrowDown")  # radios: the arrow keys move the choice
    assert page.locator("#id_kind_1").is_checked()
    page.keyboard.press("Tab")
    assert _focused(page) == "id_subject"
    page.keyboard.type(SUBJECT)
    page.keyboard.press("Tab")
    assert _focused(page) == "id_question"
    page.keyboard.type("Comment rédiger une clause d'insertion ? Question inventée pour les tests.")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_territory"
    page.keyboard.type("Tours")
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert "37261" in page.locator("#id_territory").input_value()
    page.keyboard.press("Tab")  # the themes' summary: opened with Enter, left closed here
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_requester_name"
    page.keyboard.type("Dominique Essai")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_requester_email"
    page.keyboard.type(REQUESTER)
    page.keyboard.press("Tab")
    assert _focused(page) == "id_requester_phone"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_requester_organisation"
    page.keyboard.type("Commune fictive")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_requester_type"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_requester_type").input_value() != ""
    page.keyboard.press("Tab")  # the link to the personal-data page, then the consent
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/donnees-personnelles/"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_consent"
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    page.keyboard.press("Tab")  # the honeypot is skipped
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/demandes/nouvelle/merci/\?demande="))

    # The thank-you page: reference, due date, tracking link.
    assert page.locator("h1").inner_text() == "Demande reçue"
    status = page.get_by_role("status").inner_text()
    reference = re.search(r"D20[0-9]{2}-[0-9]{5}", status).group(0)
    tracking = page.locator("#tracking-url").input_value()
    assert "/demandes/suivi/" in tracking
    page.screenshot(path=screenshot_dir / "inquiry-done-fr.png", full_page=True)
    _assert_accessible(page)

    # The acknowledgement (console back end: gunicorn's log) carries the same link.
    log = (live_site_var_dir / "gunicorn.log").read_text()
    # (Other tests of this site may have written to the same address: this request's
    # reference picks its mail.)
    mails = [
        mail
        for mail in log.split(MAIL_SEPARATOR)
        if f"\nTo: {REQUESTER}\n" in mail and reference in mail
    ]
    assert len(mails) == 1
    [link] = re.findall(r"https?://\S+/demandes/suivi/\S+/", mails[0])
    # Each signs its own timestamped link (the mail and the page may be a second apart):
    # both open this request's tracking page.
    for url in (link, tracking):
        page.goto(urlsplit(url).path)
        assert page.locator("h1").inner_text() == f"Demande {reference}"
        assert "Reçue : en attente de prise en charge" in page.locator(".facts").inner_text()

    # Saved once, received from the web form, with its territory and consent.
    database = live_site_var_dir / "villes2.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT i.kind, i.channel, i.status, t.code, i.consent != '' FROM inquiries_inquiry i "
            "LEFT JOIN territories_territory t ON t.id = i.territory_id WHERE i.subject = ?",
            (SUBJECT,),
        ).fetchall()
    assert rows == [("assistance-technique", "formulaire", "nouvelle", "37261", 1)]


@pytest.mark.parametrize(("prefix", "lang"), LANGS)
def test_the_done_page_is_accessible_in_both_languages(page, screenshot_dir, prefix, lang):
    page.goto(prefix + "/demandes/nouvelle/merci/")
    assert page.locator("h1").is_visible()
    page.screenshot(path=screenshot_dir / f"inquiry-done-empty-{lang}.png", full_page=True)
    _assert_accessible(page)


@pytest.mark.parametrize(("prefix", "lang"), LANGS)
def test_the_answered_request_shows_the_answer_and_public_resources_only(
    page, screenshot_dir, tracking_paths, prefix, lang
):
    response = page.goto(prefix + tracking_paths[REQUEST_ANSWERED_KEY])
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert page.locator("html").get_attribute("lang") == lang
    content = page.locator("main").inner_text()
    assert "Réponse inventée pour les tests" in content
    assert "Médiation sociale et adultes-relais" in content
    assert "Médiation sociale de nuit (fiche de test)" in content
    assert "Note interne sur les quartiers" not in content
    assert "Brouillon de test jamais public" not in content
    page.screenshot(path=screenshot_dir / f"inquiry-tracking-answered-{lang}.png", full_page=True)
    _assert_accessible(page)


@pytest.mark.parametrize(("prefix", "lang"), LANGS)
def test_the_new_request_tracking_page(page, screenshot_dir, tracking_paths, prefix, lang):
    response = page.goto(prefix + tracking_paths[REQUEST_NEW_KEY])
    assert response.status == 200
    steps = page.locator(".request-steps li")
    assert steps.count() == 4
    page.screenshot(path=screenshot_dir / f"inquiry-tracking-new-{lang}.png", full_page=True)
    _assert_accessible(page)


def test_a_forged_tracking_link_is_404(page, tracking_paths):
    path = tracking_paths[REQUEST_NEW_KEY]
    forged = path[:-4] + ("AAAA/" if not path.endswith("AAAA/") else "BBBB/")
    assert page.goto(forged).status == 404
