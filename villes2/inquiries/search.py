"""The FAQ in the shared search (villes2.core.search): entries found by their question
(French and English), themes and answer; public once published. The linked resources
are not indexed: a document withdrawn since would leave its title in the entry's text."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType
from villes2.core.search.subjects import SubjectIndexing
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories import selectors as territory_selectors

from .models import FaqEntry

# The value of the "type" facet for FAQ entries: no document type uses it.
TYPE_VALUE = "faq"


def _queryset():
    return FaqEntry.objects.prefetch_related("themes")


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _date(entry: FaqEntry) -> datetime.date | None:
    moment = entry.published_at or entry.created_at
    return timezone.localtime(moment).date() if moment else None


SUBJECTS = SubjectIndexing(
    concepts=lambda entry: entry.themes.all(),
    territory_ids=lambda entry: [],
    thesaurus=taxonomy_selectors,
    territories=territory_selectors,
)


def type_labels(values) -> dict[str, str]:
    return {TYPE_VALUE: str(_("FAQ entry"))} if TYPE_VALUE in values else {}


FAQ = SearchType(
    key="faq",
    label=_("Frequently asked questions"),
    model=FaqEntry,
    fields={
        "title": lambda entry: _join(entry.question, entry.question_en),
        "descriptors": SUBJECTS.descriptors,
        "abstract": lambda entry: _join(entry.answer, entry.answer_en),
        "body": lambda entry: "",
    },
    facets={"type": lambda entry: TYPE_VALUE, **SUBJECTS.facets()},
    queryset=_queryset,
    is_public=lambda entry: entry.published,
    date=_date,
    snippet_text=lambda entry: entry.answer,
    template="inquiries/search_hit.html",
    prepare_batch=SUBJECTS.prepare_batch,
    depends_on={
        "taxonomy.Concept": lambda pks: FaqEntry.objects.filter(themes__in=pks).only("pk"),
    },
    order=60,
)
