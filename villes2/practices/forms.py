"""The public form proposing an experience record (`/experiences/proposer/`).

Partners and staff members signed in propose records under their account (their
contact prefilled, optional); anyone else leaves a contact. The form checks the input
and builds the record; `services.practice_submit` saves it as submitted."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from villes2.core.forms import PublicForm
from villes2.core.text import normalize_for_search
from villes2.core.validators import no_line_break
from villes2.taxonomy.models import Concept
from villes2.taxonomy.selectors import theme_concepts
from villes2.territories.forms import TerritoryField
from villes2.territories.models import Scheme

from .models import Practice, TargetPublic

FIRST_YEAR, LAST_YEAR = 1950, 2200  # the model's constraint
TEXT_MAX = 10_000  # a long text: about four pages; bounds what an anonymous form writes
SUMMARY_MAX = 2_000
TERRITORY_FIELDS = ("territory_1", "territory_2", "territory_3")
# Shorter than the field's label, in the error summary.
SUMMARY_LABELS = {"consent": _("Consent to the use of your contact")}
LONG_TEXTS = (
    "context",
    "objectives",
    "actions",
    "partners_text",
    "results",
    "success_factors",
    "difficulties",
    "transfer_prerequisites",
    "transfer_specific",
    "transfer_adaptation",
    "transfer_cost_time",
)


def _year(label, *, required: bool, help_text=""):
    message = _("Give a year between 1950 and 2200.")
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message, "invalid": message},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "maxlength": 4}),
    )


@dataclass(frozen=True)
class ChoiceItem:
    """One checkbox (a BoundWidget) with its label, and the label's language when it is
    not the page's (a concept without English label, a scheme's French name)."""

    widget: object
    label: str
    lang: str = ""
    detail: str = ""
    whole_theme: bool = False


@dataclass(frozen=True)
class ChoiceGroup:
    """A group of checkboxes of one field, shown as a fieldset (`legend`)."""

    legend: str
    lang: str
    items: list[ChoiceItem]


class PracticeSubmissionForm(PublicForm, forms.ModelForm):
    """The fields of the fiche a submitter can fill in, the contact, the consent, and a
    field hidden from people (a robot filling every field fills it: `PublicForm`)."""

    summary_labels = SUMMARY_LABELS

    publics = forms.MultipleChoiceField(
        label=_("Target publics"),
        choices=TargetPublic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The fieldset around them says what to type (templates/practices/submit.html).
    territory_1 = TerritoryField(label=_("Territory"), required=False, help_text="")
    territory_2 = TerritoryField(label=_("Second territory"), required=False, help_text="")
    territory_3 = TerritoryField(label=_("Third territory"), required=False, help_text="")
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Concept.objects.none(),  # the theme scheme's, set in __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    schemes = forms.ModelMultipleChoiceField(
        label=_("Schemes"),
        queryset=Scheme.objects.order_by("kind", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The contracts or programmes the experience was part of, if any."),
    )
    start_year = _year(_("Start year"), required=True)
    end_year = _year(_("End year"), required=False, help_text=_("Leave empty if it goes on."))
    consent = forms.BooleanField(
        label=_(
            "I agree that the resource centre keeps my name, e-mail address and "
            "organisation to contact me about this record."
        ),
        error_messages={
            "required": _("Tick this box: the centre needs your contact to review the record.")
        },
    )

    class Meta:
        model = Practice
        fields = (
            "title",
            "summary",
            "context",
            "objectives",
            "actions",
            "publics",
            "public_detail",
            "partners_text",
            "start_year",
            "end_year",
            "results",
            "success_factors",
            "difficulties",
            "transfer_prerequisites",
            "transfer_specific",
            "transfer_adaptation",
            "transfer_cost_time",
            "submitter_name",
            "submitter_email",
            "submitter_organisation",
        )
        labels = {
            "title": _("Title of the experience"),
            "public_detail": _("Target public, in your words"),
            "partners_text": _("Actors and partners"),
            "submitter_name": _("Your name"),
            "submitter_email": _("Your e-mail"),
            "submitter_organisation": _("Your organisation"),
        }
        help_texts = {
            "title": _("A short title that says what was done, and where."),
            "summary": _("In a few lines: what, where, for whom, with what result."),
            "partners_text": _(
                "The organisations that carried out or supported the experience, and the "
                "role of each (lead organisation, partner, funder…)."
            ),
            "submitter_email": _(
                "The acknowledgement is sent to this address; the centre may write to you "
                "to complete the record."
            ),
        }

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            kwargs.setdefault(
                "initial",
                {
                    "submitter_name": user.get_full_name() or user.get_username(),
                    "submitter_email": user.email,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = theme_concepts()
        self._theme_groups = None
        for name, max_length in (
            ("summary", SUMMARY_MAX),
            *((name, TEXT_MAX) for name in LONG_TEXTS),
        ):
            field = self.fields[name]
            field.max_length = max_length
            field.validators.append(MaxLengthValidator(max_length))
            field.widget.attrs.update(rows=4 if name == "summary" else 5, cols=60)
        for name in ("submitter_name", "submitter_organisation"):
            self.fields[name].validators.append(no_line_break)
        # Signed in, the account's name and address are used when left empty.
        self.fields["submitter_name"].required = not signed_in
        self.fields["submitter_email"].required = not signed_in
        for field in self.fields.values():
            if field.required:
                # Said in the label, read with it by screen readers.
                field.label = format_lazy("{} ({})", field.label, _("required"))
        for name, value in (
            ("submitter_name", "name"),
            ("submitter_email", "email"),
            ("submitter_organisation", "organization"),
        ):
            self.fields[name].widget.attrs["autocomplete"] = value

    def clean_publics(self) -> list[str]:
        chosen = set(self.cleaned_data["publics"])
        return [value for value in TargetPublic.values if value in chosen]  # the list's order

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                ValidationError(
                    gettext("The end year cannot be before the start year."), code="end_before"
                ),
            )
        territories = [cleaned.get(name) for name in TERRITORY_FIELDS]
        cleaned["territories"] = list(dict.fromkeys(t for t in territories if t is not None))
        return cleaned

    def contact_email(self) -> str:
        """The address the acknowledgement goes to (the account's when left empty)."""
        email = self.cleaned_data.get("submitter_email") or ""
        if not email and self.user is not None and self.user.is_authenticated:
            email = self.user.email
        return email

    def theme_groups(self) -> list[ChoiceGroup]:
        """The theme checkboxes under their top theme: each top theme first (the whole
        theme), then the concepts below it, each shown once (under its first top theme in
        alphabetical order when it has several)."""
        if self._theme_groups is None:
            self._theme_groups = theme_choice_groups(self["themes"])
        return self._theme_groups

    def scheme_items(self) -> list[ChoiceItem]:
        """The scheme checkboxes: the scheme's name (French) and its kind."""
        return [
            ChoiceItem(
                widget=widget,
                label=widget.data["value"].instance.name,
                lang="fr" if get_language() == "en" else "",
                detail=widget.data["value"].instance.get_kind_display(),
            )
            for widget in self["schemes"].subwidgets
        ]


def theme_choice_groups(bound) -> list[ChoiceGroup]:
    """The checkboxes of a field of the theme scheme's concepts (`bound`), grouped
    under their top theme (also the desk's form, `inquiries.forms`)."""
    concepts = {concept.pk: concept for concept in bound.field.queryset.order_by()}
    parents: dict[int, list[int]] = {}
    for child, parent in Concept.broader.through.objects.filter(
        from_concept__in=list(concepts), to_concept__in=list(concepts)
    ).values_list("from_concept_id", "to_concept_id"):
        parents.setdefault(child, []).append(parent)

    def tops(pk: int) -> set[int]:
        seen, stack, found = set(), [pk], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            above = parents.get(current, [])
            if not above:
                found.add(current)
            stack.extend(above)
        return found

    def key(pk: int) -> str:
        return normalize_for_search(concepts[pk].label)

    roots = sorted((pk for pk in concepts if pk not in parents), key=key)
    members: dict[int, list[int]] = {root: [] for root in roots}
    for pk in sorted(concepts, key=key):
        if pk in members:
            continue
        above = sorted(tops(pk), key=key)
        if above:
            members[above[0]].append(pk)
    widgets = {int(widget.data["value"].value): widget for widget in bound.subwidgets}

    def item(pk: int, *, whole_theme: bool = False) -> ChoiceItem:
        return ChoiceItem(
            widget=widgets[pk],
            label=concepts[pk].label,
            lang=_concept_lang(concepts[pk]),
            whole_theme=whole_theme,
        )

    return [
        ChoiceGroup(
            legend=concepts[root].label,
            lang=_concept_lang(concepts[root]),
            items=[
                item(root, whole_theme=True),
                *(item(pk) for pk in members[root]),
            ],
        )
        for root in roots
    ]


def _concept_lang(concept: Concept) -> str:
    return "fr" if get_language() == "en" and not concept.pref_label_en else ""
