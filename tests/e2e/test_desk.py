"""The staff desk in a real browser: a project officer signs in, opens the queue (overdue
requests first) and a request's page, checks the suggested resources (public records of
the invented catalogue, never the staff-only note or the draft), answers the request
with a suggestion ticked, and the requester's mail leads to the answer. axe-core runs on
the queue and the request's page. Requests and the account are invented, created by
`manage.py shell` as `test_agenda.staff_login` does."""

import re

import pytest

from villes2.accounts.roles import PROJECT_OFFICER

from .conftest import create_staff_account, sign_in
from .test_agenda import MAIL_SEPARATOR, _assert_accessible

pytestmark = pytest.mark.e2e

USERNAME = "e2e-desk-chargee-de-mission"
REQUESTER_EMAIL = "dominique.desk@example.org"
LATE_SUBJECT = "Bilan de la rénovation urbaine des quartiers (test)"
RECENT_SUBJECT = "Médiation sociale et adultes-relais (test)"
PUBLIC_RECORD = "Rénovation urbaine des quartiers nord : bilan d'étape"
# Records of tests/e2e/data/catalogue-test.csv that must never be offered to a requester.
STAFF_ONLY_RECORD = "Note interne sur les quartiers"
DRAFT_RECORD = "Brouillon sur les quartiers"

# Run after the account's creation (`user`).
DATA = f"""
import datetime
from django.utils import timezone
from villes2.inquiries import services
from villes2.inquiries.models import Inquiry

now = timezone.now()
late = services.inquiry_receive(Inquiry(
    requester_name="Dominique Essai (personne inventée)",
    requester_email={REQUESTER_EMAIL!r},
    requester_organisation="Commune de test",
    requester_type="chef-de-projet",
    kind="information",
    channel="courriel",
    subject={LATE_SUBJECT!r},
    question="Bonjour, avez-vous des bilans de la rénovation urbaine des quartiers nord ?",
    received_at=now - datetime.timedelta(days=20),
), user=user)
services.inquiry_assign(late, assignee=user, user=user)
services.inquiry_receive(Inquiry(
    requester_name="Camille Test (personne inventée)",
    requester_phone="02 47 00 00 00",
    requester_type="association",
    kind="appui-methodologique",
    channel="telephone",
    subject={RECENT_SUBJECT!r},
    question="Comment financer des postes d'adultes-relais ?",
    received_at=now - datetime.timedelta(hours=3),
), user=user)
"""


@pytest.fixture(scope="module")
def desk_login(live_site, live_site_var_dir) -> tuple[str, str]:
    """A project officer's account and two invented requests: (username, password)."""
    password = create_staff_account(
        live_site_var_dir, USERNAME, PROJECT_OFFICER, first_name="Claude", then=DATA
    )
    return USERNAME, password


def test_queue_request_page_and_answer(page, screenshot_dir, desk_login, live_site_var_dir):
    sign_in(page, *desk_login, "/gestion/inquiries/inquiry/")

    # (a) The queue: open requests, the overdue one above the recent one, in words.
    assert page.locator("h1").inner_text() == "Demandes ouvertes"
    summary = page.locator(".desk-summary-main").inner_text()
    assert re.search(r"\d+ demandes? ouvertes?, dont \d+ en retard", summary), summary
    rows = page.locator("#result_list tbody tr")
    subjects = [row.locator(".desk-subject").inner_text() for row in rows.all()]
    assert subjects.index(LATE_SUBJECT) < subjects.index(RECENT_SUBJECT)
    late_row = rows.filter(has_text=LATE_SUBJECT)
    assert re.search(r"en retard de \d+ jours ouvrés", late_row.inner_text())
    assert "Claude" in late_row.inner_text()
    page.screenshot(path=screenshot_dir / "desk-queue-fr.png", full_page=True)
    _assert_accessible(page)

    # "My requests".
    page.get_by_role("link", name="Moi (mes demandes)").click()
    page.wait_for_url(re.compile(r"attribution=moi"))
    assert page.locator("#result_list tbody tr").filter(has_text=LATE_SUBJECT).count() == 1
    assert page.locator("#result_list tbody tr").filter(has_text=RECENT_SUBJECT).count() == 0

    # (b) The request's page: the desk panel, the suggestions (public records only).
    page.locator("#result_list tbody tr").filter(has_text=LATE_SUBJECT).get_by_role(
        "link"
    ).first.click()
    page.wait_for_url(re.compile(r"/gestion/inquiries/inquiry/\d+/change/"))
    request_url = page.url
    panel = page.locator("section.desk")
    assert re.search(r"en retard de \d+ jours ouvrés", panel.inner_text())
    suggestions = page.locator(".desk-suggestions")
    assert PUBLIC_RECORD in suggestions.inner_text()
    assert STAFF_ONLY_RECORD not in suggestions.inner_text()
    assert DRAFT_RECORD not in suggestions.inner_text()
    page.screenshot(path=screenshot_dir / "desk-request-fr.png", full_page=True)
    _assert_accessible(page)

    # (c) Answer in the browser: text, one suggestion ticked, sent.
    answer = (
        "Bonjour, voici le bilan d'étape du centre sur la rénovation urbaine des quartiers nord."
    )
    page.get_by_role("textbox", name="Texte de la réponse").fill(answer)
    page.locator(".desk-suggestions li").filter(has_text=PUBLIC_RECORD).get_by_role(
        "checkbox"
    ).check()
    page.get_by_role("button", name="Envoyer la réponse", exact=True).click()
    page.wait_for_url(re.compile(r"/change/#desk-answer$"))
    message = page.locator("ul.messagelist").inner_text()
    assert f"La réponse est envoyée\u00a0: {REQUESTER_EMAIL}" in message
    assert page.locator(".desk-facts").get_by_text("Répondue", exact=True).is_visible()
    assert page.locator(".desk-log").get_by_text("Réponse envoyée", exact=True).is_visible()
    page.screenshot(path=screenshot_dir / "desk-answered-fr.png", full_page=True)
    _assert_accessible(page)

    # (d) The requester's mail leads to the answer and its linked record.
    log = (live_site_var_dir / "gunicorn.log").read_text()
    mails = [
        mail
        for mail in log.split(MAIL_SEPARATOR)
        if f"\nTo: {REQUESTER_EMAIL}\n" in mail and "a répondu à votre demande" in mail
    ]
    assert len(mails) == 1, f"{len(mails)} answer mails to {REQUESTER_EMAIL} in the log"
    mail = mails[0]
    link = re.search(r"http://127\.0\.0\.1:\d+(/demandes/suivi/[^\s/]+/)", mail)
    assert link, mail
    page.goto(link.group(1))
    assert answer in page.locator("#contenu").inner_text()
    assert page.get_by_role("link", name=PUBLIC_RECORD).is_visible()
    page.goto(request_url)
    assert page.locator(".desk-facts").get_by_text("Répondue", exact=True).is_visible()
