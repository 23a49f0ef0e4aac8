"""Writes for the programme: saving an event with its relations, saving a cycle (which
re-indexes its events), and loading the founding note's 2007 programme and its 2008
lines of action."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from villes2.actors.models import Organisation
from villes2.core import search
from villes2.core.loading import DataLoadError, LoadReport, upsert
from villes2.taxonomy.models import Concept, ConceptScheme
from villes2.territories.models import Territory
from villes2.territories.reference_data import read_founding_csv

from ..models import Cycle, Event, EventPlace, EventSpeaker, ProgrammeLine

FOUNDING_DIR = Path(__file__).resolve().parent.parent / "founding_data"
NOTE_SOURCE = "Note de mise en œuvre, 2007"


@dataclass(frozen=True)
class SpeakerInput:
    name: str = ""
    person_id: int | None = None
    affiliation: str = ""
    confirmed: bool = True


@transaction.atomic
def event_save(
    event: Event,
    *,
    organisers: Iterable[Organisation] | None = None,
    themes: Iterable[Concept] | None = None,
    territories: Iterable[Territory] | None = None,
    places: Iterable[Territory] | None = None,
    speakers: Sequence[SpeakerInput] | None = None,
    user=None,
) -> Event:
    """Create or update an event with its relations, validated, and index it. Relations
    left as None are not touched."""
    if event.pk is None and user is not None and user.is_authenticated:
        event.created_by = user
    event.full_clean()
    event.save()
    _relations_set(
        event,
        organisers=organisers,
        themes=themes,
        territories=territories,
        places=places,
        speakers=speakers,
    )
    event_relations_changed(event)
    return event


def _relations_set(event: Event, *, organisers, themes, territories, places, speakers) -> None:
    """Set the relations given; unchanged ones write nothing (no history rows)."""
    for relation, values in (
        (event.organisers, organisers),
        (event.themes, themes),
        (event.territories, territories),
    ):
        if values is not None:
            relation.set(values)
    if places is not None:
        wanted_places = [place.pk for place in places]
        current_places = list(event.place_links.values_list("territory_id", flat=True))
        if wanted_places != current_places:
            event.place_links.all().delete()
            EventPlace.objects.bulk_create(
                EventPlace(event=event, territory_id=pk, order=order)
                for order, pk in enumerate(wanted_places)
            )
    if speakers is None:
        return
    wanted = [(s.person_id, s.name.strip(), s.affiliation.strip(), s.confirmed) for s in speakers]
    current = list(event.speakers.values_list("person_id", "name", "affiliation", "confirmed"))
    if current == wanted:
        return
    event.speakers.all().delete()
    for order, (person_id, name, affiliation, confirmed) in enumerate(wanted):
        row = EventSpeaker(
            event=event,
            order=order,
            person_id=person_id,
            name=name,
            affiliation=affiliation,
            confirmed=confirmed,
        )
        row.full_clean()
        row.save()


def event_relations_changed(event: Event) -> None:
    """After an event or its relations changed (also from the admin, which saves
    many-to-many fields after the event): touch `modified` and re-index. Runs in the
    caller's transaction."""
    Event.objects.filter(pk=event.pk).update(modified=timezone.now())
    search.index_object(event)


@transaction.atomic
def event_delete(event: Event) -> None:
    search.remove_object(event)
    event.delete()


@transaction.atomic
def cycle_save(cycle: Cycle, *, themes: Iterable[Concept] | None = None, user=None) -> Cycle:
    """Create or update a cycle, validated, and re-index its events, which quote its
    title (search text, calendar feeds). Themes left as None are not touched. `user`:
    the back office's save-through-service call; a cycle records no creator."""
    cycle.full_clean()
    cycle.save()
    if themes is not None:
        cycle.themes.set(themes)
    cycle_relations_changed(cycle)
    return cycle


def cycle_relations_changed(cycle: Cycle) -> None:
    """After a cycle changed (also from the admin, which saves its themes after it):
    touch its events' `modified` (their calendar entries describe the cycle) and
    re-index them. Runs in the caller's transaction."""
    Event.objects.filter(cycle=cycle).update(modified=timezone.now())
    search.reindex_dependents("events.Cycle", [cycle.pk])


@transaction.atomic
def cycle_delete(cycle: Cycle) -> None:
    """Delete a cycle without events (its events protect it: the back office lists
    them instead); nothing indexed quotes it then."""
    cycle.delete()


# --- Founding data ------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return value.split()


def _territories(items: list[str], where: str, problems: list[str]) -> list[Territory]:
    found = []
    for item in items:
        kind, _sep, code = item.partition(":")
        territory = Territory.objects.filter(kind=kind, code=code).first()
        if territory is None:
            problems.append(f"{where} : territoire inconnu {item}")
        else:
            found.append(territory)
    return found


def _themes(slugs: list[str], where: str, problems: list[str]) -> list[Concept]:
    scheme = ConceptScheme.objects.filter(is_theme_scheme=True).first()
    concepts = {c.slug: c for c in Concept.objects.filter(scheme=scheme, slug__in=slugs)}
    for slug in slugs:
        if slug not in concepts:
            problems.append(f"{where} : thème inconnu {slug}")
    return [concepts[slug] for slug in slugs if slug in concepts]


def _speakers(value: str) -> list[SpeakerInput]:
    """ "Claude Ruche|Julien Viteau ?" → speakers; a trailing "?" marks one to confirm."""
    speakers = []
    for name in filter(None, (part.strip() for part in value.split("|"))):
        unsure = name.endswith("?")
        speakers.append(SpeakerInput(name=name.rstrip(" ?"), confirmed=not unsure))
    return speakers


def founding_programme_load(*, report: LoadReport, reference_dir: Path | None = None) -> None:
    """Load the 2007 programme of the founding note (every line, as precise as the note
    gives it), its cycle, and the lines of action planned for 2008.

    Idempotent (upsert by slug). What the note does not give (registration, capacity,
    internal notes, publication once unpublished by staff) is never touched again after
    creation, so staff changes survive a reload.
    """
    cycles = read_founding_csv(
        FOUNDING_DIR, "cycles.csv", ("slug", "strand", "title", "description", "themes")
    )
    events = read_founding_csv(
        FOUNDING_DIR,
        "programme_2007.csv",
        (
            "slug", "strand", "kind", "cycle", "cycle_position", "title", "description",
            "organisers", "audiences", "themes", "territories", "start", "end", "precision",
            "date_confirmed", "places", "place_confirmed", "venue", "speakers",
        ),
    )  # fmt: skip
    lines = read_founding_csv(FOUNDING_DIR, "lines_2008.csv", ("order", "themes", "text"))
    problems: list[str] = []
    with transaction.atomic():
        by_slug: dict[str, Cycle] = {}
        for line, row in cycles:
            cycle = upsert(
                Cycle,
                {"slug": row["slug"]},
                {
                    "title": row["title"],
                    "description": row["description"],
                    "strand": row["strand"],
                    "source": NOTE_SOURCE,
                },
                "cycles",
                report,
            )
            cycle.themes.set(_themes(_split(row["themes"]), f"cycles.csv, ligne {line}", problems))
            by_slug[row["slug"]] = cycle

        organisations = {o.slug: o for o in Organisation.objects.all()}
        for line, row in events:
            where = f"programme_2007.csv, ligne {line}"
            if row["cycle"] and row["cycle"] not in by_slug:
                problems.append(f"{where} : cycle inconnu {row['cycle']}")
                continue
            organisers = []
            for slug in _split(row["organisers"]):
                if slug not in organisations:
                    problems.append(f"{where} : organisation inconnue {slug}")
                else:
                    organisers.append(organisations[slug])
            values = {
                "title": row["title"],
                "description": row["description"],
                "strand": row["strand"],
                "kind": row["kind"],
                "cycle": by_slug.get(row["cycle"]),
                "cycle_position": int(row["cycle_position"]) if row["cycle_position"] else None,
                "audiences": _split(row["audiences"]),
                "start_date": datetime.date.fromisoformat(row["start"]),
                "end_date": datetime.date.fromisoformat(row["end"]),
                "date_precision": row["precision"],
                "date_confirmed": row["date_confirmed"] == "1",
                "place_confirmed": row["place_confirmed"] == "1",
                "venue": row["venue"],
                "source": NOTE_SOURCE,
            }
            existing = Event.objects.filter(slug=row["slug"]).first()
            if existing is None:
                # Published on creation: the programme is public in the note.
                values["published"] = True
            event = upsert(Event, {"slug": row["slug"]}, values, "événements", report)
            _relations_set(
                event,
                organisers=organisers,
                themes=_themes(_split(row["themes"]), where, problems),
                territories=_territories(_split(row["territories"]), where, problems),
                places=_territories(_split(row["places"]), where, problems),
                speakers=_speakers(row["speakers"]),
            )
            event_relations_changed(event)

        for line, row in lines:
            programme_line = upsert(
                ProgrammeLine,
                {"year": 2008, "order": int(row["order"])},
                {"text": row["text"], "source": NOTE_SOURCE},
                "pistes d'action",
                report,
            )
            programme_line.themes.set(
                _themes(_split(row["themes"]), f"lines_2008.csv, ligne {line}", problems)
            )
        if problems:
            raise DataLoadError(problems)
