"""The desk panel of a request's page in `/gestion/`: where the request stands (status,
due date and lateness, assignee), the steps the user may take now (`TRANSITIONS`), the
log and its form, the answer with the resources the search suggests, and the FAQ entry
drafted from the answer.

Every button posts to its own admin view, which calls one service
(`services.inquiry_assign`, `inquiry_transition`, `inquiry_log_action`,
`services.desk.inquiry_answer_draft_save`, `services.inquiry_answer`,
`faq_draft_from_inquiry`); the services check the role (403 when refused), the status
shown on the page (a stale page changes nothing) and the input, and write nothing when
they refuse. A refused form comes back with what was typed and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from villes2.actors.models import Organisation
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.practices.models import Practice

from .. import services
from ..models import MANUAL_ACTIONS, ActionKind, FaqEntry, Inquiry, InquiryAction
from ..models import InquiryStatus as S
from ..selectors import desk as selectors
from ..services import desk as desk_services

COMMENT_MAX = 2000
NOTE_MAX = 5000
MINUTES_MAX = 60 * 24 * 5  # a week's work on one entry is already a lot

ANSWER_PERMISSION = "inquiries.answer_inquiry"

# What the button of each step says (from a given status when it matters).
STEP_LABELS = {
    S.IN_PROGRESS: pgettext_lazy("request step", "Mark as in progress"),
    S.WAITING: pgettext_lazy("request step", "Wait for the requester"),
    S.CLOSED: pgettext_lazy("request step", "Close without a written answer"),
}
REOPEN_LABEL = pgettext_lazy("request step", "Reopen")
CLOSE_ANSWERED_LABEL = pgettext_lazy("request step", "Close")


# --- Forms -------------------------------------------------------------------------------


class StepForm(forms.Form):
    to_status = forms.ChoiceField(choices=S.choices)
    # The status shown when the page was opened: a step is refused if it moved since.
    from_status = forms.ChoiceField(choices=S.choices)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Assign to"),
        empty_label=_("— nobody —"),
        error_messages={"invalid_choice": _("Choose a member of the staff from the list.")},
    )
    from_status = forms.ChoiceField(choices=S.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.desk_staff()


class LogActionForm(forms.Form):
    """An entry of the log written by hand."""

    kind = forms.ChoiceField(
        label=_("Action"),
        choices=[(value, label) for value, label in ActionKind.choices if value in MANUAL_ACTIONS],
    )
    at = forms.DateTimeField(
        label=_("When"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Give the date and time, for example 26/11/2026 14:30.")},
    )
    minutes = forms.IntegerField(
        label=_("Time spent (minutes)"),
        min_value=0,
        max_value=MINUTES_MAX,
        required=False,
        widget=forms.NumberInput(attrs={"step": 5, "class": "vIntegerField"}),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner referred to"),
        queryset=Organisation.objects.all(),
        required=False,
        help_text=_("For a referral: the organisation of the directory (or name it in the note)."),
        widget=AutocompleteSelect(InquiryAction._meta.get_field("partner"), admin.site),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))


class PublicResourceAutocomplete(AutocompleteSelectMultiple):
    """The admin's autocomplete, asking `PublicResourceSearch`: only what the requester
    may open is offered."""

    url_name = "%s:inquiries_inquiry_public_autocomplete"


def _resource_field(name: str, model, label) -> forms.ModelMultipleChoiceField:
    # Every record is accepted here, so that a draft is named in the service's refusal
    # rather than reported as an unknown choice.
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model._default_manager.all(),
        required=False,
        widget=PublicResourceAutocomplete(Inquiry._meta.get_field(name), admin.site),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Text of the answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
        help_text=_(
            "The requester reads it on their tracking page, with the resources linked "
            "below; the mail only says that the answer is there."
        ),
    )
    documents = _resource_field("documents", Document, _("Documents"))
    practices = _resource_field("practices", Practice, _("Experience records"))
    organisations = _resource_field("organisations", Organisation, _("Actors"))
    events = _resource_field("events", Event, _("Events"))
    minutes = forms.IntegerField(
        label=_("Time spent writing it (minutes)"),
        min_value=0,
        max_value=MINUTES_MAX,
        required=False,
        widget=forms.NumberInput(attrs={"step": 5, "class": "vIntegerField"}),
    )
    from_status = forms.ChoiceField(choices=S.choices)

    LINKS = ("documents", "practices", "organisations", "events")

    def links(self) -> dict:
        return {name: list(self.cleaned_data[name]) for name in self.LINKS}


# --- A refused form comes back with what was typed ------------------------------------

STASH_KEY = "inquiries.desk.{pk}.{form}"


def _stash(request, inquiry: Inquiry, name: str, data: QueryDict, errors: dict) -> None:
    request.session[STASH_KEY.format(pk=inquiry.pk, form=name)] = {
        "data": {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"},
        "errors": {key: [str(message) for message in value] for key, value in errors.items()},
    }


def _unstash(request, inquiry: Inquiry, name: str, form_class, **kwargs):
    """The form as it was refused (bound, with its errors), or a new one."""
    stashed = request.session.pop(STASH_KEY.format(pk=inquiry.pk, form=name), None)
    if not stashed:
        return form_class(**kwargs)
    data = QueryDict(mutable=True)
    for key, values in stashed["data"].items():
        data.setlist(key, values)
    form = form_class(data=data, **kwargs)
    form.is_valid()
    for key, messages_ in stashed["errors"].items():
        for message in messages_:
            if key == "__all__" or key not in form.fields:
                form.add_error(None, message)
            elif message not in form.errors.get(key, []):
                form.add_error(key, message)
    return form


# --- The panel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    to_status: str
    label: str


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: selectors.Suggestion
    linked: bool  # already among the answer's resources


@dataclass
class DeskPanel:
    """What the request's page shows above its form."""

    inquiry: Inquiry
    lateness: selectors.Lateness
    can_change: bool
    can_answer: bool
    steps: list[Step]
    assign_form: AssignForm | None
    log_form: LogActionForm | None
    log: selectors.InquiryLog
    answer_form: AnswerForm | None
    suggestions: list[selectors.Suggestion]
    linked: set[tuple[str, int]]
    faq_entries: list[FaqEntry]
    can_draft_faq: bool
    comment_max: int = COMMENT_MAX
    media: forms.Media = field(default_factory=forms.Media)

    @property
    def suggestion_rows(self) -> list[SuggestionRow]:
        return [SuggestionRow(s, (s.field, s.object.pk) in self.linked) for s in self.suggestions]

    @property
    def link_fields(self) -> list:
        if self.answer_form is None:
            return []
        return [self.answer_form[name] for name in AnswerForm.LINKS]

    @property
    def sent_links(self) -> list:
        """The resources sent with the answer (shown with it)."""
        if not self.answer_sent:
            return []
        return [
            resource for name in AnswerForm.LINKS for resource in getattr(self.inquiry, name).all()
        ]

    @property
    def total_time(self) -> str:
        return selectors.minutes_label(self.log.total_minutes)

    @property
    def answer_sent(self) -> bool:
        return self.inquiry.answered_at is not None

    @property
    def can_send(self) -> bool:
        return self.can_answer and self.inquiry.status != S.CLOSED

    @property
    def can_save_draft(self) -> bool:
        return self.can_change and self.inquiry.is_open and self.inquiry.answered_at is None


def _steps(inquiry: Inquiry) -> list[Step]:
    steps = []
    for value in services.TRANSITIONS.get(inquiry.status, ()):
        if value == S.IN_PROGRESS and inquiry.status in (S.ANSWERED, S.CLOSED):
            label = REOPEN_LABEL
        elif value == S.CLOSED and inquiry.status == S.ANSWERED:
            label = CLOSE_ANSWERED_LABEL
        else:
            label = STEP_LABELS[value]
        steps.append(Step(value, str(label)))
    return steps


def desk_panel(request, inquiry: Inquiry, *, can_change: bool) -> DeskPanel:
    user = request.user
    can_answer = can_change and user.has_perm(ANSWER_PERMISSION)
    purged = inquiry.purged_at is not None
    log_form = answer_form = assign_form = None
    if can_change and not purged:
        assign_form = AssignForm(
            initial={"assignee": inquiry.assignee_id, "from_status": inquiry.status}
        )
        log_form = _unstash(request, inquiry, "log", LogActionForm, prefix="log")
        answer_form = _unstash(
            request,
            inquiry,
            "answer",
            AnswerForm,
            prefix="answer",
            initial={
                "answer": inquiry.answer,
                "from_status": inquiry.status,
                **{name: list(getattr(inquiry, name).all()) for name in AnswerForm.LINKS},
            },
        )
    linked = set()
    if answer_form is not None:
        values = answer_form.data if answer_form.is_bound else None
        for name in AnswerForm.LINKS:
            if values is not None:
                ids = values.getlist(f"answer-{name}")
            else:
                ids = [obj.pk for obj in answer_form.initial[name]]
            linked.update((name, int(pk)) for pk in ids if str(pk).isdigit())
    media = forms.Media()
    for form in (log_form, answer_form):
        if form is not None:
            media += form.media
    answered = inquiry.status in desk_services.ANSWERED
    return DeskPanel(
        inquiry=inquiry,
        lateness=selectors.inquiry_lateness(inquiry),
        can_change=can_change,
        can_answer=can_answer,
        steps=_steps(inquiry) if can_change and not purged else [],
        assign_form=assign_form,
        log_form=log_form,
        log=selectors.inquiry_log(inquiry),
        answer_form=answer_form,
        # Offered in the answer's form, which a closed request does not show.
        suggestions=(
            selectors.suggested_resources(inquiry)
            if can_change and not purged and inquiry.status != S.CLOSED
            else []
        ),
        linked=linked,
        faq_entries=list(inquiry.faq_entries.order_by("-pk")),
        can_draft_faq=can_answer and answered and bool(inquiry.answer.strip()) and not purged,
        media=media,
    )


# --- The views of the buttons ----------------------------------------------------------


def _inquiry_or_403(model_admin, request, object_id) -> Inquiry:
    inquiry = get_object_or_404(Inquiry, pk=object_id)
    if not model_admin.has_change_permission(request, inquiry):
        raise PermissionDenied
    return inquiry


def _back(inquiry: Inquiry, anchor: str = ""):
    response = redirect("admin:inquiries_inquiry_change", inquiry.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _status_message(request, inquiry: Inquiry) -> None:
    messages.success(
        request,
        gettext("Done: the request is now « %(status)s ».")
        % {"status": inquiry.get_status_display()},
    )


@require_POST
def step_view(request, object_id, *, model_admin):
    inquiry = _inquiry_or_403(model_admin, request, object_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("This step is unknown: nothing was changed."))
        return _back(inquiry)
    try:
        services.inquiry_transition(
            inquiry,
            to_status=form.cleaned_data["to_status"],
            user=request.user,
            comment=form.cleaned_data["comment"],
            expected_status=form.cleaned_data["from_status"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        _status_message(request, inquiry)
    return _back(inquiry)


@require_POST
def assign_view(request, object_id, *, model_admin):
    inquiry = _inquiry_or_403(model_admin, request, object_id)
    data = request.POST.copy()
    if data.get("me"):
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(message for errors in form.errors.values() for message in errors)
            or gettext("Nothing was changed."),
        )
        return _back(inquiry)
    assignee = form.cleaned_data["assignee"]
    try:
        services.inquiry_assign(
            inquiry,
            assignee=assignee,
            user=request.user,
            expected_status=form.cleaned_data["from_status"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        if assignee is None:
            messages.success(request, gettext("The request is no longer assigned."))
        else:
            messages.success(
                request,
                gettext("The request is assigned to %(name)s.")
                % {"name": services.user_name(assignee)},
            )
    return _back(inquiry)


@require_POST
def log_view(request, object_id, *, model_admin):
    inquiry = _inquiry_or_403(model_admin, request, object_id)
    form = LogActionForm(request.POST, prefix="log")
    errors: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        before = inquiry.status
        try:
            services.inquiry_log_action(
                inquiry,
                kind=data["kind"],
                user=request.user,
                note=data["note"],
                minutes=data["minutes"] or 0,
                at=data["at"],
                partner=data["partner"],
            )
        except ValidationError as error:
            errors = {"__all__": error.messages}
        else:
            messages.success(request, gettext("The action is recorded in the log."))
            if inquiry.status != before:
                _status_message(request, inquiry)
            return _back(inquiry, "desk-log")
    else:
        errors = form.errors
    _stash(request, inquiry, "log", request.POST, errors)
    messages.error(
        request,
        gettext("The action was not recorded: see the form “Log an action”.")
        + " "
        + " ".join(_flat(errors)),
    )
    return _back(inquiry, "desk-log-form")


@require_POST
def answer_view(request, object_id, *, model_admin):
    """ "Save the draft" (any staff who may change the request) or "Send the answer"
    (`answer_inquiry`: 403 for the others)."""
    inquiry = _inquiry_or_403(model_admin, request, object_id)
    sending = "send" in request.POST
    if sending and not request.user.has_perm(ANSWER_PERMISSION):
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix="answer")
    errors: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if sending:
                    services.inquiry_answer(
                        inquiry,
                        answer=data["answer"],
                        **form.links(),
                        user=request.user,
                        minutes=data["minutes"] or 0,
                        expected_status=data["from_status"],
                        base_url=request.build_absolute_uri("/"),
                    )
                else:
                    desk_services.inquiry_answer_draft_save(
                        inquiry,
                        answer=data["answer"],
                        **form.links(),
                        user=request.user,
                        expected_status=data["from_status"],
                    )
        except ValidationError as error:
            errors = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
        else:
            if sending:
                _answer_sent_message(request, inquiry)
            else:
                messages.success(
                    request,
                    gettext("The draft of the answer is saved. Nothing was sent to the requester."),
                )
            return _back(inquiry, "desk-answer")
    else:
        errors = form.errors
    _stash(request, inquiry, "answer", request.POST, errors)
    messages.error(
        request,
        (
            gettext("The answer was not sent: see the form “Answer”.")
            if sending
            else gettext("The draft was not saved: see the form “Answer”.")
        )
        + " "
        + " ".join(_flat(errors)),
    )
    return _back(inquiry, "desk-answer")


def _answer_sent_message(request, inquiry: Inquiry) -> None:
    if inquiry.requester_email:
        messages.success(
            request,
            gettext(
                "The answer is sent: %(email)s received a mail with the link to read it. "
                "The request is now « %(status)s »."
            )
            % {"email": inquiry.requester_email, "status": inquiry.get_status_display()},
        )
    else:
        messages.warning(
            request,
            gettext(
                "The answer is recorded and the request is now « %(status)s », but the "
                "requester left no e-mail address: give them the answer by telephone or post."
            )
            % {"status": inquiry.get_status_display()},
        )


@require_POST
def faq_draft_view(request, object_id, *, model_admin):
    inquiry = _inquiry_or_403(model_admin, request, object_id)
    try:
        entry = desk_services.faq_draft_from_inquiry(inquiry, user=request.user)
    except ValidationError as error:
        _refused(request, error)
        return _back(inquiry)
    messages.warning(
        request,
        gettext(
            "A FAQ entry is drafted from the answer, unpublished. Before publishing it, "
            "anonymise it: remove names, e-mail addresses, and any place or detail that "
            "identifies a person."
        ),
    )
    return redirect("admin:inquiries_faqentry_change", entry.pk)


def _flat(errors) -> list[str]:
    return [str(message) for value in errors.values() for message in value]


# --- Autocomplete limited to what the requester may open -----------------------------------


class PublicResourceSearch(AutocompleteJsonView):
    """The admin's autocomplete for the resources of an answer or a FAQ entry: the
    records of the related admin's search, narrowed to the public ones
    (`selectors.public_resources`)."""

    def process_request(self, request):
        result = super().process_request(request)
        source_field = result[2]
        if (
            source_field.model not in (Inquiry, FaqEntry)
            or source_field.name not in selectors.RESOURCE_FIELDS
        ):
            raise PermissionDenied
        return result

    def get_queryset(self):
        return selectors.public_resources(self.source_field.name, super().get_queryset())
