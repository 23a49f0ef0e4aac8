"""The public form of the desk (`/demandes/nouvelle/`): who asks, about what, where, and
the consent to keep the contact. The form checks the input and builds the request;
`services.inquiry_receive` saves it, dates it and sends the mails."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from villes2.core.forms import PublicForm
from villes2.core.validators import no_line_break
from villes2.practices.forms import ChoiceGroup, theme_choice_groups
from villes2.taxonomy.models import Concept
from villes2.taxonomy.selectors import theme_concepts
from villes2.territories.forms import TerritoryField

from .models import Inquiry, InquiryKind, RequesterType

QUESTION_MAX = 10_000  # about four pages: bounds what an anonymous form writes
CONSENT_LABEL = _(
    "I agree that the resource centre keeps my name, e-mail address, telephone and "
    "organisation to answer this request and follow it up, until two years after the "
    "request is closed."
)


class InquiryForm(PublicForm, forms.ModelForm):
    """A request as the public makes it; the `website` field is the robots' trap."""

    summary_labels = {"consent": _("Consent to the use of your contact")}
    # The page's order, which the error summary follows.
    field_order = (
        "kind",
        "subject",
        "question",
        "territory",
        "themes",
        "requester_name",
        "requester_email",
        "requester_phone",
        "requester_organisation",
        "requester_type",
        "consent",
    )

    requester_type = forms.ChoiceField(
        label=_("You are"),
        choices=[("", _("Choose…")), *RequesterType.choices],
        error_messages={"required": _("Say who you are: it helps the centre answer.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=InquiryKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of request.")},
    )
    territory = TerritoryField(
        label=_("Territory concerned"),
        required=False,
        help_text=_(
            "The commune, neighbourhood or intercommunality your request is about, if any. "
            "Type a name or an official code, e.g. Tours or 37261."
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Concept.objects.none(),  # the theme scheme's, set in __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={
            "required": _("Tick this box: the centre needs your contact to answer you.")
        },
    )

    class Meta:
        model = Inquiry
        fields = (
            "requester_name",
            "requester_email",
            "requester_phone",
            "requester_organisation",
            "requester_type",
            "kind",
            "territory",
            "subject",
            "question",
        )
        labels = {
            "requester_name": _("Your name"),
            "requester_email": _("Your e-mail"),
            "requester_phone": _("Your telephone"),
            "requester_organisation": _("Your organisation"),
            "subject": _("Subject"),
            "question": _("Your question"),
        }
        help_texts = {
            "requester_email": _(
                "The acknowledgement, with the private link to follow your request, is "
                "sent to this address, and the centre's answer."
            ),
            "requester_phone": _("Optional: if a call is easier for you."),
            "requester_organisation": _("Your local authority, service, association…"),
            "subject": _("In a few words, e.g. Setting up a health workshop."),
            "question": _(
                "What you need, and the context: the neighbourhood, the project, what you "
                "already have, the deadline if there is one."
            ),
        }
        error_messages = {
            "requester_name": {"required": _("Give your name.")},
            "requester_email": {
                "required": _("Give your e-mail address: the answer is sent there."),
                "invalid": _("Type a valid e-mail address, e.g. marie.dupont@example.org."),
            },
            "subject": {"required": _("Give a subject in a few words.")},
            "question": {"required": _("Write your question.")},
        }

    def __init__(self, *args, user=None, **kwargs):
        if user is not None and user.is_authenticated:
            kwargs.setdefault(
                "initial",
                {
                    "requester_name": user.get_full_name() or user.get_username(),
                    "requester_email": user.email,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = theme_concepts()
        self._theme_groups: list[ChoiceGroup] | None = None
        # The model's fields are optional for the staff's entries; not here.
        for name in ("requester_name", "requester_email"):
            self.fields[name].required = True
        question = self.fields["question"]
        question.max_length = QUESTION_MAX
        question.validators.append(MaxLengthValidator(QUESTION_MAX))
        question.widget.attrs.update(rows=8, cols=60, maxlength=QUESTION_MAX)
        for name in ("requester_name", "requester_phone", "requester_organisation", "subject"):
            self.fields[name].validators.append(no_line_break)
        for field in self.fields.values():
            if field.required:
                # Said in the label, read with it by screen readers.
                field.label = format_lazy("{} ({})", field.label, _("required"))
        for name, value in (
            ("requester_name", "name"),
            ("requester_email", "email"),
            ("requester_phone", "tel"),
            ("requester_organisation", "organization"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["requester_phone"].widget.input_type = "tel"

    def clean_question(self) -> str:
        question = self.cleaned_data["question"].strip()
        if not question:
            raise forms.ValidationError(self.fields["question"].error_messages["required"])
        return question

    def theme_groups(self) -> list[ChoiceGroup]:
        if self._theme_groups is None:
            self._theme_groups = theme_choice_groups(self["themes"])
        return self._theme_groups

    def consent_text(self) -> str:
        """The consent as the requester read it, recorded with the request."""
        return str(CONSENT_LABEL)
