"""The review workflow of experience records: draft → submitted → under review →
published, and withdrawn (docs/practices.md). Every step is recorded with who and when
(`PracticeTransition`); only the staff holding `practices.publish_practice` publish, and
only a record whose transferability block is complete."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import (
    CRITERIA,
    TRANSFERABILITY_FIELDS,
    Practice,
    PracticeStatus,
    PracticeTransition,
)

logger = logging.getLogger(__name__)

S = PracticeStatus
# Allowed steps. Publishing and withdrawing need `publish_practice`; the others
# `change_practice`. A record sent back for completion returns to draft.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.IN_REVIEW}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.DRAFT, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.PUBLISHED, S.DRAFT, S.WITHDRAWN}),
    S.PUBLISHED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.DRAFT, S.IN_REVIEW}),
}
PUBLISHER_STEPS = frozenset({S.PUBLISHED, S.WITHDRAWN})
PUBLISH_PERMISSION = "practices.publish_practice"
CHANGE_PERMISSION = "practices.change_practice"
# A proposal sent again within this time (same person, title and summary) is the same.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def publication_missing(practice: Practice) -> list[str]:
    """What the transferability block still lacks, as labels for the staff: each of
    its four texts, and each criterion's rating and justification."""
    return list(publication_missing_fields(practice).values())


def publication_missing_fields(practice: Practice) -> dict[str, str]:
    """`publication_missing` by field name (for errors on the fields of a form)."""
    missing = {
        name: str(Practice._meta.get_field(name).verbose_name)
        for name in TRANSFERABILITY_FIELDS
        if not getattr(practice, name).strip()
    }
    for key, label in CRITERIA:
        if not getattr(practice, f"{key}_rating"):
            missing[f"{key}_rating"] = _("rating: %(criterion)s") % {"criterion": label}
        if not getattr(practice, f"{key}_justification").strip():
            missing[f"{key}_justification"] = _("justification: %(criterion)s") % {
                "criterion": label
            }
    return missing


def published_block_errors(practice: Practice) -> dict[str, ValidationError]:
    """Errors on the fields of the transferability block that a published record would
    lose: a published record keeps a complete block (unpublish it first)."""
    message = _("A published record needs this field: unpublish the record first to empty it.")
    return {
        name: ValidationError(message, code="published_block")
        for name in publication_missing_fields(practice)
    }


def allowed_transitions(practice: Practice, user) -> list[str]:
    """The steps `user` may take from the record's status now, in workflow order."""
    if not user.has_perm(CHANGE_PERMISSION):
        return []
    steps = TRANSITIONS.get(practice.status, frozenset())
    if not user.has_perm(PUBLISH_PERMISSION):
        steps = steps - PUBLISHER_STEPS
    return [value for value in S.values if value in steps]


def transition_record(
    practice: Practice,
    *,
    from_status: str,
    user=None,
    by_name: str = "",
    comment: str = "",
    at=None,
) -> PracticeTransition:
    authenticated = user is not None and user.is_authenticated
    return PracticeTransition.objects.create(
        practice=practice,
        from_status=from_status,
        to_status=practice.status,
        at=at or timezone.now(),
        by=user if authenticated else None,
        by_name=by_name or (_user_name(user) if authenticated else ""),
        comment=comment.strip(),
    )


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def practice_transition(
    practice: Practice,
    *,
    to_status: str,
    user,
    comment: str = "",
    expected_status: str | None = None,
) -> PracticeTransition:
    """Move the record one step, checked against the workflow, the user's permissions
    and, to publish, the completeness of the transferability block. The record is
    re-read under a row lock, so two staff members cannot take the same step twice;
    with `expected_status` (the status the user saw), a step chosen on a page opened
    before someone else's step is refused rather than taken from another status."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if expected_status is not None and locked.status != expected_status:
        raise ValidationError(
            _(
                "Someone else changed the status of this record meanwhile: it is now "
                "« %(status)s ». Nothing was changed: check the record, then choose again."
            )
            % {"status": locked.get_status_display()},
            code="stale_status",
        )
    if to_status not in TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            _("A record « %(from)s » cannot become « %(to)s ».")
            % {"from": locked.get_status_display(), "to": S(to_status).label},
            code="invalid_transition",
        )
    if not user.has_perm(CHANGE_PERMISSION) or (
        to_status in PUBLISHER_STEPS and not user.has_perm(PUBLISH_PERMISSION)
    ):
        raise PermissionDenied(_("Only the staff of the centre publish or withdraw records."))
    if to_status == S.PUBLISHED:
        missing = publication_missing(locked)
        if missing:
            raise ValidationError(
                _("The transferability block is incomplete: %(missing)s.")
                % {"missing": ", ".join(missing)},
                code="incomplete",
            )
    from_status = locked.status
    now = timezone.now()
    locked.status = to_status
    fields = ["status"]
    if to_status == S.PUBLISHED:
        locked.last_reviewed_at, locked.last_reviewed_by = now, user
        fields += ["last_reviewed_at", "last_reviewed_by"]
        if locked.first_published_at is None:
            locked.first_published_at = now
            fields.append("first_published_at")
    locked.save(update_fields=fields)
    step = transition_record(locked, from_status=from_status, user=user, comment=comment, at=now)
    _relations_changed(locked)
    practice.status = locked.status
    practice.last_reviewed_at, practice.last_reviewed_by = (
        locked.last_reviewed_at,
        locked.last_reviewed_by,
    )
    practice.first_published_at = locked.first_published_at
    return step


@transaction.atomic
def practice_review_record(practice: Practice, *, user, comment: str) -> PracticeTransition:
    """Record that a published record was reviewed again and still holds: the reviewer
    and the date shown on its page change; the status does not."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(_("Only the staff of the centre review records."))
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if locked.status != S.PUBLISHED:
        raise ValidationError(
            _(
                "Only a published record can be reviewed again; take the others through the "
                "workflow."
            ),
            code="not_published",
        )
    if not comment.strip():
        raise ValidationError(_("Say what the review checked."), code="comment_required")
    now = timezone.now()
    locked.last_reviewed_at, locked.last_reviewed_by = now, user
    locked.save(update_fields=["last_reviewed_at", "last_reviewed_by"])
    step = transition_record(locked, from_status=S.PUBLISHED, user=user, comment=comment, at=now)
    practice.last_reviewed_at, practice.last_reviewed_by = locked.last_reviewed_at, user
    return step


def _relations_changed(practice: Practice) -> None:
    from .records import practice_relations_changed

    practice_relations_changed(practice)


@transaction.atomic
def practice_submit(
    practice: Practice,
    *,
    territories=(),
    themes=(),
    schemes=(),
    consent: str,
    user=None,
    base_url: str = "",
) -> Practice:
    """A record proposed through the public form, by a signed-in partner or staff member
    (`user`) or by anyone leaving a contact (`practice.submitter_*`) and agreeing to
    `consent` (the wording of the form, kept with the date): saved as submitted, its
    first step recorded, the submitter and the centre told by mail after commit. The
    same proposal sent again within `DUPLICATE_WINDOW` returns the first record."""
    from .records import practice_relations_changed

    authenticated = user is not None and user.is_authenticated
    if authenticated:
        practice.submitted_by = user
        practice.submitter_name = practice.submitter_name or _user_name(user)
        practice.submitter_email = practice.submitter_email or user.email
    if not practice.submitter_name.strip() or not practice.submitter_email.strip():
        raise ValidationError(
            _("Leave your name and e-mail address so that the centre can contact you."),
            code="contact_required",
        )
    if not consent.strip():
        raise ValidationError(
            _("The centre needs your consent to keep your contact."), code="consent_required"
        )
    practice.submitter_consent, practice.submitter_consented_at = consent.strip(), timezone.now()
    practice.status = S.SUBMITTED
    practice.full_clean()
    duplicate = _same_proposal(practice)
    if duplicate is not None:
        return duplicate
    practice.save()
    practice.territories.set(territories)
    practice.themes.set(themes)
    practice.schemes.set(schemes)
    transition_record(practice, from_status="", user=user, by_name=practice.submitter_name.strip())
    practice_relations_changed(practice)
    transaction.on_commit(lambda: submission_mail_send(practice.pk, base_url), robust=True)
    return practice


def _same_proposal(practice: Practice) -> Practice | None:
    """The same proposal made by the same person a few minutes ago (a form sent twice
    by a double click or a reload), still waiting for review: it is kept, and nothing
    is written or mailed again."""
    since = timezone.now() - DUPLICATE_WINDOW
    return (
        Practice.objects.filter(
            status=S.SUBMITTED,
            created__gte=since,
            submitter_email__iexact=practice.submitter_email.strip(),
            title=practice.title,
            summary=practice.summary,
        )
        .order_by("-pk")
        .first()
    )


def submission_mail_send(practice_pk: int, base_url: str) -> None:
    """The acknowledgement to the submitter and the notice to the centre, in French."""
    practice = Practice.objects.filter(pk=practice_pk).first()
    if practice is None:
        return
    with translation.override("fr"):
        context = {
            "practice": practice,
            "admin_url": base_url.rstrip("/")
            + reverse("admin:practices_practice_change", args=[practice.pk]),
        }
        for kind, recipients in (
            ("submitted", [practice.submitter_email]),
            ("submitted_staff", _staff_recipients()),
        ):
            if not recipients:
                continue
            subject = " ".join(
                render_to_string(f"practices/email/{kind}_subject.txt", context).split()
            )
            body = render_to_string(f"practices/email/{kind}.txt", context)
            EmailMultiAlternatives(subject, body, to=recipients).send()


def _staff_recipients() -> list[str]:
    contact = settings.VILLES2_LEGAL.get("contact_email") or ""
    if contact:
        return [contact]
    return [email for _name, email in settings.MANAGERS]
