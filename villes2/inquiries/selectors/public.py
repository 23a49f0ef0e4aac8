"""Reads of the public pages of the desk: the requester's tracking page (status in
words and the public steps: never the log's notes nor the staff's names), and the FAQ
(published entries only, with their public resources)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from villes2.core.search import SearchRequest, SearchResults, run_search
from villes2.documents.models import Document
from villes2.practices.models import Practice

from ..models import FaqEntry, Inquiry, InquiryAction
from ..models import InquiryStatus as S

FAQ_PER_PAGE = 20
FAQ_LATEST = 5

# The status as the requester reads it: the desk's internal steps (assigned, waiting)
# are told in the requester's terms.
PUBLIC_STATUS: dict[str, Promise] = {
    S.NEW: _("Received: waiting to be handled"),
    S.ASSIGNED: _("In progress: a member of the centre's team is handling it"),
    S.IN_PROGRESS: _("In progress: a member of the centre's team is handling it"),
    S.WAITING: _("In progress: the centre is waiting for information from you"),
    S.ANSWERED: pgettext_lazy("request status", "Answered"),
    S.CLOSED: pgettext_lazy("request status", "Closed"),
}


@dataclass(frozen=True)
class Step:
    label: str | Promise
    at: datetime.datetime | None  # None: not reached (yet)

    @property
    def done(self) -> bool:
        return self.at is not None


def tracking_steps(inquiry: Inquiry) -> list[Step]:
    """Received, in progress, answered, closed: each with the date it was first reached,
    or None. The log gives only the date work started (one query), nothing else."""
    started = (
        InquiryAction.objects.filter(inquiry=inquiry, to_status__in=(S.ASSIGNED, S.IN_PROGRESS))
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    answered = inquiry.answered_at
    # An answer sent straight away starts the work too.
    started = min((at for at in (started, answered) if at is not None), default=None)
    closed = inquiry.closed_at if inquiry.status == S.CLOSED else None
    return [
        Step(pgettext_lazy("request step", "Received"), inquiry.received_at),
        Step(pgettext_lazy("request step", "In progress"), started),
        Step(pgettext_lazy("request step", "Answered"), answered),
        Step(pgettext_lazy("request step", "Closed"), closed),
    ]


def public_status(inquiry: Inquiry) -> Promise:
    return PUBLIC_STATUS[inquiry.status]


def inquiry_for_done_page(pk: int) -> Inquiry | None:
    """The request just sent, for its thank-you page (reached by a signed reference)."""
    return (
        Inquiry.objects.filter(pk=pk, purged_at__isnull=True)
        .only("pk", "received_at", "due_date", "subject", "tracking_key", "requester_email")
        .first()
    )


# --- FAQ ------------------------------------------------------------------------------


def faq_public():
    return FaqEntry.objects.public().order_by("-published_at", "-pk")


def faq_latest(limit: int = FAQ_LATEST) -> list[FaqEntry]:
    return list(faq_public().only("pk", "question", "question_en", "published_at")[:limit])


def faq_for_page(pk: int) -> FaqEntry | None:
    """A published entry with its themes and the public resources it links."""
    return (
        faq_public()
        .filter(pk=pk)
        .prefetch_related(
            "themes",
            Prefetch("documents", Document.objects.public(), to_attr="public_documents"),
            Prefetch("practices", Practice.objects.public(), to_attr="public_practices"),
        )
        .first()
    )


@dataclass(frozen=True)
class FaqListPage:
    """The FAQ list: published entries newest first (`page`), or, with words to look
    for, the shared search restricted to the FAQ (`results`, by relevance)."""

    page: Page | None = None
    results: SearchResults | None = None

    @property
    def count(self) -> int:
        if self.results is not None:
            return self.results.total
        return self.page.paginator.count if self.page is not None else 0


def faq_list_page(filterset, *, page: str | int | None) -> FaqListPage:
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    words = (data.get("q") or "").strip()
    if words:
        theme = data.get("theme")
        try:
            number = max(1, int(page or 1))
        except ValueError:
            number = 1
        results = run_search(
            SearchRequest(
                q=words,
                kinds=("faq",),
                filters={"theme": (theme,)} if theme else {},
                page=number,
                per_page=FAQ_PER_PAGE,
                facets=(),
            )
        )
        return FaqListPage(results=results)
    queryset = (filterset.qs if filterset.is_valid() else faq_public()).prefetch_related("themes")
    return FaqListPage(page=Paginator(queryset, FAQ_PER_PAGE).get_page(page))
