"""The review workflow: every step allowed or refused by the workflow and the roles,
recorded with who and when; publication refused while the transferability block is
incomplete, listing what is missing; the review date and reviewer; tombstones."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.practices import services
from villes2.practices.models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    Practice,
    PracticeStatus,
    PracticeTransition,
    Tombstone,
)
from villes2.practices.services.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db
S = PracticeStatus


def complete_fields() -> dict:
    fields = {name: f"Texte {name}" for name in TRANSFERABILITY_FIELDS}
    for key, _label in CRITERIA:
        fields[f"{key}_rating"] = "fort"
        fields[f"{key}_justification"] = f"Justification {key}"
    return fields


def new_practice(user=None, **fields) -> Practice:
    values = {"title": "Médiation sociale de nuit", "summary": "Résumé.", "start_year": 2006}
    return services.practice_save(Practice(**(values | fields)), user=user)


def move(practice: Practice, user, *steps: str) -> None:
    for step in steps:
        services.practice_transition(practice, to_status=step, user=user)


@pytest.fixture
def director(reference_data):
    return staff_user("directrice", role=roles.DIRECTION)


@pytest.fixture
def assistant(reference_data):
    return staff_user("assistant", role=roles.ASSISTANT)


@pytest.fixture
def partner(reference_data):
    return staff_user("partenaire", role=roles.PARTNER)


def test_a_new_record_is_a_draft_with_its_first_step(director):
    practice = new_practice(director)
    assert practice.status == S.DRAFT
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.by, step.by_name) == (
        "",
        S.DRAFT,
        director,
        "directrice",
    )


def test_the_whole_way_to_publication_is_recorded(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.SUBMITTED, S.IN_REVIEW, S.PUBLISHED)
    practice.refresh_from_db()
    assert practice.status == S.PUBLISHED
    assert practice.first_published_at is not None
    assert practice.last_reviewed_by == director
    assert practice.last_reviewed_at == practice.transitions.last().at
    steps = list(practice.transitions.values_list("from_status", "to_status", "by__username"))
    assert steps == [
        ("", S.DRAFT, "directrice"),
        (S.DRAFT, S.SUBMITTED, "directrice"),
        (S.SUBMITTED, S.IN_REVIEW, "directrice"),
        (S.IN_REVIEW, S.PUBLISHED, "directrice"),
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (start, target)
        for start in S.values
        for target in S.values
        if target not in TRANSITIONS[start] and target != start
    ],
)
def test_steps_outside_the_workflow_are_refused(director, start, target):
    practice = new_practice(director, **complete_fields())
    Practice.objects.filter(pk=practice.pk).update(status=start)
    practice.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.practice_transition(practice, to_status=target, user=director)
    assert error.value.code == "invalid_transition"
    practice.refresh_from_db()
    assert practice.status == start
    assert practice.transitions.count() == 1


def test_publishing_an_incomplete_record_lists_what_is_missing(director):
    fields = complete_fields()
    fields["transfer_cost_time"] = "  "
    fields["impact_rating"] = ""
    fields["relevance_justification"] = ""
    practice = new_practice(director, **fields)
    move(practice, director, S.SUBMITTED, S.IN_REVIEW)
    with pytest.raises(ValidationError) as error:
        services.practice_transition(practice, to_status=S.PUBLISHED, user=director)
    message = error.value.messages[0]
    assert message == (
        "Le bloc transférabilité est incomplet : coût et délai du transfert, "
        "justification : Pertinence thématique, notation : Preuves d’impact."
    )
    practice.refresh_from_db()
    assert practice.status == S.IN_REVIEW
    assert practice.first_published_at is None
    assert not PracticeTransition.objects.filter(to_status=S.PUBLISHED).exists()


def test_publication_missing_on_an_empty_block():
    missing = services.publication_missing(Practice(title="t", summary="s", start_year=2007))
    assert len(missing) == len(TRANSFERABILITY_FIELDS) + 2 * len(CRITERIA)


def test_the_assistant_prepares_but_cannot_publish_or_withdraw(director, assistant):
    practice = new_practice(director, **complete_fields())
    move(practice, assistant, S.SUBMITTED, S.IN_REVIEW)
    assert services.allowed_transitions(practice, assistant) == [S.DRAFT]
    for target in (S.PUBLISHED, S.WITHDRAWN):
        with pytest.raises(PermissionDenied):
            services.practice_transition(practice, to_status=target, user=assistant)
    practice.refresh_from_db()
    assert practice.status == S.IN_REVIEW
    assert practice.transitions.count() == 3


@pytest.mark.parametrize("who", ["partner", "anonymous"])
def test_partners_and_the_public_take_no_step(director, partner, who):
    user = partner if who == "partner" else AnonymousUser()
    practice = new_practice(director)
    assert services.allowed_transitions(practice, user) == []
    with pytest.raises(PermissionDenied):
        services.practice_transition(practice, to_status=S.SUBMITTED, user=user)
    practice.refresh_from_db()
    assert practice.status == S.DRAFT


def test_allowed_transitions_follow_the_workflow_order(director):
    practice = new_practice(director)
    move(practice, director, S.SUBMITTED)
    assert services.allowed_transitions(practice, director) == [
        S.DRAFT,
        S.IN_REVIEW,
        S.WITHDRAWN,
    ]


def test_withdrawing_a_published_record_leaves_a_tombstone_lifted_on_republication(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    assert not Tombstone.objects.exists()
    first_published = Practice.objects.get(pk=practice.pk).first_published_at
    move(practice, director, S.WITHDRAWN)
    assert Tombstone.objects.filter(practice_id=practice.pk).count() == 1
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    assert not Tombstone.objects.exists()
    # The first publication date stays the first (the feeds are ordered by it).
    assert Practice.objects.get(pk=practice.pk).first_published_at == first_published


def test_a_never_published_record_leaves_no_tombstone(director):
    practice = new_practice(director)
    move(practice, director, S.SUBMITTED, S.WITHDRAWN)
    assert not Tombstone.objects.exists()
    services.practice_delete(practice)
    assert not Tombstone.objects.exists()


def test_deleting_a_published_record_leaves_a_tombstone(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    pk = practice.pk
    services.practice_delete(practice)
    assert Tombstone.objects.filter(practice_id=pk).exists()
    assert not Practice.objects.filter(pk=pk).exists()


def test_a_review_of_a_published_record_updates_reviewer_and_date(director, reference_data):
    officer = staff_user("charge", role=roles.PROJECT_OFFICER)
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    published_review = Practice.objects.get(pk=practice.pk).last_reviewed_at
    step = services.practice_review_record(practice, user=officer, comment="Contacts vérifiés.")
    practice.refresh_from_db()
    assert practice.status == S.PUBLISHED
    assert practice.last_reviewed_by == officer
    assert practice.last_reviewed_at == step.at > published_review
    assert (step.from_status, step.to_status, step.comment) == (
        S.PUBLISHED,
        S.PUBLISHED,
        "Contacts vérifiés.",
    )


def test_a_review_needs_a_comment_a_published_record_and_a_publisher(director, assistant):
    practice = new_practice(director, **complete_fields())
    with pytest.raises(ValidationError):
        services.practice_review_record(practice, user=director, comment="Relu.")
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    with pytest.raises(ValidationError):
        services.practice_review_record(practice, user=director, comment="  ")
    with pytest.raises(PermissionDenied):
        services.practice_review_record(practice, user=assistant, comment="Relu.")
    assert practice.transitions.count() == 3


def test_public_submission_records_the_submitter_and_mails(
    reference_data, settings, django_capture_on_commit_callbacks
):
    settings.VILLES2_LEGAL = {**settings.VILLES2_LEGAL, "contact_email": "centre@example.org"}
    practice = Practice(
        title="Jardins partagés au pied des immeubles",
        summary="Des habitants cultivent ensemble.",
        start_year=2005,
        submitter_name="Marie Dupont",
        submitter_email="marie.dupont@example.org",
        submitter_organisation="Association des habitants",
    )
    with pytest.raises(ValidationError):
        services.practice_submit(
            Practice(title="t", summary="s", start_year=2005), consent="J’accepte."
        )
    with pytest.raises(ValidationError):
        services.practice_submit(practice, consent=" ")
    assert not Practice.objects.exists()
    # The mails leave after commit: run the callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        services.practice_submit(practice, consent="J’accepte.", base_url="https://villes2.example")
    assert practice.status == S.SUBMITTED
    assert practice.submitter_consent == "J’accepte."
    assert practice.submitter_consented_at is not None
    step = practice.transitions.get()
    assert (step.from_status, step.to_status, step.by, step.by_name) == (
        "",
        S.SUBMITTED,
        None,
        "Marie Dupont",
    )
    assert [message.to for message in mail.outbox] == [
        ["marie.dupont@example.org"],
        ["centre@example.org"],
    ]
    assert "Jardins partagés au pied des immeubles" in mail.outbox[0].subject
    assert f"/gestion/practices/practice/{practice.pk}/change/" in mail.outbox[1].body


def test_invalid_years_create_nothing(reference_data):
    with pytest.raises(ValidationError) as error:
        services.practice_submit(
            Practice(
                title="t",
                summary="s",
                start_year=2010,
                end_year=2008,
                submitter_name="A",
                submitter_email="a@example.org",
            ),
            consent="J’accepte.",
        )
    assert "L’année de fin ne peut pas précéder l’année de début." in str(error.value)
    assert not Practice.objects.exists()
    assert not PracticeTransition.objects.exists()


# --- The workflow's fields are the workflow's ------------------------------------------


def test_saving_never_sets_the_status_of_a_new_record(director):
    practice = new_practice(director, status=S.PUBLISHED, **complete_fields())
    practice.refresh_from_db()
    assert (practice.status, practice.first_published_at) == (S.DRAFT, None)
    assert list(practice.transitions.values_list("to_status", flat=True)) == [S.DRAFT]
    assert not Practice.objects.public().exists()


def test_saving_never_publishes_a_stored_record(director):
    practice = new_practice(director, **complete_fields())
    practice.status = S.PUBLISHED
    practice.title = "Titre corrigé"
    services.practice_save(practice, user=director)
    practice.refresh_from_db()
    assert (practice.title, practice.status) == ("Titre corrigé", S.DRAFT)
    assert not Practice.objects.public().exists()


def test_a_form_opened_before_a_withdrawal_does_not_republish_the_record(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    opened = Practice.objects.get(pk=practice.pk)  # an edit form opened now
    move(practice, director, S.WITHDRAWN)
    opened.title = "Titre corrigé"
    services.practice_save(opened, user=director)
    practice.refresh_from_db()
    assert (practice.title, practice.status) == ("Titre corrigé", S.WITHDRAWN)
    assert (opened.status, opened.is_public) == (S.WITHDRAWN, False)
    assert Tombstone.objects.filter(practice_id=practice.pk).exists()
    assert not Practice.objects.public().exists()


def test_a_published_record_keeps_a_complete_transferability_block(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    practice.title = "Titre corrigé"
    practice.transfer_cost_time = " "
    practice.impact_rating = ""
    with pytest.raises(ValidationError) as error:
        services.practice_save(practice, user=director)
    message = "Une fiche publiée a besoin de ce champ : dépubliez-la d’abord pour le vider."
    assert error.value.message_dict == {
        "transfer_cost_time": [message],
        "impact_rating": [message],
    }
    practice.refresh_from_db()
    assert (practice.title, practice.transfer_cost_time, practice.impact_rating) == (
        "Médiation sociale de nuit",
        "Texte transfer_cost_time",
        "fort",
    )
    # Unpublished, the same change is saved.
    move(practice, director, S.IN_REVIEW)
    practice.transfer_cost_time = ""
    services.practice_save(practice, user=director)
    practice.refresh_from_db()
    assert practice.transfer_cost_time == ""


def test_a_step_chosen_before_someone_elses_is_refused(director):
    practice = new_practice(director, **complete_fields())
    move(practice, director, S.IN_REVIEW, S.PUBLISHED)
    # Seen "under review" (withdraw was a button), published meanwhile by a colleague.
    with pytest.raises(ValidationError) as error:
        services.practice_transition(
            practice, to_status=S.WITHDRAWN, user=director, expected_status=S.IN_REVIEW
        )
    assert error.value.code == "stale_status"
    assert error.value.messages == [
        "Quelqu’un d’autre a changé le statut de cette fiche entre-temps : elle est "
        "maintenant « Publiée ». Rien n’a été modifié : vérifiez la fiche, puis choisissez "
        "à nouveau."
    ]
    practice.refresh_from_db()
    assert practice.status == S.PUBLISHED
    assert practice.transitions.count() == 3
    step = services.practice_transition(
        practice, to_status=S.WITHDRAWN, user=director, expected_status=S.PUBLISHED
    )
    assert (step.from_status, step.to_status) == (S.PUBLISHED, S.WITHDRAWN)
