from __future__ import annotations

from django.db import models
from django.db.models import Q

from villes2.core.text import normalize_for_search

MAX_WORDS = 8


def _words_query(query: str) -> Q | None:
    words = normalize_for_search(query).split()[:MAX_WORDS]
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return condition


class OrganisationQuerySet(models.QuerySet):
    def search(self, query: str) -> OrganisationQuerySet:
        """Accent- and case-insensitive words over name, acronym and parent."""
        condition = _words_query(query)
        return self.filter(condition) if condition is not None else self.none()

    def networks(self) -> OrganisationQuerySet:
        return self.filter(kind="reseau")


class PersonQuerySet(models.QuerySet):
    def public(self) -> PersonQuerySet:
        """Persons who may appear on public surfaces: not those whose processing is
        restricted (GDPR art. 18 and 21)."""
        return self.filter(processing_restricted=False)

    def search(self, query: str) -> PersonQuerySet:
        """Accent- and case-insensitive words over names, organisations and roles."""
        condition = _words_query(query)
        return self.filter(condition) if condition is not None else self.none()
