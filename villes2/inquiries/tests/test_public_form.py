"""The desk's public form (`/demandes/nouvelle/`) and its thank-you page: a valid request
is received once, logged, acknowledged to the requester with a working tracking link and
announced to the centre; every bad input is refused in French on its field and writes
and sends nothing; the honeypot, the throttle per address and per e-mail, a form sent
twice."""

import datetime
import html as html_lib
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from villes2.inquiries.models import (
    ActionKind,
    Channel,
    Inquiry,
    InquiryAction,
    InquiryKind,
    InquiryStatus,
    RequesterType,
)
from villes2.inquiries.selectors.tracking import inquiry_from_tracking_token
from villes2.inquiries.views import public as views
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def french():
    """`reverse()` follows the active language, which a request to /en/ leaves behind."""
    translation.activate("fr")
    yield
    translation.activate("fr")


NEW_URL = reverse("inquiries:new")
CENTRE = "centre@example.org"
TRACKING = re.compile(r"https?://[^\s]+/demandes/suivi/[^\s/]+/")


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache, which outlives each test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def centre_address(settings):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": CENTRE}


@pytest.fixture
def tours(reference_data):
    return Territory.objects.get(kind="commune", code="37261")


@pytest.fixture
def health(reference_data):
    return Concept.objects.get(scheme__is_theme_scheme=True, pref_label_fr="Santé")


def _data(**fields) -> dict:
    values = {
        "requester_name": "Marie Dupont",
        "requester_email": "marie.dupont@example.org",
        "requester_phone": "",
        "requester_organisation": "Ville fictive",
        "requester_type": RequesterType.PROJECT_LEAD,
        "kind": InquiryKind.METHODOLOGICAL,
        "territory": "",
        "subject": "Créer un atelier santé ville",
        "question": "Comment monter un atelier santé ville dans notre quartier ?",
        "consent": "on",
        "website": "",
    }
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def _post(client, django_capture_on_commit_callbacks, url=NEW_URL, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, _data(**fields))


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _field_errors(response, name: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(name, [])]


def _nothing_written():
    assert not Inquiry.objects.exists()
    assert not InquiryAction.objects.exists()
    assert mail.outbox == []


# --- The form -----------------------------------------------------------------------


def test_the_form_in_french_has_every_part(client, reference_data):
    response = client.get(NEW_URL)
    assert response.status_code == 200
    content = _text(response)
    for name in (
        "requester_name",
        "requester_email",
        "requester_phone",
        "requester_organisation",
        "requester_type",
        "kind",
        "territory",
        "themes",
        "subject",
        "question",
        "consent",
        "website",
    ):
        assert f'name="{name}"' in content, name
    assert "<h1>Envoyer une demande</h1>" in content
    assert '<label for="id_requester_email">Votre courriel (obligatoire)</label>' in content
    assert '<label for="id_requester_phone">Votre téléphone</label>' in content
    assert "<legend>Nature de la demande (obligatoire)</legend>" in content
    assert "Appui méthodologique" in content
    assert "jusqu’à deux ans après la clôture de la demande" in content
    assert f'href="{reverse("core:personal_data")}"' in content
    assert '<meta name="robots" content="noindex">' in content
    # The honeypot is hidden from people and skipped by the keyboard.
    assert re.search(r'<div hidden>.*name="website"[^>]*tabindex="-1"', content, re.S)
    # Themes grouped under their top theme.
    assert "<legend>Santé</legend>" in content


def test_the_form_in_english(client, reference_data):
    response = client.get("/en" + NEW_URL)
    content = _text(response)
    assert "<h1>Send a request</h1>" in content
    assert '<label for="id_requester_email">Your e-mail (required)</label>' in content
    assert "until two years after the request is closed" in content


def test_a_signed_in_user_gets_their_name_and_address_prefilled(client, reference_data):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        "membre", email="membre@example.org", first_name="Jeanne", last_name="Martin"
    )
    client.force_login(user)
    content = _text(client.get(NEW_URL))
    assert re.search(r'name="requester_name" value="Jeanne Martin"', content)
    assert re.search(r'name="requester_email" value="membre@example.org"', content)


# --- A valid request ----------------------------------------------------------------


def test_a_valid_request_is_received_logged_and_both_mails_sent(
    client, django_capture_on_commit_callbacks, tours, health
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        territory="37261",
        themes=[str(health.pk)],
        requester_phone="02 47 00 00 00",
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.channel == Channel.WEB
    assert inquiry.kind == InquiryKind.METHODOLOGICAL
    assert inquiry.requester_type == RequesterType.PROJECT_LEAD
    assert inquiry.requester_phone == "02 47 00 00 00"
    assert inquiry.territory == tours
    assert list(inquiry.themes.all()) == [health]
    assert inquiry.consent.startswith("J’accepte que le centre de ressources conserve")
    assert inquiry.consented_at is not None
    assert inquiry.due_date > inquiry.received_at.date()
    [action] = InquiryAction.objects.filter(inquiry=inquiry)
    assert (action.kind, action.by_name, action.by_id) == (
        ActionKind.RECEIVED,
        "Marie Dupont",
        None,
    )

    assert len(mail.outbox) == 2
    acknowledgement, notice = mail.outbox
    assert acknowledgement.to == ["marie.dupont@example.org"]
    assert acknowledgement.subject == f"Votre demande {inquiry.reference} a bien été reçue"
    assert notice.to == [CENTRE]
    assert inquiry.reference in notice.subject
    assert "marie.dupont@example.org" not in notice.body  # the notice links the back office
    [link] = TRACKING.findall(acknowledgement.body)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert inquiry.reference in _text(page)
    assert "Créer un atelier santé ville" in _text(page)

    # The thank-you page: reference, due date, tracking link.
    done = client.get(response["Location"])
    assert done.status_code == 200
    content = _text(done)
    assert inquiry.reference in content
    assert f"{inquiry.due_date.day} " in content
    # Each page issues its own timestamped link: the page's link opens the same request.
    [shown] = set(TRACKING.findall(content))
    assert inquiry_from_tracking_token(urlsplit(shown).path.split("/")[-2]) == inquiry
    assert "ajoutez-le à vos favoris" in content
    assert "no-store" in done["Cache-Control"]
    assert done["Referrer-Policy"] == "no-referrer"


def test_a_form_sent_twice_makes_one_request_and_one_pair_of_mails(
    client, django_capture_on_commit_callbacks, reference_data
):
    first = _post(client, django_capture_on_commit_callbacks)
    second = _post(client, django_capture_on_commit_callbacks)
    assert Inquiry.objects.count() == 1
    assert InquiryAction.objects.count() == 1
    assert len(mail.outbox) == 2
    pk = Inquiry.objects.get().pk
    token = first["Location"].split(f"{views.DONE_PARAMETER}=")[1]
    assert signing.loads(token, salt=views.DONE_SALT) == pk
    # The second only thanks: repeating someone's request must not reveal their link.
    assert second["Location"] == NEW_URL + "merci/"


# --- Refusals: nothing written, nothing sent ------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"requester_email": "marie.dupont"},
            "requester_email",
            "Saisissez une adresse électronique valide, par exemple marie.dupont@example.org.",
        ),
        (
            {"requester_email": "marie@example.org\nBcc: x@example.org"},
            "requester_email",
            "Saisissez une adresse électronique valide, par exemple marie.dupont@example.org.",
        ),
        (
            {"requester_email": ""},
            "requester_email",
            "Indiquez votre adresse électronique : la réponse y sera envoyée.",
        ),
        ({"question": ""}, "question", "Écrivez votre question."),
        ({"question": "   \n  "}, "question", "Écrivez votre question."),
        ({"requester_name": ""}, "requester_name", "Indiquez votre nom."),
        (
            {"subject": ""},
            "subject",
            "Indiquez l’objet de votre demande en quelques mots.",
        ),
        (
            {"consent": None},
            "consent",
            "Cochez cette case : le centre a besoin de vos coordonnées pour vous répondre.",
        ),
        (
            {"requester_type": ""},
            "requester_type",
            "Indiquez qui vous êtes : cela aide le centre à vous répondre.",
        ),
        ({"kind": None}, "kind", "Choisissez la nature de la demande."),
        ({"kind": "autre-chose"}, "kind", None),
        ({"subject": "x" * 201}, "subject", None),
        ({"question": "x" * 10_001}, "question", None),
        ({"requester_name": "M" * 201}, "requester_name", None),
        ({"requester_phone": "0" * 41}, "requester_phone", None),
        ({"requester_organisation": "O" * 301}, "requester_organisation", None),
        ({"requester_name": "Marie\nDupont"}, "requester_name", None),
        ({"subject": "Objet\nBcc: x@example.org"}, "subject", None),
        ({"territory": "Nulle-part-sur-Loire"}, "territory", None),
        ({"themes": ["999999"]}, "themes", None),
    ],
)
def test_bad_input_is_refused_in_french_on_its_field(
    client, django_capture_on_commit_callbacks, reference_data, fields, field, message
):
    response = _post(client, django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 200
    errors = _field_errors(response, field)
    assert errors, field
    if message is not None:
        assert errors == [message]
    # French messages (no English leaks from Django's defaults).
    assert not any(word in " ".join(errors) for word in ("Ensure", "Enter", "This field"))
    content = _text(response)
    assert "La demande n’a pas pu être envoyée" in content
    assert "<title>Erreur — Envoyer une demande — Villes²</title>" in content
    _nothing_written()


def test_the_error_summary_links_to_each_field_in_the_page_order(
    client, django_capture_on_commit_callbacks, reference_data
):
    response = _post(
        client,
        django_capture_on_commit_callbacks,
        requester_email="non",
        question="",
        consent=None,
        kind=None,
    )
    content = _text(response)
    summary = content.split('role="alert"')[1].split("</div>")[0]
    assert "Corrigez les 4 champs ci-dessous, puis envoyez à nouveau le formulaire :" in summary
    # A radio group is reached at its first button.
    assert re.findall(r'<a href="#([^"]+)">', summary) == [
        "id_kind_0",
        "id_question",
        "id_requester_email",
        "id_consent",
    ]
    assert 'id="id_kind_0"' in content
    assert '<a href="#id_consent">Accord pour l’utilisation de vos coordonnées</a>' in summary
    assert 'aria-invalid="true"' in content
    _nothing_written()


def test_the_honeypot_creates_nothing(client, django_capture_on_commit_callbacks, reference_data):
    response = _post(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert response.status_code == 404
    _nothing_written()


def test_requests_are_limited_per_address(
    client, django_capture_on_commit_callbacks, reference_data
):
    for n in range(views.REQUESTS_PER_ADDRESS):
        response = _post(
            client,
            django_capture_on_commit_callbacks,
            requester_email=f"personne{n}@example.org",
        )
        assert response.status_code == 302
    mails = len(mail.outbox)
    response = _post(
        client, django_capture_on_commit_callbacks, requester_email="autre@example.org"
    )
    assert response.status_code == 429
    assert "Trop de demandes ont été envoyées d’ici" in _text(response)
    assert Inquiry.objects.count() == views.REQUESTS_PER_ADDRESS
    assert len(mail.outbox) == mails
    # Another address is not blocked.
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(
            NEW_URL, _data(requester_email="autre@example.org"), REMOTE_ADDR="192.0.2.7"
        )
    assert other.status_code == 302


def test_requests_are_limited_per_e_mail_whatever_the_address(
    client, django_capture_on_commit_callbacks, reference_data
):
    for n in range(views.REQUESTS_PER_EMAIL):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                NEW_URL, _data(subject=f"Demande {n}"), REMOTE_ADDR=f"192.0.2.{n + 1}"
            )
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_URL,
            _data(subject="Encore une", requester_email="MARIE.DUPONT@example.org"),
            REMOTE_ADDR="198.51.100.1",
        )
    assert response.status_code == 429
    assert Inquiry.objects.count() == views.REQUESTS_PER_EMAIL


# --- The thank-you page ---------------------------------------------------------------


# Ids given: a signed token holds the time it was made, which differs between the test
# processes collecting it (pytest-xdist).
@pytest.mark.parametrize(
    "token",
    ["", "abc", signing.dumps(1, salt="other-salt")],
    ids=["empty", "unsigned", "other-salt"],
)
def test_the_thank_you_page_without_a_valid_reference_names_nothing(client, db, token):
    response = client.get(reverse("inquiries:done"), {views.DONE_PARAMETER: token})
    assert response.status_code == 200
    content = _text(response)
    assert "Merci : le centre de ressources a bien reçu votre demande." in content
    assert "/demandes/suivi/" not in content


def test_an_expired_thank_you_reference_names_nothing(
    client, django_capture_on_commit_callbacks, reference_data, monkeypatch
):
    response = _post(client, django_capture_on_commit_callbacks)
    reference = Inquiry.objects.get().reference
    assert reference in _text(client.get(response["Location"]))
    later = datetime.datetime.now().timestamp() + views.DONE_MAX_AGE + 60
    monkeypatch.setattr("time.time", lambda: later)
    content = _text(client.get(response["Location"]))
    assert reference not in content
    assert "/demandes/suivi/" not in content


# --- Query budgets ----------------------------------------------------------------------


def test_the_form_page_query_budget(client, reference_data, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(NEW_URL).status_code == 200


def test_the_thank_you_page_query_budget(
    client, django_capture_on_commit_callbacks, reference_data, django_assert_max_num_queries
):
    response = _post(client, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(1):
        assert client.get(response["Location"]).status_code == 200
