from django.db import models


class DocumentQuerySet(models.QuerySet):
    def public(self) -> "DocumentQuerySet":
        """Published with public access: the only records any public surface shows."""
        return self.filter(status="publie", access="public")

    def visible_to(self, user) -> "DocumentQuerySet":
        """Every record (drafts, staff-only) for those who may view the catalogue in the
        back office — the centre's staff roles, not partners; public ones otherwise."""
        if user.is_authenticated and user.is_active and user.has_perm("documents.view_document"):
            return self.all()
        return self.public()
