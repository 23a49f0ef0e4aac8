"""Information and support requests (the desk), the FAQ drawn from their answers, and the
interventions log of the support to sites (docs/inquiries.md).

A request holds personal data (the requester's name, e-mail, telephone, and whatever the
question says): they are emptied two years after the request is closed
(`services.requests.inquiries_retention_purge`); what the activity report counts (kind,
requester type, territory, themes, dates, time spent) stays.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from villes2.actors.models import Organisation
from villes2.core.models import Versioned
from villes2.documents.models import Document
from villes2.events.models import Event
from villes2.practices.models import Practice
from villes2.taxonomy.models import Concept
from villes2.territories.models import Scheme, Territory

from .querysets import FaqEntryQuerySet, InquiryQuerySet, InterventionQuerySet


class RequesterType(models.TextChoices):
    """Who asks. Values are stored and counted by the activity report: keep them."""

    ELECTED = "elu", _("Elected official")
    PROJECT_LEAD = "chef-de-projet", _("Urban-policy project leader")
    LOCAL_AUTHORITY = "collectivite", _("Local authority officer")
    STATE = "etat", _("State services officer")
    LANDLORD = "bailleur", _("Social landlord")
    ASSOCIATION = "association", _("Association")
    PROFESSIONAL = "professionnel", _("Other professional")
    STUDENT = "etudiant", _("Student or researcher")
    RESIDENT = "habitant", _("Resident")
    OTHER = "autre", _("Other")


class InquiryKind(models.TextChoices):
    INFORMATION = "information", _("Information or documentation")
    TECHNICAL = "assistance-technique", _("Technical assistance")
    METHODOLOGICAL = "appui-methodologique", _("Methodological support")
    TRAINING = "formation", _("Training request")


class Channel(models.TextChoices):
    WEB = "formulaire", _("Web form")
    EMAIL = "courriel", _("E-mail")
    PHONE = "telephone", _("Telephone")
    MEETING = "rencontre", _("Meeting")


class InquiryStatus(models.TextChoices):
    """The desk's workflow (`services.requests.TRANSITIONS`)."""

    NEW = "nouvelle", pgettext_lazy("request", "New")
    ASSIGNED = "attribuee", pgettext_lazy("request", "Assigned")
    IN_PROGRESS = "en-cours", pgettext_lazy("request", "In progress")
    WAITING = "attente", pgettext_lazy("request", "Waiting for the requester")
    ANSWERED = "repondue", pgettext_lazy("request", "Answered")
    CLOSED = "close", pgettext_lazy("request", "Closed")


# Statuses in which the desk still owes an answer (the queue, overdue requests).
OPEN_STATUSES = (
    InquiryStatus.NEW,
    InquiryStatus.ASSIGNED,
    InquiryStatus.IN_PROGRESS,
    InquiryStatus.WAITING,
)


class ActionKind(models.TextChoices):
    """An entry of a request's log. The first four are written by the staff; the others
    by the services (status changes, assignment, the answer)."""

    RESEARCH = "recherche", _("Research")
    EXCHANGE = "echange", _("Exchange with the requester")
    APPOINTMENT = "rendez-vous", _("Appointment")
    REFERRAL = "orientation", _("Referral to a partner")
    NOTE = "note", _("Internal note")
    RECEIVED = "reception", _("Request received")
    STATUS = "statut", _("Status change")
    ASSIGNMENT = "attribution", _("Assignment")
    ANSWER = "reponse", _("Answer sent")


# Log entries that are a response to the requester: the first of them (or the answer)
# is the "first response" of the activity report.
RESPONSE_ACTIONS = (ActionKind.EXCHANGE, ActionKind.APPOINTMENT, ActionKind.ANSWER)
# Log entries the staff write by hand (the others come with a service's step).
MANUAL_ACTIONS = (
    ActionKind.RESEARCH,
    ActionKind.EXCHANGE,
    ActionKind.APPOINTMENT,
    ActionKind.REFERRAL,
    ActionKind.NOTE,
)


def new_tracking_key() -> str:
    return secrets.token_urlsafe(24)


class Inquiry(Versioned):
    """A request for information, documentation, technical assistance, methodological
    support or training, from whoever asks, by whatever channel."""

    # --- The requester (personal data: emptied by the retention purge) ---------------
    requester_name = models.CharField(_("name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("e-mail"), blank=True)
    requester_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    requester_organisation = models.CharField(
        _("organisation, as given"), max_length=300, blank=True
    )
    organisation = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("organisation in the directory"),
    )
    requester_type = models.CharField(
        _("requester type"), max_length=20, choices=RequesterType.choices
    )
    consent = models.TextField(_("consent given"), blank=True, editable=False)
    consented_at = models.DateTimeField(_("consent given on"), null=True, editable=False)

    # --- The request ------------------------------------------------------------------
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    kind = models.CharField(_("kind of request"), max_length=30, choices=InquiryKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    territory = models.ForeignKey(
        Territory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("territory"),
        help_text=_("The territory the request is about."),
    )
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="inquiries", verbose_name=_("themes")
    )

    # --- The desk ---------------------------------------------------------------------
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InquiryStatus.choices,
        default=InquiryStatus.NEW,
        editable=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        verbose_name=_("assigned to"),
    )
    received_at = models.DateTimeField(_("received on"))
    due_date = models.DateField(
        _("answer due by"),
        help_text=_("The target response time in working days, French public holidays excluded."),
    )
    first_response_at = models.DateTimeField(_("first response on"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    # --- The answer -------------------------------------------------------------------
    answer = models.TextField(_("answer"), blank=True)
    documents = models.ManyToManyField(
        Document, blank=True, related_name="inquiries", verbose_name=_("documents")
    )
    practices = models.ManyToManyField(
        Practice, blank=True, related_name="inquiries", verbose_name=_("experience records")
    )
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="inquiries_answered",
        verbose_name=_("actors"),
    )
    events = models.ManyToManyField(
        Event, blank=True, related_name="inquiries", verbose_name=_("events")
    )

    # The secret half of the requester's tracking link (`selectors.inquiry_tracking_token`);
    # emptied by the retention purge, which kills the link.
    tracking_key = models.CharField(max_length=40, default=new_tracking_key, editable=False)
    purged_at = models.DateTimeField(_("personal data purged on"), null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InquiryStatus.values), name="inquiry_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InquiryKind.values), name="inquiry_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="inquiry_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(requester_type__in=RequesterType.values),
                name="inquiry_requester_type_valid",
            ),
            # Answered and closed requests carry the date of their answer, closure.
            models.CheckConstraint(
                condition=~Q(status=InquiryStatus.ANSWERED) | Q(answered_at__isnull=False),
                name="inquiry_answered_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status=InquiryStatus.CLOSED) | Q(closed_at__isnull=False),
                name="inquiry_closed_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="inquiry_queue"),
            models.Index(fields=["received_at"], name="inquiry_received"),
            models.Index(fields=["closed_at"], name="inquiry_closed"),
        ]
        permissions = [
            ("answer_inquiry", _("Can answer requests and publish FAQ entries")),
            ("view_activity_report", _("Can view the activity report")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def reference(self) -> str:
        """The number the requester and the staff quote: year received and id."""
        year = self.received_at.year if self.received_at else ""
        return f"D{year}-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_admin_url(self) -> str:
        return reverse("admin:inquiries_inquiry_change", args=[self.pk])


class InquiryAction(models.Model):
    """One entry of a request's log: what the staff did (research, an exchange, an
    appointment, a referral), or a step of the workflow. Never edited: corrected by a new
    entry."""

    inquiry = models.ForeignKey(Inquiry, models.CASCADE, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The name as text: the history survives the account, and the requester (no account)
    # is named by the first entry.
    by_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    partner = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner referred to"),
    )
    from_status = models.CharField(max_length=20, blank=True, choices=InquiryStatus.choices)
    to_status = models.CharField(max_length=20, blank=True, choices=InquiryStatus.choices)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionKind.values), name="inquiryaction_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["inquiry", "at"], name="inquiryaction_log")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.at:%Y-%m-%d}"


class FaqEntry(Versioned):
    """A question and its answer published on the site, written (anonymised) by the staff
    from a request's answer, or directly. Public only when published."""

    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("answer"))
    question_en = models.CharField(_("question in English"), max_length=500, blank=True)
    answer_en = models.TextField(_("answer in English"), blank=True)
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="faq_entries", verbose_name=_("themes")
    )
    documents = models.ManyToManyField(
        Document, blank=True, related_name="faq_entries", verbose_name=_("documents")
    )
    practices = models.ManyToManyField(
        Practice, blank=True, related_name="faq_entries", verbose_name=_("experience records")
    )
    source = models.ForeignKey(
        Inquiry,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_entries",
        verbose_name=_("drawn from the request"),
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FaqEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="faqentry_published_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("inquiries:faq_detail", args=[self.pk])


class InterventionKind(models.TextChoices):
    ADVICE = "conseil", _("Advice")
    MEETING = "animation", _("Facilitating a meeting")
    TRAINING = "formation", _("Training")
    STEERING = "comite-pilotage", _("Steering committee")
    EVALUATION = "evaluation", _("Support to an evaluation")
    FUNDING_FILE = "montage-dossier", _("Help with a funding application")
    TENDER = "appel-offres", _("Help with a call for tenders")
    OTHER = "autre", _("Other")


class Procedure(models.TextChoices):
    """The procedures an intervention concerns (how they fit together is half the
    methodological support). Values are stored and counted: keep them."""

    CUCS = "cucs", _("Urban social cohesion contract (CUCS)")
    CONTRAT_VILLE = "contrat-de-ville", _("City contract")
    PRU = "pru", _("Urban renewal project (PRU, ANRU)")
    AGGLOMERATION = "contrat-agglomeration", _("Agglomeration contract")
    PAYS = "contrat-de-pays", _("Pays contract")
    REGION = "contrat-regional", _("Regional contract")
    EUROPE = "fonds-europeens", _("European funds")
    ZFU = "zfu", _("Urban free zone (ZFU)")
    REUSSITE = "reussite-educative", _("Educational success programme")
    ASV = "asv", _("Health workshop (ASV)")
    OTHER = "autre", _("Other")


def validate_procedures(value) -> None:
    if not isinstance(value, list) or any(item not in Procedure.values for item in value):
        raise ValidationError(_("Choose the procedures from the list."), code="unknown_procedure")


HALF_DAY = Decimal("0.5")


def validate_half_days(value) -> None:
    if value is not None and (value <= 0 or (value / HALF_DAY) % 1 != 0):
        raise ValidationError(_("Count the time in half-days: 0.5, 1, 1.5, 2…"), code="half_days")


class Intervention(Versioned):
    """Support given to a site: a day's advice, a meeting facilitated, a steering committee
    attended… counted in half-days per site, as the national network counts them."""

    date = models.DateField(_("date"))
    title = models.CharField(_("subject"), max_length=300)
    site = models.ForeignKey(
        Territory,
        models.PROTECT,
        related_name="interventions",
        verbose_name=_("site"),
        help_text=_("The territory supported: a commune, an EPCI, a neighbourhood…"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InterventionKind.choices)
    half_days = models.DecimalField(
        _("half-days"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(HALF_DAY), validate_half_days],
    )
    procedures = models.JSONField(
        _("procedures concerned"), default=list, blank=True, validators=[validate_procedures]
    )
    schemes = models.ManyToManyField(
        Scheme, blank=True, related_name="interventions", verbose_name=_("schemes")
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="interventions", verbose_name=_("organisations")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="interventions",
        verbose_name=_("centre staff"),
    )
    inquiry = models.ForeignKey(
        Inquiry,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("request"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(half_days__gte=HALF_DAY), name="intervention_half_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InterventionKind.values), name="intervention_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="intervention_date")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.title}"
