"""Rights requests (one-month due date, overdue list), the public request form, the
consent page reached by a signed link, restriction of processing, art. 14 information."""

import datetime

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.utils import timezone

from villes2.accounts import roles
from villes2.actors import selectors, services
from villes2.actors.models import (
    Consent,
    ConsentPurpose,
    Mandate,
    Office,
    Person,
    RequestStatus,
    RightKind,
    RightsRequest,
    one_month_after,
)
from villes2.core.testing import staff_user

from .factories import ConsentFactory, MembershipFactory, PersonFactory, RightsRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The request form counts requests in the cache: each test starts at zero."""
    cache.clear()


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-15", "2026-02-15"),
        ("2026-01-31", "2026-02-28"),
        ("2028-01-31", "2028-02-29"),
        ("2026-03-31", "2026-04-30"),
        ("2026-12-31", "2027-01-31"),
    ],
)
def test_answer_is_due_one_month_after_receipt(received, due):
    assert one_month_after(datetime.date.fromisoformat(received)) == datetime.date.fromisoformat(
        due
    )


def _staff(django_user_model, role, name="staff"):
    return staff_user(name, role=role)


def test_request_form_records_a_request_due_in_one_month(
    client, settings, django_capture_on_commit_callbacks
):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "dpo@villes2.invalid"}
    person = PersonFactory(first_name="Léa", last_name="Rivière", slug="lea-riviere")
    page = client.get("/annuaire/personnes/lea-riviere/")
    assert 'href="/annuaire/personnes/lea-riviere/demande/"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/annuaire/personnes/lea-riviere/demande/",
            {
                "kind": RightKind.ERASURE,
                "requester_name": "Léa Rivière",
                "requester_email": "lea@example.org",
                "message": "Merci de supprimer ma fiche.",
            },
            follow=True,
        )
    request = RightsRequest.objects.get()
    assert request.person == person
    assert request.channel == "formulaire"
    assert request.received_on == timezone.localdate()
    assert request.due_on == one_month_after(timezone.localdate())
    content = response.content.decode()
    assert f"demande n° {request.pk}" in content
    assert request.due_on.strftime("%Y") in content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dpo@villes2.invalid"]
    assert "Rivière" not in mail.outbox[0].body + mail.outbox[0].subject


def test_bad_request_form_says_why_in_french_and_writes_nothing(client):
    PersonFactory(slug="lea-riviere")
    response = client.post(
        "/annuaire/personnes/lea-riviere/demande/",
        {"kind": "n-importe", "requester_name": "", "requester_email": "pas-une-adresse"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in content
    assert "Saisissez une adresse de courriel valide." in content
    assert "Sélectionnez un choix valide." in content
    assert RightsRequest.objects.count() == 0


def test_general_request_form_and_forged_receipt(client):
    response = client.post(
        "/annuaire/demande/",
        {"kind": RightKind.ACCESS, "requester_name": "X", "requester_email": "x@example.org"},
    )
    assert response.status_code == 302
    assert RightsRequest.objects.get().person is None
    assert client.get("/annuaire/demande/recue/1/").status_code == 404


def test_overdue_requests_are_listed(django_user_model, client):
    today = timezone.localdate()
    overdue = RightsRequestFactory(
        kind=RightKind.ACCESS, channel="courriel", received_on=today - datetime.timedelta(days=40)
    )
    RightsRequestFactory(kind=RightKind.ACCESS, channel="courriel", received_on=today)
    RightsRequestFactory(
        kind=RightKind.ERASURE,
        channel="courriel",
        received_on=today - datetime.timedelta(days=60),
        status=RequestStatus.DONE,
        closed_on=today - datetime.timedelta(days=50),
    )
    assert list(selectors.rights_requests_overdue()) == [overdue]
    assert overdue.is_overdue
    client.force_login(_staff(django_user_model, roles.ASSISTANT))
    response = client.get("/gestion/actors/rightsrequest/?echeance=depassee")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [overdue]
    assert "2 demande(s) ouverte(s), dont 1 en retard" in response.content.decode()


def test_closing_a_request_records_who_and_when(django_user_model, client):
    request = RightsRequestFactory(kind=RightKind.ACCESS, channel="courriel")
    user = _staff(django_user_model, roles.ASSISTANT)
    client.force_login(user)
    response = client.post(
        f"/gestion/actors/rightsrequest/{request.pk}/change/",
        {
            "kind": RightKind.ACCESS,
            "channel": "courriel",
            "received_on": request.received_on.isoformat(),
            "due_on": request.due_on.isoformat(),
            "status": RequestStatus.DONE,
            "response": "Export envoyé.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.closed_on == timezone.localdate()
    assert request.handled_by == user


def test_restricted_person_is_shown_nowhere_public(client, territories):
    tours = territories.get(kind="commune", code="37261")
    person = PersonFactory(
        first_name="Ninon", last_name="Restreinte", slug="ninon-restreinte", territories=[tours]
    )
    MembershipFactory(person=person, organisation__slug="asso-test", role="Présidente")
    Mandate.objects.create(person=person, office=Office.ASSESSOR, start_date="2007-05-29")
    urls = [
        "/annuaire/personnes/",
        "/annuaire/personnes/?q=restreinte",
        "/annuaire/organisations/asso-test/",
        "/territoires/commune/37261/",
        "/le-bureau/?date=2008-01-01",
    ]
    for url in urls:
        assert "Restreinte" in client.get(url).content.decode(), url
    person.processing_restricted = True
    person.save()
    for url in urls:
        assert "Restreinte" not in client.get(url).content.decode(), url
    assert client.get("/annuaire/personnes/ninon-restreinte/").status_code == 404
    assert client.get("/annuaire/personnes/ninon-restreinte/vcard.vcf").status_code == 404
    assert "Restreinte" not in client.get("/annuaire/personnes/annuaire.vcf").content.decode()


def _consent_url(person):
    return services.consent_link_path(person)


def test_consent_page_records_choices_in_the_ledger(client):
    person = PersonFactory()
    url = _consent_url(person)
    assert client.get(url).status_code == 200
    response = client.post(url, {"public_fields": ["email", "phone"], "newsletter": "on"})
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"  # the token stays on the site
    assert selectors.consents_in_force(person) == {
        ConsentPurpose.PUBLIC_LISTING: ["email", "phone"],
        ConsentPurpose.NEWSLETTER: [],
    }
    consent = Consent.objects.get(purpose=ConsentPurpose.PUBLIC_LISTING)
    assert consent.channel == "formulaire en ligne"
    assert consent.text_version == services.CONSENT_TEXT_VERSION
    person.refresh_from_db()
    assert person.informed_on == timezone.localdate()
    # Same choices again: nothing added. A change: the old row is withdrawn, a new one added.
    client.post(url, {"public_fields": ["email", "phone"], "newsletter": "on"})
    assert Consent.objects.count() == 2
    client.post(url, {"public_fields": ["email"]})
    assert selectors.person_public_fields(person) == {"email"}
    assert Consent.objects.count() == 3
    assert Consent.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_withdrawal_is_one_click(client):
    person = PersonFactory()
    ConsentFactory(person=person, fields=["email", "phone"])
    ConsentFactory(person=person, purpose=ConsentPurpose.NEWSLETTER)
    response = client.post(_consent_url(person), {"withdraw": "1"})
    assert "Tous vos consentements sont retirés" in response.content.decode()
    assert selectors.consents_in_force(person) == {}
    assert selectors.person_public_fields(person) == set()
    assert Consent.objects.count() == 2  # the ledger keeps both rows


def test_forged_or_expired_consent_link_is_refused(client):
    person = PersonFactory()
    url = _consent_url(person)
    response = client.get(url[:-3] + "abc/")
    assert response.status_code == 404
    assert "Ce lien n’est plus valable" in response.content.decode() or (
        "Ce lien n'est plus valable" in response.content.decode()
    )
    token = selectors.consent_link_token(person=person)
    assert selectors.person_from_consent_token(token) == person
    assert selectors.person_from_consent_token(token + "x") is None


def test_consent_page_query_budget(client, django_assert_num_queries):
    person = PersonFactory()
    ConsentFactory(person=person, fields=["email"])
    url = _consent_url(person)
    with django_assert_num_queries(2):  # the person, the consents
        client.get(url)


def test_information_email_sends_the_link_and_records_the_date(django_user_model, client):
    with_email = PersonFactory(email="marc@example.org")
    without_email = PersonFactory(email="")
    client.force_login(_staff(django_user_model, roles.ASSISTANT))
    response = client.post(
        "/gestion/actors/person/",
        {"action": "send_information", "_selected_action": [with_email.pk, without_email.pk]},
        follow=True,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marc@example.org"]
    assert "/annuaire/mes-choix/" in message.body
    link = message.body.split("http://testserver", 1)[1].split()[0]
    assert client.get(link).context["person"] == with_email
    with_email.refresh_from_db()
    without_email.refresh_from_db()
    assert with_email.informed_on == timezone.localdate()
    assert without_email.informed_on is None
    assert "n’ont pas d’adresse" in response.content.decode() or (
        "n'ont pas d'adresse" in response.content.decode()
    )


def test_not_informed_list_for_staff(django_user_model, client, territories):
    informed = PersonFactory(informed_on=datetime.date(2026, 1, 5))
    not_informed = PersonFactory()
    # The nine board members loaded from the note start as not informed, too.
    listed = list(selectors.persons_not_informed())
    assert not_informed in listed and informed not in listed
    assert Person.objects.filter(source=services.NOTE_SOURCE, informed_on=None).count() == 9
    client.force_login(_staff(django_user_model, roles.DOCUMENTALIST))
    response = client.get("/gestion/actors/person/?informe=non")
    assert set(response.context["cl"].queryset) == set(listed)
    client.post(
        "/gestion/actors/person/",
        {"action": "mark_informed", "_selected_action": [not_informed.pk, informed.pk]},
    )
    not_informed.refresh_from_db()
    informed.refresh_from_db()
    assert not_informed.informed_on == timezone.localdate()
    assert informed.informed_on == datetime.date(2026, 1, 5)


def test_request_pages_query_budget(client, django_assert_num_queries):
    PersonFactory(slug="lea-riviere")
    with django_assert_num_queries(1):  # the person
        assert client.get("/annuaire/personnes/lea-riviere/demande/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/annuaire/demande/").status_code == 200
    response = client.post(
        "/annuaire/demande/",
        {"kind": RightKind.ACCESS, "requester_name": "X", "requester_email": "x@example.org"},
    )
    with django_assert_num_queries(1):  # the request
        assert client.get(response["Location"]).status_code == 200


def _request_data(**values):
    return {
        "kind": RightKind.ACCESS,
        "requester_name": "Léa",
        "requester_email": "lea@example.org",
        **values,
    }


def test_robots_filling_the_hidden_field_write_nothing(client):
    response = client.post("/annuaire/demande/", _request_data(website="http://spam.example"))
    assert response.status_code == 404
    assert not RightsRequest.objects.exists()


def test_request_form_is_rate_limited_with_a_french_message(client):
    for number in range(5):
        response = client.post(
            "/annuaire/demande/", _request_data(requester_email=f"p{number}@example.org")
        )
        assert response.status_code == 302
    response = client.post("/annuaire/demande/", _request_data(requester_email="p9@example.org"))
    assert response.status_code == 429
    assert "Trop de demandes ont été envoyées d’ici" in response.content.decode()
    assert RightsRequest.objects.count() == 5


def test_request_form_is_rate_limited_per_email(client):
    for _number in range(3):
        client.post("/annuaire/demande/", _request_data(), REMOTE_ADDR=f"10.0.0.{_number}")
    response = client.post("/annuaire/demande/", _request_data(), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert RightsRequest.objects.count() == 3


def test_restricted_person_keeps_the_request_form_without_being_named(client):
    person = PersonFactory(last_name="Cachée", slug="cachee", processing_restricted=True)
    response = client.get("/annuaire/personnes/cachee/demande/")
    assert response.status_code == 200
    assert "Cachée" not in response.content.decode()
    client.post("/annuaire/personnes/cachee/demande/", _request_data())
    assert RightsRequest.objects.get().person == person


def test_information_is_not_mailed_to_restricted_persons_and_mail_errors_are_reported(
    django_user_model, client, monkeypatch
):
    restricted = PersonFactory(email="r@example.org", processing_restricted=True)
    unlucky = PersonFactory(email="u@example.org")
    client.force_login(_staff(django_user_model, roles.ASSISTANT))
    response = client.post(
        "/gestion/actors/person/",
        {"action": "send_information", "_selected_action": [restricted.pk]},
        follow=True,
    )
    assert mail.outbox == []
    assert "limitation du traitement" in response.content.decode()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr("villes2.actors.services.privacy.send_mail", refuse)
    response = client.post(
        "/gestion/actors/person/",
        {"action": "send_information", "_selected_action": [unlucky.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "n’ont pas pu être envoyés" in response.content.decode()
    unlucky.refresh_from_db()
    assert unlucky.informed_on is None


def test_recording_information_raises_the_version():
    person = PersonFactory()
    services.persons_mark_informed(persons=[person])
    person.refresh_from_db()
    assert person.version == 2


def test_consent_link_expires_after_90_days(client, monkeypatch):
    person = PersonFactory()
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 91 * 86400)
    old_token = selectors.consent_link_token(person=person)
    monkeypatch.setattr(signing.time, "time", lambda: now - 89 * 86400)
    recent_token = selectors.consent_link_token(person=person)
    monkeypatch.undo()
    assert selectors.person_from_consent_token(old_token) is None
    assert selectors.person_from_consent_token(recent_token) == person
    assert client.get(f"/annuaire/mes-choix/{old_token}/").status_code == 404
