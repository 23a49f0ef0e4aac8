"""The desk's services: receiving, assigning, moving, logging and answering a request,
and the tracking link. Every refusal leaves the database as it was."""

import datetime

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory
from villes2.core.testing import staff_user
from villes2.inquiries import services
from villes2.inquiries.models import (
    ActionKind,
    Channel,
    Inquiry,
    InquiryAction,
    InquiryKind,
    RequesterType,
)
from villes2.inquiries.models import InquiryStatus as S
from villes2.inquiries.selectors import tracking
from villes2.inquiries.tests.factories import CONSENT, InquiryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _centre_mailbox(settings):
    settings.MANAGERS = [("Centre", "centre@example.org")]
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": ""}


def web_request(**fields) -> Inquiry:
    values = {
        "requester_name": "Camille Martin",
        "requester_email": "camille.martin@example.org",
        "requester_type": RequesterType.ELECTED,
        "subject": "Évaluation du CUCS",
        "question": "Comment organiser l'évaluation à mi-parcours de notre CUCS ?",
        "kind": InquiryKind.METHODOLOGICAL,
        "channel": Channel.WEB,
    }
    values.update(fields)
    return Inquiry(**values)


# --- Receiving ---------------------------------------------------------------------------


def test_web_request_is_saved_new_with_due_date_log_and_mails(
    django_capture_on_commit_callbacks,
):
    received = datetime.datetime(2026, 11, 27, 16, 0, tzinfo=datetime.UTC)  # a Friday
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = services.inquiry_receive(
            web_request(received_at=received), consent=CONSENT, base_url="https://centre.test/"
        )
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW
    assert inquiry.due_date == datetime.date(2026, 12, 4)
    assert inquiry.consent == CONSENT and inquiry.consented_at is not None
    assert inquiry.reference == f"D2026-{inquiry.pk:05d}"
    [entry] = inquiry.actions.all()
    assert (entry.kind, entry.by_name, entry.to_status) == (
        ActionKind.RECEIVED,
        "Camille Martin",
        S.NEW,
    )
    acknowledgement, notice = mail.outbox
    assert acknowledgement.to == ["camille.martin@example.org"]
    assert inquiry.reference in acknowledgement.subject
    link = next(
        line.strip() for line in acknowledgement.body.splitlines() if "/demandes/suivi/" in line
    )
    token = link.split("/demandes/suivi/")[1].rstrip("/")
    assert tracking.inquiry_from_tracking_token(token) == inquiry
    assert notice.to == ["centre@example.org"]
    assert f"/gestion/inquiries/inquiry/{inquiry.pk}/change/" in notice.body


@pytest.mark.parametrize(
    ("fields", "consent", "code"),
    [
        ({"requester_name": " "}, CONSENT, "contact_required"),
        ({"requester_email": ""}, CONSENT, "contact_required"),
        ({}, "", "consent_required"),
    ],
)
def test_web_request_without_contact_or_consent_is_refused(fields, consent, code):
    with pytest.raises(ValidationError) as error:
        services.inquiry_receive(web_request(**fields), consent=consent)
    assert error.value.code == code
    assert not Inquiry.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requester_email", "pas-une-adresse"),
        ("question", ""),
        ("subject", ""),
        ("kind", "autre-chose"),
        ("requester_type", "martien"),
    ],
)
def test_invalid_fields_are_refused_in_french_and_nothing_is_written(field, value):
    with pytest.raises(ValidationError) as error:
        services.inquiry_receive(web_request(**{field: value}), consent=CONSENT)
    assert field in error.value.message_dict
    assert not Inquiry.objects.exists() and not InquiryAction.objects.exists()


def test_the_same_request_sent_twice_is_kept_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.inquiry_receive(web_request(), consent=CONSENT)
        second = services.inquiry_receive(web_request(), consent=CONSENT)
    assert first.pk == second.pk
    assert Inquiry.objects.count() == 1 and len(mail.outbox) == 2


def test_phone_request_typed_by_staff_needs_no_email_and_names_the_staff():
    officer = staff_user("officer", role=roles.PROJECT_OFFICER)
    inquiry = services.inquiry_receive(
        web_request(channel=Channel.PHONE, requester_email=""), user=officer
    )
    entry = inquiry.actions.get()
    assert entry.by == officer and entry.by_name == "officer"


def test_saving_never_changes_the_workflow_and_recomputes_the_due_date():
    inquiry = InquiryFactory(status=S.ANSWERED)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    stale.status, stale.answered_at, stale.subject = S.NEW, None, "Nouveau sujet"
    stale.received_at = datetime.datetime(2026, 11, 9, 9, 0, tzinfo=datetime.UTC)
    services.inquiry_save(stale)
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.subject) == (S.ANSWERED, "Nouveau sujet")
    assert inquiry.answered_at is not None
    assert inquiry.due_date == datetime.date(2026, 11, 17)  # 11 November skipped


# --- Assigning and moving ----------------------------------------------------------------


def test_assigning_and_unassigning():
    officer = staff_user("officer", role=roles.PROJECT_OFFICER)
    inquiry = InquiryFactory()
    services.inquiry_assign(inquiry, assignee=officer, user=officer)
    assert (inquiry.status, inquiry.assignee) == (S.ASSIGNED, officer)
    services.inquiry_assign(inquiry, assignee=None, user=officer)
    assert (inquiry.status, inquiry.assignee) == (S.NEW, None)
    kinds = list(inquiry.actions.values_list("kind", "from_status", "to_status"))
    assert kinds[1:] == [
        (ActionKind.ASSIGNMENT, S.NEW, S.ASSIGNED),
        (ActionKind.ASSIGNMENT, S.ASSIGNED, S.NEW),
    ]


def test_transitions_follow_the_table_and_date_closure():
    inquiry = InquiryFactory(status=S.ANSWERED)
    with pytest.raises(ValidationError) as error:
        services.inquiry_transition(inquiry, to_status=S.WAITING)
    assert "ne peut pas" in error.value.messages[0] or "cannot" in error.value.messages[0]
    services.inquiry_transition(inquiry, to_status=S.CLOSED, comment="Réponse suffisante")
    assert inquiry.status == S.CLOSED and inquiry.closed_at is not None
    services.inquiry_transition(inquiry, to_status=S.IN_PROGRESS)
    assert inquiry.closed_at is None and inquiry.answered_at is not None
    assert inquiry.actions.filter(kind=ActionKind.STATUS).count() == 2


def test_a_stale_page_cannot_move_a_request():
    inquiry = InquiryFactory()
    services.inquiry_transition(inquiry, to_status=S.IN_PROGRESS)
    count = InquiryAction.objects.count()
    with pytest.raises(ValidationError) as error:
        services.inquiry_transition(inquiry, to_status=S.CLOSED, expected_status=S.NEW)
    assert error.value.code == "stale"
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_PROGRESS and InquiryAction.objects.count() == count


def test_a_user_without_permission_cannot_move_or_answer():
    partner = staff_user("partner", role=roles.PARTNER)
    assistant = staff_user("assistant", role=roles.ASSISTANT)
    inquiry = InquiryFactory()
    with pytest.raises(PermissionDenied):
        services.inquiry_transition(inquiry, to_status=S.CLOSED, user=partner)
    with pytest.raises(PermissionDenied):
        services.inquiry_answer(inquiry, answer="Réponse", user=assistant)
    services.inquiry_transition(inquiry, to_status=S.IN_PROGRESS, user=assistant)
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_PROGRESS and inquiry.answered_at is None


# --- The log -----------------------------------------------------------------------------


def test_an_exchange_dates_the_first_response_and_puts_the_request_in_progress():
    inquiry = InquiryFactory()
    services.inquiry_log_action(inquiry, kind=ActionKind.RESEARCH, minutes=40)
    assert inquiry.first_response_at is None and inquiry.status == S.IN_PROGRESS
    when = inquiry.received_at + datetime.timedelta(microseconds=10)
    services.inquiry_log_action(inquiry, kind=ActionKind.EXCHANGE, note="Appel", at=when)
    assert inquiry.first_response_at == when
    later = timezone.now()
    services.inquiry_log_action(inquiry, kind=ActionKind.APPOINTMENT, at=later)
    assert inquiry.first_response_at == when


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": ActionKind.ANSWER}, "kind"),
        ({"kind": "inconnu"}, "kind"),
        ({"kind": ActionKind.RESEARCH, "minutes": -5}, "minutes"),
        ({"kind": ActionKind.REFERRAL}, "partner_required"),
        ({"kind": ActionKind.NOTE, "at_offset": -3650}, "before"),
        ({"kind": ActionKind.NOTE, "at_offset": 2}, "future"),
    ],
)
def test_bad_log_entries_are_refused(kwargs, code):
    inquiry = InquiryFactory()
    offset = kwargs.pop("at_offset", None)
    if offset is not None:
        kwargs["at"] = timezone.now() + datetime.timedelta(days=offset)
    count = InquiryAction.objects.count()
    with pytest.raises(ValidationError) as error:
        services.inquiry_log_action(inquiry, **kwargs)
    assert error.value.code == code
    assert InquiryAction.objects.count() == count
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW


def test_a_referral_names_its_partner():
    partner = OrganisationFactory()
    inquiry = InquiryFactory()
    entry = services.inquiry_log_action(inquiry, kind=ActionKind.REFERRAL, partner=partner)
    assert entry.partner == partner


# --- The answer --------------------------------------------------------------------------


def test_answering_dates_logs_and_mails_the_tracking_link(django_capture_on_commit_callbacks):
    officer = staff_user("officer", role=roles.PROJECT_OFFICER)
    inquiry = InquiryFactory()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_answer(
            inquiry, answer="  Voici trois ressources.  ", user=officer, minutes=50
        )
    assert inquiry.status == S.ANSWERED and inquiry.answer == "Voici trois ressources."
    assert inquiry.first_response_at == inquiry.answered_at
    entry = inquiry.actions.get(kind=ActionKind.ANSWER)
    assert (entry.by, entry.minutes) == (officer, 50)
    [message] = mail.outbox
    assert message.to == [inquiry.requester_email]
    assert "/demandes/suivi/" in message.body


@pytest.mark.parametrize("answer", ["", "   "])
def test_an_empty_answer_is_refused(answer):
    inquiry = InquiryFactory()
    with pytest.raises(ValidationError) as error:
        services.inquiry_answer(inquiry, answer=answer)
    assert "answer" in error.value.message_dict
    inquiry.refresh_from_db()
    assert inquiry.status == S.NEW and inquiry.answer == ""


def test_a_closed_request_is_reopened_before_being_answered():
    inquiry = InquiryFactory(status=S.CLOSED)
    with pytest.raises(ValidationError):
        services.inquiry_answer(inquiry, answer="Complément")


# --- The tracking link -------------------------------------------------------------------


def test_tracking_token_round_trip_and_forgeries():
    inquiry = InquiryFactory()
    token = tracking.inquiry_tracking_token(inquiry)
    assert tracking.inquiry_from_tracking_token(token) == inquiry
    assert tracking.inquiry_from_tracking_token(token[:-2] + "xy") is None
    assert tracking.inquiry_from_tracking_token("") is None
    assert tracking.inquiry_from_tracking_token("abc:def") is None
    other_key = signing.TimestampSigner(salt=tracking.TRACKING_SALT).sign_object(
        {"i": inquiry.pk, "k": "not-the-key"}
    )
    assert tracking.inquiry_from_tracking_token(other_key) is None
    wrong_shape = signing.TimestampSigner(salt=tracking.TRACKING_SALT).sign_object([inquiry.pk])
    assert tracking.inquiry_from_tracking_token(wrong_shape) is None


def test_tracking_token_expires(settings, monkeypatch):
    inquiry = InquiryFactory()
    settings.INQUIRIES_TRACKING_DAYS = 30
    now = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 31 * 86400)
    old = tracking.inquiry_tracking_token(inquiry)
    monkeypatch.setattr(signing.time, "time", lambda: now - 29 * 86400)
    recent = tracking.inquiry_tracking_token(inquiry)
    monkeypatch.undo()
    assert tracking.inquiry_from_tracking_token(old) is None
    assert tracking.inquiry_from_tracking_token(recent) == inquiry


def test_a_corrected_answer_keeps_the_date_of_the_first():
    inquiry = InquiryFactory(status=S.ANSWERED)
    first = timezone.now() - datetime.timedelta(days=20)
    Inquiry.objects.filter(pk=inquiry.pk).update(answered_at=first)
    services.inquiry_transition(inquiry, to_status=S.IN_PROGRESS)
    services.inquiry_answer(inquiry, answer="Réponse corrigée")
    assert inquiry.answered_at == first and inquiry.answer == "Réponse corrigée"
    assert inquiry.actions.filter(kind=ActionKind.ANSWER).count() == 2
