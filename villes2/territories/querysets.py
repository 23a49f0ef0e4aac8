from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When

from villes2.core.text import normalize_for_search

if TYPE_CHECKING:
    from .models import Territory


MAX_WORDS = 8  # a name has fewer words; a longer query would only grow the SQL


class TerritoryQuerySet(models.QuerySet):
    def of_kind(self, *kinds: str) -> TerritoryQuerySet:
        return self.filter(kind__in=kinds)

    def valid_on(self, day: datetime.date) -> TerritoryQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def within(self, territory: Territory) -> TerritoryQuerySet:
        """Territories inside `territory` (its descendants, at any depth)."""
        return self.filter(ancestors=territory)

    def search(self, query: str) -> TerritoryQuerySet:
        """Accent- and case-insensitive match on name words or an exact code.

        Ranked: exact code, exact name, name starting with the query, then by population.
        """
        words = normalize_for_search(query).split()[:MAX_WORDS]
        if not words:
            return self.none()
        code = query.strip().upper()
        by_name = Q()
        for word in words:
            by_name &= Q(search_name__contains=word)
        normalized = " ".join(words)
        alias_model = self.model.aliases.rel.related_model  # TerritoryAlias (no import cycle)
        by_alias = Q(pk__in=alias_model.objects.filter(code=code).values("territory_id"))
        return (
            self.filter(by_name | Q(code=code) | by_alias)
            .annotate(
                search_rank=Case(
                    When(code=code, then=Value(0)),
                    When(search_name=normalized, then=Value(1)),
                    When(search_name__startswith=normalized, then=Value(2)),
                    default=Value(3),
                    output_field=IntegerField(),
                )
            )
            .order_by("search_rank", models.F("population").desc(nulls_last=True), "search_name")
        )

    def with_list_related(self) -> TerritoryQuerySet:
        return self.only(
            "id", "kind", "code", "name", "category", "population", "valid_from", "valid_to"
        )


class SchemeQuerySet(models.QuerySet):
    def linked_to(self, territory: Territory) -> SchemeQuerySet:
        """Schemes covering the territory, one of its ancestors or one of its descendants."""
        closure = territory.ancestors.through.objects
        covered = self.model.territories.through.objects.filter(
            Q(territory=territory)
            | Q(territory__in=closure.filter(from_territory=territory).values("to_territory"))
            | Q(territory__in=closure.filter(to_territory=territory).values("from_territory"))
        )
        return self.filter(pk__in=covered.values("scheme_id"))
