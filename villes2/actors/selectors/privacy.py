"""Reads for data protection: what refers to a person, everything about a person,
rights requests due, persons not yet informed, what the retention rule would purge."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.core import serializers, signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from villes2.core.text import normalize_for_search

from ..models import OPEN_STATUSES, Consent, ErasedIdentity, Mandate, Person, RightsRequest

_IDENTITY_SALT = "villes2.actors.erased-identity"


def is_history_model(model: type[models.Model]) -> bool:
    """Whether `model` is a django-simple-history table."""
    return getattr(model, "instance_type", None) is not None and model.__name__.startswith(
        "Historical"
    )


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


def person_erasure_preview(*, person: Person) -> list[tuple[str, int]]:
    """(table, rows) that erasing the person touches, history tables included, for the
    confirmation page."""
    rows = [(str(_("History of the entry")), person.history.count())]
    for model, relation in person_relations():
        count = model._default_manager.filter(**{relation.name: person.pk}).count()
        if not count:
            continue
        if is_history_model(model):
            name = model.instance_type._meta.verbose_name_plural
            label = _("%(name)s (history)") % {"name": name}
        else:
            label = model._meta.verbose_name_plural
        rows.append((str(label), count))
    return rows


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


_CONSENT_SALT = "villes2.actors.consent-link"
CONSENT_LINK_DAYS = 90


def consent_link_token(*, person: Person) -> str:
    """A signed token naming only the entry's number, for the person's own page of
    choices (sent by e-mail). Valid `CONSENT_LINK_DAYS` days."""
    return signing.TimestampSigner(salt=_CONSENT_SALT).sign(str(person.pk))


def person_from_consent_token(token: str) -> Person | None:
    """The person a valid, unexpired token designates, else None."""
    try:
        pk = signing.TimestampSigner(salt=_CONSENT_SALT).unsign(
            token, max_age=datetime.timedelta(days=CONSENT_LINK_DAYS)
        )
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=pk).first()


def consents_in_force(person: Person) -> dict[str, list[str]]:
    """{purpose: published fields} of the person's consents in force (one query)."""
    latest: dict[str, object] = {}
    for consent in person.consents.order_by("given_at", "pk"):
        latest[consent.purpose] = consent
    return {
        purpose: list(consent.fields)
        for purpose, consent in latest.items()
        if consent.withdrawn_at is None
    }


def retention_cutoff(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def retention_candidates(*, today: datetime.date | None = None, years: int | None = None):
    """Persons whose retention period has run out: no contact (or, lacking one, no
    entry) for `years` (PERSON_RETENTION_YEARS, 3 by default, CNIL), no consent in force,
    no open rights request, and no board mandate (the association's own records)."""
    today = today or timezone.localdate()
    years = settings.PERSON_RETENTION_YEARS if years is None else years
    cutoff = retention_cutoff(today, years)
    start_of_cutoff = datetime.datetime.combine(
        cutoff, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return (
        Person.objects.filter(
            Q(last_contact_on__lt=cutoff)
            | Q(last_contact_on__isnull=True, created_at__lt=start_of_cutoff)
        )
        .exclude(pk__in=Consent.objects.filter(withdrawn_at__isnull=True).values("person_id"))
        .exclude(
            pk__in=RightsRequest.objects.filter(
                status__in=OPEN_STATUSES, person__isnull=False
            ).values("person_id")
        )
        .exclude(pk__in=Mandate.objects.values("person_id"))
        .order_by("created_at", "pk")
    )


def identity_digests(
    *, first_name: str, last_name: str, email: str = "", organisation_slugs=()
) -> set[str]:
    """Keyed hashes of what identifies a person: their e-mail, and their name in each of
    their organisations (a name alone would block every namesake). HMAC-SHA256 keyed with
    `ERASURE_HASH_KEY`, so the table cannot be reversed by hashing a list of e-mails
    without the key."""
    name = normalize_for_search(f"{first_name} {last_name}")
    keys = {f"email:{email.strip().casefold()}"} if email.strip() else set()
    keys |= {f"name:{name}|organisation:{slug}" for slug in organisation_slugs if slug}
    if not keys and name:
        keys.add(f"name:{name}")
    secret = settings.ERASURE_HASH_KEY or settings.SECRET_KEY
    return {
        salted_hmac(_IDENTITY_SALT, key, secret=secret, algorithm="sha256").hexdigest()
        for key in keys
    }


def identity_was_erased(
    *, first_name: str, last_name: str, email: str = "", organisation_slugs=()
) -> bool:
    """Whether a person with this identity was erased (one query): an import must not
    bring them back."""
    digests = identity_digests(
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation_slugs=organisation_slugs,
    )
    return ErasedIdentity.objects.filter(digest__in=digests).exists()
