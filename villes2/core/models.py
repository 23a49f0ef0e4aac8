"""Abstract bases only: core has no domain models (ARCHITECTURE.md §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A record whose concurrent edits are detected (RELIABILITY.md, "no silent
    overwrites"): every save through `core.admin.ConcurrentEditAdminMixin` checks the
    version the editor started from and increments it."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class SearchEntry(models.Model):
    """One searchable object in the shared search index (villes2.core.search).

    The analysed text lives in the engine's own table, created by this app's migrations:
    an FTS5 virtual table on SQLite, a `tsvector` table with a GIN index on PostgreSQL,
    both keyed by this entry's id. Single-valued facets are columns here, multi-valued
    ones rows of `SearchFacet`.
    """

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    public = models.BooleanField()
    date = models.DateField(null=True)
    year = models.PositiveSmallIntegerField(null=True)
    type = models.CharField(max_length=40, blank=True)
    access = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique")
        ]
        indexes = [
            models.Index(fields=["public", "kind", "date"], name="searchentry_browse"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchFacet(models.Model):
    """A value of a multi-valued facet (theme, territory) of an index entry."""

    entry = models.ForeignKey(SearchEntry, models.CASCADE, related_name="facet_values")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "facet", "value"], name="searchfacet_unique")
        ]
        indexes = [models.Index(fields=["facet", "value", "entry"], name="searchfacet_value")]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchState(models.Model):
    """One row: a token changed by every write to the search index, in the writing
    transaction. What is computed from the whole index (the counts of browsing with no
    query) is cached against it, so any committed change is seen at once."""

    token = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return self.token
