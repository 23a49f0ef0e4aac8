"""The back office of experience records: entry and changes through the services, the
concurrent-edit check, the workflow buttons and their views for every role (refusals
change nothing), publication refused while the transferability block is incomplete, the
review of a published record, the history of a record from public submission to
publication, deletion, the EUKN export of a selection."""

import html as html_lib
import json
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from villes2.accounts import roles
from villes2.actors.tests.factories import OrganisationFactory
from villes2.core.search import SearchRequest, run_search
from villes2.core.testing import staff_user
from villes2.practices import services
from villes2.practices.models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    Practice,
    PracticeActor,
    PracticeFunding,
    PracticeStatus,
    PracticeTransition,
    Tombstone,
)
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .factories import PracticeFactory, complete_transferability

pytestmark = pytest.mark.django_db

S = PracticeStatus
ADD_URL = reverse("admin:practices_practice_add")
CHANGELIST_URL = reverse("admin:practices_practice_changelist")
PUBLISHERS = (roles.DIRECTION, roles.DOCUMENTALIST, roles.PROJECT_OFFICER)


def change_url(practice) -> str:
    return reverse("admin:practices_practice_change", args=[practice.pk])


def step_url(practice) -> str:
    return reverse("admin:practices_practice_transition", args=[practice.pk])


def review_url(practice) -> str:
    return reverse("admin:practices_practice_review", args=[practice.pk])


def login(client, role: str, username: str = ""):
    user = staff_user(username or f"user-{role}", role=role)
    client.force_login(user)
    return user


def found(text: str) -> list[int]:
    results = run_search(SearchRequest(q=text, kinds=("practices",), staff=True))
    return [hit.object.pk for hit in results.hits]


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


INLINES = {
    prefix: {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for prefix in ("actors", "fundings", "attachments")
}

TEXTS = (
    "title",
    "title_en",
    "summary",
    "summary_en",
    "context",
    "objectives",
    "actions",
    "public_detail",
    "budget_detail",
    "tools",
    "results",
    "evaluation",
    "success_factors",
    "difficulties",
    "partners_text",
    *TRANSFERABILITY_FIELDS,
    *(f"{key}_{part}" for key, _label in CRITERIA for part in ("rating", "justification")),
    "submitter_name",
    "submitter_email",
    "submitter_organisation",
    "notes",
)


def form_data(practice: Practice | None = None, **fields) -> dict:
    """The change form as the browser posts it: the record's values, then `fields`."""
    data: dict = dict.fromkeys(TEXTS, "")
    data.update(
        title="Médiation sociale de nuit",
        summary="Des médiateurs présents le soir dans les quartiers.",
        start_year="2006",
        end_year="",
        budget="",
        lead_contact="",
        seen_version="",
    )
    if practice is not None:
        for name in TEXTS:
            data[name] = getattr(practice, name)
        data.update(
            start_year=str(practice.start_year),
            end_year=str(practice.end_year or ""),
            seen_version=str(practice.version),
            publics=list(practice.publics),
            territories=[str(pk) for pk in practice.territories.values_list("pk", flat=True)],
            themes=[str(pk) for pk in practice.themes.values_list("pk", flat=True)],
        )
    for prefix in INLINES.values():
        data.update(prefix)
    data.update(fields)
    return data


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def director_client(client, reference_data):
    login(client, roles.DIRECTION, "directrice")
    return client


# --- Entry through the services -----------------------------------------------------


def test_the_add_form_follows_the_fiche(director_client):
    response = director_client.get(ADD_URL)
    assert response.status_code == 200
    content = _text(response)
    for legend in (
        "Identification",
        "L’expérience",
        "Acteurs et partenaires",
        "Transférabilité",
        "Évaluation selon les quatre critères",
        "Liens",
        "Auteur de la proposition",
        "Notes internes",
    ):
        assert f">{legend}</h2>" in content, legend
    for name in (
        "territories",
        "themes",
        "schemes",
        "documents",
        "events",
        "transferred_to",
        "lead_contact",
        "actors-0-organisation",
        "fundings-0-organisation",
        "attachments-0-file",
        "coherence_rating",
        "transfer_justification",
    ):
        assert f'name="{name}"' in content, name
    assert 'data-ajax--url="/gestion/autocomplete/"' in content
    # The status is never a field; a new record has no workflow panel yet.
    assert 'name="status"' not in content
    assert "Circuit de validation" not in content


def test_a_record_is_entered_with_actors_and_fundings_through_the_services(
    director_client, reference_data
):
    organisation = OrganisationFactory(name="Association de médiation de test")
    theme = Concept.objects.get(scheme__is_theme_scheme=True, pref_label_fr="Santé")
    tours = Territory.objects.get(kind="commune", code="37261")
    data = form_data(
        territories=[str(tours.pk)],
        themes=[str(theme.pk)],
        publics=["jeunes", "habitants"],
        **{
            "actors-TOTAL_FORMS": "1",
            "actors-0-order": "0",
            "actors-0-organisation": str(organisation.pk),
            "actors-0-role": "porteur",
            "actors-0-role_detail": "maître d’œuvre",
            "fundings-TOTAL_FORMS": "1",
            "fundings-0-order": "0",
            "fundings-0-name": "Contrat urbain de cohésion sociale",
            "fundings-0-amount": "12000",
        },
    )
    response = director_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    practice = Practice.objects.get()
    assert (practice.status, practice.version) == (S.DRAFT, 1)
    assert practice.publics == ["habitants", "jeunes"]  # in the list's order
    assert list(practice.territories.all()) == [tours]
    assert [(a.organisation, a.role, a.role_detail) for a in PracticeActor.objects.all()] == [
        (organisation, "porteur", "maître d’œuvre")
    ]
    assert [(f.name, f.amount) for f in PracticeFunding.objects.all()] == [
        ("Contrat urbain de cohésion sociale", 12000)
    ]
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.by.username) == ("", S.DRAFT, "directrice")
    # Indexed with its relations (saved after the record), for the staff only.
    assert found("médiateurs") == [practice.pk]
    assert found("association médiation") == [practice.pk]


def test_a_change_is_saved_through_the_service_and_never_moves_the_status(director_client):
    practice = PracticeFactory(title="Ancien titre", status=S.SUBMITTED)
    data = form_data(practice, title="Titre renouvelé", status=S.PUBLISHED)
    response = director_client.post(change_url(practice), data)
    assert response.status_code == 302
    practice.refresh_from_db()
    assert (practice.title, practice.version, practice.status) == (
        "Titre renouvelé",
        2,
        S.SUBMITTED,
    )
    assert practice.first_published_at is None
    assert found("renouvelé") == [practice.pk]
    assert found("ancien") == []


def test_the_end_year_before_the_start_year_is_refused_on_its_field(director_client):
    practice = PracticeFactory(start_year=2008)
    response = director_client.post(change_url(practice), form_data(practice, end_year="2006"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end_year"] == [
        "L’année de fin ne peut pas précéder l’année de début."
    ]
    practice.refresh_from_db()
    assert (practice.end_year, practice.version) == (None, 1)


def test_a_stale_form_is_refused(director_client):
    practice = PracticeFactory(title="Ancien titre")
    stale = form_data(practice, title="Nouveau titre")
    Practice.objects.filter(pk=practice.pk).update(version=5)
    response = director_client.post(change_url(practice), stale)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez. Vos "
        "modifications n'ont pas été enregistrées\xa0: rechargez la page pour voir les "
        "siennes, puis refaites les vôtres."
    ]
    practice.refresh_from_db()
    assert (practice.title, practice.version) == ("Ancien titre", 5)


def test_deleting_a_published_record_goes_through_the_service(director_client):
    practice = PracticeFactory(title="Fiche supprimée", status=S.PUBLISHED)
    delete_url = reverse("admin:practices_practice_delete", args=[practice.pk])
    response = director_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Practice.objects.exists()
    assert Tombstone.objects.filter(practice_id=practice.pk).exists()
    assert found("supprimée") == []


# --- The workflow panel -------------------------------------------------------------


def _buttons(response) -> list[tuple[str, str]]:
    return re.findall(
        r'<button type="submit" name="to_status" value="([^"]+)"[^>]*>([^<]+)</button>',
        _text(response),
    )


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (
            roles.DIRECTION,
            S.SUBMITTED,
            [
                ("brouillon", "Renvoyer en brouillon (à compléter)"),
                ("en-relecture", "Commencer la relecture"),
                ("retiree", "Retirer"),
            ],
        ),
        (
            roles.DOCUMENTALIST,
            S.IN_REVIEW,
            [
                ("brouillon", "Renvoyer en brouillon (à compléter)"),
                ("publiee", "Publier"),
                ("retiree", "Retirer"),
            ],
        ),
        (
            roles.PROJECT_OFFICER,
            S.PUBLISHED,
            [("en-relecture", "Dépublier et relire à nouveau"), ("retiree", "Retirer")],
        ),
        (
            roles.ASSISTANT,
            S.SUBMITTED,
            [
                ("brouillon", "Renvoyer en brouillon (à compléter)"),
                ("en-relecture", "Commencer la relecture"),
            ],
        ),
        (roles.ASSISTANT, S.IN_REVIEW, [("brouillon", "Renvoyer en brouillon (à compléter)")]),
    ],
)
def test_the_buttons_are_the_steps_the_role_may_take(
    client, reference_data, role, status, expected
):
    practice = PracticeFactory(status=status)
    login(client, role)
    response = client.get(change_url(practice))
    assert response.status_code == 200
    assert _buttons(response) == expected
    content = _text(response)
    assert "Historique du circuit de validation" in content
    assert ("Enregistrer une relecture" in content) is (
        status == S.PUBLISHED and role in PUBLISHERS
    )


def test_the_panel_lists_what_publication_still_needs(director_client):
    practice = PracticeFactory(status=S.IN_REVIEW, complete=False)
    content = _text(director_client.get(change_url(practice)))
    assert "Pour la publier, complétez ces 12 éléments du bloc transférabilité" in content
    assert "<li>ce qui doit exister localement</li>" in content


@pytest.mark.parametrize("role", PUBLISHERS)
def test_the_centres_staff_publish(client, reference_data, role):
    practice = PracticeFactory(status=S.IN_REVIEW)
    user = login(client, role)
    response = client.post(
        step_url(practice), {"to_status": S.PUBLISHED, "comment": "Relue avec le porteur."}
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(practice)
    practice.refresh_from_db()
    assert (practice.status, practice.last_reviewed_by) == (S.PUBLISHED, user)
    assert practice.first_published_at is not None
    step = practice.transitions.last()
    assert (step.from_status, step.to_status, step.by, step.comment) == (
        S.IN_REVIEW,
        S.PUBLISHED,
        user,
        "Relue avec le porteur.",
    )
    page = client.get(change_url(practice))
    assert "C’est fait : le statut de la fiche est maintenant « Publiée »." in _messages(page)


def test_the_assistant_sends_to_review_but_cannot_publish(client, reference_data):
    practice = PracticeFactory(status=S.SUBMITTED)
    assistant = login(client, roles.ASSISTANT)
    assert client.post(step_url(practice), {"to_status": S.IN_REVIEW}).status_code == 302
    practice.refresh_from_db()
    assert practice.status == S.IN_REVIEW
    steps = practice.transitions.count()

    for target in (S.PUBLISHED, S.WITHDRAWN):
        response = client.post(step_url(practice), {"to_status": target, "comment": "Essai"})
        assert response.status_code == 403
    practice.refresh_from_db()
    assert (practice.status, practice.first_published_at, practice.last_reviewed_by) == (
        S.IN_REVIEW,
        None,
        None,
    )
    assert practice.transitions.count() == steps
    assert practice.transitions.last().by == assistant  # the step it was allowed


def test_a_partner_changes_nothing(client, reference_data):
    practice = PracticeFactory(
        title="Fiche du centre",
        status=S.IN_REVIEW,
        submitter_name="Marie Dupont",
        submitter_email="marie.dupont@example.org",
        notes="À relancer en septembre.",
    )
    login(client, roles.PARTNER)
    # No access to records in the back office: they propose through the public form, and
    # an unpublished record's page is not theirs to preview either.
    assert client.get(change_url(practice)).status_code == 403
    assert client.get(reverse("admin:practices_practice_changelist")).status_code == 403
    assert client.get(practice.get_absolute_url()).status_code == 404
    assert client.post(change_url(practice), form_data(practice, title="Autre")).status_code == 403
    assert client.post(step_url(practice), {"to_status": S.PUBLISHED}).status_code == 403
    assert client.post(step_url(practice), {"to_status": S.DRAFT}).status_code == 403
    assert client.post(review_url(practice), {"comment": "Vu"}).status_code == 403
    assert client.get(ADD_URL).status_code == 403
    practice.refresh_from_db()
    assert (practice.title, practice.status, practice.version) == (
        "Fiche du centre",
        S.IN_REVIEW,
        1,
    )
    assert practice.transitions.count() == 2  # creation, review: as before


def test_anonymous_visitors_are_sent_to_the_login(client, reference_data):
    practice = PracticeFactory(status=S.IN_REVIEW)
    response = client.post(step_url(practice), {"to_status": S.PUBLISHED})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    practice.refresh_from_db()
    assert practice.status == S.IN_REVIEW


def test_publishing_an_incomplete_record_is_refused_listing_what_is_missing(director_client):
    practice = PracticeFactory(
        status=S.IN_REVIEW,
        complete=False,
        transfer_prerequisites="Un bailleur partenaire.",
        coherence_rating="fort",
        coherence_justification="Conforme aux principes du CUCS.",
    )
    steps = practice.transitions.count()
    response = director_client.post(
        step_url(practice), {"to_status": S.PUBLISHED, "comment": "À publier"}, follow=True
    )
    assert response.status_code == 200
    assert _messages(response) == [
        "Le bloc transférabilité est incomplet : ce qui tenait au contexte local, comment "
        "l’adapter, coût et délai du transfert, notation : Pertinence thématique, "
        "justification : Pertinence thématique, notation : Preuves d’impact, "
        "justification : Preuves d’impact, notation : Aptitude au transfert, "
        "justification : Aptitude au transfert."
    ]
    practice.refresh_from_db()
    assert (practice.status, practice.first_published_at, practice.last_reviewed_at) == (
        S.IN_REVIEW,
        None,
        None,
    )
    assert practice.transitions.count() == steps
    assert not Tombstone.objects.exists()


def test_a_step_outside_the_workflow_is_refused(director_client):
    practice = PracticeFactory(status=S.DRAFT)
    response = director_client.post(step_url(practice), {"to_status": S.PUBLISHED}, follow=True)
    assert _messages(response) == ["Une fiche « Brouillon » ne peut pas passer à « Publiée »."]
    response = director_client.post(step_url(practice), {"to_status": "n-importe"}, follow=True)
    assert _messages(response) == ["Cette étape est inconnue : rien n’a été modifié."]
    practice.refresh_from_db()
    assert (practice.status, practice.transitions.count()) == (S.DRAFT, 1)


def test_the_workflow_views_take_posts_only(director_client):
    practice = PracticeFactory(status=S.IN_REVIEW)
    assert director_client.get(step_url(practice)).status_code == 405
    assert director_client.get(review_url(practice)).status_code == 405
    missing = reverse("admin:practices_practice_transition", args=[practice.pk + 1000])
    assert director_client.post(missing, {"to_status": S.PUBLISHED}).status_code == 404


# --- Reviews of published records ---------------------------------------------------


def test_a_review_is_recorded(client, reference_data):
    practice = PracticeFactory(status=S.PUBLISHED)
    published_at = practice.first_published_at
    reviewer = login(client, roles.DOCUMENTALIST)
    response = client.post(
        review_url(practice), {"comment": "Contacts et résultats vérifiés."}, follow=True
    )
    assert _messages(response) == ["La relecture est enregistrée."]
    practice.refresh_from_db()
    step = practice.transitions.last()
    assert (step.from_status, step.to_status, step.by, step.comment) == (
        S.PUBLISHED,
        S.PUBLISHED,
        reviewer,
        "Contacts et résultats vérifiés.",
    )
    assert (practice.status, practice.last_reviewed_by, practice.last_reviewed_at) == (
        S.PUBLISHED,
        reviewer,
        step.at,
    )
    assert practice.first_published_at == published_at
    assert "Relecture enregistrée" in _text(response)  # in the history


def test_a_review_needs_a_comment_and_a_publisher(client, reference_data):
    practice = PracticeFactory(status=S.PUBLISHED)
    before = (practice.last_reviewed_by_id, practice.last_reviewed_at, practice.transitions.count())
    login(client, roles.DIRECTION)
    response = client.post(review_url(practice), {"comment": "  "}, follow=True)
    assert _messages(response) == ["Indiquez ce que la relecture a vérifié."]
    client.force_login(staff_user("assistante", role=roles.ASSISTANT))
    assert client.post(review_url(practice), {"comment": "Relu"}).status_code == 403
    practice.refresh_from_db()
    assert (
        practice.last_reviewed_by_id,
        practice.last_reviewed_at,
        practice.transitions.count(),
    ) == before


def test_only_a_published_record_is_reviewed(director_client):
    practice = PracticeFactory(status=S.IN_REVIEW)
    response = director_client.post(review_url(practice), {"comment": "Relu"}, follow=True)
    assert _messages(response) == [
        "Seule une fiche publiée peut être relue à nouveau ; faites passer les autres par le "
        "circuit de validation."
    ]
    assert practice.transitions.count() == 2


# --- Done when: from public submission to publication, with its history -------------


def test_a_public_submission_reaches_publication_with_its_history(
    client, reference_data, settings, django_capture_on_commit_callbacks
):
    cache.clear()
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "centre@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("practices:submit"),
            {
                "title": "Chantiers éducatifs pour les jeunes du quartier",
                "summary": "Des chantiers rémunérés encadrés par des éducateurs.",
                "start_year": "2005",
                "submitter_name": "Karim Benali",
                "submitter_email": "karim.benali@example.org",
                "consent": "on",
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    practice = Practice.objects.get()

    director = login(client, roles.DIRECTION, "directrice")
    response = client.post(
        step_url(practice), {"to_status": S.IN_REVIEW, "comment": "Prise en charge."}, follow=True
    )
    assert _messages(response) == [
        "C’est fait : le statut de la fiche est maintenant « En relecture »."
    ]
    practice.refresh_from_db()
    data = form_data(practice, **complete_transferability())
    response = client.post(change_url(practice), data, follow=True)
    assert response.status_code == 200
    assert len(_messages(response)) == 1  # the admin's "changed successfully"
    response = client.post(
        step_url(practice), {"to_status": S.PUBLISHED, "comment": "Validée."}, follow=True
    )
    assert _messages(response) == ["C’est fait : le statut de la fiche est maintenant « Publiée »."]

    practice.refresh_from_db()
    assert practice.status == S.PUBLISHED
    history = list(
        practice.transitions.order_by("at", "pk").values_list(
            "from_status", "to_status", "by", "by_name", "comment"
        )
    )
    assert history == [
        ("", S.SUBMITTED, None, "Karim Benali", ""),
        (S.SUBMITTED, S.IN_REVIEW, director.pk, "directrice", "Prise en charge."),
        (S.IN_REVIEW, S.PUBLISHED, director.pk, "directrice", "Validée."),
    ]
    times = list(practice.transitions.order_by("at", "pk").values_list("at", flat=True))
    assert times == sorted(times) and all(times)
    # The history on the change page: who and when, each step.
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>(.*?)</tr>", _text(response), re.S)
    assert len(rows) == 3
    assert "Karim Benali" in rows[0][1] and "(sans compte)" in rows[0][1]
    assert "Soumise" in rows[1][1] and "En relecture" in rows[1][1] and "directrice" in rows[1][1]
    assert "<td>Publiée</td>" in rows[2][1] and "Validée." in rows[2][1]
    # Public now, with its reviewer.
    client.logout()
    public = client.get(practice.get_absolute_url())
    assert public.status_code == 200


# --- The list, the export of a selection, the query budget ---------------------------


def test_the_list_filters_by_status_and_shows_the_last_review(director_client):
    published = PracticeFactory(title="Fiche publiée", status=S.PUBLISHED)
    PracticeFactory(title="Fiche soumise", status=S.SUBMITTED)
    response = director_client.get(CHANGELIST_URL, {"status__exact": S.PUBLISHED})
    assert [p.title for p in response.context["cl"].result_list] == ["Fiche publiée"]
    content = _text(response)
    assert "Claire Relectrice" in content  # the factory's reviewer
    response = director_client.get(CHANGELIST_URL, {"q": "soumise"})
    assert [p.title for p in response.context["cl"].result_list] == ["Fiche soumise"]
    assert published.last_reviewed_at is not None


def test_the_export_action_exports_the_published_records_of_the_selection(director_client):
    published = PracticeFactory(title="Fiche exportée", status=S.PUBLISHED)
    draft = PracticeFactory(title="Brouillon non exporté")
    response = director_client.post(
        CHANGELIST_URL,
        {"action": "export_eukn_json", "_selected_action": [str(published.pk), str(draft.pk)]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="experiences-eukn-')
    document = json.loads(response.content)
    assert [record["title"]["fr"] for record in document["practices"]] == ["Fiche exportée"]
    page = director_client.get(CHANGELIST_URL)
    assert _messages(page) == [
        "1 fiche sélectionnée n’est pas publiée : elle a été laissée hors de l’export."
    ]


def test_the_export_action_without_published_records_says_so(director_client):
    draft = PracticeFactory()
    response = director_client.post(
        CHANGELIST_URL,
        {"action": "export_eukn_json", "_selected_action": [str(draft.pk)]},
        follow=True,
    )
    assert _messages(response) == [
        "Seules les fiches publiées sont exportées : aucune n’est sélectionnée."
    ]


def test_the_change_page_queries_do_not_grow_with_the_history(director_client):
    def count(practice) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = director_client.get(change_url(practice))
        assert response.status_code == 200
        return len(queries)

    short = PracticeFactory(status=S.PUBLISHED)
    long = PracticeFactory(status=S.PUBLISHED)
    for n in range(5):
        reviewer = staff_user(f"relecteur-{n}", role=roles.DIRECTION)
        services.practice_review_record(long, user=reviewer, comment=f"Relecture {n}")
    director_client.get(change_url(short))  # caches warm
    assert PracticeTransition.objects.filter(practice=long).count() == 8
    assert PracticeTransition.objects.filter(practice=short).count() == 3
    assert count(long) == count(short)


def test_a_published_record_cannot_lose_its_transferability_block(director_client):
    practice = PracticeFactory(status=S.PUBLISHED, title="Ancien titre")
    data = form_data(
        practice, title="Nouveau titre", transfer_specific="", transfer_justification=" "
    )
    response = director_client.post(change_url(practice), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    message = "Une fiche publiée a besoin de ce champ : dépubliez-la d’abord pour le vider."
    assert {name: list(errors[name]) for name in errors} == {
        "transfer_specific": [message],
        "transfer_justification": [message],
    }
    practice.refresh_from_db()
    assert (practice.title, practice.version, practice.status) == ("Ancien titre", 1, S.PUBLISHED)
    assert practice.transfer_specific == "Ce qui était propre au lieu (test)."


def test_the_panel_sends_the_status_it_shows(director_client):
    practice = PracticeFactory(status=S.IN_REVIEW)
    hidden = re.findall(
        r'<input type="hidden" name="from_status" value="([^"]*)">',
        _text(director_client.get(change_url(practice))),
    )
    assert hidden == [S.IN_REVIEW]


def test_a_button_of_a_page_opened_before_another_step_is_refused(director_client):
    practice = PracticeFactory(status=S.PUBLISHED)
    # The page was opened while the record was under review; a colleague published it.
    response = director_client.post(
        step_url(practice), {"to_status": S.WITHDRAWN, "from_status": S.IN_REVIEW}, follow=True
    )
    assert _messages(response) == [
        "Quelqu’un d’autre a changé le statut de cette fiche entre-temps : elle est "
        "maintenant « Publiée ». Rien n’a été modifié : vérifiez la fiche, puis choisissez "
        "à nouveau."
    ]
    practice.refresh_from_db()
    assert (practice.status, practice.transitions.count()) == (S.PUBLISHED, 3)
    assert not Tombstone.objects.exists()


def test_a_record_is_not_transferred_to_itself(director_client):
    practice = PracticeFactory(title="Ancien titre")
    data = form_data(practice, title="Nouveau titre", transferred_to=[str(practice.pk)])
    response = director_client.post(change_url(practice), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["transferred_to"] == [
        "Une fiche ne peut pas être transférée vers elle-même."
    ]
    practice.refresh_from_db()
    assert (practice.title, practice.transferred_to.count()) == ("Ancien titre", 0)


def test_reverting_to_a_published_version_does_not_republish(director_client):
    practice = PracticeFactory(status=S.WITHDRAWN, title="Ancien titre")
    published = practice.history.filter(status=S.PUBLISHED).earliest("history_date")
    url = reverse(
        "admin:practices_practice_simple_history", args=[practice.pk, published.history_id]
    )
    assert director_client.get(url).status_code == 200
    response = director_client.post(url, form_data(practice, title="Titre rétabli"))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert (practice.title, practice.status) == ("Titre rétabli", S.WITHDRAWN)
    assert Tombstone.objects.filter(practice_id=practice.pk).exists()
    assert not Practice.objects.public().exists()
