"""The review workflow on a record's change page: one button per step the user may take
now (`services.allowed_transitions`), with an optional comment; "record a review" for a
published record; the history of the steps (who, when, why).

The buttons post to their own admin views, which call `services.practice_transition`
and `services.practice_review_record`; those check the workflow, the user's role and, to
publish, the transferability block, and write nothing when they refuse. The status is
never a field of the entry form."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .. import services
from ..models import Practice, PracticeStatus
from ..selectors.records import practice_history
from ..services.workflow import PUBLISH_PERMISSION

S = PracticeStatus
COMMENT_MAX = 2000

# What the button of each step says.
STEP_LABELS = {
    S.DRAFT: _("Send back to draft (to be completed)"),
    S.SUBMITTED: _("Mark as submitted"),
    S.IN_REVIEW: _("Start the review"),
    S.PUBLISHED: _("Publish"),
    S.WITHDRAWN: _("Withdraw"),
}
# A published record sent back to review leaves the public site.
UNPUBLISH_LABEL = _("Unpublish and review again")


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=S.choices)
    # The status shown when the page was opened: a step is refused if it moved since.
    from_status = forms.ChoiceField(choices=S.choices, required=False)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        max_length=COMMENT_MAX,
        error_messages={"required": _("Say what the review checked.")},
    )


@dataclass(frozen=True)
class Step:
    to_status: str
    label: str
    publishes: bool


@dataclass(frozen=True)
class WorkflowPanel:
    """What the change page shows above the form."""

    practice: Practice
    steps: list[Step]
    missing: list[str]  # what publication still needs, when publishing is a next step
    can_review: bool
    history: list  # empty for those who may not change the record (it names submitters)
    comment_max: int = COMMENT_MAX


def workflow_panel(practice: Practice, user, *, can_change: bool) -> WorkflowPanel:
    steps = [
        Step(
            to_status=value,
            label=str(
                UNPUBLISH_LABEL
                if practice.status == S.PUBLISHED and value == S.IN_REVIEW
                else STEP_LABELS[value]
            ),
            publishes=value == S.PUBLISHED,
        )
        for value in services.allowed_transitions(practice, user)
    ]
    publishable = any(step.publishes for step in steps) or practice.status == S.IN_REVIEW
    return WorkflowPanel(
        practice=practice,
        steps=steps,
        missing=services.publication_missing(practice) if publishable else [],
        can_review=practice.status == S.PUBLISHED and user.has_perm(PUBLISH_PERMISSION),
        history=list(practice_history(practice)) if can_change else [],
    )


def _practice_or_403(model_admin, request, object_id) -> Practice:
    practice = get_object_or_404(Practice, pk=object_id)
    if not model_admin.has_change_permission(request, practice):
        raise PermissionDenied
    return practice


def _back(model_admin, practice: Practice):
    opts = model_admin.model._meta
    return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", practice.pk)


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@require_POST
def transition_view(request, object_id, *, model_admin):
    """Take one workflow step; refused steps change nothing and say why."""
    practice = _practice_or_403(model_admin, request, object_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("This step is unknown: nothing was changed."))
        return _back(model_admin, practice)
    try:
        # PermissionDenied (a step of the staff who publish) is the 403 page.
        services.practice_transition(
            practice,
            to_status=form.cleaned_data["to_status"],
            user=request.user,
            comment=form.cleaned_data["comment"],
            expected_status=form.cleaned_data["from_status"] or None,
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            gettext("Done: the status of the record is now « %(status)s ».")
            % {"status": practice.get_status_display()},
        )
    return _back(model_admin, practice)


@require_POST
def review_view(request, object_id, *, model_admin):
    """Record that a published record was reviewed again (comment required)."""
    practice = _practice_or_403(model_admin, request, object_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["comment"]))
        return _back(model_admin, practice)
    try:
        services.practice_review_record(
            practice, user=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("The review is recorded."))
    return _back(model_admin, practice)
