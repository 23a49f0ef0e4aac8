"""Writes of the staff desk (`services.desk`): the answer's draft, the refusal of links
the requester could not open, and the FAQ entry drafted from an answer. Refusals write
nothing. Everything here is invented test data."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from villes2.accounts import roles
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.documents.tests.factories import record
from villes2.events.tests.factories import event
from villes2.inquiries import services
from villes2.inquiries.models import FaqEntry, Inquiry, InquiryStatus
from villes2.inquiries.services import desk
from villes2.practices.tests.factories import PracticeFactory
from villes2.taxonomy.models import Concept

from .factories import InquiryFactory

pytestmark = pytest.mark.django_db

S = InquiryStatus


@pytest.fixture
def officer():
    return staff_user("chargee", role=roles.PROJECT_OFFICER)


@pytest.fixture
def assistant():
    return staff_user("assistante", role=roles.ASSISTANT)


def _links(inquiry: Inquiry) -> dict:
    return {
        name: set(getattr(inquiry, name).all())
        for name in ("documents", "practices", "organisations", "events")
    }


# --- Links the requester may open -------------------------------------------------------------


def test_links_to_drafts_and_staff_only_records_are_refused_by_name():
    public = record(title="Guide public")
    draft = record(title="Note en brouillon", status="brouillon")
    staff_only = record(title="Note interne", access="equipe")
    hidden_event = event(title="Atelier non publié", published=False)
    with pytest.raises(ValidationError) as caught:
        services.answer_links_check(
            documents=[public, draft, staff_only],
            practices=[],
            events=[hidden_event],
            organisations=None,
        )
    # (Compared with plain spaces: the French has non-breaking ones before ":" and in « ».)
    errors = {
        name: [message.replace("\u00a0", " ") for message in messages]
        for name, messages in caught.value.message_dict.items()
    }
    assert set(errors) == {"documents", "events"}
    assert errors["documents"] == [
        "Non publics, le demandeur ne pourrait pas les ouvrir : « Note en brouillon », "
        "« Note interne ». Retirez-les de la réponse ou publiez-les d’abord."
    ]
    assert "« Atelier non publié »" in errors["events"][0]
    services.answer_links_check(documents=[public], practices=[PracticeFactory(published=True)])


# --- The draft --------------------------------------------------------------------------------


def test_draft_keeps_text_and_links_without_sending_or_changing_the_status(assistant):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    document = record(title="Guide public")
    mail.outbox.clear()
    desk.inquiry_answer_draft_save(
        inquiry,
        answer="  Premiers éléments de réponse.  ",
        documents=[document],
        practices=[],
        organisations=None,
        events=None,
        user=assistant,  # the assistant prepares; others send
        expected_status=S.IN_PROGRESS,
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer, inquiry.answered_at) == (
        S.IN_PROGRESS,
        "Premiers éléments de réponse.",
        None,
    )
    assert _links(inquiry)["documents"] == {document}
    assert mail.outbox == []


def test_draft_refused_once_the_answer_was_sent(officer):
    inquiry = InquiryFactory(status=S.ANSWERED, answer="Réponse envoyée.")
    with pytest.raises(ValidationError) as caught:
        desk.inquiry_answer_draft_save(inquiry, answer="Autre chose.", user=officer)
    assert caught.value.code == "answered"
    # Reopened: the stored answer is still the one the requester reads.
    services.inquiry_transition(inquiry, to_status=S.IN_PROGRESS, user=officer)
    with pytest.raises(ValidationError):
        desk.inquiry_answer_draft_save(inquiry, answer="Autre chose.", user=officer)
    inquiry.refresh_from_db()
    assert inquiry.answer == "Réponse envoyée."


def test_draft_refused_on_a_stale_page_or_with_a_draft_link(officer):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    with pytest.raises(ValidationError) as caught:
        desk.inquiry_answer_draft_save(
            inquiry, answer="Texte.", user=officer, expected_status=S.NEW
        )
    assert caught.value.code == "stale"
    with pytest.raises(ValidationError):
        desk.inquiry_answer_draft_save(
            inquiry,
            answer="Texte.",
            documents=[record(title="Brouillon", status="brouillon")],
            user=officer,
        )
    inquiry.refresh_from_db()
    assert inquiry.answer == ""
    assert _links(inquiry)["documents"] == set()


def test_draft_needs_the_change_permission():
    inquiry = InquiryFactory()
    with pytest.raises(PermissionDenied):
        desk.inquiry_answer_draft_save(inquiry, answer="Texte.", user=staff_user("sans-role"))
    inquiry.refresh_from_db()
    assert inquiry.answer == ""


# --- Sending ------------------------------------------------------------------------------------


def test_send_refuses_a_draft_link_and_writes_nothing(officer, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.inquiry_answer(
            inquiry,
            answer="Voici la réponse.",
            documents=[record(title="Brouillon", status="brouillon")],
            user=officer,
        )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer, inquiry.answered_at) == (S.IN_PROGRESS, "", None)
    assert mail.outbox == []


def test_send_answers_with_public_links(officer, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    document, practice = record(title="Guide public"), PracticeFactory(published=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_answer(
            inquiry,
            answer="Voici la réponse.",
            documents=[document],
            practices=[practice],
            user=officer,
            expected_status=S.IN_PROGRESS,
        )
    inquiry.refresh_from_db()
    assert inquiry.status == S.ANSWERED
    assert _links(inquiry)["documents"] == {document}
    assert _links(inquiry)["practices"] == {practice}
    assert [message.to for message in mail.outbox] == [[inquiry.requester_email]]


# --- FAQ entry drafted from an answer -------------------------------------------------------------


def test_faq_draft_from_an_answer(officer, reference_data):
    theme = Concept.objects.filter(scheme__is_theme_scheme=True).order_by("pk").first()
    inquiry = InquiryFactory(
        status=S.ANSWERED,
        subject="Évaluer un contrat urbain de cohésion sociale",
        answer="Le centre a réuni trois rapports d'évaluation.",
        themes=[theme],
    )
    public = record(title="Rapport d'évaluation public")
    withdrawn = record(title="Rapport retiré depuis")
    inquiry.documents.set([public, withdrawn])
    withdrawn.status = "brouillon"
    withdrawn.save(update_fields=["status"])

    entry = desk.faq_draft_from_inquiry(inquiry, user=officer)

    entry = FaqEntry.objects.get(pk=entry.pk)
    assert (entry.question, entry.answer, entry.source, entry.published) == (
        "Évaluer un contrat urbain de cohésion sociale",
        "Le centre a réuni trois rapports d'évaluation.",
        inquiry,
        False,
    )
    assert list(entry.themes.all()) == [theme]
    assert list(entry.documents.all()) == [public]  # only what is public today
    # Indexed, but only for the staff until it is published.
    hits = run_search(SearchRequest(q="évaluer contrat", kinds=("faq",), staff=True)).hits
    assert [hit.object.pk for hit in hits] == [entry.pk]
    assert run_search(SearchRequest(q="évaluer contrat", kinds=("faq",))).hits == []


@pytest.mark.parametrize("status", [S.NEW, S.IN_PROGRESS])
def test_faq_draft_only_from_an_answered_request(officer, status):
    inquiry = InquiryFactory(status=status)
    with pytest.raises(ValidationError):
        desk.faq_draft_from_inquiry(inquiry, user=officer)
    assert not FaqEntry.objects.exists()


def test_faq_draft_refused_to_the_assistant(assistant):
    inquiry = InquiryFactory(status=S.ANSWERED)
    with pytest.raises(PermissionDenied):
        desk.faq_draft_from_inquiry(inquiry, user=assistant)
    assert not FaqEntry.objects.exists()
