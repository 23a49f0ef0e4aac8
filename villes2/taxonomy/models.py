"""The shared thesaurus: SKOS concept schemes, concepts, labels, relations, mappings.

The model follows SKOS (https://www.w3.org/TR/skos-reference/) closely so that import and
export lose nothing: a `Concept` has one preferred label per language, any number of
alternative and hidden labels (`Label`), a scope note, a notation, `broader` concepts (the
inverse is `narrower`), `related` concepts, and `Mapping`s to concepts of other schemes
(exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch). Several schemes live side
by side: the centre's themes and EUKN's six themes.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villes2.core.models import Versioned


class ConceptScheme(models.Model):
    """A SKOS concept scheme: the centre's themes, EUKN's themes…"""

    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    uri = models.URLField(_("URI"), max_length=300, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    # The scheme whose top concepts are the "theme" facet of the search.
    is_theme_scheme = models.BooleanField(_("themes of the centre"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("concept scheme")
        verbose_name_plural = _("concept schemes")
        ordering = ["order", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_theme_scheme"],
                condition=Q(is_theme_scheme=True),
                name="conceptscheme_one_theme_scheme",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if get_language() == "en" and self.title_en:
            return self.title_en
        return self.title_fr


class Concept(Versioned):
    """A SKOS concept of one scheme. Its URI is its identity for import and export;
    `slug` names it in URLs. Top concepts are those without a broader concept."""

    scheme = models.ForeignKey(
        ConceptScheme, models.PROTECT, related_name="concepts", verbose_name=_("scheme")
    )
    slug = models.SlugField(_("identifier"), max_length=120)
    uri = models.URLField(_("URI"), max_length=300, unique=True)
    notation = models.CharField(_("notation"), max_length=40, blank=True)
    pref_label_fr = models.CharField(_("preferred label (French)"), max_length=200)
    pref_label_en = models.CharField(_("preferred label (English)"), max_length=200, blank=True)
    scope_note_fr = models.TextField(_("scope note (French)"), blank=True)
    scope_note_en = models.TextField(_("scope note (English)"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    broader = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="narrower",
        blank=True,
        verbose_name=_("broader concepts"),
    )
    related = models.ManyToManyField(
        "self", symmetrical=True, blank=True, verbose_name=_("related concepts")
    )
    # A deprecated concept stays (records and URIs keep resolving) but is not proposed.
    deprecated = models.BooleanField(_("deprecated"), default=False)
    # Every label, normalized (core.text.normalize_for_search) and joined by " | ": the
    # accent-insensitive autocomplete matches it on SQLite and PostgreSQL alike. Kept up
    # to date by services.concept_search_text_refresh.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created = models.DateTimeField(_("created on"), auto_now_add=True)
    modified = models.DateTimeField(_("modified on"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[broader, related])

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["scheme", "pref_label_fr"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "slug"], name="concept_unique_slug"),
            models.UniqueConstraint(
                fields=["scheme", "pref_label_fr"], name="concept_unique_pref_label_fr"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if get_language() == "en" and self.pref_label_en:
            return self.pref_label_en
        return self.pref_label_fr

    @property
    def scope_note(self) -> str:
        if get_language() == "en" and self.scope_note_en:
            return self.scope_note_en
        return self.scope_note_fr

    def get_absolute_url(self) -> str:
        return reverse("taxonomy:concept", args=[self.scheme.slug, self.slug])


class LabelKind(models.TextChoices):
    ALT = "alt", _("Alternative label (synonym)")
    ACRONYM = "acronym", _("Acronym")
    HIDDEN = "hidden", _("Hidden label (spelling variant)")


class Label(models.Model):
    """A non-preferred label. Alternative labels and acronyms are shown; hidden labels
    only feed the search (SKOS hiddenLabel). All of them expand searches."""

    concept = models.ForeignKey(Concept, models.CASCADE, related_name="labels")
    text = models.CharField(_("label"), max_length=200)
    language = models.CharField(
        _("language"), max_length=5, choices=[("fr", "français"), ("en", "English")], default="fr"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LabelKind.choices, default="alt")

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["kind", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "text", "language"], name="label_unique_per_concept"
            )
        ]

    def __str__(self) -> str:
        return self.text


class MappingRelation(models.TextChoices):
    EXACT = "exactMatch", _("exact match")
    CLOSE = "closeMatch", _("close match")
    BROAD = "broadMatch", _("broader match")
    NARROW = "narrowMatch", _("narrower match")
    RELATED = "relatedMatch", _("related match")


class Mapping(models.Model):
    """A SKOS mapping from a concept to a concept of another scheme (e.g. EUKN)."""

    source = models.ForeignKey(Concept, models.CASCADE, related_name="mappings")
    target = models.ForeignKey(Concept, models.CASCADE, related_name="mapped_from")
    relation = models.CharField(_("relation"), max_length=15, choices=MappingRelation.choices)

    class Meta:
        verbose_name = _("mapping")
        verbose_name_plural = _("mappings")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relation"], name="mapping_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="mapping_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.relation} {self.target}"
