"""Writes of the staff desk that the request services leave to it: the answer's draft
(saved before it is sent) and the FAQ entry drafted from an answer
(docs/inquiries.md, "Staff desk")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import OPEN_STATUSES, FaqEntry, Inquiry
from ..models import InquiryStatus as S
from ..selectors.desk import public_resources
from .faq import faq_save
from .requests import _check_expected, _locked, _require, answer_links_check

ANSWERED = (S.ANSWERED, S.CLOSED)


@transaction.atomic
def inquiry_answer_draft_save(
    inquiry: Inquiry,
    *,
    answer: str,
    documents=None,
    practices=None,
    organisations=None,
    events=None,
    user=None,
    expected_status: str | None = None,
) -> Inquiry:
    """Keep the answer being written and its links, without sending anything or
    changing the status: whoever prepares it (the assistant too) leaves it for whoever
    sends it. Only before the answer is first sent: from then on the stored answer is the
    one the requester reads, replaced only by sending a corrected one."""
    _require(user, "inquiries.change_inquiry")
    links = {
        "documents": documents,
        "practices": practices,
        "organisations": organisations,
        "events": events,
    }
    answer_links_check(**links)
    current = _locked(inquiry)
    _check_expected(current, expected_status)
    if current.status not in OPEN_STATUSES or current.answered_at is not None:
        # Once sent (even if the request was reopened since), the stored answer is the
        # one the requester reads on their tracking page.
        raise ValidationError(
            _(
                "The answer was already sent: it can no longer be kept as a draft. Send a "
                "corrected answer instead (reopen the request first if it is closed)."
            ),
            code="answered",
        )
    current.answer = answer.strip()
    current.save(update_fields=["answer", "updated_at"])
    for name, values in links.items():
        if values is not None:
            getattr(current, name).set(values)
    inquiry.refresh_from_db()
    return current


@transaction.atomic
def faq_draft_from_inquiry(inquiry: Inquiry, *, user=None) -> FaqEntry:
    """An unpublished FAQ entry drafted from an answered request: its subject as the
    question, its answer, its themes and the public records it links, the request as
    its source. The staff anonymise it (names, places that identify a person) before
    publishing it (`faq_publish`)."""
    _require(user, "inquiries.answer_inquiry")
    current = Inquiry.objects.get(pk=inquiry.pk)
    if current.purged_at is not None:
        raise ValidationError(_("This request's personal data were purged."), code="purged")
    if current.status not in ANSWERED or not current.answer.strip():
        raise ValidationError(
            _("Only the answer of an answered request can be drafted as a FAQ entry."),
            code="not_answered",
        )
    entry = FaqEntry(
        question=current.subject[: FaqEntry._meta.get_field("question").max_length],
        answer=current.answer,
        source=current,
    )
    return faq_save(
        entry,
        themes=list(current.themes.all()),
        # Only what is public today: the entry is meant for the site.
        documents=list(public_resources("documents", current.documents.all())),
        practices=list(public_resources("practices", current.practices.all())),
        user=user,
    )
