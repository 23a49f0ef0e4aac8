"""Experience records (*fiches expérience*): practices spotted by the networks, with the
conditions of their transfer elsewhere, reviewed by the staff before publication, and
exported to the national network and the European portal EUKN (docs/practices.md)."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from villes2.actors.models import Organisation, Person
from villes2.core.models import Versioned
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, Territory

from .querysets import PracticeQuerySet

ATTACHMENT_DIR = "experiences"


class PracticeStatus(models.TextChoices):
    """The review workflow (`services.TRANSITIONS`). Only published records are public."""

    # A context: French agrees the label with "fiche" ("publiée", not the catalogue's
    # "publié").
    DRAFT = "brouillon", pgettext_lazy("experience record", "Draft")
    SUBMITTED = "soumise", pgettext_lazy("experience record", "Submitted")
    IN_REVIEW = "en-relecture", pgettext_lazy("experience record", "Under review")
    PUBLISHED = "publiee", pgettext_lazy("experience record", "Published")
    WITHDRAWN = "retiree", pgettext_lazy("experience record", "Withdrawn")


class TargetPublic(models.TextChoices):
    """Who the practice was for. Values are URL values (the "public" facet): keep them."""

    RESIDENTS = "habitants", _("Residents")
    YOUNG = "jeunes", _("Young people")
    CHILDREN = "enfants", _("Children and pupils")
    FAMILIES = "familles", _("Parents and families")
    JOBSEEKERS = "demandeurs-emploi", _("Jobseekers")
    WOMEN = "femmes", _("Women")
    ELDERLY = "personnes-agees", _("Elderly people")
    MIGRANTS = "immigres", _("Immigrants and their descendants")
    TENANTS = "locataires", _("Social housing tenants")
    BUSINESSES = "entreprises", _("Businesses and shopkeepers")
    ASSOCIATIONS = "associations", _("Associations")
    ELECTED = "elus", _("Elected officials")
    PROFESSIONALS = "professionnels", _("Urban-policy professionals")


class Rating(models.TextChoices):
    """How well a record meets one of the four assessment criteria."""

    STRONG = "fort", _("Strong")
    MODERATE = "moyen", _("Moderate")
    WEAK = "faible", _("Weak")


# The four assessment criteria (URBACT's good-practice criteria, adapted): field prefix,
# label. Each has a rating and a justification, both required to publish.
CRITERIA = (
    ("coherence", _("Coherence with urban-policy principles")),
    ("relevance", _("Thematic relevance")),
    ("impact", _("Evidence of impact")),
    ("transfer", _("Suitability for transfer")),
)

# The transferability block: every field is required to publish.
TRANSFERABILITY_FIELDS = (
    "transfer_prerequisites",
    "transfer_specific",
    "transfer_adaptation",
    "transfer_cost_time",
)


def validate_publics(value) -> None:
    if not isinstance(value, list) or any(item not in TargetPublic.values for item in value):
        raise ValidationError(_("Choose the target publics from the list."), code="unknown_public")


def _rating_field(label):
    return models.CharField(label, max_length=10, choices=Rating.choices, blank=True)


class Practice(Versioned):
    """An experience record. Public only when published (`Practice.objects.public()`):
    drafts, submitted, under-review and withdrawn records appear on no public surface
    (pages, search, feeds, OAI-PMH, sitemap, territory pages, exports)."""

    # --- Identification -------------------------------------------------------------
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(
        _("title in English"), max_length=300, blank=True, help_text=_("For EUKN.")
    )
    summary = models.TextField(_("summary"))
    summary_en = models.TextField(_("summary in English"), blank=True, help_text=_("For EUKN."))

    # --- The experience -------------------------------------------------------------
    context = models.TextField(_("context"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    actions = models.TextField(_("actions carried out"), blank=True)
    publics = models.JSONField(
        _("target publics"), default=list, blank=True, validators=[validate_publics]
    )
    public_detail = models.CharField(
        _("target public, in words"),
        max_length=300,
        blank=True,
        help_text=_("E.g. « young people aged 16 to 25 of the Sanitas neighbourhood »."),
    )
    partners_text = models.TextField(
        _("actors and partners as submitted"),
        blank=True,
        help_text=_(
            "As the submitter wrote them; the staff link the organisations of the directory below."
        ),
    )
    lead_contact = models.ForeignKey(
        Person,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices_led",
        verbose_name=_("lead contact"),
        help_text=_("Shown publicly only as far as the person consented."),
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="practices", verbose_name=_("territories")
    )
    schemes = models.ManyToManyField(
        Scheme,
        blank=True,
        related_name="practices",
        verbose_name=_("schemes"),
        help_text=_("CUCS, urban renewal projects, contracts… the practice belongs to."),
    )
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="practices", verbose_name=_("themes")
    )
    start_year = models.PositiveSmallIntegerField(_("from (year)"))
    end_year = models.PositiveSmallIntegerField(
        _("to (year)"), null=True, blank=True, help_text=_("Leave empty while it goes on.")
    )
    budget = models.DecimalField(
        _("budget (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_detail = models.TextField(_("budget, in words"), blank=True)
    tools = models.TextField(_("tools and resources"), blank=True)
    results = models.TextField(_("results"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    success_factors = models.TextField(_("key success factors"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)

    # --- Transferability -------------------------------------------------------------
    transfer_prerequisites = models.TextField(
        _("what must exist locally"),
        blank=True,
        help_text=_("Conditions of reproducibility: actors, skills, schemes, funding."),
    )
    transfer_specific = models.TextField(_("what was specific to the place"), blank=True)
    transfer_adaptation = models.TextField(_("how to adapt it"), blank=True)
    transfer_cost_time = models.TextField(_("cost and time to transfer"), blank=True)
    coherence_rating = _rating_field(_("coherence with urban-policy principles"))
    coherence_justification = models.TextField(_("justification (coherence)"), blank=True)
    relevance_rating = _rating_field(_("thematic relevance"))
    relevance_justification = models.TextField(_("justification (relevance)"), blank=True)
    impact_rating = _rating_field(_("evidence of impact"))
    impact_justification = models.TextField(_("justification (impact)"), blank=True)
    transfer_rating = _rating_field(_("suitability for transfer"))
    transfer_justification = models.TextField(_("justification (transfer)"), blank=True)

    # --- Links -------------------------------------------------------------------------
    documents = models.ManyToManyField(
        Document, blank=True, related_name="practices", verbose_name=_("documents")
    )
    events = models.ManyToManyField(
        Event, blank=True, related_name="practices", verbose_name=_("events")
    )
    transferred_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="transferred_from",
        verbose_name=_("transferred to"),
        help_text=_("Records of the same practice reused elsewhere."),
    )

    # --- Workflow ----------------------------------------------------------------------
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=PracticeStatus.choices,
        default=PracticeStatus.DRAFT,
        editable=False,
    )
    submitter_name = models.CharField(_("submitted by"), max_length=200, blank=True)
    submitter_email = models.EmailField(_("submitter's e-mail"), blank=True)
    submitter_organisation = models.CharField(
        _("submitter's organisation"), max_length=300, blank=True
    )
    # GDPR accountability: what the submitter agreed to, and when (the public form).
    submitter_consent = models.TextField(_("consent given"), blank=True, editable=False)
    submitter_consented_at = models.DateTimeField(
        _("consent given on"), null=True, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_reviewed_at = models.DateTimeField(
        _("last reviewed on"), null=True, blank=True, editable=False
    )
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    notes = models.TextField(_("internal notes"), blank=True)
    created = models.DateTimeField(_("created on"), auto_now_add=True)
    # The OAI-PMH datestamp: every change of the record or of its relations sets it.
    modified = models.DateTimeField(_("modified on"), auto_now=True, db_index=True)
    # Set the first time the record is published; the feeds are ordered by it.
    first_published_at = models.DateTimeField(
        _("first published"), null=True, blank=True, editable=False, db_index=True
    )
    # The lead contact is left out of the history: erasing the person (GDPR art. 17)
    # then unlinks them from the record without deleting the record's history.
    history = HistoricalRecords(
        m2m_fields=[territories, schemes, themes, documents, events, transferred_to],
        excluded_fields=["lead_contact"],
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("experience record")
        verbose_name_plural = _("experience records")
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=1950) & Q(start_year__lte=2200),
                name="practice_start_year_plausible",
                violation_error_message=_("Give a year between 1950 and 2200."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="practice_end_after_start",
                violation_error_message=_("The end year cannot be before the start year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PracticeStatus.values), name="practice_status"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0), name="practice_budget"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{key}_rating__in": [*Rating.values, ""]}),
                    name=f"practice_{key}_rating",
                )
                for key, _label in CRITERIA
            ),
        ]
        indexes = [models.Index(fields=["status", "first_published_at"], name="practice_public")]
        permissions = [("publish_practice", _("Can publish, withdraw and review records"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    @property
    def period_label(self) -> str:
        if self.end_year is None:
            return _("since %(year)s") % {"year": self.start_year}
        if self.end_year == self.start_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def public_labels(self) -> list[str]:
        labels = dict(TargetPublic.choices)
        return [str(labels[value]) for value in self.publics if value in labels]

    @property
    def assessment(self) -> list[dict]:
        """The four criteria as (key, label, rating, rating label, justification)."""
        ratings = dict(Rating.choices)
        return [
            {
                "key": key,
                "label": label,
                "rating": getattr(self, f"{key}_rating"),
                "rating_label": ratings.get(getattr(self, f"{key}_rating"), ""),
                "justification": getattr(self, f"{key}_justification"),
            }
            for key, label in CRITERIA
        ]


class ActorRole(models.TextChoices):
    LEAD = "porteur", _("Lead organisation")
    PARTNER = "partenaire", _("Partner")
    FUNDER = "financeur", _("Funder")
    EVALUATOR = "evaluateur", _("Evaluator")
    SUPPORT = "appui", _("Technical support")


class PracticeActor(models.Model):
    """An organisation of the directory taking part in a practice, with its role."""

    practice = models.ForeignKey(Practice, models.CASCADE, related_name="actors")
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="practice_roles",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=15, choices=ActorRole.choices)
    role_detail = models.CharField(
        _("role, in words"), max_length=300, blank=True, help_text=_("E.g. « maître d’œuvre »")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("actor or partner")
        verbose_name_plural = _("actors and partners")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation", "role"], name="practiceactor_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=ActorRole.values), name="practiceactor_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class PracticeFunding(models.Model):
    """A funding source of a practice: a funder of the directory or named in words, with
    its amount when known."""

    practice = models.ForeignKey(Practice, models.CASCADE, related_name="fundings")
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_fundings",
        verbose_name=_("funder"),
    )
    name = models.CharField(
        _("funder (free text)"),
        max_length=300,
        blank=True,
        help_text=_("Only when the funder is not in the directory, or for a programme."),
    )
    amount = models.DecimalField(
        _("amount (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(name=""),
                name="practicefunding_named",
                violation_error_message=_("Choose a funder or name it."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="practicefunding_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.name


class PracticeTransition(models.Model):
    """One step of the workflow, or a review of a published record (same status before
    and after): who, when, and why. Never edited; shown to the staff as the history of
    the record."""

    practice = models.ForeignKey(Practice, models.CASCADE, related_name="transitions")
    from_status = models.CharField(
        _("previous status"), max_length=15, choices=PracticeStatus.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=15, choices=PracticeStatus.choices)
    at = models.DateTimeField(_("date and time"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept when the user is deleted, and for anonymous submitters ("Marie Dupont").
    by_name = models.CharField(_("name"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} ({self.at:%Y-%m-%d})"


def attachment_path(instance: "PracticeAttachment", filename: str) -> str:
    # A random name, never the uploaded one (RELIABILITY.md), as for catalogue files.
    token = secrets.token_hex(16)
    return f"{ATTACHMENT_DIR}/{token[:2]}/{token}.pdf"


class PracticeAttachment(models.Model):
    """A PDF attached to a record (a leaflet, an evaluation report), checked on upload
    as the catalogue's files and served by the application, never as a static file."""

    practice = models.ForeignKey(Practice, models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    title = models.CharField(_("label"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("practices:attachment", args=[self.practice_id, self.pk])


class Tombstone(models.Model):
    """A record that was published and no longer is (withdrawn, sent back to review or
    deleted): OAI-PMH reports it as deleted. Removed when it is published again."""

    practice_id = models.PositiveIntegerField(unique=True)
    withdrawn_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("withdrawn record")
        verbose_name_plural = _("withdrawn records")

    def __str__(self) -> str:
        return f"{self.practice_id} ({self.withdrawn_at:%Y-%m-%d})"
