"""Reads about registrations: whether an event takes them and how many places are left,
a registrant's place on the waiting list, the signed link of a registration, the
attendance sheet and the export of registrants."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import Event, EventStatus, Registration, RegistrationStatus

# The signed link of a registration carries its number only, never personal data.
REGISTRATION_LINK_SALT = "villes2.events.registration"


@dataclass(frozen=True)
class RegistrationState:
    """What the event page and the form say about registering."""

    open: bool
    reason: str  # why registration is closed; "" when open
    capacity: int | None  # None: no limit
    confirmed: int
    waitlisted: int
    places_left: int | None  # None: no limit
    full: bool  # new registrations go on the waiting list
    closes_on: datetime.date | None


def registration_closed_reason(event: Event, *, today: datetime.date | None = None) -> str:
    """Why the event takes no registration now, or "" when it does. The service asks
    again under its lock: the page may have been opened before registration closed."""
    today = today or timezone.localdate()
    if not event.registration_open:
        return _("Registration is not open for this event.")
    if event.status == EventStatus.CANCELLED:
        return _("The event is cancelled: registration is closed.")
    if event.status == EventStatus.HELD or event.end_date < today:
        return _("The event is over: registration is closed.")
    if event.registration_closes_on is not None and event.registration_closes_on < today:
        return _("Registration closed on %(date)s.") % {
            "date": date_format(event.registration_closes_on, "DATE_FORMAT")
        }
    return ""


def registration_state(event: Event) -> RegistrationState | None:
    """None when the event does not take registrations at all; else its state (one
    query: the counts)."""
    if not event.registration_open:
        return None
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    places_left = None if event.capacity is None else max(event.capacity - counts["confirmed"], 0)
    reason = registration_closed_reason(event)
    return RegistrationState(
        open=not reason,
        reason=reason,
        capacity=event.capacity,
        confirmed=counts["confirmed"],
        waitlisted=counts["waitlisted"],
        places_left=places_left,
        full=places_left == 0,
        closes_on=event.registration_closes_on,
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waiting (one query)."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = (
        Registration.objects.waitlisted()
        .filter(event_id=registration.event_id)
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


def _signer() -> signing.Signer:
    # No timestamp: the link lasts as long as the registration (anonymised ones fail),
    # and every mail gives the same one.
    return signing.Signer(salt=REGISTRATION_LINK_SALT)


def registration_token(registration: Registration) -> str:
    return _signer().sign_object(registration.pk)


def registration_from_token(token: str) -> Registration | None:
    """The registration of a signed link, with its event and places; None when the link
    is malformed, forged, or its registration unknown or anonymised."""
    try:
        pk = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(pk, int):
        return None
    return (
        Registration.objects.filter(pk=pk, anonymised_at__isnull=True)
        .select_related("event")
        .prefetch_related("event__place_links__territory")
        .first()
    )


@dataclass(frozen=True)
class AttendanceSheet:
    rows: list[Registration]  # the confirmed registrants, alphabetical
    present: int
    waitlisted: int
    cancelled: int


def attendance_sheet(event: Event) -> AttendanceSheet:
    """The confirmed registrants of an event in alphabetical order, as staff check them
    in at the door, and the other counts (two queries)."""
    rows = list(
        Registration.objects.filter(event=event, anonymised_at__isnull=True)
        .confirmed()
        .order_by("name", "pk")
    )
    counts = Registration.objects.filter(event=event).aggregate(
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
    )
    return AttendanceSheet(
        rows=rows,
        present=sum(1 for row in rows if row.attended),
        waitlisted=counts["waitlisted"],
        cancelled=counts["cancelled"],
    )


def registration_export_headers() -> list[str]:
    return [
        _("Name"),
        _("Organisation"),
        _("E-mail"),
        _("Function"),
        _("Status"),
        _("Registered at"),
        _("Attended"),
    ]


def registration_export_rows(*, registrations: QuerySet[Registration]) -> list[list[str]]:
    """One row per registration in arrival order, text only (the writers make the cells
    formula-safe): one query."""
    statuses = dict(RegistrationStatus.choices)
    rows = []
    for registration in registrations.order_by("event__start_date", "created_at", "pk"):
        registered_at = timezone.localtime(registration.created_at)
        rows.append(
            [
                registration.name,
                registration.organisation,
                registration.email,
                registration.role,
                str(statuses.get(registration.status, registration.status)),
                registered_at.strftime("%d/%m/%Y %H:%M"),
                _("yes") if registration.attended else _("no"),
            ]
        )
    return rows
