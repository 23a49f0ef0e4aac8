"""Experience records as an OAI-PMH repository (villes2.core.oai.RecordRepository), the
set `experiences` of the provider: published records, and tombstones reported as
deleted records (`deletedRecord=persistent`) for records that were published once.

Harvest order is (datestamp, record id): a record's datestamp is `Practice.modified`, a
tombstone's is `withdrawn_at`, and a record is never both published and withdrawn, so the
id is a unique key over the union. Sets: `experiences`, `experiences:theme` and
`experiences:theme:<theme slug>` (the themes above the record's themes).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from villes2.core.oai import DCValue, Header, OAISet, Record, Selection
from villes2.documents.models import Document
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.taxonomy.models import Concept

from .exports import EUKN_DOCUMENT_TYPE, EUKN_SCHEME, centre, eukn_themes
from .models import Practice, Tombstone

LOCAL_ID = re.compile(r"experiences/([1-9][0-9]{0,9})")
SET = "experiences"
THEME_SET = "experiences:theme"


class PracticeRepository:
    """Published experience records for the OAI-PMH engine. `absolute` turns a path into
    an absolute URL (the request's `build_absolute_uri`); `themes_by_concept` may be
    shared with another repository of the same request (one computation of the themes)."""

    def __init__(
        self,
        *,
        absolute: Callable[[str], str],
        themes_by_concept: Callable[[], dict[int, frozenset[str]]] | None = None,
    ) -> None:
        self.absolute = absolute
        self.name = settings.OAI_REPOSITORY_NAME
        self.repository_identifier = settings.OAI_REPOSITORY_IDENTIFIER
        self.sample_identifier = self.identifier_of(1)
        contact = settings.VILLES2_LEGAL.get("contact_email") or ""
        self.admin_emails = [contact or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]]
        self._shared_themes = themes_by_concept
        self._themes_by_concept: dict[int, frozenset[str]] | None = None

    # --- Identifiers and sets ------------------------------------------------------------

    def identifier_of(self, pk: int) -> str:
        return f"oai:{self.repository_identifier}:experiences/{pk}"

    def pk_of(self, identifier: str) -> int | None:
        prefix = f"oai:{self.repository_identifier}:"
        if not identifier.startswith(prefix):
            return None
        match = LOCAL_ID.fullmatch(identifier.removeprefix(prefix))
        return int(match.group(1)) if match else None

    def themes_by_concept(self) -> dict[int, frozenset[str]]:
        if self._shared_themes is not None:
            return self._shared_themes()
        if self._themes_by_concept is None:
            self._themes_by_concept = taxonomy_selectors.theme_slugs_by_concept()
        return self._themes_by_concept

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

    def _set_specs(self, practice: Practice) -> tuple[str, ...]:
        themes_by_concept = self.themes_by_concept()
        themes: set[str] = set()
        for concept in practice.themes.all():
            themes |= themes_by_concept.get(concept.pk, frozenset())
        return (SET, *(f"{THEME_SET}:{slug}" for slug in sorted(themes)))

    def _theme_concepts(self, spec: str) -> list[int] | None:
        """Concepts of the theme set `spec` (None: not a theme set)."""
        if spec != THEME_SET and not spec.startswith(f"{THEME_SET}:"):
            return None
        slug = spec.removeprefix(f"{THEME_SET}:") if spec != THEME_SET else None
        return [
            concept_id
            for concept_id, slugs in self.themes_by_concept().items()
            if (slug in slugs if slug else slugs)
        ]

    # --- Queries --------------------------------------------------------------------------

    def _practices(self, selection: Selection) -> QuerySet[Practice]:
        practices = Practice.objects.public()
        if selection.start:
            practices = practices.filter(modified__gte=selection.start)
        if selection.end:
            practices = practices.filter(modified__lt=selection.end)
        spec = selection.set_spec
        if spec is None or spec == SET:
            return practices
        concept_ids = self._theme_concepts(spec)
        if concept_ids is None:
            return practices.none()
        themed = Practice.themes.through.objects.filter(concept_id__in=concept_ids)
        return practices.filter(pk__in=themed.values("practice_id"))

    def _tombstones(self, selection: Selection) -> QuerySet[Tombstone]:
        tombstones = Tombstone.objects.all()
        if selection.start:
            tombstones = tombstones.filter(withdrawn_at__gte=selection.start)
        if selection.end:
            tombstones = tombstones.filter(withdrawn_at__lt=selection.end)
        spec = selection.set_spec
        if spec is None or spec == SET:
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

    def _with_metadata(self, practices: QuerySet[Practice]) -> QuerySet[Practice]:
        return practices.prefetch_related(
            "themes",
            "territories",
            Prefetch("documents", queryset=Document.objects.public().order_by("-year", "title")),
            Prefetch("transferred_to", queryset=Practice.objects.public().order_by("title")),
            Prefetch("transferred_from", queryset=Practice.objects.public().order_by("title")),
        )

    def earliest_datestamp(self) -> datetime.datetime | None:
        found = [
            Practice.objects.public().aggregate(first=Min("modified"))["first"],
            Tombstone.objects.aggregate(first=Min("withdrawn_at"))["first"],
        ]
        return min((value for value in found if value is not None), default=None)

    def count(self, selection: Selection) -> int:
        return self._practices(selection).count() + self._tombstones(selection).count()

    def list(
        self,
        selection: Selection,
        *,
        after: tuple[datetime.datetime, int] | None,
        limit: int,
        with_metadata: bool,
    ) -> list[Record]:
        practices = self._practices(selection)
        tombstones = self._tombstones(selection)
        if after is not None:
            datestamp, key = after
            practices = practices.filter(
                Q(modified__gt=datestamp) | Q(modified=datestamp, pk__gt=key)
            )
            tombstones = tombstones.filter(
                Q(withdrawn_at__gt=datestamp) | Q(withdrawn_at=datestamp, practice_id__gt=key)
            )
        practices = practices.order_by("modified", "pk")[:limit]
        if with_metadata:
            practices = self._with_metadata(practices)
        else:
            practices = practices.prefetch_related("themes")
        practices = list(practices)
        eukn = self._eukn(practices) if with_metadata else {}
        records = [self._record(practice, with_metadata, eukn) for practice in practices]
        records += [
            self._deleted(tombstone)
            for tombstone in tombstones.order_by("withdrawn_at", "practice_id")[:limit]
        ]
        records.sort(key=lambda record: record.position)
        return records[:limit]

    def get(self, identifier: str) -> Record | None:
        pk = self.pk_of(identifier)
        if pk is None:
            return None
        practice = self._with_metadata(Practice.objects.public().filter(pk=pk)).first()
        if practice is not None:
            return self._record(practice, True, self._eukn([practice]))
        tombstone = Tombstone.objects.filter(practice_id=pk).first()
        return self._deleted(tombstone) if tombstone else None

    def _eukn(self, practices: list[Practice]) -> dict[int, list[Concept]]:
        theme_ids = {theme.pk for practice in practices for theme in practice.themes.all()}
        return taxonomy_selectors.covering_concepts(theme_ids, scheme_slug=EUKN_SCHEME)

    # --- Records ---------------------------------------------------------------------------

    def _deleted(self, tombstone: Tombstone) -> Record:
        header = Header(
            identifier=self.identifier_of(tombstone.practice_id),
            datestamp=tombstone.withdrawn_at,
            set_specs=(SET,),
            deleted=True,
        )
        return Record(header=header, position=(tombstone.withdrawn_at, tombstone.practice_id))

    def _record(self, practice: Practice, with_metadata: bool, eukn: dict) -> Record:
        header = Header(
            identifier=self.identifier_of(practice.pk),
            datestamp=practice.modified,
            set_specs=self._set_specs(practice),
        )
        return Record(
            header=header,
            position=(practice.modified, practice.pk),
            dublin_core=dublin_core(practice, self.absolute, eukn) if with_metadata else (),
        )


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
