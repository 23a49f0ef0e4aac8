"""The agenda in the shared search (villes2.core.search): events, found by their title,
themes, description, organisers, places, speakers and cycle."""

import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from villes2.core.search import SearchType
from villes2.core.search.subjects import SubjectIndexing
from villes2.taxonomy import selectors as taxonomy_selectors
from villes2.territories import selectors as territory_selectors

from .display import place_names
from .models import Event, EventPlace, EventSpeaker

# The value of the "type" facet for events: a value of its own, no document type uses it.
TYPE_VALUE = "evenement"


def _queryset():
    return Event.objects.select_related("cycle").prefetch_related(
        "organisers",
        "themes",
        "territories",
        Prefetch("place_links", queryset=EventPlace.objects.select_related("territory")),
        Prefetch("speakers", queryset=EventSpeaker.objects.select_related("person")),
    )


def _abstract(event: Event) -> str:
    organisers = " ".join(
        f"{organisation.name} {organisation.acronym}".strip()
        for organisation in event.organisers.all()
    )
    # Not the speakers whose processing is restricted (GDPR): shown nowhere public.
    speakers = " ".join(speaker.display_name for speaker in event.public_speakers)
    parts = (
        event.description,
        organisers,
        " ".join(place_names(event)),
        event.venue,
        speakers,
        event.cycle.title if event.cycle else "",
    )
    return "\n".join(part for part in parts if part)


def _date(event: Event) -> datetime.date:
    return event.start_date


def _territory_ids(event: Event) -> list[int]:
    """Territories concerned and places: an event held in Tours is found under Tours."""
    ids = {territory.pk for territory in event.territories.all()}
    ids |= {link.territory_id for link in event.place_links.all()}
    return sorted(ids)


# Themes as descriptors; the theme, descriptor and territory facets, as the catalogue's.
SUBJECTS = SubjectIndexing(
    concepts=lambda event: event.themes.all(),
    territory_ids=_territory_ids,
    thesaurus=taxonomy_selectors,
    territories=territory_selectors,
)


def type_labels(values) -> dict[str, str]:
    return {TYPE_VALUE: str(_("Event"))} if TYPE_VALUE in values else {}


def speakers_erasure_hook(person_ids: list[int]):
    """Erasure of persons (actors.services.person_erase): their speaker lines go with
    them (cascade); afterwards, re-index the events they spoke at so that the index no
    longer holds their names."""
    from villes2.core import search

    event_ids = list(
        EventSpeaker.objects.filter(person_id__in=person_ids)
        .values_list("event_id", flat=True)
        .distinct()
    )

    def refresh() -> None:
        if not event_ids:
            return
        search.reindex({EVENTS.key: set(event_ids)})
        search.purge_deleted_text()

    return refresh


EVENTS = SearchType(
    key="events",
    label=_("Events"),
    model=Event,
    fields={
        "title": lambda event: event.title,
        "descriptors": SUBJECTS.descriptors,
        "abstract": _abstract,
        "body": lambda event: "",
    },
    facets={
        "type": lambda event: TYPE_VALUE,
        **SUBJECTS.facets(),
    },
    queryset=_queryset,
    is_public=lambda event: event.published,
    date=_date,
    snippet_text=lambda event: event.description,
    template="events/search_hit.html",
    prepare_batch=SUBJECTS.prepare_batch,
    depends_on={
        # Theme labels, themes and lineage; organisers' names and acronyms.
        "taxonomy.Concept": lambda pks: Event.objects.filter(themes__in=pks).only("pk"),
        "actors.Organisation": lambda pks: Event.objects.filter(organisers__in=pks).only("pk"),
        # Speakers' names, left out while their processing is restricted.
        "actors.Person": lambda pks: Event.objects.filter(speakers__person__in=pks).only("pk"),
        # The cycle's title (services.cycle_save).
        "events.Cycle": lambda pks: Event.objects.filter(cycle__in=pks).only("pk"),
    },
    order=20,
)
