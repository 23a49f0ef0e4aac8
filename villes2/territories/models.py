from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import SchemeQuerySet, TerritoryQuerySet


class TerritoryKind(models.TextChoices):
    """Kinds of territory. The values are the URL segment of territory pages."""

    COUNTRY = "pays", _("Country")
    REGION = "region", _("Region")
    FORMER_REGION = "ancienne-region", _("Former region (before 2016)")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI")
    COMMUNE = "commune", _("Commune")
    ZUS = "zus", _("ZUS (sensitive urban zone)")
    QPV = "qpv", _("QPV (priority neighbourhood)")


class Territory(models.Model):
    """Any territory the centre works on, of every kind, with its validity in time.

    Direct parents (commune → département and EPCI; département → région and former
    region; zone → member communes) are in `parents`. `ancestors` is their transitive
    closure, kept by `services.territory_closure_rebuild`, so that "everything in this
    territory" is one indexed join (docs/territories.md).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=TerritoryKind.choices)
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Official code: INSEE, SIREN or QPV code.")
    )
    name = models.CharField(_("name"), max_length=200)
    # Lower-case, accent-free name, for accent-insensitive search on every database.
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    category = models.CharField(
        _("category"), max_length=20, blank=True, help_text=_("EPCI type (CA, CC, CU, METRO…).")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    geography_version = models.CharField(
        _("geography version"), max_length=100, help_text=_("E.g. COG 2026, décret 96-1156.")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    parents = models.ManyToManyField(
        "self", symmetrical=False, related_name="children", blank=True, verbose_name=_("parents")
    )
    ancestors = models.ManyToManyField(
        "self", symmetrical=False, related_name="descendants", blank=True, editable=False
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="territory_valid_to_after_valid_from",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TerritoryKind.values), name="territory_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="territory_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()} {self.code})"

    def get_absolute_url(self) -> str:
        return reverse("territories:detail", kwargs={"kind": self.kind, "code": self.code})

    @property
    def label(self) -> str:
        """The canonical text of the territory picker, parsed back by `TerritoryField`."""
        return f"{self.name} — {self.kind} {self.code}"


class AliasReason(models.TextChoices):
    """Why another code designates a current territory."""

    OLD_CODE = "ancien-code", _("Former code (merged commune)")
    DELEGATED = "commune-deleguee", _("Commune déléguée")
    ASSOCIATED = "commune-associee", _("Commune associée")
    ARRONDISSEMENT = "arrondissement-municipal", _("Municipal arrondissement")


class TerritoryAlias(models.Model):
    """Another code that designates a current territory: a merged commune's old INSEE
    code, a commune déléguée or associée, a municipal arrondissement."""

    Reason = AliasReason

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("territory")
    )

    class Meta:
        verbose_name = _("territory alias")
        verbose_name_plural = _("territory aliases")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "territory", "reason"], name="alias_unique_code_territory"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=AliasReason.values),
                name="alias_reason_valid",
            ),
        ]
        indexes = [models.Index(fields=["code"], name="alias_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} → {self.territory.code}"


class Boundary(models.Model):
    """Simplified boundary of a territory, as a GeoJSON geometry (WGS84)."""

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, primary_key=True, related_name="boundary"
    )
    geometry = models.JSONField(_("geometry"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.territory)


class SchemeKind(models.TextChoices):
    """Contracts and programmes (dispositifs) that cover territories."""

    ANRU_PNRU = "pnru", _("ANRU site (PRU / PNRU)")
    ANRU_NPNRU = "npnru", _("ANRU site (NPNRU)")
    CUCS = "cucs", _("CUCS (urban social cohesion contract)")
    CONTRAT_AGGLOMERATION = "contrat-agglomeration", _("Contrat d'agglomération")
    CONTRAT_PAYS = "contrat-pays", _("Contrat de pays")
    CONTRAT_VILLE = "contrat-ville", _("Contrat de ville")


class Scheme(models.Model):
    """A contract or programme (dispositif) covering territories for a period."""

    kind = models.CharField(_("kind"), max_length=30, choices=SchemeKind.choices)
    name = models.CharField(_("name"), max_length=250)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    lead_name = models.CharField(
        _("lead organisation"),
        max_length=250,
        blank=True,
        help_text=_("Until the directory links organisations to schemes."),
    )
    lead_territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_schemes",
        verbose_name=_("lead local authority"),
    )
    territories = models.ManyToManyField(
        Territory, related_name="schemes", verbose_name=_("territories covered")
    )
    source = models.CharField(_("source"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="scheme_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SchemeKind.values), name="scheme_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class CountSubject(models.TextChoices):
    """The rows of the note's territory table: a territory kind or a scheme kind."""

    ZUS = "zus", _("ZUS")
    ANRU_SITES = "pnru", _("ANRU sites")
    CUCS = "cucs", _("CUCS")
    CONTRAT_AGGLOMERATION = "contrat-agglomeration", _("Agglomeration contracts")
    CONTRAT_PAYS = "contrat-pays", _("Pays contracts")


# What each row of the note's table counts, besides ZUS (territories): schemes of these
# kinds. "Sites ANRU" in 2007 are the sites of the first national programme (PNRU).
COUNT_SUBJECT_SCHEME_KINDS = {
    CountSubject.ANRU_SITES: (SchemeKind.ANRU_PNRU,),
    CountSubject.CUCS: (SchemeKind.CUCS,),
    CountSubject.CONTRAT_AGGLOMERATION: (SchemeKind.CONTRAT_AGGLOMERATION,),
    CountSubject.CONTRAT_PAYS: (SchemeKind.CONTRAT_PAYS,),
}


class DeclaredCount(models.Model):
    """A count printed by a source (e.g. the founding note) for one area.

    Shown beside the number of records entered until the list is marked complete; from
    then on the table shows the count computed from the records.
    """

    subject = models.CharField(_("subject"), max_length=30, choices=CountSubject.choices)
    area = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="declared_counts", verbose_name=_("area")
    )
    count = models.PositiveIntegerField(_("declared count"))
    source = models.CharField(_("source"), max_length=300)
    list_complete = models.BooleanField(
        _("list complete"),
        default=False,
        help_text=_("Tick when every item of this subject in this area has been entered."),
    )
    position = models.PositiveSmallIntegerField(_("row order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declared count")
        verbose_name_plural = _("declared counts")
        ordering = ["position", "subject", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "area"], name="declared_count_unique"),
            models.CheckConstraint(
                condition=Q(subject__in=CountSubject.values), name="declared_count_subject_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} — {self.area.name}: {self.count}"
