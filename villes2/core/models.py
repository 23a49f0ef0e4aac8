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
