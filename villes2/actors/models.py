import calendar
import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villes2.core.models import Versioned
from villes2.territories.models import Territory

from .querysets import OrganisationQuerySet, PersonQuerySet
from .validators import validate_siren

phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,25}$", _("Enter a phone number, e.g. 02 47 00 00 00.")
)


class OrganisationKind(models.TextChoices):
    COLLECTIVITE = "collectivite", _("Local authority")
    EPCI = "epci", _("EPCI (intercommunal body)")
    STATE = "service-etat", _("State service")
    AGENCY = "etablissement-public", _("Agency or public body")
    SOCIAL_LANDLORD = "bailleur-social", _("Social landlord")
    ASSOCIATION = "association", _("Association")
    NETWORK = "reseau", _("Network")
    UNIVERSITY = "universite-recherche", _("University or research")
    CONSULTANCY = "bureau-etudes", _("Consultancy")
    COMPANY = "entreprise", _("Company")
    RESOURCE_CENTRE = "centre-ressources", _("Resource centre")


class Tag(models.Model):
    """A theme or competence, as free text until the thesaurus exists."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(Versioned):
    """An organisation of urban policy: local authority, State service, landlord,
    association, network (networks are organisations of kind "réseau")…"""

    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="organisations", verbose_name=_("territories")
    )
    themes = models.ManyToManyField(Tag, blank=True, related_name="organisations")
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_partner = models.BooleanField(
        _("partner of the centre"), default=False, help_text=_("Listed on the Partners page.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # Lower-case, accent-free name: sorts "Agence" before "APDSU" on every database.
    sort_name = models.CharField(max_length=250, editable=False, blank=True, db_index=True)
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["sort_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="organisation_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("actors:organisation", kwargs={"slug": self.slug})


class PublicField(models.TextChoices):
    """Fields of a person that may be published, each only with consent."""

    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    THEMES = "themes", _("Themes and competences")
    BIOGRAPHY = "biography", _("Presentation")


class Person(Versioned):
    """A person of the directory. Private by default: the public sees a person only
    through their public roles in organisations, plus the fields they consented to
    publish (`Consent`, purpose "public listing")."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    job_title = models.CharField(_("public job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=25, blank=True, validators=[phone_validator])
    address = models.TextField(_("address"), blank=True)
    biography = models.TextField(_("presentation"), blank=True)
    themes = models.ManyToManyField(Tag, blank=True, related_name="persons")
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="persons", verbose_name=_("territories")
    )
    informed_on = models.DateField(
        _("informed of the listing on"),
        null=True,
        blank=True,
        help_text=_("GDPR art. 14: when the person was told they are in the directory."),
    )
    processing_restricted = models.BooleanField(
        _("processing restricted"),
        default=False,
        help_text=_(
            "GDPR art. 18 or 21: the entry is kept but shown nowhere public and used for "
            "no mailing until the restriction is lifted."
        ),
    )
    last_contact_on = models.DateField(
        _("last contact on"),
        null=True,
        blank=True,
        help_text=_("The retention period of inactive contacts runs from this date."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # "last first", lower-case and accent-free, for a French alphabetical order.
    sort_name = models.CharField(max_length=250, editable=False, blank=True, db_index=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["sort_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("actors:person", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A person's role in an organisation ("Maire de Niort", "Directrice USH Centre").
    Roles are public information about the organisation, shown without consent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=200)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    attested_on = models.DateField(
        _("attested on"), null=True, blank=True, help_text=_("Date at which the source states it.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.role}, {self.organisation}"


class NetworkMembership(models.Model):
    """An organisation or a person belonging to a network (RDVC, Aire 198, IRDSU…)."""

    network = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="network_members",
        limit_choices_to={"kind": OrganisationKind.NETWORK},
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="networks",
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="networks"
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.CheckConstraint(
                condition=(Q(organisation__isnull=True) & Q(person__isnull=False))
                | (Q(organisation__isnull=False) & Q(person__isnull=True)),
                name="network_member_is_one_organisation_or_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation or self.person} ∈ {self.network}"


class Office(models.TextChoices):
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice-president", _("Vice-president")
    TREASURER = "tresorier", _("Treasurer")
    DEPUTY_TREASURER = "tresorier-adjoint", _("Deputy treasurer")
    SECRETARY = "secretaire", _("Secretary")
    DEPUTY_SECRETARY = "secretaire-adjoint", _("Deputy secretary")
    ASSESSOR = "assesseur", _("Assessor")


OFFICE_ORDER = list(Office.values)


class Mandate(models.Model):
    """An office in the Villes² association's board, with its dates."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mandates")
    office = models.CharField(_("office"), max_length=30, choices=Office.choices)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("board mandate")
        verbose_name_plural = _("board mandates")
        ordering = ["start_date", "office"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="mandate_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(office__in=Office.values), name="mandate_office_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_office_display()}"


class ConsentPurpose(models.TextChoices):
    PUBLIC_LISTING = "public-listing", _("Public listing in the directory")
    NEWSLETTER = "newsletter", _("Newsletter")
    EVENTS = "events", _("Contact about events")


class Consent(models.Model):
    """The consent ledger: one row per consent given, never edited; withdrawing sets
    `withdrawn_at`. For the public listing, `fields` lists what may be published."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    fields = models.JSONField(_("published fields"), default=list, blank=True)
    given_at = models.DateTimeField(_("given at"))
    channel = models.CharField(_("channel"), max_length=100)
    text_version = models.CharField(_("text version"), max_length=50)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_purpose_display()}"


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day of the next month, or its last day (31 January → 28/29 February):
    the GDPR's one-month answer period (art. 12.3)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class RightKind(models.TextChoices):
    ACCESS = "acces", _("Access (art. 15)")
    RECTIFICATION = "rectification", _("Rectification (art. 16)")
    ERASURE = "effacement", _("Erasure (art. 17)")
    RESTRICTION = "limitation", _("Restriction of processing (art. 18)")
    PORTABILITY = "portabilite", _("Portability (art. 20)")
    OBJECTION = "opposition", _("Objection (art. 21)")


class RequestStatus(models.TextChoices):
    RECEIVED = "recue", _("Received")
    IN_PROGRESS = "en-cours", _("In progress")
    DONE = "traitee", _("Answered")
    REFUSED = "refusee", _("Refused (with reasons)")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class RequestChannel(models.TextChoices):
    WEB = "formulaire", _("Form on the site")
    EMAIL = "courriel", _("E-mail")
    POST = "courrier", _("Post")
    PHONE = "telephone", _("Phone")
    IN_PERSON = "en-personne", _("In person")


class RightsRequest(models.Model):
    """A data-protection rights request, answered within one month of receipt
    (`due_on`; up to three months when extended, telling the person why)."""

    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_requests",
        verbose_name=_("person concerned"),
    )
    kind = models.CharField(_("right"), max_length=20, choices=RightKind.choices)
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    message = models.TextField(_("request"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=RequestChannel.choices)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(
        _("answer due on"), blank=True, help_text=_("One month after receipt unless extended.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    closed_on = models.DateField(_("answered on"), null=True, blank=True)
    response = models.TextField(_("answer"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RightKind.values), name="rights_request_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="rights_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="rights_request_due_after_receipt"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="rights_request_closed_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.received_on:%d/%m/%Y}"

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_on < timezone.localdate()


class ErasureReason(models.TextChoices):
    REQUEST = "demande", _("Request of the person")
    RETENTION = "conservation", _("End of the retention period")
    STAFF = "equipe", _("Decision of the staff")


class Erasure(models.Model):
    """The trace of an erasure: when, why and anonymous counts of what was removed.
    Holds nothing that identifies the person (see `ErasedIdentity`)."""

    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason.choices)
    request = models.ForeignKey(
        RightsRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
        verbose_name=_("rights request"),
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    counts = models.JSONField(_("rows removed or anonymised, by table"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ErasureReason.values), name="erasure_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.erased_at:%d/%m/%Y}"


class ErasedIdentity(models.Model):
    """A keyed hash (HMAC-SHA256) of an erased person's e-mail or of their name in an
    organisation: an import holding the same identity is refused, without the
    database keeping who it was."""

    erasure = models.ForeignKey(Erasure, on_delete=models.CASCADE, related_name="identities")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("erased identity")
        verbose_name_plural = _("erased identities")

    def __str__(self) -> str:
        return self.digest[:12]


class ImportKind(models.TextChoices):
    ORGANISATIONS = "organisations", _("Organisations")
    PERSONS = "personnes", _("Persons")


class ImportRun(models.Model):
    """One successful import of a file into the directory, with its SHA-256 (the same
    file again is recognised) and what it changed."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_run_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} — {self.imported_at:%d/%m/%Y %H:%M}"


class DataExport(models.Model):
    """The log of staff exports of directory data: who took what, when, how much."""

    exported_at = models.DateTimeField(_("exported at"), default=timezone.now)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    what = models.CharField(_("content"), max_length=50)
    file_format = models.CharField(_("format"), max_length=10)
    row_count = models.PositiveIntegerField(_("rows"))
    filters = models.CharField(_("filters"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-exported_at"]

    def __str__(self) -> str:
        return f"{self.what} ({self.file_format}) — {self.exported_at:%d/%m/%Y %H:%M}"
