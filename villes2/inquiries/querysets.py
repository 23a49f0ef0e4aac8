import datetime

from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone


class InquiryQuerySet(models.QuerySet):
    def open(self):
        """Requests the desk still owes an answer to."""
        from .models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def queue_order(self, today: datetime.date | None = None):
        """The desk's order: open and overdue first, then open by due date, then the
        others, newest first."""
        from .models import OPEN_STATUSES

        today = today or timezone.localdate()
        return self.annotate(
            queue_rank=Case(
                When(Q(status__in=OPEN_STATUSES) & Q(due_date__lt=today), then=Value(0)),
                When(status__in=OPEN_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("queue_rank", "due_date", "-received_at", "-pk")

    def not_purged(self):
        return self.filter(purged_at__isnull=True)


class FaqEntryQuerySet(models.QuerySet):
    def public(self):
        return self.filter(published=True)


class InterventionQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(date__year=year)
