"""Reads for the directory: public views of persons, the board, territory links, vCards."""

from __future__ import annotations

import datetime

import vobject
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from villes2.core.registry import LinkedItem, LinkedSection

from ..models import (
    OFFICE_ORDER,
    Consent,
    ConsentPurpose,
    Mandate,
    Organisation,
    Person,
    PublicField,
    Tag,
)

LINKED_LIMIT = 20
PUBLISHABLE = frozenset(PublicField.values)


def person_public_fields(person: Person) -> set[str]:
    """The fields the person consented to publish: those of their latest public-listing
    consent, unless it was withdrawn (withdrawing never revives an older consent)."""
    consent = (
        Consent.objects.filter(person=person, purpose=ConsentPurpose.PUBLIC_LISTING)
        .order_by("-given_at", "-pk")
        .first()
    )
    return _published(consent)


def _published(consent: Consent | None) -> set[str]:
    if consent is None or consent.withdrawn_at is not None:
        return set()
    return {field for field in consent.fields if field in PublicField.values}


def public_fields_by_person(person_ids=None) -> dict[int, set[str]]:
    """Published fields of each person (of `person_ids`, or everyone), in one query.
    Reads three columns, not model instances: every list page calls it for everyone."""
    consents = Consent.objects.filter(purpose=ConsentPurpose.PUBLIC_LISTING)
    if person_ids is not None:
        consents = consents.filter(person_id__in=person_ids)
    latest: dict[int, tuple[list, object]] = {}
    rows = consents.order_by("given_at", "pk").values_list("person_id", "fields", "withdrawn_at")
    for person_id, fields, withdrawn_at in rows:
        latest[person_id] = (fields, withdrawn_at)
    return {
        person: set() if withdrawn_at is not None else set(fields) & PUBLISHABLE
        for person, (fields, withdrawn_at) in latest.items()
    }


def person_ids_publishing(field: str) -> set[int]:
    """Ids of the persons whose consent in force publishes `field` (one query)."""
    return {person for person, fields in public_fields_by_person().items() if field in fields}


def board_on(day: datetime.date) -> list[Mandate]:
    """The board of the association on `day`, in the order of offices."""
    mandates = Mandate.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        start_date__lte=day,
        person__processing_restricted=False,
    ).select_related("person")
    return sorted(mandates, key=lambda m: (OFFICE_ORDER.index(m.office), m.person.last_name))


def board_dates() -> list[datetime.date]:
    """Every date on which the board changed (a mandate started), most recent first."""
    return sorted(set(Mandate.objects.values_list("start_date", flat=True)), reverse=True)


def linked_actors_section(territory) -> LinkedSection | None:
    """Provider for "linked to this territory": organisations and persons acting on the
    territory or on a territory inside it."""
    inside = Q(territories=territory) | Q(territories__ancestors=territory)
    organisations = Organisation.objects.filter(inside).distinct().order_by("sort_name")
    persons = Person.objects.public().filter(inside).distinct().order_by("sort_name")
    items = [
        LinkedItem(str(o), o.get_absolute_url(), o.get_kind_display())
        for o in organisations[:LINKED_LIMIT]
    ] + [LinkedItem(str(p), p.get_absolute_url(), p.job_title) for p in persons[:LINKED_LIMIT]]
    if not items:
        return None
    return LinkedSection(
        "actors",
        _("Directory: organisations and persons"),
        items,
        organisations.count() + persons.count(),
    )


def partner_groups() -> list[tuple[str, list[Organisation]]]:
    """The centre's partners, grouped by kind of organisation (one query)."""
    groups: dict[str, list[Organisation]] = {}
    labels: dict[str, str] = {}
    for organisation in Organisation.objects.filter(is_partner=True).order_by("kind", "sort_name"):
        groups.setdefault(organisation.kind, []).append(organisation)
        labels[organisation.kind] = organisation.get_kind_display()
    return [(labels[kind], organisations) for kind, organisations in groups.items()]


def public_themes(*, publishing: set[int] | None = None):
    """Themes that may be shown: those of organisations, and those of persons who
    published their themes (`publishing`, if the caller has already read them).

    `Exists` rather than joins: joining both many-to-many tables multiplies their rows
    before DISTINCT (2.7 s per list page with 15,000 persons on PostgreSQL)."""
    if publishing is None:
        publishing = person_ids_publishing(PublicField.THEMES)
    of_organisations = Organisation.themes.through.objects.filter(tag_id=OuterRef("pk"))
    of_persons = Person.themes.through.objects.filter(
        tag_id=OuterRef("pk"), person_id__in=publishing
    )
    return Tag.objects.filter(Exists(of_organisations) | Exists(of_persons)).order_by("name")


def persons_vcard(persons, public_fields: dict[int, set[str]], base_url: str) -> str:
    """vCard 3.0 of persons holding only what the public may see: name, public job title,
    organisations, the page's address, and the fields each consented to publish."""
    cards = []
    for person in persons:
        fields = public_fields.get(person.pk, set())
        card = vobject.vCard()
        card.add("fn").value = str(person)
        card.add("n").value = vobject.vcard.Name(family=person.last_name, given=person.first_name)
        if person.job_title:
            card.add("title").value = person.job_title
        organisations = [m.organisation.name for m in person.memberships.all()]
        if organisations:
            card.add("org").value = organisations[:1]
        if PublicField.EMAIL in fields and person.email:
            card.add("email").value = person.email
        if PublicField.PHONE in fields and person.phone:
            card.add("tel").value = person.phone
        if PublicField.ADDRESS in fields and person.address:
            card.add("label").value = person.address
        if PublicField.BIOGRAPHY in fields and person.biography:
            card.add("note").value = person.biography
        card.add("url").value = base_url + person.get_absolute_url()
        cards.append(card.serialize())
    return "".join(cards)


def organisation_vcard(organisation: Organisation, base_url: str) -> str:
    card = vobject.vCard()
    card.add("fn").value = organisation.name
    card.add("n").value = vobject.vcard.Name(family=organisation.name)
    card.add("org").value = [organisation.name]
    if organisation.website:
        card.add("url").value = organisation.website
    if organisation.address:
        card.add("label").value = organisation.address
    card.add("source").value = base_url + organisation.get_absolute_url()
    return card.serialize()
