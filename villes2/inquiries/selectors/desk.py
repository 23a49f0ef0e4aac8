"""Reads of the staff desk (docs/inquiries.md, "Staff desk"): the queue's counts, how
late a request is (in working days), its log, who may be given it, and the resources the
shared search suggests for its answer."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from villes2.actors.models import Organisation
from villes2.core.search import SearchRequest, run_search, search_registry
from villes2.core.search.analysis import STOP_WORDS, stem, words
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.practices.models import Practice

from ..models import OPEN_STATUSES, Inquiry, InquiryAction, InquiryStatus
from ..services.working_days import working_days_between

S = InquiryStatus


# --- Resources an answer may link ------------------------------------------------------


@dataclass(frozen=True)
class ResourceField:
    """A many-to-many field of the answer: its model, what of it the public may see
    (the requester opens the links), and the search type its hits come from."""

    name: str
    model: type[models.Model]
    public: Callable[[models.QuerySet], models.QuerySet]
    search_kind: str


RESOURCE_FIELDS: dict[str, ResourceField] = {
    field.name: field
    for field in (
        ResourceField("documents", Document, lambda qs: qs.public(), "documents"),
        ResourceField("practices", Practice, lambda qs: qs.public(), "practices"),
        # The directory's organisations are all public pages.
        ResourceField("organisations", Organisation, lambda qs: qs, ""),
        ResourceField("events", Event, lambda qs: qs.public(), "events"),
    )
}


def public_resources(field_name: str, queryset: models.QuerySet | None = None) -> models.QuerySet:
    """The records of an answer field the requester may open (`queryset` narrows it)."""
    field = RESOURCE_FIELDS[field_name]
    return field.public(queryset if queryset is not None else field.model._default_manager.all())


# --- Lateness ------------------------------------------------------------------------


@dataclass(frozen=True)
class Lateness:
    """How the request stands against its due date, in words (`label`); `overdue` for
    an open request past its due date, `level` for the badge's style."""

    label: str
    overdue: bool
    level: str  # "late", "soon", "ok", "done"


def inquiry_lateness(inquiry: Inquiry, today: datetime.date | None = None) -> Lateness:
    today = today or timezone.localdate()
    due = inquiry.due_date
    if inquiry.status in OPEN_STATUSES:
        if due < today:
            late = working_days_between(due, today)
            if late == 0:  # due on Friday, seen on the weekend
                label = gettext("overdue since %(date)s") % {"date": date_format(due, "l j F")}
            else:
                label = ngettext(
                    "overdue by %(count)s working day",
                    "overdue by %(count)s working days",
                    late,
                ) % {"count": late}
            return Lateness(label, True, "late")
        if due == today:
            return Lateness(gettext("due today"), False, "soon")
        left = working_days_between(today, due)
        label = ngettext("%(count)s working day left", "%(count)s working days left", left) % {
            "count": left
        }
        return Lateness(label, False, "soon" if left <= 1 else "ok")
    if inquiry.answered_at is not None:
        answered = timezone.localtime(inquiry.answered_at).date()
        if answered > due:
            late = working_days_between(due, answered)
            label = ngettext(
                "answered %(count)s working day late",
                "answered %(count)s working days late",
                late,
            ) % {"count": late}
        else:
            taken = working_days_between(timezone.localtime(inquiry.received_at).date(), answered)
            label = ngettext(
                "answered in %(count)s working day",
                "answered in %(count)s working days",
                taken,
            ) % {"count": taken}
        return Lateness(label, False, "done")
    return Lateness(gettext("closed without a written answer"), False, "done")


# --- The queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int
    unassigned: int
    mine: int
    by_status: dict[str, int]


def queue_counts(user, today: datetime.date | None = None) -> QueueCounts:
    """The figures above the queue, in one query."""
    today = today or timezone.localdate()
    is_open = Q(status__in=OPEN_STATUSES)
    # Open requests only (the queue's index): answered and closed ones pile up over the
    # years, and their links need no count.
    row = Inquiry.objects.filter(is_open).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        mine=Count("pk", filter=Q(assignee_id=user.pk)),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in OPEN_STATUSES},
    )
    return QueueCounts(
        open=row["open"],
        overdue=row["overdue"],
        unassigned=row["unassigned"],
        mine=row["mine"],
        by_status={value: row[f"status_{value}"] for value in OPEN_STATUSES},
    )


def desk_staff() -> models.QuerySet:
    """Who a request may be given to: active staff allowed to work on requests."""
    permission = Permission.objects.filter(
        content_type__app_label="inquiries", codename="change_inquiry"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- The log -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InquiryLog:
    entries: list[InquiryAction]
    total_minutes: int


def inquiry_log(inquiry: Inquiry) -> InquiryLog:
    entries = list(
        InquiryAction.objects.filter(inquiry=inquiry).select_related("partner").order_by("at", "pk")
    )
    return InquiryLog(entries, sum(entry.minutes for entry in entries))


def minutes_label(minutes: int) -> str:
    """ "1 h 30", "45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return gettext("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)s h") % {"hours": hours}
    return gettext("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": rest}


# --- Suggested resources -------------------------------------------------------------------

# Words of a request that say nothing of its subject (folded: lower case, no accents).
# The search's own stop words are short on purpose; a question is not a search.
_DESK_STOP_WORDS_TEXT = """
    bonjour bonsoir madame monsieur mesdames messieurs merci remercie remerciant
    cordialement salutations sincerement respectueusement avance
    est sont etait etaient sera seront serait etre ete avoir avons avez ont avait aurait
    fait faire peut peuvent pourrait pourriez pouvez pouvons puis doit doivent faut
    souhaite souhaiterais souhaitons voudrais voudrions aimerais cherche cherchons
    recherche besoin connaitre savoir obtenir trouver disposez existe existent
    comment quel quels quelle quelles quoi pourquoi quand combien dont ainsi aussi
    cette cet ceux celle celles celui ici tout tous toute toutes autre autres plus
    moins tres bien sans sous entre chez vers depuis avant apres notamment egalement
    concernant question questions demande demandes information informations
    renseignement renseignements document documents exemple exemples element elements
    sujet cadre niveau mise place vos nos leurs mon ma mes
"""
DESK_STOP_WORDS = frozenset(_DESK_STOP_WORDS_TEXT.split())
MIN_WORD_LENGTH = 3
KEYWORDS = 8  # the search's limit of alternatives in one clause (query.MAX_ALTERNATIVES)
SUBJECT_WEIGHT = 3

KIND_LABELS = {
    "documents": _("Document"),
    "practices": _("Experience record"),
    "events": _("Event"),
    "faq": _("FAQ entry"),
}


@dataclass(frozen=True)
class Suggestion:
    """A public search hit offered for the answer. `field` is the answer field it can be
    linked through (None for what is quoted rather than linked: FAQ entries)."""

    kind: str
    kind_label: str
    object: Any
    title: str  # highlighted (safe HTML from the search)
    url: str
    field: str | None


def inquiry_keywords(inquiry: Inquiry, limit: int = KEYWORDS) -> list[str]:
    """The words of the subject and the question most likely to name the subject: the
    subject's words count triple, each stem once, in order of weight then of appearance;
    courtesy, interrogative and stop words left out."""
    weight: Counter[str] = Counter()
    first: dict[str, str] = {}
    for factor, text in ((SUBJECT_WEIGHT, inquiry.subject), (1, inquiry.question)):
        for word in words(text or ""):
            if (
                len(word) < MIN_WORD_LENGTH
                or word.isdigit()
                or word in STOP_WORDS
                or word in DESK_STOP_WORDS
            ):
                continue
            key = stem(word)
            weight[key] += factor
            first.setdefault(key, word)
    order = {key: index for index, key in enumerate(first)}
    ranked = sorted(weight, key=lambda key: (-weight[key], order[key]))
    return [first[key] for key in ranked[:limit]]


def suggested_resources(inquiry: Inquiry, limit: int = 8) -> list[Suggestion]:
    """The public records of the shared search (documents, experience records, events,
    FAQ entries: every registered type) that best match the request's subject and
    question: any of its keywords, ranked by relevance (more keywords, and keywords in
    titles, rank higher). Drafts and staff-only records are never offered: the
    requester will open the links. FAQ entries drawn from this very request are left
    out."""
    keywords = inquiry_keywords(inquiry)
    if not keywords:
        return []
    results = run_search(
        SearchRequest(q=" OU ".join(keywords), staff=False, per_page=limit + 2, facets=())
    )
    field_of = {field.search_kind: name for name, field in RESOURCE_FIELDS.items()}
    suggestions = []
    for hit in results.hits:
        obj = hit.object
        if hit.kind == "faq" and getattr(obj, "source_id", None) == inquiry.pk:
            continue
        search_type = search_registry.types[hit.kind]
        suggestions.append(
            Suggestion(
                kind=hit.kind,
                kind_label=str(KIND_LABELS.get(hit.kind, search_type.label)),
                object=obj,
                title=hit.title,
                url=obj.get_absolute_url(),
                field=field_of.get(hit.kind),
            )
        )
    return suggestions[:limit]
