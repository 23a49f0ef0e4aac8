"""Test data for the interoperability surfaces: a theme scheme of its own, and records
written the one supported way (`document_save`), at chosen times when a test needs
distinct datestamps."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from villes2.documents.models import Document
from villes2.documents.services import AuthorInput, document_save
from villes2.taxonomy.models import Concept, ConceptScheme
from villes2.taxonomy.tests.factories import ConceptFactory
from villes2.territories.tests.factories import TerritoryFactory


def theme_scheme() -> ConceptScheme:
    """A theme scheme of the test's own, whatever vocabulary is loaded."""
    ConceptScheme.objects.filter(is_theme_scheme=True).update(is_theme_scheme=False)
    return ConceptScheme.objects.create(
        slug="themes-test",
        uri="https://villes2.example.org/thesaurus/themes-test",
        title_fr="Thèmes (test)",
        is_theme_scheme=True,
    )


def concept(scheme: ConceptScheme, slug: str, label: str, *, broader=None, en="") -> Concept:
    created = ConceptFactory(scheme=scheme, slug=slug, pref_label_fr=label, pref_label_en=en)
    if broader is not None:
        created.broader.add(broader)
    return created


def territory(name: str = "Tours (test)"):
    return TerritoryFactory(name=name)


@contextmanager
def at(moment: datetime.datetime):
    """Writes inside happen at `moment` (auto_now, tombstones, first publication)."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def record(*, descriptors=(), territories=(), authors=(), **fields) -> Document:
    values = {"doc_type": "rapport", "year": 2007, "status": "publie", **fields}
    return document_save(
        Document(**values),
        descriptors=list(descriptors),
        territories=list(territories),
        authors=[AuthorInput(name=name) for name in authors],
    )


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)
