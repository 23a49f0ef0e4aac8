from django.db import models
from django.db.models import Q


class PracticeQuerySet(models.QuerySet):
    def public(self) -> "PracticeQuerySet":
        """Published records: the only ones any public surface shows (pages, search,
        feeds, OAI-PMH, sitemap, territory pages, exports)."""
        from .models import PracticeStatus

        return self.filter(status=PracticeStatus.PUBLISHED)

    def visible_to(self, user) -> "PracticeQuerySet":
        """Everything for those who edit records (a preview of what is not yet
        published); published records for everyone else, partners included."""
        if user.is_authenticated and user.has_perm("practices.change_practice"):
            return self.all()
        return self.public()

    def for_territory(self, territory) -> "PracticeQuerySet":
        """About the territory or a territory inside it."""
        inside = Q(territories=territory) | Q(territories__ancestors=territory)
        return self.filter(pk__in=self.model.objects.filter(inside).values("pk"))
