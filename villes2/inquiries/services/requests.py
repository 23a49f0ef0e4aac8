"""Writes of the information desk: a request received (public form or staff), assigned,
moved through its statuses, its log, its answer, and the retention purge. The only code
that changes a request's status (docs/inquiries.md)."""

import datetime

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import (
    MANUAL_ACTIONS,
    RESPONSE_ACTIONS,
    ActionKind,
    Channel,
    FaqEntry,
    Inquiry,
    InquiryAction,
)
from ..models import InquiryStatus as S
from ..selectors.desk import RESOURCE_FIELDS, public_resources
from .working_days import add_working_days

# The statuses a request may move to from each status by `inquiry_transition`. Assigning
# (`inquiry_assign`) and answering (`inquiry_answer`) have their own services.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.IN_PROGRESS, S.WAITING, S.CLOSED),
    S.ASSIGNED: (S.IN_PROGRESS, S.WAITING, S.CLOSED),
    S.IN_PROGRESS: (S.WAITING, S.CLOSED),
    S.WAITING: (S.IN_PROGRESS, S.CLOSED),
    S.ANSWERED: (S.IN_PROGRESS, S.CLOSED),
    S.CLOSED: (S.IN_PROGRESS,),
}

# The same request sent twice (a double click, a reload) within this window is kept once.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def user_name(user) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return user.get_full_name() or user.get_username()


def due_date_for(received_at: datetime.datetime) -> datetime.date:
    """The target date of the answer: `INQUIRIES_RESPONSE_WORKING_DAYS` working days
    after the day of receipt (French public holidays excluded)."""
    day = timezone.localtime(received_at).date()
    return add_working_days(day, settings.INQUIRIES_RESPONSE_WORKING_DAYS)


def _log(inquiry: Inquiry, kind: str, *, user=None, by_name: str = "", at=None, **fields):
    return InquiryAction.objects.create(
        inquiry=inquiry,
        kind=kind,
        at=at or timezone.now(),
        by=user if user is not None and user.is_authenticated else None,
        by_name=(by_name or user_name(user))[:200],
        **fields,
    )


def _locked(inquiry: Inquiry) -> Inquiry:
    """The request as stored, under a row lock (its workflow fields are read there, never
    from the object a form or page holds)."""
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


def _check_expected(current: Inquiry, expected_status: str | None) -> None:
    if expected_status is not None and current.status != expected_status:
        raise ValidationError(
            _(
                "This request moved to « %(status)s » since the page was opened: nothing "
                "was changed. Reload the page."
            )
            % {"status": current.get_status_display()},
            code="stale",
        )


@transaction.atomic
def inquiry_receive(
    inquiry: Inquiry, *, themes=(), consent: str = "", user=None, base_url: str = ""
) -> Inquiry:
    """A new request: from the public form (`channel` web; the requester's name, e-mail
    and consent required) or typed by the staff from a call, a mail or a meeting. Saved as
    new with its due date, the first log entry naming the requester; after commit the
    requester gets an acknowledgement with their tracking link and the centre a notice.
    The same request sent again within `DUPLICATE_WINDOW` returns the first one."""
    inquiry.received_at = inquiry.received_at or timezone.now()
    inquiry.due_date = due_date_for(inquiry.received_at)
    inquiry.status = S.NEW
    if inquiry.channel == Channel.WEB:
        if not inquiry.requester_name.strip() or not inquiry.requester_email.strip():
            raise ValidationError(
                _("Leave your name and e-mail address so that the centre can answer you."),
                code="contact_required",
            )
        if not consent.strip():
            raise ValidationError(
                _("The centre needs your consent to keep your contact."),
                code="consent_required",
            )
    if consent.strip():
        inquiry.consent, inquiry.consented_at = consent.strip(), timezone.now()
    inquiry.full_clean()
    duplicate = _same_request(inquiry)
    if duplicate is not None:
        return duplicate
    inquiry.save()
    inquiry.themes.set(themes)
    staff_entry = inquiry.channel != Channel.WEB and user is not None and user.is_authenticated
    _log(
        inquiry,
        ActionKind.RECEIVED,
        user=user if staff_entry else None,
        by_name=user_name(user) if staff_entry else inquiry.requester_name.strip(),
        at=inquiry.received_at,
        to_status=S.NEW,
    )
    transaction.on_commit(
        lambda: inquiry_mail_send(inquiry.pk, "received", base_url=base_url), robust=True
    )
    return inquiry


def _same_request(inquiry: Inquiry) -> Inquiry | None:
    if not inquiry.requester_email:
        return None
    return (
        Inquiry.objects.filter(
            status=S.NEW,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
            requester_email__iexact=inquiry.requester_email.strip(),
            subject=inquiry.subject,
            question=inquiry.question,
        )
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def inquiry_save(inquiry: Inquiry, *, user=None) -> Inquiry:
    """Save the staff's edits of a request (requester, question, kind, territory, answer
    text, links). Never changes the workflow: status, dates of response, answer and
    closure and the tracking key are those stored, whatever the object holds. A change of
    the receipt date recomputes the due date."""
    if inquiry.pk is None:
        raise ValueError("inquiry_save edits an existing request: use inquiry_receive")
    current = _locked(inquiry)
    for field in (
        "status",
        "first_response_at",
        "answered_at",
        "closed_at",
        "tracking_key",
        "purged_at",
        "consent",
        "consented_at",
        "assignee_id",
    ):
        setattr(inquiry, field, getattr(current, field))
    if inquiry.received_at != current.received_at:
        inquiry.due_date = due_date_for(inquiry.received_at)
    inquiry.full_clean()
    inquiry.save()
    return inquiry


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied


@transaction.atomic
def inquiry_assign(inquiry: Inquiry, *, assignee, user=None, expected_status=None) -> Inquiry:
    """Give the request to a member of the staff (or take it back: `assignee=None`). A
    new request becomes assigned; an unassigned one goes back to new."""
    _require(user, "inquiries.change_inquiry")
    current = _locked(inquiry)
    _check_expected(current, expected_status)
    before = current.status
    current.assignee = assignee
    if assignee is not None and current.status == S.NEW:
        current.status = S.ASSIGNED
    elif assignee is None and current.status == S.ASSIGNED:
        current.status = S.NEW
    current.save(update_fields=["assignee", "status", "updated_at"])
    _log(
        current,
        ActionKind.ASSIGNMENT,
        user=user,
        note=user_name(assignee) if assignee is not None else _("Nobody"),
        from_status=before,
        to_status=current.status,
    )
    inquiry.refresh_from_db()
    return current


@transaction.atomic
def inquiry_transition(
    inquiry: Inquiry, *, to_status: str, user=None, comment: str = "", expected_status=None
) -> Inquiry:
    """Move the request along `TRANSITIONS`, recorded in its log. Closing dates it;
    reopening a closed or answered request keeps its first response and answer dates
    (the report counts the first answer)."""
    _require(user, "inquiries.change_inquiry")
    current = _locked(inquiry)
    _check_expected(current, expected_status)
    if to_status not in TRANSITIONS.get(current.status, ()):
        raise ValidationError(
            _("A request « %(from)s » cannot be moved to « %(to)s ».")
            % {
                "from": current.get_status_display(),
                "to": S(to_status).label if to_status in S.values else to_status,
            },
            code="transition",
        )
    before = current.status
    current.status = to_status
    current.closed_at = timezone.now() if to_status == S.CLOSED else None
    current.save(update_fields=["status", "closed_at", "updated_at"])
    _log(
        current, ActionKind.STATUS, user=user, note=comment, from_status=before, to_status=to_status
    )
    inquiry.refresh_from_db()
    return current


@transaction.atomic
def inquiry_log_action(
    inquiry: Inquiry,
    *,
    kind: str,
    user=None,
    note: str = "",
    minutes: int = 0,
    at: datetime.datetime | None = None,
    partner=None,
) -> InquiryAction:
    """A log entry written by the staff (research, exchange, appointment, referral, note).
    An exchange or an appointment is a response to the requester: the first one dates the
    first response. Working on a new or assigned request puts it in progress."""
    _require(user, "inquiries.change_inquiry")
    if kind not in MANUAL_ACTIONS:
        raise ValidationError(_("Choose the kind of action from the list."), code="kind")
    if minutes < 0:
        raise ValidationError(_("The time spent cannot be negative."), code="minutes")
    if kind == ActionKind.REFERRAL and partner is None and not note.strip():
        raise ValidationError(
            _("Name the partner the request was referred to."), code="partner_required"
        )
    current = _locked(inquiry)
    at = at or timezone.now()
    if at < current.received_at:
        raise ValidationError(
            _("An action cannot be dated before the request was received."), code="before"
        )
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("An action cannot be dated in the future."), code="future")
    action = _log(current, kind, user=user, note=note, minutes=minutes, at=at, partner=partner)
    fields = []
    if kind in RESPONSE_ACTIONS and (
        current.first_response_at is None or at < current.first_response_at
    ):
        current.first_response_at = at
        fields.append("first_response_at")
    if current.status in (S.NEW, S.ASSIGNED):
        _log(
            current,
            ActionKind.STATUS,
            user=user,
            from_status=current.status,
            to_status=S.IN_PROGRESS,
        )
        current.status = S.IN_PROGRESS
        fields.append("status")
    if fields:
        current.save(update_fields=[*fields, "updated_at"])
    inquiry.refresh_from_db()
    return action


def answer_links_check(**links) -> None:
    """Refuse links to what the requester could not open (a draft, a record for the
    staff only, an unpublished event), naming each, on its field."""
    errors = {}
    for name, values in links.items():
        if values is None:
            continue
        values = list(values)
        public = set(
            public_resources(
                name,
                RESOURCE_FIELDS[name].model._default_manager.filter(
                    pk__in=[value.pk for value in values]
                ),
            ).values_list("pk", flat=True)
        )
        hidden = [value for value in values if value.pk not in public]
        if hidden:
            errors[name] = ngettext(
                "Not public, so the requester could not open it: %(titles)s. Remove it "
                "from the answer or publish it first.",
                "Not public, so the requester could not open them: %(titles)s. Remove them "
                "from the answer or publish them first.",
                len(hidden),
            ) % {"titles": ", ".join(_("“%(title)s”") % {"title": value} for value in hidden)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def inquiry_answer(
    inquiry: Inquiry,
    *,
    answer: str,
    documents=None,
    practices=None,
    organisations=None,
    events=None,
    user=None,
    minutes: int = 0,
    expected_status=None,
    base_url: str = "",
) -> Inquiry:
    """Send the answer: its text and linked resources saved, the request answered (the
    answer and, if none came before, the first response dated now), logged, and the
    requester told by mail with their tracking link after commit. Only published
    resources may be linked: the requester sees them."""
    _require(user, "inquiries.answer_inquiry")
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer before sending it.")})
    answer_links_check(
        documents=documents, practices=practices, organisations=organisations, events=events
    )
    current = _locked(inquiry)
    _check_expected(current, expected_status)
    if current.purged_at is not None:
        raise ValidationError(_("This request's personal data were purged."), code="purged")
    if current.status == S.CLOSED:
        raise ValidationError(_("Reopen the request before answering it."), code="closed")
    now = timezone.now()
    before = current.status
    current.answer = answer.strip()
    current.status = S.ANSWERED
    # A corrected answer (after reopening) keeps the date of the first: the report
    # counts the time to the first answer.
    current.answered_at = current.answered_at or now
    current.first_response_at = current.first_response_at or now
    current.full_clean()
    current.save(
        update_fields=["answer", "status", "answered_at", "first_response_at", "updated_at"]
    )
    for field, values in (
        ("documents", documents),
        ("practices", practices),
        ("organisations", organisations),
        ("events", events),
    ):
        if values is not None:
            getattr(current, field).set(values)
    _log(
        current,
        ActionKind.ANSWER,
        user=user,
        minutes=minutes,
        from_status=before,
        to_status=S.ANSWERED,
        at=now,
    )
    transaction.on_commit(
        lambda: inquiry_mail_send(current.pk, "answered", base_url=base_url), robust=True
    )
    inquiry.refresh_from_db()
    return current


# --- Mails -------------------------------------------------------------------------------


def inquiry_mail_send(inquiry_pk: int, kind: str, *, base_url: str = "") -> None:
    """`received`: the acknowledgement to the requester and the notice to the centre;
    `answered`: the answer's notice to the requester. In French, with the tracking link."""
    from ..selectors.tracking import inquiry_tracking_url

    inquiry = Inquiry.objects.filter(pk=inquiry_pk, purged_at__isnull=True).first()
    if inquiry is None:
        return
    base = (base_url or settings.SITE_URL).rstrip("/")
    with translation.override("fr"):
        context = {
            "inquiry": inquiry,
            "tracking_url": base + inquiry_tracking_url(inquiry),
            "admin_url": base + reverse("admin:inquiries_inquiry_change", args=[inquiry.pk]),
        }
        messages = [(kind, [inquiry.requester_email] if inquiry.requester_email else [])]
        if kind == "received":
            messages.append(("received_staff", _staff_recipients()))
        for template, recipients in messages:
            if not recipients:
                continue
            subject = " ".join(
                render_to_string(f"inquiries/email/{template}_subject.txt", context).split()
            )
            body = render_to_string(f"inquiries/email/{template}.txt", context)
            EmailMultiAlternatives(subject, body, to=recipients).send()


def _staff_recipients() -> list[str]:
    contact = settings.VILLES2_LEGAL.get("contact_email") or ""
    if contact:
        return [contact]
    return [email for _name, email in settings.MANAGERS]


# --- Retention ---------------------------------------------------------------------------

PURGE_BATCH = 1000

PURGED_FIELDS = {
    "requester_name": "",
    "requester_email": "",
    "requester_phone": "",
    "requester_organisation": "",
    "subject": "",
    "question": "",
    "answer": "",
    "consent": "",
    "tracking_key": "",
}


def _to_close(now) -> tuple[models.QuerySet, models.QuerySet]:
    """Answered requests left so for `INQUIRIES_AUTO_CLOSE_DAYS`, and open requests with
    no log entry for `INQUIRIES_STALE_DAYS` (abandoned: the requester never came back)."""
    answered = Inquiry.objects.filter(
        status=S.ANSWERED,
        answered_at__lt=now - datetime.timedelta(days=settings.INQUIRIES_AUTO_CLOSE_DAYS),
    )
    stale = (
        Inquiry.objects.open()
        .annotate(last_action=Max("actions__at"))
        .filter(last_action__lt=now - datetime.timedelta(days=settings.INQUIRIES_STALE_DAYS))
    )
    return answered, stale


def inquiries_auto_close(*, dry_run: bool = False, now=None) -> int:
    """Close answered requests and abandoned open ones (`_to_close`), logged as a step of
    the site, so that their retention period starts: no request keeps its personal data
    for ever."""
    now = now or timezone.now()
    answered, stale = _to_close(now)
    if dry_run:
        return answered.count() + stale.count()
    reasons = (
        (
            answered,
            _("Closed automatically %(days)s days after the answer.")
            % {"days": settings.INQUIRIES_AUTO_CLOSE_DAYS},
        ),
        (
            stale,
            _("Closed automatically: nothing was done for %(days)s days.")
            % {"days": settings.INQUIRIES_STALE_DAYS},
        ),
    )
    count = 0
    for queryset, note in reasons:
        for pk in list(queryset.order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                current = Inquiry.objects.select_for_update().get(pk=pk)
                if current.status == S.CLOSED:
                    continue
                before = current.status
                current.status, current.closed_at = S.CLOSED, now
                current.save(update_fields=["status", "closed_at", "updated_at"])
                _log(
                    current,
                    ActionKind.STATUS,
                    by_name="Villes²",
                    at=now,
                    from_status=before,
                    to_status=S.CLOSED,
                    note=note,
                )
                count += 1
    return count


def inquiries_retention_purge(*, dry_run: bool = False, now=None) -> tuple[int, list[str]]:
    """Empty the personal data of requests closed more than `INQUIRIES_RETENTION_DAYS`
    ago: requester, subject, question, answer, the log's notes and names, the tracking
    link. What the activity report counts stays (kind, requester type, channel,
    territory, themes, dates, time spent, links to resources)."""
    now = now or timezone.now()
    closed = inquiries_auto_close(dry_run=dry_run, now=now)
    limit = now - datetime.timedelta(days=settings.INQUIRIES_RETENTION_DAYS)
    expired = Inquiry.objects.filter(status=S.CLOSED, closed_at__lt=limit, purged_at__isnull=True)
    lines = []
    if closed:
        verb = "à clore" if dry_run else "closes"
        lines.append(
            f"Demandes {verb} automatiquement (répondues depuis plus de "
            f"{settings.INQUIRIES_AUTO_CLOSE_DAYS} jours, ou sans action depuis plus de "
            f"{settings.INQUIRIES_STALE_DAYS} jours) : {closed}"
        )
    if dry_run:
        return expired.count(), lines
    # In batches, each its own transaction: the first purge of years of requests rewrites
    # hundreds of thousands of log rows.
    count = 0
    while True:
        with transaction.atomic():
            ids = list(
                expired.select_for_update()
                .order_by("pk")
                .values_list("pk", flat=True)[:PURGE_BATCH]
            )
            if not ids:
                break
            count += Inquiry.objects.filter(pk__in=ids).update(**PURGED_FIELDS, purged_at=now)
            InquiryAction.objects.filter(inquiry_id__in=ids).update(note="", by_name="")
            _purge_copies(ids)
    return count, lines


def _purge_copies(ids: list[int]) -> None:
    """What holds a purged request's words elsewhere: FAQ drafts drawn from it and never
    published (the staff had not anonymised them yet) are deleted with their index
    entries; published entries, anonymised, only lose their link to it. The back
    office's log keeps each object's name ("D2026-00042 — subject"): it is cut back to
    the reference."""
    from .faq import faq_delete

    for entry in FaqEntry.objects.filter(source_id__in=ids, published=False):
        faq_delete(entry)
    FaqEntry.objects.filter(source_id__in=ids).update(source=None)
    content_type = ContentType.objects.get_for_model(Inquiry)
    logged = LogEntry.objects.filter(content_type=content_type, object_id__in=map(str, ids))
    references = {
        str(inquiry.pk): inquiry.reference
        for inquiry in Inquiry.objects.filter(pk__in=ids).only("pk", "received_at")
    }
    for entry in logged.only("pk", "object_id"):
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=references.get(entry.object_id, ""))
