"""Writes for data protection (RELIABILITY.md § Personal data): the consent ledger,
information of listed persons (GDPR art. 14), rights requests, erasure, retention."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from villes2.core.registry import registry

from ..models import (
    OPEN_STATUSES,
    Consent,
    ConsentPurpose,
    DataExport,
    ErasedIdentity,
    Erasure,
    ErasureReason,
    ImportRun,
    Organisation,
    Person,
    PublicField,
    RequestChannel,
    RequestStatus,
    RightsRequest,
    one_month_after,
)
from ..selectors.privacy import (
    consent_link_token,
    identity_digests,
    is_history_model,
    person_relations,
    retention_candidates,
)
from .imports import pending_imports_purge
from .merge import MERGED_INTO_REASON

security_log = logging.getLogger("villes2.security")

# Files checked on the import page and never confirmed hold personal data.
PENDING_IMPORT_MAX_AGE = 24 * 3600  # seconds

ERASED_FILE_NAME = "(nom de fichier effacé : il nommait une personne effacée)"

# Bump when the consent text of `actors/consent.html` changes: the ledger records which
# text each person agreed to.
CONSENT_TEXT_VERSION = "2026-11-25"


def _consent_in_force(person: Person, purpose: str) -> Consent | None:
    latest = (
        Consent.objects.select_for_update()
        .filter(person=person, purpose=purpose)
        .order_by("-given_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.withdrawn_at is None else None


@transaction.atomic
def consents_record(
    *,
    person: Person,
    purposes: set[str],
    public_fields: set[str],
    channel: str,
    text_version: str = CONSENT_TEXT_VERSION,
) -> list[Consent]:
    """Record the person's choices in the ledger. A purpose newly chosen, or a change
    of published fields, adds a row (the previous one is withdrawn: rows are never
    rewritten); a purpose no longer chosen is withdrawn. Returns the rows added."""
    now = timezone.now()
    added = []
    for purpose in ConsentPurpose.values:
        fields = (
            sorted(public_fields & set(PublicField.values))
            if purpose == ConsentPurpose.PUBLIC_LISTING
            else []
        )
        current = _consent_in_force(person, purpose)
        wanted = purpose in purposes and (purpose != ConsentPurpose.PUBLIC_LISTING or fields)
        if current is not None and wanted and sorted(current.fields) == fields:
            continue
        if current is not None:
            current.withdrawn_at = now
            current.save(update_fields=["withdrawn_at"])
        if wanted:
            consent = Consent(
                person=person,
                purpose=purpose,
                fields=fields,
                given_at=now,
                channel=channel,
                text_version=text_version,
            )
            consent.full_clean()
            consent.save()
            added.append(consent)
    return added


@transaction.atomic
def consents_withdraw_all(*, person: Person) -> int:
    """Withdraw every consent in force (one click); returns how many were withdrawn."""
    return Consent.objects.filter(person=person, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


@transaction.atomic
def person_choices_record(
    *, person: Person, purposes: set[str], public_fields: set[str], withdraw_all: bool
) -> None:
    """What a person chose on their own page, in one transaction: all consents withdrawn,
    or their choices recorded; either way they now know they are listed (art. 14)."""
    if withdraw_all:
        consents_withdraw_all(person=person)
    else:
        consents_record(
            person=person,
            purposes=purposes,
            public_fields=public_fields,
            channel="formulaire en ligne",
        )
    persons_mark_informed(persons=[person])


@transaction.atomic
def persons_mark_informed(*, persons, day: datetime.date | None = None) -> int:
    """Record that the persons were told of their listing (GDPR art. 14), on `day`.
    The version goes up, so that an admin form opened earlier cannot silently save the
    old empty date back (`core.admin.ConcurrentEditAdminMixin`)."""
    day = day or timezone.localdate()
    count = 0
    for person in persons:
        if person.informed_on is None:
            person.informed_on = day
            person.version += 1
            person._change_reason = "Information art. 14"
            person.save(update_fields=["informed_on", "version"])
            count += 1
    return count


def person_information_send(*, person: Person, base_url: str) -> bool:
    """E-mail the person what the directory holds about them, why, their rights, and a
    link to choose what is published; record the date. False if no e-mail is known or
    the person's processing is restricted (no mailing then); a mail server error is
    raised (`SMTPException`, `OSError`) and nothing is recorded."""
    if not person.email or person.processing_restricted:
        return False
    context = {
        "person": person,
        "link": base_url + consent_link_path(person),
        "legal": settings.VILLES2_LEGAL,
    }
    with translation.override("fr"):
        subject = render_to_string("actors/email/information_subject.txt", context).strip()
        body = render_to_string("actors/email/information.txt", context)
    send_mail(subject, body, None, [person.email])
    persons_mark_informed(persons=[person])
    return True


def consent_link_path(person: Person) -> str:
    from django.urls import reverse

    return reverse("actors:consent", kwargs={"token": consent_link_token(person=person)})


def rights_request_submit(
    *,
    person: Person | None,
    kind: str,
    requester_name: str,
    requester_email: str,
    message: str,
    channel: str = RequestChannel.WEB,
) -> RightsRequest:
    """Record a rights request, due one month after receipt (art. 12.3), and tell the
    centre after commit."""
    received_on = timezone.localdate()
    request = RightsRequest(
        person=person,
        kind=kind,
        requester_name=requester_name,
        requester_email=requester_email,
        message=message,
        channel=channel,
        received_on=received_on,
        due_on=one_month_after(received_on),
    )
    request.full_clean()
    request.save()
    recipient = settings.VILLES2_LEGAL["contact_email"]
    if recipient:
        # The notice names the request, never the person: mail is not the place for it.
        subject = f"[Villes²] Demande RGPD n° {request.pk} : {request.get_kind_display()}"
        body = (
            f"Une demande ({request.get_kind_display()}) a été reçue le "
            f"{request.received_on:%d/%m/%Y} ; réponse due au plus tard le "
            f"{request.due_on:%d/%m/%Y}.\nElle est dans /gestion/, « Demandes d'exercice "
            "des droits »."
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return request


def rights_request_update(*, request: RightsRequest, user) -> RightsRequest:
    """Save a request recorded or edited by staff: due one month after receipt unless
    set (extended), who handled it, and the answer date when it is closed (cleared if
    reopened)."""
    if request.due_on is None:
        request.due_on = one_month_after(request.received_on)
    request.handled_by = user
    if request.status in OPEN_STATUSES:
        request.closed_on = None
    elif request.closed_on is None:
        request.closed_on = timezone.localdate()
    request.full_clean()
    request.save()
    return request


@dataclass
class _Counts:
    by_table: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        if count:
            self.by_table[label] = self.by_table.get(label, 0) + count


def _admin_log_forget(model: type[models.Model], pks, counts: _Counts) -> None:
    """The admin log keeps each object's name (`object_repr`) and what changed: forget
    the entries about rows being erased."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    entries = LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in pks]
    )
    counts.add("admin.LogEntry", entries.delete()[0])


def _merged_ids(pk: int) -> set[int]:
    """Ids of the entries merged into `pk`, directly or through earlier merges, read from
    the deletion rows the merge writes into the history ("Fusionné dans <id>")."""
    found: set[int] = set()
    frontier = {pk}
    while frontier:
        reasons = [MERGED_INTO_REASON.format(pk=into) for into in frontier]
        frontier = (
            set(
                Person.history.filter(
                    history_type="-", history_change_reason__in=reasons
                ).values_list("id", flat=True)
            )
            - found
            - {pk}
        )
        found |= frontier
    return found


def _traces_forget(*, names, models: set, counts: _Counts) -> None:
    """What names the person in free text: admin-log entries of rows deleted without
    history (their `str()` holds the name), the file names of imports and the filters of
    exports that searched for them."""
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    for first_name, last_name in names:
        full_name = f"{first_name} {last_name}".strip()
        if len(last_name) < 3:
            continue  # too short to tell the person from any other text
        entries = LogEntry.objects.filter(
            content_type__in=content_types.values(), object_repr__icontains=full_name
        )
        counts.add("admin.LogEntry", entries.delete()[0])
        counts.add(
            ImportRun._meta.label,
            ImportRun.objects.filter(file_name__icontains=last_name).update(
                file_name=ERASED_FILE_NAME
            ),
        )
        counts.add(
            DataExport._meta.label,
            DataExport.objects.filter(filters__icontains=last_name).update(filters=""),
        )


@transaction.atomic
def person_erase(
    *,
    person: Person,
    reason: str,
    user=None,
    request: RightsRequest | None = None,
) -> Erasure:
    """Remove a person everywhere, in one transaction (GDPR art. 17).

    Rows of every relation to Person (found by introspection) are deleted, or unlinked
    when the relation says `on_delete=SET_NULL` (the row stands without the person);
    rights requests are kept anonymous
    (proof that the request was answered). History rows, including those the deletions
    themselves write, and admin-log entries go too. What remains: an `Erasure` with
    anonymous counts, and keyed hashes of the identity so that no import brings the
    person back.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    slugs = Organisation.objects.filter(memberships__person=person).values_list("slug", flat=True)
    digests = identity_digests(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        organisation_slugs=list(slugs),
    )
    names, emails = {(person.first_name, person.last_name)}, {person.email}
    # Entries merged into this one keep their own history under their old ids: it names
    # the person too, and their e-mails must not come back either.
    merged = _merged_ids(person.pk)
    for old in merged:
        last = Person.history.filter(id=old).order_by("-history_date", "-history_id").first()
        if last is not None:
            digests |= identity_digests(
                first_name=last.first_name, last_name=last.last_name, email=last.email
            )
            names.add((last.first_name, last.last_name))
            emails.add(last.email)
    ids = [person.pk, *merged]
    emails.discard("")
    counts = _Counts()
    history: list[tuple[type[models.Model], str]] = []
    related_models: set[type[models.Model]] = {Person}
    # Apps holding derived copies of the person (a search index naming an author) say
    # what they will refresh once the rows are gone.
    refresh_after = [hook(ids) for _key, hook in registry.erasure_hooks]
    for model, relation in person_relations():
        label = model._meta.label
        if is_history_model(model):
            history.append((model, relation.name))
            continue
        related_models.add(model)
        rows = model._default_manager.filter(**{relation.name: person.pk})
        if model is RightsRequest:
            continue  # below, with the requests not linked to the entry
        if relation.many_to_many:
            counts.add(label, rows.count())  # link rows go with the person
        elif relation.remote_field.on_delete is models.SET_NULL:
            # The row stands without the person (a document they wrote): unlink it.
            counts.add(label, rows.update(**{relation.name: None}))
        else:
            pks = list(rows.values_list("pk", flat=True))
            _admin_log_forget(model, pks, counts)
            counts.add(label, model._default_manager.filter(pk__in=pks).delete()[0])
    # Rights requests stay as proof of the answer, emptied of who asked and what: those
    # linked to the entry, the one being answered, and those sent from an address of
    # the person without being linked (the general form).
    about_person = Q(person_id__in=ids)
    for email in emails:
        about_person |= Q(requester_email__iexact=email)
    if request is not None:
        about_person |= Q(pk=request.pk)
    counts.add(
        RightsRequest._meta.label,
        RightsRequest.objects.filter(about_person).update(
            person=None, requester_name="", requester_email="", message="", response=""
        ),
    )
    _admin_log_forget(Person, ids, counts)
    person.delete()
    counts.add(Person._meta.label, 1)
    # Last, so that the rows the deletions above wrote into history tables go too; first,
    # the admin-log entries of rows deleted earlier, known only from their history.
    counts.add("actors.HistoricalPerson", Person.history.filter(id__in=ids).delete()[0])
    for model, name in history:
        rows = model._default_manager.filter(**{f"{name}__in": ids})
        _admin_log_forget(model.instance_type, set(rows.values_list("id", flat=True)), counts)
        counts.add(model._meta.label, rows.delete()[0])
    _traces_forget(names=names, models=related_models, counts=counts)
    for refresh in refresh_after:
        refresh()

    erasure = Erasure(
        reason=reason, request=request, erased_by=user, counts=dict(sorted(counts.by_table.items()))
    )
    erasure.full_clean()
    erasure.save()
    ErasedIdentity.objects.bulk_create(
        ErasedIdentity(erasure=erasure, digest=digest) for digest in sorted(digests)
    )
    if request is not None and request.status in OPEN_STATUSES:
        request.status = RequestStatus.DONE
        request.closed_on = timezone.localdate()
        request.handled_by = user
        request.save(update_fields=["status", "closed_on", "handled_by"])
    security_log.info(
        "person erased erasure=%s reason=%s user=%s",
        erasure.pk,
        reason,
        getattr(user, "pk", None),
    )
    return erasure


@dataclass
class RetentionReport:
    candidates: list[Person]
    erasures: list[Erasure] = field(default_factory=list)
    failed: list[tuple[Person, str]] = field(default_factory=list)
    removed_files: int = 0


def retention_purge(
    *, dry_run: bool, today: datetime.date | None = None, years: int | None = None
) -> RetentionReport:
    """Erase the contacts whose retention period has run out (`retention_candidates`),
    each in its own transaction; one that cannot be erased (a protected relation) is
    reported and the others go on. With `dry_run`, only say who would be."""
    report = RetentionReport(candidates=list(retention_candidates(today=today, years=years)))
    if not dry_run:
        report.removed_files = pending_imports_purge(older_than=PENDING_IMPORT_MAX_AGE)
        for person in report.candidates:
            try:
                erasure = person_erase(person=person, reason=ErasureReason.RETENTION)
            except ProtectedError as error:
                report.failed.append((person, protected_by(error)))
            else:
                report.erasures.append(erasure)
    return report


def protected_by(error: ProtectedError) -> str:
    """The kinds of rows that keep a deletion from happening, for a French message."""
    return ", ".join(
        sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
    )
