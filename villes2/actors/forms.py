from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentPurpose, PublicField, RightKind


class BoardDateForm(forms.Form):
    date = forms.DateField(
        label=_("Board on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RightsRequestForm(forms.Form):
    """A person's request about their data, from the site (no account needed)."""

    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=[
            (RightKind.RECTIFICATION, _("Correct my entry")),
            (RightKind.ERASURE, _("Delete my entry")),
            (RightKind.OBJECTION, _("Object to being listed")),
            (RightKind.RESTRICTION, _("Stop the use of my data for now")),
            (RightKind.ACCESS, _("Receive a copy of my data")),
            (RightKind.PORTABILITY, _("Receive my data in a reusable format")),
        ],
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("We answer at this address, within one month."),
    )
    message = forms.CharField(
        label=_("Additional details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a correction, say what is wrong and what is right."),
    )
    # A field people never see (its block is hidden): robots that fill every field do.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ConsentChoicesForm(forms.Form):
    """What a person agrees to: each field published, and each use of their address."""

    public_fields = forms.MultipleChoiceField(
        label=_("Published on your public entry"),
        choices=PublicField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your name, public job title and roles in organisations are always shown."),
    )
    newsletter = forms.BooleanField(label=_("Receive the newsletter"), required=False)
    events = forms.BooleanField(label=_("Be told about events and meetings"), required=False)

    def purposes(self) -> set[str]:
        purposes = {ConsentPurpose.PUBLIC_LISTING} if self.cleaned_data["public_fields"] else set()
        if self.cleaned_data["newsletter"]:
            purposes.add(ConsentPurpose.NEWSLETTER)
        if self.cleaned_data["events"]:
            purposes.add(ConsentPurpose.EVENTS)
        return purposes
