"""Reads of experience records: the record page, the exports, territory pages."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from villes2.actors.models import Consent, ConsentPurpose, PublicField
from villes2.core.registry import LinkedItem, LinkedSection
from villes2.documents.models import Document
from villes2.events.models import Event

from ..models import Practice, PracticeActor, PracticeFunding, PracticeTransition

LINKED_LIMIT = 5


def practice_for_page(user) -> QuerySet[Practice]:
    """Records a user may open (staff: all; others: published ones), with what the record
    page (and its PDF) shows, in a fixed number of queries."""
    return (
        Practice.objects.visible_to(user)
        .select_related("lead_contact", "last_reviewed_by")
        .prefetch_related(*_RELATIONS)
    )


_RELATIONS = (
    "themes__scheme",
    "territories",
    "schemes",
    Prefetch("actors", queryset=PracticeActor.objects.select_related("organisation")),
    Prefetch("fundings", queryset=PracticeFunding.objects.select_related("organisation")),
    "attachments",
    # Links shown on public surfaces: only to what is public itself.
    Prefetch("documents", queryset=Document.objects.public().order_by("-year", "title")),
    Prefetch("events", queryset=Event.objects.public().order_by("-start_date")),
    Prefetch("transferred_to", queryset=Practice.objects.public().order_by("title")),
    Prefetch("transferred_from", queryset=Practice.objects.public().order_by("title")),
)


@dataclass(frozen=True)
class LeadContact:
    """What the public may see of a record's lead contact."""

    name: str
    job_title: str
    email: str
    phone: str
    url: str


def lead_contact_for_page(practice: Practice) -> LeadContact | None:
    """The lead contact as their consent allows, in one query (none without a contact):
    nothing unless the person's processing is not restricted and their latest
    public-listing consent is in force (not withdrawn, which never revives an older one);
    then name and job title, plus the e-mail and phone only if that consent lists them.
    (`actors.selectors.public_fields_by_person` gives the same fields but cannot tell a
    consent in force publishing no field from a withdrawn one.)"""
    person = practice.lead_contact
    if person is None or person.processing_restricted:
        return None
    consent = (
        Consent.objects.filter(person=person, purpose=ConsentPurpose.PUBLIC_LISTING)
        .order_by("-given_at", "-pk")
        .values_list("fields", "withdrawn_at")
        .first()
    )
    if consent is None or consent[1] is not None:
        return None
    fields = set(consent[0]) & set(PublicField.values)
    return LeadContact(
        name=str(person),
        job_title=person.job_title,
        email=person.email if PublicField.EMAIL in fields else "",
        phone=person.phone if PublicField.PHONE in fields else "",
        url=person.get_absolute_url(),
    )


def practices_for_export(pks=None) -> QuerySet[Practice]:
    """Published records (of `pks`), with everything the EUKN/JSON/XML export writes."""
    practices = Practice.objects.public()
    if pks is not None:
        practices = practices.filter(pk__in=pks)
    return (
        practices.select_related("lead_contact", "last_reviewed_by")
        .prefetch_related(*_RELATIONS)
        .order_by("pk")
    )


def practice_history(practice: Practice) -> QuerySet[PracticeTransition]:
    return practice.transitions.select_related("by").order_by("at", "pk")


def linked_practices_section(territory) -> LinkedSection | None:
    """Published records about a territory or a territory inside it, newest first."""
    records = Practice.objects.public().for_territory(territory).order_by("-start_year", "title")
    items = list(records.only("pk", "title", "start_year", "end_year")[:LINKED_LIMIT])
    if not items:
        return None
    total = records.count() if len(items) == LINKED_LIMIT else len(items)
    return LinkedSection(
        key="practices",
        title=_("Experiences"),
        items=[
            LinkedItem(
                title=record.title, url=record.get_absolute_url(), detail=record.period_label
            )
            for record in items
        ],
        total=total,
        more_url=reverse("practices:list") + f"?territoire={territory.kind}-{territory.code}",
    )
