"""Experience records as an OAI-PMH repository (villes2.core.oai.RecordRepository), the
set `experiences` of the provider: published records, and tombstones reported as
deleted records (`deletedRecord=persistent`) for records that were published once.

Paged by villes2.core.oai.TombstonedRepository in (datestamp, record id) order. Sets:
`experiences`, `experiences:theme` and `experiences:theme:<theme slug>` (the themes above
the record's themes).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from villes2.core.oai import DCValue, OAISet, TombstonedRepository
from villes2.documents.models import Document
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept

from .exports import EUKN_DOCUMENT_TYPE, EUKN_SCHEME, centre, eukn_themes
from .models import Practice, Tombstone

SET = "experiences"
THEME_SET = "experiences:theme"


class PracticeRepository(TombstonedRepository):
    """Published experience records for the OAI-PMH engine."""

    local_prefix = "experiences/"
    tombstone_key = "practice_id"

    def load_themes_by_concept(self) -> dict[int, frozenset[str]]:
        return taxonomy_selectors.theme_slugs_by_concept()

    def sets(self) -> list[OAISet]:
        sets = [
            OAISet(SET, _("Experience records")),
            OAISet(THEME_SET, _("Experience records by theme")),
        ]
        themes = Concept.objects.filter(
            scheme__is_theme_scheme=True, broader__isnull=True
        ).order_by("pref_label_fr")
        sets += [
            OAISet(
                f"{THEME_SET}:{concept.slug}",
                _("Experience records, theme: %(label)s") % {"label": concept.label},
            )
            for concept in themes
        ]
        return sets

    def set_specs(self, record: Practice) -> tuple[str, ...]:
        themes = self.theme_slugs(record.themes.all())
        return (SET, *(f"{THEME_SET}:{slug}" for slug in themes))

    def tombstone_set_specs(self, tombstone: Tombstone) -> tuple[str, ...]:
        return (SET,)

    def _theme_concepts(self, spec: str) -> list[int] | None:
        """Concepts of the theme set `spec` (None: not a theme set)."""
        if spec == THEME_SET:
            return self.theme_concepts(None)
        if spec.startswith(f"{THEME_SET}:"):
            return self.theme_concepts(spec.removeprefix(f"{THEME_SET}:"))
        return None

    # --- Queries --------------------------------------------------------------------------

    def public_records(self) -> QuerySet[Practice]:
        return Practice.objects.public()

    def tombstones(self) -> QuerySet[Tombstone]:
        return Tombstone.objects.all()

    def records_in_set(self, records: QuerySet[Practice], spec: str) -> QuerySet[Practice]:
        if spec == SET:
            return records
        concept_ids = self._theme_concepts(spec)
        if concept_ids is None:
            return records.none()
        themed = Practice.themes.through.objects.filter(concept_id__in=concept_ids)
        return records.filter(pk__in=themed.values("practice_id"))

    def tombstones_in_set(self, tombstones: QuerySet[Tombstone], spec: str) -> QuerySet[Tombstone]:
        if spec == SET:
            return tombstones
        concept_ids = self._theme_concepts(spec)
        if not concept_ids:
            return tombstones.none()
        # A withdrawn record still in the database is in the theme sets of its themes; a
        # deleted one, whose themes are lost, is reported in every theme set (a harvester
        # deletes a record it never had: harmless; missing a deletion is not).
        themed = Practice.themes.through.objects.filter(concept_id__in=concept_ids)
        return tombstones.filter(
            Q(practice_id__in=themed.values("practice_id"))
            | ~Q(practice_id__in=Practice.objects.values("pk"))
        )

    def with_set_relations(self, records: QuerySet[Practice]) -> QuerySet[Practice]:
        return records.prefetch_related("themes")

    def with_metadata(self, records: QuerySet[Practice]) -> QuerySet[Practice]:
        return records.prefetch_related(
            "themes",
            "territories",
            Prefetch("documents", queryset=Document.objects.public().order_by("-year", "title")),
            Prefetch("transferred_to", queryset=Practice.objects.public().order_by("title")),
            Prefetch("transferred_from", queryset=Practice.objects.public().order_by("title")),
        )

    def metadata_context(self, records: list[Practice]) -> dict[int, list[Concept]]:
        """EUKN's themes covering the page's themes, in one query."""
        theme_ids = {theme.pk for practice in records for theme in practice.themes.all()}
        return taxonomy_selectors.covering_concepts(theme_ids, scheme_slug=EUKN_SCHEME)

    def dublin_core(
        self, record: Practice, context: dict[int, list[Concept]]
    ) -> tuple[DCValue, ...]:
        return dublin_core(record, self.absolute, context)


def dublin_core(
    practice: Practice, absolute: Callable[[str], str], eukn: dict[int, list[Concept]]
) -> tuple[DCValue, ...]:
    """Unqualified Dublin Core of a published record (relations prefetched): French, with
    the English title and summary and EUKN's themes in English for the European portal."""
    values = [DCValue("title", practice.title, "fr")]
    if practice.title_en.strip():
        values.append(DCValue("title", practice.title_en.strip(), "en"))
    subjects: list[DCValue] = []
    for concept in practice.themes.all():
        subjects.append(DCValue("subject", concept.pref_label_fr, "fr"))
        if concept.pref_label_en:
            subjects.append(DCValue("subject", concept.pref_label_en, "en"))
    subjects += [
        DCValue("subject", concept.pref_label_en or concept.pref_label_fr, "en")
        for concept in eukn_themes(practice, eukn)
    ]
    values += list(dict.fromkeys(subjects))  # each subject once, in order
    values.append(DCValue("description", practice.summary, "fr"))
    if practice.summary_en.strip():
        values.append(DCValue("description", practice.summary_en.strip(), "en"))
    values.append(DCValue("publisher", centre(absolute)["name"]))
    if practice.first_published_at:
        day = timezone.localdate(practice.first_published_at)
        values.append(DCValue("date", day.isoformat()))
    values.append(DCValue("type", "Text"))
    values.append(DCValue("type", EUKN_DOCUMENT_TYPE, "en"))
    values.append(DCValue("type", "fiche expérience", "fr"))
    values.append(DCValue("identifier", absolute(practice.get_absolute_url())))
    values.append(DCValue("language", "fr"))
    if practice.title_en.strip() or practice.summary_en.strip():
        values.append(DCValue("language", "en"))
    values += [DCValue("coverage", territory.name) for territory in practice.territories.all()]
    values += [
        DCValue("relation", absolute(document.get_absolute_url()))
        for document in practice.documents.all()
    ]
    values += [
        DCValue("relation", absolute(other.get_absolute_url()))
        for other in [*practice.transferred_to.all(), *practice.transferred_from.all()]
    ]
    return tuple(values)
