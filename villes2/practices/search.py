"""Experience records in the shared search (villes2.core.search): found by their title
(French and English), themes, summary, actors and territories, and the whole text of the
record. Facets: theme, territory, scheme kind, target public and decade."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType
from villes2.core.search.subjects import SubjectIndexing
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories import selectors as territory_selectors
from villes2.territories.models import SchemeKind

from .models import TRANSFERABILITY_FIELDS, Practice, PracticeActor, TargetPublic

# The value of the "type" facet for records: no document type uses it.
TYPE_VALUE = "experience"

_BODY_FIELDS = (
    "context",
    "objectives",
    "actions",
    "public_detail",
    "tools",
    "results",
    "evaluation",
    "success_factors",
    "difficulties",
    "budget_detail",
    *TRANSFERABILITY_FIELDS,
)


def _queryset():
    return Practice.objects.prefetch_related(
        "themes",
        "territories",
        "schemes",
        Prefetch("actors", queryset=PracticeActor.objects.select_related("organisation")),
    )


def _title(practice: Practice) -> str:
    return f"{practice.title}\n{practice.title_en}" if practice.title_en else practice.title


def _abstract(practice: Practice) -> str:
    # Not the lead contact: a person's name is shown only as their consent allows.
    organisations = " ".join(
        f"{actor.organisation.name} {actor.organisation.acronym}".strip()
        for actor in practice.actors.all()
    )
    territories = " ".join(territory.name for territory in practice.territories.all())
    parts = (practice.summary, practice.summary_en, organisations, territories)
    return "\n".join(part for part in parts if part)


def _body(practice: Practice) -> str:
    texts = (getattr(practice, name) for name in _BODY_FIELDS)
    return "\n".join(text for text in texts if text)


def decade_of(year: int) -> str:
    start = year - year % 10
    return f"{start}-{start + 9}"


def _periods(practice: Practice) -> list[str]:
    """The decades the practice ran in: 2005–2012 is found under 2000s and 2010s."""
    end = practice.end_year or max(practice.start_year, timezone.localdate().year)
    return sorted({decade_of(year) for year in range(practice.start_year, end + 1, 1)})


def _date(practice: Practice) -> datetime.date:
    return datetime.date(practice.start_year, 1, 1)


SUBJECTS = SubjectIndexing(
    concepts=lambda practice: practice.themes.all(),
    territory_ids=lambda practice: [territory.pk for territory in practice.territories.all()],
    thesaurus=taxonomy_selectors,
    territories=territory_selectors,
)


def type_labels(values) -> dict[str, str]:
    return {TYPE_VALUE: str(_("Experience record"))} if TYPE_VALUE in values else {}


def public_labels(values) -> dict[str, str]:
    labels = dict(TargetPublic.choices)
    return {value: str(labels[value]) for value in values if value in labels}


def scheme_labels(values) -> dict[str, str]:
    labels = dict(SchemeKind.choices)
    return {value: str(labels[value]) for value in values if value in labels}


def period_labels(values) -> dict[str, str]:
    labels = {}
    for value in values:
        start, _sep, end = value.partition("-")
        if start.isdigit() and end.isdigit():
            labels[value] = f"{start}–{end}"
    return labels


PRACTICES = SearchType(
    key="practices",
    label=_("Experiences"),
    model=Practice,
    fields={
        "title": _title,
        "descriptors": SUBJECTS.descriptors,
        "abstract": _abstract,
        "body": _body,
    },
    facets={
        "type": lambda practice: TYPE_VALUE,
        **SUBJECTS.facets(),
        "public": lambda practice: list(practice.publics),
        "scheme": lambda practice: sorted({scheme.kind for scheme in practice.schemes.all()}),
        "period": _periods,
    },
    queryset=_queryset,
    is_public=lambda practice: practice.is_public,
    date=_date,
    snippet_text=lambda practice: practice.summary,
    template="practices/search_hit.html",
    prepare_batch=SUBJECTS.prepare_batch,
    depends_on={
        # Theme labels, themes and lineage; organisations' names and acronyms. (Scheme
        # kinds are reference data, never edited.)
        "taxonomy.Concept": lambda pks: Practice.objects.filter(themes__in=pks).only("pk"),
        "actors.Organisation": lambda pks: Practice.objects.filter(
            actors__organisation__in=pks
        ).only("pk"),
    },
    order=15,
)
