"""The staff desk in `/gestion/`: the queue (order, default view, filters, counts,
search), a request typed from a call, the request's form (never the status, concurrent
edits refused), the desk panel's buttons for every role (refusals change nothing and
say why in French; 403 for a step the role may not take), the log, the answer (mail
with the tracking link, public links only), the suggested resources, the FAQ entry
drafted from an answer and the FAQ's admin, the autocomplete limited to public records,
and the query budgets of the queue and the request's page. Invented test data."""

import datetime
import html as html_lib
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.documents.tests.factories import record
from villes2.events.tests.factories import event
from villes2.inquiries import services
from villes2.inquiries.models import (
    ActionKind,
    Channel,
    FaqEntry,
    Inquiry,
    InquiryAction,
    InquiryStatus,
)
from villes2.inquiries.services import faq as faq_services
from villes2.practices.tests.factories import PracticeFactory

from .factories import FaqEntryFactory, InquiryFactory

pytestmark = pytest.mark.django_db

S = InquiryStatus
QUEUE_URL = reverse("admin:inquiries_inquiry_changelist")
ADD_URL = reverse("admin:inquiries_inquiry_add")
FAQ_LIST_URL = reverse("admin:inquiries_faqentry_changelist")
AUTOCOMPLETE_URL = reverse("admin:inquiries_inquiry_public_autocomplete")
STAFF_ROLES = (roles.DIRECTION, roles.DOCUMENTALIST, roles.PROJECT_OFFICER, roles.ASSISTANT)
LONG_AGO = datetime.timedelta(days=30)


def url(name: str, obj) -> str:
    return reverse(f"admin:inquiries_{name}", args=[obj.pk])


def login(client, role: str = roles.PROJECT_OFFICER, username: str = "", **names):
    user = staff_user(username or f"user-{role}", role=role)
    if names:
        for field, value in names.items():
            setattr(user, field, value)
        user.save()
    client.force_login(user)
    return user


def plain(value: str) -> str:
    """French typography uses non-breaking spaces (before ":", inside « »): compared
    here with plain ones."""
    return str(value).replace("\u00a0", " ")


def text(response) -> str:
    return plain(html_lib.unescape(response.content.decode()))


def messages_of(response) -> list[str]:
    return [plain(message) for message in response.context["messages"]]


def errors_of(form, field: str) -> list[str]:
    return [plain(message) for message in form.errors[field]]


def queue(client, **params) -> list[Inquiry]:
    response = client.get(QUEUE_URL, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def ago(delta: datetime.timedelta) -> datetime.datetime:
    return timezone.now() - delta


@pytest.fixture
def officer(client):
    return login(client, roles.PROJECT_OFFICER, "chargee", first_name="Camille")


# --- The queue ------------------------------------------------------------------------------


@pytest.fixture
def desk_requests(officer):
    other = staff_user("collegue", role=roles.DOCUMENTALIST)
    return {
        "answered": InquiryFactory(status=S.ANSWERED, received_at=ago(datetime.timedelta(days=3))),
        "closed": InquiryFactory(status=S.CLOSED, received_at=ago(datetime.timedelta(days=2))),
        "mine": InquiryFactory(status=S.ASSIGNED, user=officer),  # due in 5 working days
        "late_new": InquiryFactory(received_at=ago(LONG_AGO)),
        "late_waiting": InquiryFactory(
            status=S.WAITING, received_at=ago(datetime.timedelta(days=12))
        ),
        "theirs": InquiryFactory(
            status=S.ASSIGNED, user=other, received_at=ago(datetime.timedelta(days=2))
        ),
    }


def test_queue_shows_open_requests_overdue_first_then_by_due_date(client, desk_requests):
    r = desk_requests
    assert queue(client) == [r["late_new"], r["late_waiting"], r["theirs"], r["mine"]]
    # Every request, the answered and closed ones last, newest first.
    assert queue(client, statut="toutes") == [
        r["late_new"],
        r["late_waiting"],
        r["theirs"],
        r["mine"],
        r["closed"],
        r["answered"],
    ]
    assert queue(client, statut="traitees") == [r["closed"], r["answered"]]
    assert queue(client, statut=S.WAITING) == [r["late_waiting"]]


def test_queue_filters(client, desk_requests):
    r = desk_requests
    assert queue(client, attribution="moi") == [r["mine"]]
    assert queue(client, attribution="personne") == [r["late_new"], r["late_waiting"]]
    assert queue(client, echeance="depassee") == [r["late_new"], r["late_waiting"]]
    assert queue(client, attribution="moi", statut="toutes") == [r["mine"]]
    Inquiry.objects.filter(pk=r["theirs"].pk).update(kind="formation", channel="telephone")
    assert queue(client, kind__exact="formation") == [r["theirs"]]
    assert queue(client, channel__exact="telephone") == [r["theirs"]]
    assert queue(client, requester_type__exact="elu") == []


def test_queue_search_by_reference_or_name_looks_through_every_status(client, desk_requests):
    closed = desk_requests["closed"]
    assert queue(client, q=closed.reference) == [closed]
    # A bare number also searches the texts (a telephone number, a name with a number).
    assert closed in queue(client, q=str(closed.pk))
    assert queue(client, q=closed.requester_name) == [closed]
    # A status chosen narrows the search.
    assert queue(client, q=closed.requester_name, statut=S.NEW) == []


def test_queue_counts_and_columns(client, desk_requests):
    response = client.get(QUEUE_URL)
    page = " ".join(strip_tags(text(response)).split())
    assert (
        "4 demandes ouvertes, dont 2 en retard · 2 non attribuées · 1 qui vous est attribuée."
        in page
    )
    assert response.context["title"] == "Demandes ouvertes"
    late = desk_requests["late_new"]
    assert late.reference in page
    assert re.search(r"en retard de \d+ jours ouvrés", page)
    assert "reste 5 jours ouvrés" in page
    assert client.get(QUEUE_URL, {"statut": "toutes"}).context["title"] == "Demandes"


def test_queue_query_budget_does_not_grow_with_rows(client, officer):
    territory_requests = []

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE_URL, {"statut": "toutes"})
        assert response.status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for index in range(n):
            territory_requests.append(
                InquiryFactory(
                    status=(S.NEW, S.ASSIGNED, S.ANSWERED)[index % 3],
                    user=officer,
                    received_at=ago(datetime.timedelta(days=index % 20)),
                )
            )

    add(5)
    count()  # caches of the process (content types…) filled
    few = count()
    add(45)
    assert count() == few
    # Session, user, its second factor, permissions (2), the counts above the queue, the
    # assignees of the filter, the rows' count and the page (territory and assignee joined).
    assert few <= 9, few


# --- A request typed by the staff ----------------------------------------------------------


def add_data(**fields) -> dict:
    received = timezone.localtime() - datetime.timedelta(hours=2)
    data = {
        "requester_name": "Dominique Essai",
        "requester_type": "elu",
        "requester_email": "",
        "requester_phone": "02 47 00 00 00",
        "requester_organisation": "Commune de test",
        "organisation": "",
        "subject": "Appel : la médiation de nuit",
        "question": "Au téléphone : comment financer des adultes-relais ?",
        "kind": "information",
        "channel": Channel.PHONE,
        "received_at_0": received.strftime("%d/%m/%Y"),
        "received_at_1": received.strftime("%H:%M:%S"),
        "territory": "",
        "assignee": "",
        "seen_version": "",
    }
    data.update(fields)
    return data


def test_add_a_request_received_by_telephone(client, officer, django_capture_on_commit_callbacks):
    response = client.get(ADD_URL)
    channels = [
        value for value, _label in response.context["adminform"].form.fields["channel"].choices
    ]
    assert Channel.WEB not in channels
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, add_data(assignee=str(officer.pk)))
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("inquiry_change", inquiry)
    assert (inquiry.channel, inquiry.status, inquiry.assignee, inquiry.requester_email) == (
        Channel.PHONE,
        S.ASSIGNED,
        officer,
        "",
    )
    assert inquiry.due_date == services.due_date_for(inquiry.received_at)
    first = inquiry.actions.order_by("at", "pk").first()
    assert (first.kind, first.by) == (ActionKind.RECEIVED, officer)
    # No e-mail address: nothing mailed to the requester.
    assert all(inquiry.requester_email not in message.to for message in mail.outbox)


def test_add_refuses_what_cannot_be(client, officer):
    response = client.post(ADD_URL, add_data(channel=Channel.EMAIL))
    assert response.status_code == 200
    assert errors_of(response.context["adminform"].form, "requester_email") == [
        "La demande est arrivée par courriel : donnez l’adresse à laquelle répondre."
    ]
    response = client.post(ADD_URL, add_data(channel=Channel.WEB))
    assert "channel" in response.context["adminform"].form.errors
    future = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(ADD_URL, add_data(received_at_0=future.strftime("%d/%m/%Y")))
    assert errors_of(response.context["adminform"].form, "received_at") == [
        "Une demande ne peut pas être reçue dans le futur."
    ]
    assert not Inquiry.objects.exists()


# --- The request's form -------------------------------------------------------------------


def change_data(inquiry: Inquiry, **fields) -> dict:
    received = timezone.localtime(inquiry.received_at)
    data = {
        "requester_name": inquiry.requester_name,
        "requester_type": inquiry.requester_type,
        "requester_email": inquiry.requester_email,
        "requester_phone": inquiry.requester_phone,
        "requester_organisation": inquiry.requester_organisation,
        "organisation": "",
        "subject": inquiry.subject,
        "question": inquiry.question,
        "kind": inquiry.kind,
        "channel": inquiry.channel,
        "received_at_0": received.strftime("%d/%m/%Y"),
        "received_at_1": received.strftime("%H:%M:%S"),
        "territory": "",
        "seen_version": str(inquiry.version),
    }
    data.update(fields)
    return data


def test_change_form_saves_edits_but_never_the_status(client, officer):
    inquiry = InquiryFactory(status=S.WAITING, channel=Channel.EMAIL)
    response = client.post(
        url("inquiry_change", inquiry),
        change_data(inquiry, subject="Sujet corrigé", status=S.CLOSED, assignee=str(officer.pk)),
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.subject, inquiry.status, inquiry.assignee, inquiry.version) == (
        "Sujet corrigé",
        S.WAITING,
        None,
        2,
    )


def test_change_form_refuses_a_stale_save(client, officer):
    inquiry = InquiryFactory(channel=Channel.EMAIL)
    stale = change_data(inquiry, subject="Ma version")
    client.post(url("inquiry_change", inquiry), change_data(inquiry, subject="Leur version"))
    response = client.post(url("inquiry_change", inquiry), stale)
    assert response.status_code == 200
    assert "Quelqu’un d’autre a enregistré" in text(response) or "enregistré" in text(response)
    inquiry.refresh_from_db()
    assert inquiry.subject == "Leur version"


def test_web_request_keeps_its_channel_and_receipt_date(client, officer):
    inquiry = InquiryFactory()  # from the web form
    received = inquiry.received_at
    response = client.post(
        url("inquiry_change", inquiry),
        change_data(inquiry, channel=Channel.PHONE, received_at_0="01/01/2020"),
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.channel, inquiry.received_at) == (Channel.WEB, received)


# --- The desk panel's buttons -------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_takes_workflow_steps(client, role):
    user = login(client, role)
    inquiry = InquiryFactory()
    response = client.post(
        url("inquiry_step", inquiry), {"to_status": S.WAITING, "from_status": S.NEW}, follow=True
    )
    assert messages_of(response) == [
        "C’est fait : la demande est maintenant « En attente du demandeur »."
    ]
    inquiry.refresh_from_db()
    assert inquiry.status == S.WAITING
    step = inquiry.actions.get(kind=ActionKind.STATUS)
    assert (step.by, step.from_status, step.to_status) == (user, S.NEW, S.WAITING)


def test_staff_without_a_desk_role_get_403_and_nothing_changes(client):
    login(client, roles.PARTNER)
    inquiry = InquiryFactory()
    for name, data in (
        ("inquiry_step", {"to_status": S.WAITING, "from_status": S.NEW}),
        ("inquiry_assign", {"me": "1", "from_status": S.NEW}),
        ("inquiry_log", {"log-kind": "recherche", "log-at": "2026-01-01T10:00"}),
        ("inquiry_answer", {"answer-answer": "Non.", "answer-from_status": S.NEW, "send": "1"}),
        ("inquiry_faq", {}),
    ):
        assert client.post(url(name, inquiry), data).status_code == 403
    assert client.get(url("inquiry_change", inquiry)).status_code == 403
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assignee, inquiry.answer) == (S.NEW, None, "")
    assert inquiry.actions.count() == 1


def test_a_stale_or_unknown_step_is_refused(client, officer):
    inquiry = InquiryFactory(status=S.WAITING)
    response = client.post(
        url("inquiry_step", inquiry), {"to_status": S.CLOSED, "from_status": S.NEW}, follow=True
    )
    assert messages_of(response) == [
        "Cette demande est passée à « En attente du demandeur » depuis l’ouverture de la "
        "page : rien n’a été changé. Rechargez la page."
    ]
    response = client.post(
        url("inquiry_step", inquiry),
        {"to_status": "publiee", "from_status": S.WAITING},
        follow=True,
    )
    assert messages_of(response) == ["Cette étape est inconnue : rien n’a été modifié."]
    response = client.post(
        url("inquiry_step", inquiry),
        {"to_status": S.ANSWERED, "from_status": S.WAITING},
        follow=True,
    )
    assert "ne peut pas passer" in messages_of(response)[0]
    inquiry.refresh_from_db()
    assert inquiry.status == S.WAITING


def test_assign_to_me_to_someone_and_to_nobody(client, officer):
    colleague = staff_user("collegue", role=roles.DOCUMENTALIST)
    inquiry = InquiryFactory()
    response = client.post(
        url("inquiry_assign", inquiry), {"me": "1", "from_status": S.NEW}, follow=True
    )
    assert messages_of(response) == ["La demande est attribuée à Camille."]
    inquiry.refresh_from_db()
    assert (inquiry.assignee, inquiry.status) == (officer, S.ASSIGNED)
    client.post(
        url("inquiry_assign", inquiry),
        {"assignee": str(colleague.pk), "from_status": S.ASSIGNED},
        follow=True,
    )
    inquiry.refresh_from_db()
    assert inquiry.assignee == colleague
    response = client.post(
        url("inquiry_assign", inquiry), {"assignee": "", "from_status": S.ASSIGNED}, follow=True
    )
    inquiry.refresh_from_db()
    assert (inquiry.assignee, inquiry.status) == (None, S.NEW)
    assert messages_of(response) == ["La demande n’est plus attribuée."]
    outsider = staff_user("dehors")  # no desk role
    response = client.post(
        url("inquiry_assign", inquiry),
        {"assignee": str(outsider.pk), "from_status": S.NEW},
        follow=True,
    )
    assert messages_of(response) == ["Choisissez un membre de l’équipe dans la liste."]
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


# --- The log ---------------------------------------------------------------------------------


def test_log_an_exchange_dates_the_first_response_and_starts_the_work(client, officer):
    inquiry = InquiryFactory(received_at=ago(datetime.timedelta(hours=3)))
    at = timezone.localtime() - datetime.timedelta(minutes=30)
    response = client.post(
        url("inquiry_log", inquiry),
        {
            "log-kind": ActionKind.EXCHANGE,
            "log-at": at.strftime("%Y-%m-%dT%H:%M"),
            "log-minutes": "20",
            "log-note": "Appel pour préciser la demande.",
            "log-partner": "",
        },
        follow=True,
    )
    assert messages_of(response) == [
        "L’action est inscrite au journal.",
        "C’est fait : la demande est maintenant « En cours ».",
    ]
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_PROGRESS
    assert inquiry.first_response_at == at.replace(second=0, microsecond=0)
    exchange = inquiry.actions.get(kind=ActionKind.EXCHANGE)
    assert (exchange.by, exchange.minutes, exchange.note) == (
        officer,
        20,
        "Appel pour préciser la demande.",
    )
    page = text(response)
    assert "Appel pour préciser la demande." in page
    assert "Temps passé au total" in page


def test_a_referral_to_a_partner(client, officer):
    inquiry = InquiryFactory(status=S.IN_PROGRESS, received_at=ago(datetime.timedelta(hours=3)))
    partner = OrganisationFactory(name="Agence de test")
    client.post(
        url("inquiry_log", inquiry),
        {
            "log-kind": ActionKind.REFERRAL,
            "log-at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "log-partner": str(partner.pk),
        },
    )
    assert inquiry.actions.get(kind=ActionKind.REFERRAL).partner == partner


def test_a_refused_action_writes_nothing_and_comes_back_with_what_was_typed(client, officer):
    inquiry = InquiryFactory(received_at=ago(datetime.timedelta(hours=3)))
    future = timezone.localtime() + datetime.timedelta(days=1)
    response = client.post(
        url("inquiry_log", inquiry),
        {
            "log-kind": ActionKind.RESEARCH,
            "log-at": future.strftime("%Y-%m-%dT%H:%M"),
            "log-note": "Recherche dans le catalogue régional.",
        },
        follow=True,
    )
    assert messages_of(response) == [
        "L’action n’a pas été inscrite : voyez le formulaire « Inscrire une action ». "
        "Une action ne peut pas être datée dans le futur."
    ]
    log_form = response.context["desk"].log_form
    assert log_form.data["log-note"] == "Recherche dans le catalogue régional."
    assert [plain(e) for e in log_form.non_field_errors()] == [
        "Une action ne peut pas être datée dans le futur."
    ]
    response = client.post(
        url("inquiry_log", inquiry),
        {
            "log-kind": ActionKind.REFERRAL,
            "log-at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "Nommez le partenaire" in messages_of(response)[0]
    response = client.post(
        url("inquiry_log", inquiry),
        {"log-kind": ActionKind.STATUS, "log-at": "n'importe quand", "log-minutes": "-5"},
        follow=True,
    )
    form = response.context["desk"].log_form
    assert set(form.errors) == {"kind", "at", "minutes"}
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.actions.count()) == (S.NEW, 1)
    # Shown once: a reload gives a fresh form.
    assert not client.get(url("inquiry_change", inquiry)).context["desk"].log_form.is_bound


# --- The answer --------------------------------------------------------------------------------


def answer_data(inquiry: Inquiry, button: str = "send", **links) -> dict:
    data = {
        "answer-answer": "Bonjour, voici les ressources du centre sur la résidentialisation.",
        "answer-minutes": "25",
        "answer-from_status": inquiry.status,
        button: "1",
    }
    for name, objects in links.items():
        data[f"answer-{name}"] = [str(obj.pk) for obj in objects]
    return data


def test_send_the_answer(client, officer, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    document, practice = record(title="Guide public"), PracticeFactory(published=True)
    organisation, meeting = OrganisationFactory(), event(title="Rencontre publique")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("inquiry_answer", inquiry),
            answer_data(
                inquiry,
                documents=[document],
                practices=[practice],
                organisations=[organisation],
                events=[meeting],
            ),
        )
    assert response.status_code == 302
    assert response["Location"].endswith("#desk-answer")
    inquiry.refresh_from_db()
    assert inquiry.status == S.ANSWERED
    assert inquiry.answer.startswith("Bonjour, voici les ressources")
    assert list(inquiry.documents.all()) == [document]
    assert list(inquiry.practices.all()) == [practice]
    assert list(inquiry.organisations.all()) == [organisation]
    assert list(inquiry.events.all()) == [meeting]
    assert inquiry.actions.get(kind=ActionKind.ANSWER).minutes == 25
    [message] = mail.outbox
    assert message.to == [inquiry.requester_email]
    assert re.search(r"http://testserver/demandes/suivi/[^/\s]+/", message.body)
    page = client.get(response["Location"])
    assert messages_of(page) == [
        f"La réponse est envoyée : {inquiry.requester_email} a reçu un courriel avec le lien "
        "pour la lire. La demande est maintenant « Répondue »."
    ]


def test_an_answer_linking_a_draft_is_refused_and_nothing_is_written(
    client, officer, django_capture_on_commit_callbacks
):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    draft = record(title="Note en brouillon", status="brouillon")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("inquiry_answer", inquiry), answer_data(inquiry, documents=[draft]), follow=True
        )
    message = (
        "Non public, le demandeur ne pourrait pas l’ouvrir : « Note en brouillon ». "
        "Retirez-le de la réponse ou publiez-le d’abord."
    )
    assert messages_of(response) == [
        "La réponse n’a pas été envoyée : voyez le formulaire « Réponse ». " + message
    ]
    form = response.context["desk"].answer_form
    assert errors_of(form, "documents") == [message]
    assert form.data["answer-answer"].startswith("Bonjour, voici")  # what was typed
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer, inquiry.documents.count()) == (S.IN_PROGRESS, "", 0)
    assert mail.outbox == []


def test_an_empty_answer_or_a_stale_page_is_refused(client, officer):
    inquiry = InquiryFactory(status=S.WAITING)
    data = answer_data(inquiry)
    data["answer-answer"] = "  "
    response = client.post(url("inquiry_answer", inquiry), data, follow=True)
    assert errors_of(response.context["desk"].answer_form, "answer") == [
        "Écrivez la réponse avant de l’envoyer."
    ]
    data = answer_data(inquiry)
    data["answer-from_status"] = S.IN_PROGRESS
    response = client.post(url("inquiry_answer", inquiry), data, follow=True)
    assert "depuis l’ouverture de la page" in messages_of(response)[0]
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer) == (S.WAITING, "")


def test_the_assistant_prepares_the_answer_but_cannot_send_it(client):
    login(client, roles.ASSISTANT)
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    document = record(title="Guide public")
    page = client.get(url("inquiry_change", inquiry))
    assert page.context["desk"].can_send is False
    assert "Envoyer la réponse est réservé" in text(page)
    assert re.search(
        r'<button type="button" class="button" disabled[^>]*>Envoyer la réponse', text(page)
    )
    response = client.post(
        url("inquiry_answer", inquiry), answer_data(inquiry, documents=[document])
    )
    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answer) == (S.IN_PROGRESS, "")
    response = client.post(
        url("inquiry_answer", inquiry),
        answer_data(inquiry, button="draft", documents=[document]),
        follow=True,
    )
    assert messages_of(response) == [
        "Le brouillon de la réponse est enregistré. Rien n’a été envoyé au demandeur."
    ]
    inquiry.refresh_from_db()
    assert inquiry.status == S.IN_PROGRESS
    assert inquiry.answer.startswith("Bonjour")
    assert list(inquiry.documents.all()) == [document]
    # The draft is offered again, with its links, to whoever sends it.
    form = response.context["desk"].answer_form
    assert form.initial["documents"] == [document]
    assert form.initial["answer"] == inquiry.answer


def test_a_closed_request_shows_its_answer_without_a_form(client, officer):
    inquiry = InquiryFactory(status=S.CLOSED, answer="La réponse envoyée.")
    panel = client.get(url("inquiry_change", inquiry)).context["desk"]
    assert (panel.can_send, panel.can_save_draft, panel.suggestions) == (False, False, [])
    response = client.post(url("inquiry_answer", inquiry), answer_data(inquiry), follow=True)
    assert "Rouvrez la demande avant d’y répondre." in messages_of(response)[0]


# --- Suggested resources on the request's page -------------------------------------------------


def test_request_page_suggests_public_resources_to_tick(client, officer):
    guide = record(title="Guide de la résidentialisation des immeubles")
    draft = record(title="Résidentialisation : brouillon", status="brouillon")
    inquiry = InquiryFactory(
        status=S.IN_PROGRESS,
        subject="Résidentialisation",
        question="Des retours d'expérience sur la résidentialisation des immeubles ?",
    )
    page = text(client.get(url("inquiry_change", inquiry)))
    assert f'name="answer-documents" value="{guide.pk}"' in page
    assert "Guide de la <mark>résidentialisation</mark> des <mark>immeubles</mark>" in page
    assert str(draft.pk) not in re.findall(r'name="answer-documents" value="(\d+)"', page)
    # Ticked, it is linked with the answer.
    data = answer_data(inquiry, button="draft")
    data["answer-documents"] = [str(guide.pk)]
    client.post(url("inquiry_answer", inquiry), data)
    assert list(inquiry.documents.all()) == [guide]
    page = text(client.get(url("inquiry_change", inquiry)))
    assert f'name="answer-documents" value="{guide.pk}" id="desk-suggestion' not in page
    assert "(déjà dans la réponse)" in page


# --- FAQ ---------------------------------------------------------------------------------------


def test_draft_a_faq_entry_from_the_answer(client, officer):
    inquiry = InquiryFactory(
        status=S.ANSWERED, subject="Financer la médiation de nuit", answer="Trois pistes : …"
    )
    response = client.post(url("inquiry_faq", inquiry))
    entry = FaqEntry.objects.get()
    assert response["Location"] == url("faqentry_change", entry)
    assert (entry.question, entry.answer, entry.source, entry.published) == (
        "Financer la médiation de nuit",
        "Trois pistes : …",
        inquiry,
        False,
    )
    page = client.get(response["Location"])
    assert "Anonymisez avant de publier." in text(page)
    assert any("anonymisez-la" in message for message in messages_of(page))
    # The request's page lists it.
    assert entry in client.get(url("inquiry_change", inquiry)).context["desk"].faq_entries


def test_faq_draft_refused_to_the_assistant_and_before_the_answer(client, officer):
    inquiry = InquiryFactory(status=S.IN_PROGRESS)
    response = client.post(url("inquiry_faq", inquiry), follow=True)
    assert messages_of(response) == [
        "Seule la réponse d’une demande répondue peut servir de brouillon d’entrée de FAQ."
    ]
    login(client, roles.ASSISTANT)
    answered = InquiryFactory(status=S.ANSWERED)
    assert client.post(url("inquiry_faq", answered)).status_code == 403
    assert not FaqEntry.objects.exists()


def found_in_faq(words: str) -> list[int]:
    return [hit.object.pk for hit in run_search(SearchRequest(q=words, kinds=("faq",))).hits]


def test_publish_and_withdraw_a_faq_entry(client, officer):
    entry = faq_services.faq_save(FaqEntryFactory.build(question="Qu’est-ce qu’un adulte-relais ?"))
    response = client.post(url("faqentry_publication", entry), {"action": "publish"}, follow=True)
    entry.refresh_from_db()
    assert entry.published and entry.published_at is not None
    assert found_in_faq("adulte-relais") == [entry.pk]
    assert "L’entrée est publiée dans la FAQ et la recherche." in messages_of(response)[0]
    client.post(url("faqentry_publication", entry), {"action": "unpublish"})
    entry.refresh_from_db()
    assert not entry.published
    assert found_in_faq("adulte-relais") == []


def test_the_assistant_cannot_publish(client):
    login(client, roles.ASSISTANT)
    entry = faq_services.faq_save(FaqEntryFactory.build())
    assert client.post(url("faqentry_publication", entry), {"action": "publish"}).status_code == 403
    entry.refresh_from_db()
    assert not entry.published


def test_faq_entry_saved_through_the_service_with_the_concurrent_edit_check(client, officer):
    entry = faq_services.faq_publish(faq_services.faq_save(FaqEntryFactory.build()))
    data = {
        "question": "Question corrigée ?",
        "answer": "Réponse corrigée.",
        "question_en": "",
        "answer_en": "",
        "seen_version": str(entry.version),
    }
    stale = {**data, "question": "Autre version ?"}
    assert client.post(url("faqentry_change", entry), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.question, entry.published, entry.version) == ("Question corrigée ?", True, 2)
    assert found_in_faq("corrigée") == [entry.pk]  # re-indexed
    response = client.post(url("faqentry_change", entry), stale)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.question == "Question corrigée ?"
    # A draft document is refused on its field.
    draft = record(title="Brouillon FAQ", status="brouillon")
    response = client.post(
        url("faqentry_change", entry),
        {**data, "seen_version": str(entry.version), "documents": [str(draft.pk)]},
    )
    assert "« Brouillon FAQ »" in " ".join(
        errors_of(response.context["adminform"].form, "documents")
    )
    assert entry.documents.count() == 0


def test_faq_list(client, officer, django_assert_max_num_queries):
    inquiry = InquiryFactory(status=S.ANSWERED)
    for number in range(6):
        faq_services.faq_save(
            FaqEntryFactory.build(question=f"Question {number} ?", source=inquiry)
        )
    with django_assert_max_num_queries(10):
        response = client.get(FAQ_LIST_URL)
    assert response.status_code == 200
    assert text(response).count(inquiry.reference) == 6


# --- Autocomplete of the answer's resources: public records only ----------------------------------


def test_autocomplete_offers_only_public_records(client, officer):
    public = record(title="Rapport public sur les quartiers")
    record(title="Rapport en brouillon sur les quartiers", status="brouillon")
    record(title="Rapport interne sur les quartiers", access="equipe")
    params = {"app_label": "inquiries", "model_name": "inquiry", "field_name": "documents"}
    response = client.get(AUTOCOMPLETE_URL, {**params, "term": "rapport"})
    assert [item["id"] for item in response.json()["results"]] == [str(public.pk)]
    response = client.get(AUTOCOMPLETE_URL, {**params, "model_name": "faqentry", "term": "rapport"})
    assert [item["id"] for item in response.json()["results"]] == [str(public.pk)]
    # Only the resource fields of requests and FAQ entries.
    assert client.get(AUTOCOMPLETE_URL, {**params, "field_name": "territory"}).status_code == 403
    assert (
        client.get(
            AUTOCOMPLETE_URL,
            {"app_label": "practices", "model_name": "practice", "field_name": "documents"},
        ).status_code
        == 403
    )


# --- Query budget of the request's page ---------------------------------------------------


def test_request_page_query_budget_does_not_grow_with_the_log_and_links(client, officer):
    inquiry = InquiryFactory(status=S.IN_PROGRESS, subject="Résidentialisation des immeubles")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("inquiry_change", inquiry))
        assert response.status_code == 200
        return len(queries)

    def grow(n: int) -> None:
        for index in range(n):
            services.inquiry_log_action(
                inquiry, kind=ActionKind.RESEARCH, user=officer, note=f"Piste {index}", minutes=5
            )
            inquiry.documents.add(record(title=f"Résidentialisation, étude {index}"))
            inquiry.practices.add(PracticeFactory(published=True))
            inquiry.events.add(event())
            inquiry.organisations.add(OrganisationFactory())

    grow(1)
    count()  # caches of the process (thesaurus synonyms, content types) filled
    few = count()
    grow(8)
    assert count() == few
    # Session, user, request, permissions (2), themes, the answer's four kinds of links,
    # the log, the search (thesaurus version, match, page, hits of each kind with what
    # their display needs), FAQ entries, assignees, the form's autocompletes' choices.
    # Up to 36 when the search hits every kind (the session's reference data holds events).
    assert few <= 36, few
    assert InquiryAction.objects.filter(inquiry=inquiry).count() > 9
