"""Saving and deleting experience records.

Every write of a record goes through `practice_save` or `practice_delete`, in one
transaction with its search-index entry and its OAI-PMH tombstone, as the catalogue's
records (decision 0003). The status is never set here: see `workflow`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villes2.core import search

from ..models import Practice, PracticeActor, PracticeFunding, PracticeStatus, Tombstone

# The workflow's fields (`services.workflow` writes them), as a new record has them.
NEW_RECORD_WORKFLOW = {
    "status": PracticeStatus.DRAFT,
    "first_published_at": None,
    "last_reviewed_at": None,
    "last_reviewed_by_id": None,
}


@dataclass(frozen=True)
class ActorInput:
    organisation_id: int
    role: str
    role_detail: str = ""


@dataclass(frozen=True)
class FundingInput:
    organisation_id: int | None = None
    name: str = ""
    amount: Decimal | None = None


@transaction.atomic
def practice_save(
    practice: Practice,
    *,
    territories: Iterable | None = None,
    schemes: Iterable | None = None,
    themes: Iterable | None = None,
    documents: Iterable | None = None,
    events: Iterable | None = None,
    transferred_to: Iterable | None = None,
    actors: Sequence[ActorInput] | None = None,
    fundings: Sequence[FundingInput] | None = None,
    user=None,
) -> Practice:
    """Create or update a record with its relations, validated, and index it. Relations
    left as None are not touched. A new record starts as a draft, and its history with
    this first step (by `user`).

    The workflow's fields are never written from `practice`: a new record is a draft,
    and a stored one keeps the status, publication and review its row holds (read under
    a lock), so neither a caller nor a form opened before a workflow step can publish or
    revive a record. A published record keeps a complete transferability block."""
    from .workflow import published_block_errors, transition_record

    created = practice.pk is None
    if created:
        for name, value in NEW_RECORD_WORKFLOW.items():
            setattr(practice, name, value)
    else:
        stored = (
            Practice.objects.select_for_update()
            .filter(pk=practice.pk)
            .values(*NEW_RECORD_WORKFLOW)
            .get()
        )
        for name, value in stored.items():
            setattr(practice, name, value)
    practice.full_clean()
    if transferred_to is not None:
        transferred_to = list(transferred_to)  # read twice
        others = {getattr(other, "pk", other) for other in transferred_to}
        if practice.pk is not None and practice.pk in others:
            raise ValidationError({"transferred_to": transferred_to_itself()})
    if actors is not None:
        pairs = [(actor.organisation_id, actor.role) for actor in actors]
        if len(set(pairs)) != len(pairs):
            raise ValidationError(
                _("The same organisation appears twice with the same role."),
                code="duplicate_actor",
            )
    if practice.is_public:
        errors = published_block_errors(practice)
        if errors:
            raise ValidationError(errors)
    practice.save()
    if created:
        transition_record(practice, from_status="", user=user)
    for relation, values in (
        (practice.territories, territories),
        (practice.schemes, schemes),
        (practice.themes, themes),
        (practice.documents, documents),
        (practice.events, events),
        (practice.transferred_to, transferred_to),
    ):
        if values is not None:
            relation.set(values)
    if actors is not None:
        practice.actors.all().delete()
        rows = [
            PracticeActor(
                practice=practice,
                organisation_id=actor.organisation_id,
                role=actor.role,
                role_detail=actor.role_detail.strip(),
                order=order,
            )
            for order, actor in enumerate(actors)
        ]
        for row in rows:
            row.full_clean(exclude=["practice"], validate_unique=False)
        PracticeActor.objects.bulk_create(rows)
    if fundings is not None:
        practice.fundings.all().delete()
        rows = [
            PracticeFunding(
                practice=practice,
                organisation_id=funding.organisation_id,
                name=funding.name.strip(),
                amount=funding.amount,
                order=order,
            )
            for order, funding in enumerate(fundings)
        ]
        for row in rows:
            row.full_clean(exclude=["practice"])
        PracticeFunding.objects.bulk_create(rows)
    practice_relations_changed(practice)
    return practice


def transferred_to_itself() -> ValidationError:
    return ValidationError(
        _("A record cannot be transferred to itself."), code="transferred_to_itself"
    )


def practice_relations_changed(practice: Practice) -> None:
    """After the record, its status or its relations changed (also from the admin, whose
    inlines and many-to-many fields are saved after the record): touch the OAI datestamp,
    write the tombstone or lift it, and re-index. Runs inside the caller's transaction."""
    Practice.objects.filter(pk=practice.pk).update(modified=timezone.now())
    if practice.is_public:
        Tombstone.objects.filter(practice_id=practice.pk).delete()
    elif practice.first_published_at is not None:
        Tombstone.objects.update_or_create(
            practice_id=practice.pk, defaults={"withdrawn_at": timezone.now()}
        )
    search.index_object(practice)


@transaction.atomic
def practice_delete(practice: Practice) -> None:
    """Delete a record with its attachments and index entry; a record that was ever
    published leaves a tombstone for harvesters."""
    if practice.first_published_at is not None:
        Tombstone.objects.update_or_create(
            practice_id=practice.pk, defaults={"withdrawn_at": timezone.now()}
        )
    search.remove_object(practice)
    files = [attachment.file for attachment in practice.attachments.all()]
    practice.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])
