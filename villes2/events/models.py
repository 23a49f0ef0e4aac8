"""The inter-network programme: events, cycles, speakers, registrations, and the lines
of action planned for a year before they become dated events (docs/events.md)."""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villes2.actors.models import Organisation, Person
from villes2.core.models import Versioned
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .querysets import EventQuerySet, RegistrationQuerySet


class Strand(models.TextChoices):
    """The strands of the note's programme table. Values are URL values: keep them."""

    URBAN = "volet-urbain", _("Urban strand")
    HUMAN = "volet-humain", _("Human strand")
    CROSS_CUTTING = "transversal", _("Cross-cutting")


class EventKind(models.TextChoices):
    REGIONAL_MEETING = "rencontre-regionale", _("Regional meeting")
    NATIONAL_MEETING = "rencontre-nationale", _("National meeting")
    TRAINING = "formation-action", _("Action training")
    WORKSHOP = "atelier", _("Workshop")
    CONFERENCE = "colloque", _("Conference")
    STUDY_DAY = "journee-etude", _("Study day")
    MEETING = "reunion", _("Meeting")
    WEBINAR = "webinaire", _("Webinar")


class Audience(models.TextChoices):
    ELECTED = "elus", _("Elected officials")
    PROJECT_LEADERS = "chefs-de-projet", _("Project leaders")
    STATE = "agents-etat", _("State officials")
    LANDLORDS = "bailleurs", _("Social landlords")
    ASSOCIATIONS = "associations", _("Associations")
    RESIDENTS = "habitants", _("Residents")
    PROFESSIONALS = "professionnels", _("Urban-policy professionals")
    RESEARCHERS = "chercheurs", _("Researchers")


class DatePrecision(models.TextChoices):
    """How much of the date is known. `start_date`/`end_date` always hold the whole span
    the date allows (the month's first and last day for "février"), so that ordering,
    filtering by month and clash detection need no special case."""

    DAY = "jour", _("Exact day(s)")
    MONTH = "mois", _("Month only")
    YEAR = "annee", _("Year only")


class EventStatus(models.TextChoices):
    PLANNED = "prevu", _("Planned")
    CONFIRMED = "confirme", _("Confirmed")
    CANCELLED = "annule", _("Cancelled")
    HELD = "tenu", _("Held")


def validate_audiences(value) -> None:
    if not isinstance(value, list) or any(item not in Audience.values for item in value):
        raise ValidationError(_("Choose the audiences from the list."), code="unknown_audience")


class CycleQuerySet(models.QuerySet):
    def public(self) -> "CycleQuerySet":
        """Cycles with at least one published session: a cycle whose sessions are all
        unpublished, or which has none yet, appears on no public surface (page, feed,
        sitemap), as an unpublished event."""
        return self.filter(Exists(Event.objects.public().filter(cycle=OuterRef("pk"))))


class Cycle(Versioned):
    """A series of events with a page and a calendar feed of its own (the note's "cycle
    sur l'égalité des chances dans l'accès aux droits"). Public while one of its
    sessions is (`Cycle.objects.public()`)."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    strand = models.CharField(_("strand"), max_length=20, choices=Strand.choices, blank=True)
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="event_cycles", verbose_name=_("themes")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[themes])

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:cycle", args=[self.slug])


class Event(Versioned):
    """An event of the inter-network programme.

    Public when published (`Event.objects.public()`); unpublished events appear only to
    staff and partner-network members (the coordination page). Dates may be vague: see
    `DatePrecision`; `date_confirmed` is False for dates the organisers still doubt
    ("Janvier ?"). Places are candidate communes until `place_confirmed`.
    """

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    strand = models.CharField(_("strand"), max_length=20, choices=Strand.choices)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=EventKind.choices,
        blank=True,
        help_text=_("Leave empty when the programme does not say."),
    )
    cycle = models.ForeignKey(
        Cycle,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("cycle"),
    )
    cycle_position = models.PositiveSmallIntegerField(
        _("position in the cycle"), null=True, blank=True
    )
    organisers = models.ManyToManyField(
        Organisation,
        related_name="events_organised",
        verbose_name=_("co-organisers"),
        help_text=_("Organisations and networks of the directory."),
    )
    audiences = models.JSONField(
        _("audiences"), default=list, blank=True, validators=[validate_audiences]
    )
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="events", verbose_name=_("themes")
    )
    territories = models.ManyToManyField(
        Territory,
        blank=True,
        related_name="events",
        verbose_name=_("territories concerned"),
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    date_confirmed = models.BooleanField(
        _("date confirmed"),
        default=True,
        help_text=_('Untick while the organisers still doubt the date ("Janvier ?").'),
    )
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    places = models.ManyToManyField(
        Territory,
        through="EventPlace",
        blank=True,
        related_name="events_hosted",
        verbose_name=_("places"),
        help_text=_("Communes: the candidates while the place is not confirmed."),
    )
    place_confirmed = models.BooleanField(_("place confirmed"), default=False)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    address = models.TextField(_("address"), blank=True)
    online_url = models.URLField(_("online address"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    published = models.BooleanField(_("published on the public agenda"), default=False)
    registration_open = models.BooleanField(_("registration open"), default=False)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places offered; registrations beyond go on the waiting list."),
    )
    registration_closes_on = models.DateField(_("registration closes on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    created = models.DateTimeField(_("created on"), auto_now_add=True)
    modified = models.DateTimeField(_("modified on"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Places and speakers are rows of their own (ordered), not tracked by the history.
    history = HistoricalRecords(m2m_fields=[organisers, themes, territories])

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_end_after_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
            models.CheckConstraint(condition=Q(strand__in=Strand.values), name="event_strand"),
            models.CheckConstraint(
                condition=Q(kind__in=[*EventKind.values, ""]), name="event_kind"
            ),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="event_date_precision"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="event_capacity"
            ),
        ]
        indexes = [
            models.Index(fields=["published", "start_date"], name="event_public_dates"),
            models.Index(fields=["end_date"], name="event_end_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])

    def clean(self) -> None:
        """The date rules, for every caller (`event_save` validates): a date known to the
        month or the year spans the whole month or year, whatever day of it was entered
        (`DatePrecision`); the end not before the start; on a single day, the end time
        after the start time."""
        super().clean()
        start, end = self.start_date, self.end_date
        if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
            return  # missing or invalid: reported on the field
        if self.date_precision == DatePrecision.MONTH:
            start = month_span(start.year, start.month)[0]
            end = month_span(end.year, end.month)[1]
        elif self.date_precision == DatePrecision.YEAR:
            start, end = datetime.date(start.year, 1, 1), datetime.date(end.year, 12, 31)
        if end < start:
            raise ValidationError(
                {
                    "end_date": ValidationError(
                        _("The end cannot be before the start."), code="end_before_start"
                    )
                }
            )
        self.start_date, self.end_date = start, end
        if start == end and self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError(
                {
                    "end_time": ValidationError(
                        _("On a single day, the end time comes after the start time."),
                        code="end_time_before_start_time",
                    )
                }
            )

    @property
    def is_public(self) -> bool:
        return self.published

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_tentative(self) -> bool:
        """The date is not yet a fixed day: shown "date à confirmer", TENTATIVE in iCal."""
        return not self.date_confirmed or self.date_precision != DatePrecision.DAY

    @property
    def is_past(self) -> bool:
        return self.end_date < timezone.localdate()

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [str(labels[value]) for value in self.audiences if value in labels]

    @property
    def public_speakers(self) -> list["EventSpeaker"]:
        """The speakers every public surface shows (page, programme, JSON-LD, iCalendar,
        search text): not the persons of the directory whose processing is restricted.
        Reads the speakers as prefetched, with their persons (no query then)."""
        return [speaker for speaker in self.speakers.all() if speaker.is_public]


def month_span(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a month: the span of a month-precision date."""
    return datetime.date(year, month, 1), datetime.date(
        year, month, calendar.monthrange(year, month)[1]
    )


class EventPlace(models.Model):
    """A place of an event, in the order given ("Tours ou Orléans" is not "Orléans ou
    Tours"): the candidates while the place is not confirmed, else where it is held."""

    event = models.ForeignKey(
        Event, models.CASCADE, related_name="place_links", verbose_name=_("event")
    )
    territory = models.ForeignKey(
        Territory, models.PROTECT, related_name="event_place_links", verbose_name=_("commune")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "territory"], name="eventplace_unique")
        ]

    def __str__(self) -> str:
        return str(self.territory)


class EventSpeaker(models.Model):
    """A speaker, from the directory or named as free text, possibly still to confirm
    ("Julien Viteau ?"). Erasing a directory person removes their speaker lines."""

    event = models.ForeignKey(
        Event, models.CASCADE, related_name="speakers", verbose_name=_("event")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    person = models.ForeignKey(
        Person,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="event_speaking",
        verbose_name=_("person of the directory"),
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("When not in the directory.")
    )
    affiliation = models.CharField(_("affiliation"), max_length=300, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["event", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""), name="eventspeaker_named"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_public(self) -> bool:
        """False for a person of the directory whose processing is restricted (GDPR
        art. 18 and 21): kept, shown nowhere public until the restriction is lifted."""
        return self.person_id is None or not self.person.processing_restricted

    @property
    def display_name(self) -> str:
        if self.person_id:
            return f"{self.person.first_name} {self.person.last_name}"
        return self.name


class ProgrammeLine(models.Model):
    """A line of action planned for a year, not yet a dated event (the note's "pistes
    d'action en 2008")."""

    year = models.PositiveSmallIntegerField(_("year"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("line of action"))
    themes = models.ManyToManyField(
        Concept, blank=True, related_name="programme_lines", verbose_name=_("themes")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("planned line of action")
        verbose_name_plural = _("planned lines of action")
        ordering = ["year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["year", "order"], name="programmeline_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.text[:60]}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "inscrit", _("Registered")
    WAITLISTED = "attente", _("On the waiting list")
    CANCELLED = "annule", _("Cancelled")


class Registration(models.Model):
    """A registration to an event. Never more confirmed registrations than the event's
    capacity (the service locks the event row); the others wait in arrival order.
    Personal fields are emptied 12 months after the event (retention); the row stays
    for the counts."""

    event = models.ForeignKey(
        Event, models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status"
            ),
            # One live registration per address and event; a cancelled one may be redone.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status=RegistrationStatus.CANCELLED) & Q(anonymised_at__isnull=True),
                name="registration_one_per_email",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"
