import calendar
import datetime

from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

# The order of `InquiryQuerySet.queue_order` (on its annotations).
QUEUE_ORDERING = ("queue_rank", "queue_due", "-received_at", "-pk")


class InquiryQuerySet(models.QuerySet):
    def open(self):
        """Requests the desk still owes an answer to."""
        from .models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def queue_order(self, today: datetime.date | None = None):
        """The desk's order: open and overdue requests first, then the other open ones by
        due date, then answered and closed ones, newest first. Annotates `queue_rank`
        (0 overdue, 1 open, 2 the others) and `queue_due` (the due date of open ones)."""
        from .models import OPEN_STATUSES

        today = today or timezone.localdate()
        return self.annotate(
            queue_rank=Case(
                When(Q(status__in=OPEN_STATUSES) & Q(due_date__lt=today), then=Value(0)),
                When(status__in=OPEN_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            queue_due=Case(When(status__in=OPEN_STATUSES, then=F("due_date")), default=None),
        ).order_by(*QUEUE_ORDERING)

    def not_purged(self):
        return self.filter(purged_at__isnull=True)


class FaqEntryQuerySet(models.QuerySet):
    def public(self):
        return self.filter(published=True)


class InterventionQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(date__year=year)

    def in_month(self, year: int, month: int):
        last = calendar.monthrange(year, month)[1]
        return self.filter(
            date__gte=datetime.date(year, month, 1), date__lte=datetime.date(year, month, last)
        )

    def for_procedure(self, procedure: str):
        """Interventions whose procedures include this one. The JSON list is searched as
        text for the quoted value, on SQLite and PostgreSQL alike (SQLite has no JSON
        `contains`); values are slugs, so `"pru"` cannot match inside another one."""
        return self.filter(procedures__icontains=f'"{procedure}"')

    def within(self, territory):
        """On the territory or on a territory inside it (a commune, QPV or EPCI of a
        département)."""
        from villes2.territories.models import Territory

        inside = Territory.ancestors.through.objects.filter(to_territory=territory.pk)
        return self.filter(Q(site=territory.pk) | Q(site__in=inside.values("from_territory")))

    def with_list_related(self):
        """What a list row shows: the site and the staff, in two queries."""
        return self.select_related("site").prefetch_related("staff")
