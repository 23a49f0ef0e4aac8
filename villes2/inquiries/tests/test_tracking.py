"""The requester's private tracking page (`/demandes/suivi/<token>/`): the status in
words and the public steps, never the log's notes nor the staff's names; once answered,
the answer and only the public resources linked; 404 for a forged, altered or expired
token or a purged request; kept out of caches, search engines and referrers; the answer
mail's link opens it."""

import datetime
import html as html_lib
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.utils import timezone, translation

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.documents.tests.factories import record
from villes2.events.tests.factories import event, organisation
from villes2.inquiries import services
from villes2.inquiries.models import Inquiry, InquiryStatus
from villes2.inquiries.selectors import tracking
from villes2.practices.models import PracticeStatus
from villes2.practices.tests.factories import PracticeFactory

from .factories import InquiryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french():
    """`reverse()` follows the active language, which a request to /en/ leaves behind."""
    translation.activate("fr")
    yield
    translation.activate("fr")


S = InquiryStatus


def _page(client, inquiry, *, prefix: str = ""):
    return client.get(prefix + tracking.inquiry_tracking_url(inquiry))


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_a_new_request_shows_its_status_in_words_and_its_steps(client):
    inquiry = InquiryFactory(subject="Diagnostic de quartier")
    response = _page(client, inquiry)
    assert response.status_code == 200
    content = _text(response)
    assert f"<h1>Demande {inquiry.reference}</h1>" in content
    assert "Diagnostic de quartier" in content
    assert "Reçue : en attente de prise en charge" in content
    assert "Réponse attendue avant le" in content
    steps = re.findall(r'<span class="step-label">(.*?)</span>', content)
    assert steps == ["Reçue", "En cours", "Répondue", "Close"]
    assert content.count("pas encore") == 3
    assert "La réponse du centre" not in content


def test_the_page_is_private_and_not_indexed(client):
    response = _page(client, InquiryFactory())
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_log_notes_and_staff_names_are_never_shown(client, reference_data):
    agent = staff_user("agent-secret", role=roles.PROJECT_OFFICER)
    agent.first_name, agent.last_name = "Gaston", "Lagaffe"
    agent.save()
    inquiry = InquiryFactory(first_response_after=datetime.timedelta(minutes=1))
    services.inquiry_assign(inquiry, assignee=agent)
    services.inquiry_log_action(
        inquiry, kind="note", note="Note interne très confidentielle", user=agent, minutes=5
    )
    services.inquiry_transition(inquiry, to_status=S.WAITING, comment="Commentaire interne")
    content = _text(_page(client, inquiry))
    assert "En cours : le centre attend des informations de votre part" in content
    for secret in (
        "Note interne très confidentielle",
        "Commentaire interne",
        "Appel au demandeur",
        "Gaston",
        "Lagaffe",
        "agent-secret",
    ):
        assert secret not in content
    steps = re.findall(r'<li class="(done|todo)">', content)
    assert steps == ["done", "done", "todo", "todo"]


def test_an_answered_request_shows_the_answer_and_only_public_resources(client, reference_data):
    public_document = record(title="Guide public de la médiation")
    staff_document = record(title="Note réservée à l'équipe", access="equipe")
    draft_document = record(title="Notice en brouillon", status="brouillon")
    published = PracticeFactory(title="Fiche publiée de médiation", status=PracticeStatus.PUBLISHED)
    draft = PracticeFactory(title="Fiche en brouillon secrète")
    public_event = event(title="Rencontre publique de test")
    hidden_event = event(title="Rencontre non publiée de test", published=False)
    network = organisation(name="Réseau de la médiation")
    inquiry = InquiryFactory()
    services.inquiry_answer(
        inquiry,
        answer="Voici notre réponse.\n\nConsultez https://example.org/guide pour le détail.",
        documents=[public_document],
        practices=[published],
        events=[public_event],
        organisations=[network],
    )
    # The service links only public resources; these stand for resources unpublished or
    # restricted after the answer was sent.
    inquiry.documents.add(staff_document, draft_document)
    inquiry.practices.add(draft)
    inquiry.events.add(hidden_event)
    response = _page(client, inquiry)
    content = _text(response)
    assert '<strong class="request-status request-status-repondue">Répondue</strong>' in content
    assert "La réponse du centre" in content
    assert "<p>Voici notre réponse.</p>" in content
    assert 'href="https://example.org/guide"' in content
    assert "Ressources proposées" in content
    for shown, url in (
        ("Guide public de la médiation", public_document.get_absolute_url()),
        ("Fiche publiée de médiation", published.get_absolute_url()),
        ("Rencontre publique de test", public_event.get_absolute_url()),
        ("Réseau de la médiation", network.get_absolute_url()),
    ):
        assert shown in content
        assert f'href="{url}"' in content
    for hidden in (
        "Note réservée à l'équipe",
        "Notice en brouillon",
        "Fiche en brouillon secrète",
        "Rencontre non publiée de test",
    ):
        assert hidden not in content
    assert "Réponse attendue avant le" not in content


def test_the_answer_mail_link_opens_the_answer(client, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_answer(
            inquiry, answer="La réponse envoyée par courriel.", base_url="http://testserver/"
        )
    [message] = mail.outbox
    assert message.to == [inquiry.requester_email]
    [link] = re.findall(r"http://testserver(/demandes/suivi/[^\s]+/)", message.body)
    response = client.get(link)
    assert response.status_code == 200
    assert "La réponse envoyée par courriel." in _text(response)


def test_a_closed_request_says_so(client):
    inquiry = InquiryFactory(status=S.CLOSED)
    content = _text(_page(client, inquiry))
    assert '<strong class="request-status request-status-close">Close</strong>' in content
    assert re.findall(r'<li class="(done|todo)">', content) == ["done"] * 4


def test_the_page_in_english(client):
    inquiry = InquiryFactory()
    content = _text(_page(client, inquiry, prefix="/en"))
    assert f"<h1>Request {inquiry.reference}</h1>" in content
    assert "Received: waiting to be handled" in content


# --- 404: the existence of a request is never told -------------------------------------


def _signed(payload) -> str:
    return signing.TimestampSigner(salt=tracking.TRACKING_SALT).sign_object(payload)


def test_a_forged_token_is_404(client):
    inquiry = InquiryFactory()
    token = tracking.inquiry_tracking_token(inquiry)
    for forged in (
        token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        "nimportequoi",
        signing.TimestampSigner(salt="autre").sign_object({"i": inquiry.pk, "k": "x"}),
        signing.dumps({"i": inquiry.pk, "k": inquiry.tracking_key}),
    ):
        assert client.get(f"/demandes/suivi/{forged}/").status_code == 404


def test_a_token_with_another_key_or_request_is_404(client):
    inquiry = InquiryFactory()
    other = InquiryFactory()
    for payload in (
        {"i": inquiry.pk, "k": "cle-modifiee"},
        {"i": other.pk, "k": inquiry.tracking_key},
        {"i": inquiry.pk, "k": ""},
        {"i": str(inquiry.pk), "k": inquiry.tracking_key},
        [inquiry.pk, inquiry.tracking_key],
    ):
        assert client.get(f"/demandes/suivi/{_signed(payload)}/").status_code == 404
    assert (
        client.get(
            f"/demandes/suivi/{_signed({'i': inquiry.pk, 'k': inquiry.tracking_key})}/"
        ).status_code
        == 200
    )


def test_an_expired_token_is_404(client, settings, monkeypatch):
    inquiry = InquiryFactory()
    url = tracking.inquiry_tracking_url(inquiry)
    assert client.get(url).status_code == 200
    later = timezone.now() + datetime.timedelta(days=settings.INQUIRIES_TRACKING_DAYS + 1)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    assert client.get(url).status_code == 404


def test_a_purged_request_is_404(client, settings):
    inquiry = InquiryFactory(status=S.CLOSED)
    url = tracking.inquiry_tracking_url(inquiry)
    assert client.get(url).status_code == 200
    Inquiry.objects.filter(pk=inquiry.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=settings.INQUIRIES_RETENTION_DAYS + 1)
    )
    count, _lines = services.inquiries_retention_purge()
    assert count == 1
    assert client.get(url).status_code == 404


# --- Query budget -----------------------------------------------------------------------


def test_the_tracking_page_query_budget(client, reference_data, django_assert_max_num_queries):
    inquiry = InquiryFactory()
    services.inquiry_answer(
        inquiry,
        answer="Réponse.",
        documents=[record(title=f"Notice {n}") for n in range(3)],
        events=[event() for _n in range(3)],
        organisations=[organisation() for _n in range(3)],
    )
    url = tracking.inquiry_tracking_url(inquiry)
    # The request with its territory, four public resource lists, the start of work.
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert urlsplit(url).path == url
