import datetime

from django.db import models
from django.db.models import Q


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        """Published events: the only ones any public surface shows (pages, search,
        feeds, calendars, sitemap, territory pages)."""
        return self.filter(published=True)

    def upcoming(self, today: datetime.date) -> "EventQuerySet":
        """Not yet over: an event running today, or a month-precision event of this
        month, is still upcoming."""
        return self.filter(end_date__gte=today)

    def past(self, today: datetime.date) -> "EventQuerySet":
        return self.filter(end_date__lt=today)

    def overlapping(self, start: datetime.date, end: datetime.date) -> "EventQuerySet":
        return self.filter(start_date__lte=end, end_date__gte=start)

    def for_territory(self, territory) -> "EventQuerySet":
        """Concerning the territory or held in it, or in anything it contains."""
        inside = Q(territories=territory) | Q(territories__ancestors=territory)
        held = Q(places=territory) | Q(places__ancestors=territory)
        return self.filter(pk__in=self.model.objects.filter(inside | held).values("pk"))

    def with_list_related(self) -> "EventQuerySet":
        """What a list row shows: cycle, organisers, places in their order."""
        from .models import EventPlace

        return self.select_related("cycle").prefetch_related(
            "organisers",
            models.Prefetch("place_links", queryset=EventPlace.objects.select_related("territory")),
        )


class RegistrationQuerySet(models.QuerySet):
    # The statuses are `models.RegistrationStatus`, imported late (models import this).
    def live(self) -> "RegistrationQuerySet":
        from .models import RegistrationStatus

        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self) -> "RegistrationQuerySet":
        from .models import RegistrationStatus

        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waitlisted(self) -> "RegistrationQuerySet":
        from .models import RegistrationStatus

        return self.filter(status=RegistrationStatus.WAITLISTED)
