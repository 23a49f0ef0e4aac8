"""Writes for registrations: registering (confirmed or waiting list, never overbooked),
cancelling with promotion from the waiting list, check-in, and the retention purge.

Never overbooked: every write that changes who holds a place locks the event row first
(`select_for_update`; on SQLite the IMMEDIATE transactions of the settings serialise
writers), then counts. Mail goes after commit (RELIABILITY.md), one message per
registrant, to the address alone (no name in a header)."""

from __future__ import annotations

import calendar
import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..display import date_time_label, place_details
from ..models import Event, EventStatus, Registration, RegistrationStatus
from ..selectors.registrations import (
    registration_closed_reason,
    registration_token,
    waitlist_position,
)

logger = logging.getLogger("villes2.events")

# Mails (templates `events/email/<kind>.txt` and `<kind>_subject.txt`).
MAIL_CONFIRMATION = "confirmation"
MAIL_REMINDER = "reminder"  # a second registration with the same address
MAIL_PROMOTED = "promoted"
MAIL_CANCELLED = "cancelled"
MAIL_EVENT_CANCELLED = "event_cancelled"


def normalise_email(email: str) -> str:
    """Spaces around removed, domain in lower case (the part before @ is the owner's)."""
    return BaseUserManager.normalize_email(email.strip())


def _locked_event(event_id: int) -> Event:
    return Event.objects.select_for_update().get(pk=event_id)


def registration_create(
    *, event: Event, name: str, organisation: str, email: str, role: str, base_url: str
) -> Registration:
    """Register someone: confirmed while places are left, else on the waiting list (a
    full event is never an error). Mails the confirmation with the signed link after
    commit.

    Raises `ValidationError` when the event takes no registration (anymore), and, on the
    `email` field, when the address is already registered: the confirmation is then sent
    again to that address, the only place where its link may be shown."""
    email = normalise_email(email)
    with transaction.atomic():
        event = _locked_event(event.pk)
        reason = registration_closed_reason(event)
        if reason:
            raise ValidationError(reason, code="closed")
        existing = (
            Registration.objects.live()
            .filter(event=event, anonymised_at__isnull=True, email__iexact=email)
            .first()
        )
        if existing is None:
            confirmed = Registration.objects.filter(event=event).confirmed().count()
            has_place = event.capacity is None or confirmed < event.capacity
            registration = Registration(
                event=event,
                name=name.strip(),
                organisation=organisation.strip(),
                email=email,
                role=role.strip(),
                status=RegistrationStatus.CONFIRMED if has_place else RegistrationStatus.WAITLISTED,
            )
            registration.full_clean()
            registration.save()
            _mail_on_commit(registration, MAIL_CONFIRMATION, base_url)
            return registration
    # Outside the transaction: a refused registration still reminds the address's owner.
    _mail_on_commit(existing, MAIL_REMINDER, base_url)
    raise ValidationError(
        {
            "email": ValidationError(
                _(
                    "This address is already registered for this event; the confirmation "
                    "message holds the link to manage your registration."
                ),
                code="duplicate",
            )
        }
    )


def registration_cancel(
    *, registration: Registration, base_url: str, user=None, notify: bool = True
) -> Registration:
    """Cancel a registration (by its holder through the signed link, or by staff). A
    place freed goes to the first on the waiting list, who is told by mail. Cancelling
    twice changes nothing the second time."""
    with transaction.atomic():
        event = _locked_event(registration.event_id)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED or registration.anonymised_at:
            return registration
        held_a_place = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if notify:
            _mail_on_commit(registration, MAIL_CANCELLED, base_url)
        if held_a_place:
            _waitlist_promote(event, base_url)
    logger.info(
        "registration cancelled registration=%s event=%s by=%s",
        registration.pk,
        registration.event_id,
        getattr(user, "pk", None) or "holder",
    )
    return registration


def waitlist_fill(*, event: Event, base_url: str) -> list[Registration]:
    """Give the free places to the waiting list, in arrival order (after the capacity
    was raised, say). Returns the registrations promoted."""
    with transaction.atomic():
        return _waitlist_promote(_locked_event(event.pk), base_url)


def event_registrations_follow(
    *, event: Event, previous_status: str | None, previous_capacity: int | None, base_url: str
) -> None:
    """After staff changed an event: tell its registrants when it was just cancelled; give
    the new places to the waiting list when its capacity was raised or lifted."""
    if event.status == EventStatus.CANCELLED and previous_status != EventStatus.CANCELLED:
        live = Registration.objects.filter(event=event, anonymised_at__isnull=True).live()
        for registration in live:
            _mail_on_commit(registration, MAIL_EVENT_CANCELLED, base_url)
        return
    raised = event.capacity is None or (
        previous_capacity is not None and event.capacity > previous_capacity
    )
    if raised and previous_capacity is not None:
        waitlist_fill(event=event, base_url=base_url)


def _waitlist_promote(event: Event, base_url: str) -> list[Registration]:
    """Under the event's lock: promote as many waiting registrations as places are
    free. Nobody is promoted to an event that is over or cancelled."""
    if event.status in (EventStatus.CANCELLED, EventStatus.HELD) or event.is_past:
        return []
    waiting = (
        Registration.objects.filter(event=event, anonymised_at__isnull=True)
        .waitlisted()
        .order_by("created_at", "pk")
    )
    if event.capacity is not None:
        confirmed = Registration.objects.filter(event=event).confirmed().count()
        free = max(event.capacity - confirmed, 0)
        if not free:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _mail_on_commit(registration, MAIL_PROMOTED, base_url)
    return promoted


def registration_check_in(*, registration: Registration, attended: bool, user) -> Registration:
    """Record whether a confirmed registrant came (the attendance sheet)."""
    if registration.status != RegistrationStatus.CONFIRMED or registration.anonymised_at:
        raise ValidationError(
            _("Only confirmed registrations can be checked in."), code="not_confirmed"
        )
    if registration.attended != attended:
        registration.attended = attended
        registration.checked_in_at = timezone.now() if attended else None
        registration.save(update_fields=["attended", "checked_in_at"])
        logger.info(
            "registration check-in registration=%s attended=%s user=%s",
            registration.pk,
            attended,
            getattr(user, "pk", None),
        )
    return registration


def registration_correct(
    *, registration: Registration, name: str, organisation: str, user
) -> Registration:
    """Staff correction of how a registrant is named on the certificate."""
    if registration.anonymised_at:
        raise ValidationError(_("This registration was anonymised."), code="anonymised")
    registration.name = name.strip()
    registration.organisation = organisation.strip()
    registration.full_clean()
    registration.save(update_fields=["name", "organisation"])
    # Who changed how a certificate names someone (no name in the log line).
    logger.info(
        "registration corrected registration=%s event=%s user=%s",
        registration.pk,
        registration.event_id,
        getattr(user, "pk", None),
    )
    return registration


# --- Mail ---------------------------------------------------------------------------


def registration_link(registration: Registration, base_url: str) -> str:
    return base_url.rstrip("/") + reverse(
        "events:registration", kwargs={"token": registration_token(registration)}
    )


def _mail_on_commit(registration: Registration, kind: str, base_url: str) -> None:
    # robust: a mail server that fails is logged; the registration stays recorded.
    transaction.on_commit(
        lambda: registration_mail_send(registration.pk, kind, base_url), robust=True
    )


def registration_mail_send(registration_pk: int, kind: str, base_url: str) -> None:
    """Send one of the registration mails, in French, as the registration stands now."""
    registration = (
        Registration.objects.filter(pk=registration_pk, anonymised_at__isnull=True)
        .select_related("event")
        .first()
    )
    if registration is None:
        return
    event = registration.event
    with translation.override("fr"):
        context = {
            "registration": registration,
            "event": event,
            "date": date_time_label(event),
            "place": str(place_details(event)),
            "position": waitlist_position(registration),
            "link": registration_link(registration, base_url),
            "event_url": base_url.rstrip("/") + event.get_absolute_url(),
        }
        subject = render_to_string(f"events/email/{kind}_subject.txt", context)
        body = render_to_string(f"events/email/{kind}.txt", context)
    # A subject is one line: a title typed with a line break must not break the header.
    subject = " ".join(subject.split())
    EmailMultiAlternatives(subject, body, to=[registration.email]).send()


def registrations_erasure_hook(person_ids: list[int]):
    """Erasure of directory persons (GDPR art. 17): their registrations, found by the
    persons' e-mail addresses (a registration does not link to the directory), are
    anonymised like the retention purge does. Registered in `AppConfig.ready()`."""
    from villes2.actors.models import Person

    emails = [
        email
        for email in Person.objects.filter(pk__in=person_ids).values_list("email", flat=True)
        if email
    ]

    def refresh() -> None:
        for email in emails:
            registrations_anonymise(
                registrations=Registration.objects.filter(email__iexact=normalise_email(email))
            )

    return refresh


# --- Retention (GDPR) ---------------------------------------------------------------


@dataclass
class RetentionReport:
    count: int = 0
    lines: list[str] = field(default_factory=list)


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier, or the last day of that month."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def registrations_retention_purge(
    *, dry_run: bool, today: datetime.date | None = None
) -> RetentionReport:
    """Empty the personal fields of the registrations to events that ended at least
    `EVENTS_REGISTRATION_RETENTION_MONTHS` months ago. Status and attendance stay: the
    counts of the activity reports. The report names events, never persons."""
    today = today or timezone.localdate()
    cutoff = _months_before(today, settings.EVENTS_REGISTRATION_RETENTION_MONTHS)
    candidates = Registration.objects.filter(
        anonymised_at__isnull=True, event__end_date__lte=cutoff
    )
    report = RetentionReport()
    per_event = (
        candidates.values("event_id", "event__end_date")
        .annotate(count=Count("pk"))
        .order_by("event__end_date", "event_id")
    )
    for row in per_event:
        report.count += row["count"]
        report.lines.append(
            f"événement n° {row['event_id']} (fin : {row['event__end_date']:%d/%m/%Y}) : "
            f"{row['count']} inscription(s)"
        )
    if not dry_run and report.count:
        registrations_anonymise(registrations=candidates, today=today)
    return report


def registrations_retention_task(dry_run: bool) -> tuple[int, list[str]]:
    """The purge as `purge_personal_data` runs it (`core.registry.RetentionTask`)."""
    report = registrations_retention_purge(dry_run=dry_run)
    return report.count, report.lines


@transaction.atomic
def registrations_anonymise(*, registrations, today: datetime.date | None = None) -> int:
    """Empty the personal fields (retention, an erasure, staff); keep status and
    attendance for the counts. A registration still holding or awaiting a place at an
    event not over is cancelled first, under the event's lock, so that its place goes to
    the waiting list instead of being held by nobody."""
    ahead = (
        registrations.filter(
            anonymised_at__isnull=True, event__end_date__gte=today or timezone.localdate()
        )
        .live()
        .order_by("pk")
    )
    for registration in ahead:
        registration_cancel(registration=registration, base_url=settings.SITE_URL, notify=False)
    return registrations.filter(anonymised_at__isnull=True).update(
        name="",
        organisation="",
        email="",
        role="",
        anonymised_at=timezone.now(),
    )
