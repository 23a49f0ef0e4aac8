"""Reads for data protection: what refers to a person, everything about a person,
rights requests due, persons not yet informed, what the retention rule would purge."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from ..models import OPEN_STATUSES, Person, RightsRequest


def person_relations() -> Iterator[tuple[type[models.Model], models.Field]]:
    """(model, field) for every concrete relation to Person in the installed models,
    history tables included: found by introspection, so a model added later is covered
    by the export and the erasure without anyone remembering to."""
    for model in apps.get_models():
        if model is Person:
            continue
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is not Person or not field.concrete:
                continue
            if field.many_to_one or field.one_to_one or field.many_to_many:
                yield model, field


def person_export(person: Person) -> dict:
    """Everything the database holds about a person (GDPR access and portability)."""
    export = {
        "person": serializers.serialize("python", [person])[0],
        "related": {},
    }
    rows_by_label: dict[str, list] = {"actors.HistoricalPerson": list(person.history.all())}
    for model, field in person_relations():
        rows = model._default_manager.filter(**{field.name: person.pk})
        rows_by_label.setdefault(model._meta.label, []).extend(rows)
    for label, rows in rows_by_label.items():
        # Every table appears, empty or not: the person sees where nothing is held too.
        export["related"][label] = serializers.serialize("python", rows)
    return json.loads(json.dumps(export, cls=DjangoJSONEncoder))


def rights_requests_open():
    return RightsRequest.objects.filter(status__in=OPEN_STATUSES).select_related("person")


def rights_requests_overdue(today: datetime.date | None = None):
    """Open requests whose answer date has passed."""
    today = today or timezone.localdate()
    return rights_requests_open().filter(due_on__lt=today).order_by("due_on", "pk")


def persons_not_informed():
    """Persons listed without having been told (GDPR art. 14), oldest entries first."""
    return Person.objects.filter(informed_on__isnull=True).order_by("created_at", "pk")
