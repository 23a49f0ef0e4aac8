"""Reads of the staff desk: the keywords of a request, the resources the shared search
suggests for its answer (public records whose words match, never drafts, staff-only
records or records whose words do not match), lateness in working days, the queue's
counts. Everything here is invented test data."""

import datetime

import pytest
from django.utils import timezone

from villes2.core.testing import staff_user
from villes2.documents.models import Document
from villes2.documents.tests.factories import record
from villes2.events.tests.factories import event
from villes2.inquiries.models import Inquiry, InquiryStatus
from villes2.inquiries.selectors import desk
from villes2.inquiries.services import faq as faq_services
from villes2.practices.tests.factories import PracticeFactory

from .factories import FaqEntryFactory, InquiryFactory

pytestmark = pytest.mark.django_db

S = InquiryStatus
D = datetime.date


def _inquiry(**fields) -> Inquiry:
    values = {
        "subject": "Résidentialisation des immeubles",
        "question": (
            "Bonjour, nous cherchons des retours d'expérience sur la résidentialisation "
            "des immeubles dans les projets de rénovation urbaine. Merci d'avance."
        ),
    }
    values.update(fields)
    return InquiryFactory(**values)


# --- Keywords ----------------------------------------------------------------------------


def test_keywords_weigh_the_subject_and_drop_courtesy_and_question_words():
    inquiry = Inquiry(
        subject="Médiation sociale de nuit",
        question=(
            "Bonjour Madame, pourriez-vous nous indiquer comment financer la médiation "
            "sociale ? Quels sont les dispositifs existants ? Merci, cordialement."
        ),
    )
    keywords = desk.inquiry_keywords(inquiry)
    # The subject's words first (each stem once: "médiation" appears twice), then the
    # question's, in order; "Bonjour", "Madame", "comment", "Quels", "sont", "Merci"… out.
    assert keywords == [
        "mediation",
        "sociale",
        "nuit",
        "indiquer",
        "financer",
        "dispositifs",
        "existants",
    ]


def test_keywords_are_at_most_eight():
    inquiry = Inquiry(subject="", question=" ".join(f"mot{n}alpha" for n in range(20)))
    assert len(desk.inquiry_keywords(inquiry)) == desk.KEYWORDS == 8


def test_no_keywords_no_suggestion():
    inquiry = _inquiry(subject="Bonjour", question="Merci beaucoup, cordialement.")
    assert desk.inquiry_keywords(inquiry) == ["beaucoup"]
    inquiry.question = "Merci, cordialement."
    assert desk.suggested_resources(inquiry) == []


# --- Suggestions --------------------------------------------------------------------------


@pytest.fixture
def resources():
    """Records whose words match the request, and others that must not be offered."""
    return {
        "guide": record(title="Guide de la résidentialisation des immeubles"),
        "report": record(title="Rénovation urbaine des quartiers nord : bilan"),
        "unrelated": record(title="Les jardins partagés en ville", abstract="Potagers."),
        "draft": record(title="Résidentialisation : brouillon de note", status="brouillon"),
        "staff_only": record(title="Résidentialisation : note interne", access="equipe"),
        "practice": PracticeFactory(
            published=True, title="Résidentialiser les immeubles avec les habitants"
        ),
        "practice_draft": PracticeFactory(title="Résidentialisation : fiche en cours"),
        "event": event(title="Rencontre sur la résidentialisation des immeubles"),
        "event_draft": event(title="Atelier résidentialisation (non publié)", published=False),
        "faq": faq_services.faq_publish(
            faq_services.faq_save(
                FaqEntryFactory.build(question="Comment mener une résidentialisation d'immeubles ?")
            )
        ),
        "faq_draft": faq_services.faq_save(
            FaqEntryFactory.build(question="Résidentialisation : question non publiée ?")
        ),
    }


def _offered(suggestions) -> set:
    return {(s.kind, s.object.pk) for s in suggestions}


KIND_OF = {"Document": "documents", "Practice": "practices", "Event": "events", "FaqEntry": "faq"}


def _ours(resources) -> set:
    """The test's own records, as offered: the reference data of the session (the
    founding programme's events) may match the request's words too."""
    return {(KIND_OF[type(obj).__name__], obj.pk) for obj in resources.values()}


def test_suggestions_are_the_public_records_whose_words_match(resources):
    inquiry = _inquiry()
    suggestions = desk.suggested_resources(inquiry, limit=100)
    r = resources
    assert _offered(suggestions) & _ours(resources) == {
        ("documents", r["guide"].pk),
        ("documents", r["report"].pk),
        ("practices", r["practice"].pk),
        ("events", r["event"].pk),
        ("faq", r["faq"].pk),
    }
    by_kind = {s.kind: s for s in suggestions if (s.kind, s.object.pk) in _ours(resources)}
    # Each says what it is, where the public sees it, and which answer field links it.
    assert by_kind["documents"].field == "documents"
    assert by_kind["practices"].field == "practices"
    assert by_kind["events"].field == "events"
    assert by_kind["faq"].field is None  # quoted, not linked
    assert by_kind["faq"].kind_label == "Question fréquente"
    guide = next(s for s in suggestions if s.object == r["guide"])
    assert guide.url == r["guide"].get_absolute_url()
    assert guide.title == "Guide de la <mark>résidentialisation</mark> des <mark>immeubles</mark>"


def test_suggestions_are_limited(resources):
    assert len(desk.suggested_resources(_inquiry(), limit=2)) == 2


def test_a_request_about_something_else_gets_nothing_of_this(resources):
    inquiry = _inquiry(
        subject="Tarification des cantines scolaires",
        question="Quelles communes appliquent un quotient familial ?",
    )
    assert not _offered(desk.suggested_resources(inquiry, limit=100)) & _ours(resources)


def test_faq_entry_drawn_from_the_request_is_not_suggested_for_it(resources):
    inquiry = _inquiry()
    own = faq_services.faq_publish(
        faq_services.faq_save(
            FaqEntryFactory.build(
                question="Résidentialisation des immeubles : par où commencer ?",
                source=inquiry,
            )
        )
    )
    offered = desk.suggested_resources(inquiry, limit=100)
    assert own.pk not in {s.object.pk for s in offered if s.kind == "faq"}
    other = _inquiry()
    offered = desk.suggested_resources(other, limit=100)
    assert own.pk in {s.object.pk for s in offered if s.kind == "faq"}


def test_public_resources():
    public = record(title="Public")
    draft = record(title="Brouillon", status="brouillon")
    staff_only = record(title="Interne", access="equipe")
    assert set(desk.public_resources("documents")) == {public}
    assert set(
        desk.public_resources("documents", Document.objects.filter(pk__in=[draft.pk, public.pk]))
    ) == {public}
    assert staff_only not in desk.public_resources("documents")


# --- Lateness --------------------------------------------------------------------------------


def _on(day: D, *, status=S.NEW, due: D, answered: D | None = None, received: D | None = None):
    inquiry = Inquiry(status=status, due_date=due)
    received = received or due - datetime.timedelta(days=7)
    inquiry.received_at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(9)))
    if answered:
        inquiry.answered_at = timezone.make_aware(
            datetime.datetime.combine(answered, datetime.time(15))
        )
    return desk.inquiry_lateness(inquiry, today=day)


@pytest.mark.parametrize(
    ("today", "due", "label", "overdue", "level"),
    [
        # Due Friday 20 November 2026; Thursday 26: 4 working days late (Mon-Thu).
        (D(2026, 11, 26), D(2026, 11, 20), "en retard de 4 jours ouvrés", True, "late"),
        (D(2026, 11, 23), D(2026, 11, 20), "en retard de 1 jour ouvré", True, "late"),
        # Seen on the Saturday: late, but no working day has passed.
        (D(2026, 11, 21), D(2026, 11, 20), "en retard depuis vendredi 20 novembre", True, "late"),
        (D(2026, 11, 20), D(2026, 11, 20), "échéance aujourd’hui", False, "soon"),
        # Friday to Monday: 1 working day left.
        (D(2026, 11, 20), D(2026, 11, 23), "reste 1 jour ouvré", False, "soon"),
        # 11 November (Armistice) is not counted: 9th → 13th is 3 working days.
        (D(2026, 11, 9), D(2026, 11, 13), "reste 3 jours ouvrés", False, "ok"),
    ],
)
def test_lateness_of_an_open_request(today, due, label, overdue, level):
    lateness = _on(today, due=due)
    assert (lateness.label, lateness.overdue, lateness.level) == (label, overdue, level)


def test_lateness_of_an_answered_or_closed_request():
    late = _on(D(2026, 12, 10), status=S.ANSWERED, due=D(2026, 11, 20), answered=D(2026, 11, 24))
    assert (late.label, late.overdue) == ("répondue avec 2 jours ouvrés de retard", False)
    on_time = _on(
        D(2026, 12, 10),
        status=S.CLOSED,
        due=D(2026, 11, 20),
        received=D(2026, 11, 13),
        answered=D(2026, 11, 17),
    )
    assert on_time.label == "répondue en 2 jours ouvrés"
    closed = _on(D(2026, 12, 10), status=S.CLOSED, due=D(2026, 11, 20))
    assert closed.label == "close sans réponse écrite"


# --- The queue's counts ------------------------------------------------------------------------


def test_queue_counts():
    me, other = staff_user("moi"), staff_user("autre")
    long_ago = timezone.now() - datetime.timedelta(days=30)
    InquiryFactory(received_at=long_ago)  # overdue, unassigned
    InquiryFactory(status=S.ASSIGNED, user=me)
    InquiryFactory(status=S.ASSIGNED, user=other, received_at=long_ago)  # overdue
    InquiryFactory(status=S.WAITING)
    InquiryFactory(status=S.ANSWERED)
    InquiryFactory(status=S.CLOSED, received_at=long_ago)  # late but closed: not overdue
    counts = desk.queue_counts(me)
    assert (counts.open, counts.overdue, counts.unassigned, counts.mine) == (4, 2, 2, 1)
    assert counts.by_status == {
        S.NEW: 1,
        S.ASSIGNED: 2,
        S.IN_PROGRESS: 0,
        S.WAITING: 1,
    }  # answered and closed requests are not counted


def test_desk_staff_are_those_who_may_work_on_requests():
    from villes2.accounts import roles

    officer = staff_user("officer", role=roles.PROJECT_OFFICER)
    assistant = staff_user("assistant", role=roles.ASSISTANT)
    staff_user("no-role")
    gone = staff_user("gone", role=roles.DOCUMENTALIST)
    gone.is_active = False
    gone.save()
    assert set(desk.desk_staff()) == {officer, assistant}


def test_minutes_label():
    assert [desk.minutes_label(m) for m in (0, 45, 60, 95)] == ["0 min", "45 min", "1 h", "1 h 35"]
