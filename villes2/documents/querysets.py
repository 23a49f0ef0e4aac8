from django.db import models


class DocumentQuerySet(models.QuerySet):
    def public(self) -> "DocumentQuerySet":
        """Published with public access: the only records any public surface shows."""
        return self.filter(status="publie", access="public")

    def visible_to(self, user) -> "DocumentQuerySet":
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.public()
