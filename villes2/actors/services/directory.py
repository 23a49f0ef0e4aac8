"""Writes for the directory: founding data, search text."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.db import transaction

from villes2.core import search
from villes2.core.loading import DataLoadError, LoadReport, upsert
from villes2.core.text import normalize_for_search
from villes2.territories.models import Territory
from villes2.territories.reference_data import read_founding_csv

from ..models import Mandate, Membership, Organisation, Person

FOUNDING_DIR = Path(__file__).resolve().parent.parent / "founding_data"
NOTE_SOURCE = "Note de mise en œuvre, 2007"


def organisation_search_text_refresh(*, organisation: Organisation) -> None:
    """Recompute the words searched for an organisation: name, acronym, parent."""
    parts = [organisation.name, organisation.acronym]
    if organisation.parent_id:
        parts += [organisation.parent.name, organisation.parent.acronym]
    text = normalize_for_search(" ".join(parts))
    sort_name = normalize_for_search(organisation.name)
    if (text, sort_name) != (organisation.search_text, organisation.sort_name):
        organisation.search_text, organisation.sort_name = text, sort_name
        Organisation.objects.filter(pk=organisation.pk).update(
            search_text=text, sort_name=sort_name
        )
        # Records naming it as an author are indexed with its name (villes2.core.search).
        search.reindex_dependents("actors.Organisation", [organisation.pk])


def person_search_text_refresh(*, person: Person) -> None:
    """Recompute the words searched for a person: names, job title, organisations, roles."""
    parts = [person.first_name, person.last_name, person.job_title]
    for membership in person.memberships.select_related("organisation"):
        parts += [membership.role, membership.organisation.name, membership.organisation.acronym]
    text = normalize_for_search(" ".join(parts))
    sort_name = normalize_for_search(f"{person.last_name} {person.first_name}")
    if (text, sort_name) != (person.search_text, person.sort_name):
        person.search_text, person.sort_name = text, sort_name
        Person.objects.filter(pk=person.pk).update(search_text=text, sort_name=sort_name)
    # Records quoting the person (events' speakers) are indexed with their name, or
    # without it while their processing is restricted: either may have changed.
    search.reindex_dependents("actors.Person", [person.pk])


def _rows(name: str, columns: tuple[str, ...]):
    return read_founding_csv(FOUNDING_DIR, name, columns)


def founding_actors_load(*, report: LoadReport, reference_dir: Path | None = None) -> None:
    """Load the organisations, board members, roles and mandates the founding note names.

    Idempotent (upsert by slug). Founding data ships with the code, so `reference_dir`
    does not apply. Fields the note does not give (contacts, consent) are never touched,
    so staff additions survive a reload.
    """
    organisations = _rows(
        "organisations.csv", ("slug", "kind", "name", "acronym", "parent", "territories")
    )
    persons = _rows("persons.csv", ("slug", "first_name", "last_name", "job_title"))
    memberships = _rows("memberships.csv", ("person", "organisation", "role", "attested_on"))
    mandates = _rows("mandates.csv", ("person", "office", "start_date"))
    problems = []
    with transaction.atomic():
        by_slug: dict[str, Organisation] = {}
        for _line, row in organisations:
            values = {
                "kind": row["kind"],
                "name": row["name"],
                "acronym": row["acronym"],
                "description": row.get("description", ""),
                "is_partner": row.get("partner") == "1",
                "source": NOTE_SOURCE,
            }
            by_slug[row["slug"]] = upsert(
                Organisation, {"slug": row["slug"]}, values, "organisations", report
            )
        for line, row in organisations:
            organisation = by_slug[row["slug"]]
            parent = by_slug.get(row["parent"]) if row["parent"] else None
            if row["parent"] and parent is None:
                problems.append(f"organisations.csv, ligne {line} : parent inconnu {row['parent']}")
                continue
            if organisation.parent_id != (parent.pk if parent else None):
                organisation.parent = parent
                organisation.save(update_fields=["parent"])
            territories = []
            for item in filter(None, row["territories"].split("|")):
                kind, _sep, code = item.partition(":")
                territory = Territory.objects.filter(kind=kind, code=code).first()
                if territory is None:
                    problems.append(f"organisations.csv, ligne {line} : territoire inconnu {item}")
                else:
                    territories.append(territory)
            organisation.territories.add(*territories)
            organisation_search_text_refresh(organisation=organisation)

        people: dict[str, Person] = {}
        for _line, row in persons:
            values = {
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "job_title": row["job_title"],
                "source": NOTE_SOURCE,
            }
            people[row["slug"]] = upsert(Person, {"slug": row["slug"]}, values, "personnes", report)

        for line, row in memberships:
            person, organisation = people.get(row["person"]), by_slug.get(row["organisation"])
            if person is None or organisation is None:
                problems.append(
                    f"memberships.csv, ligne {line} : personne ou organisation inconnue"
                )
                continue
            upsert(
                Membership,
                {"person": person, "organisation": organisation, "role": row["role"]},
                {
                    "attested_on": datetime.date.fromisoformat(row["attested_on"]),
                    "source": NOTE_SOURCE,
                },
                "fonctions",
                report,
            )
        for person in people.values():
            person_search_text_refresh(person=person)

        for line, row in mandates:
            person = people.get(row["person"])
            if person is None:
                problems.append(f"mandates.csv, ligne {line} : personne inconnue {row['person']}")
                continue
            upsert(
                Mandate,
                {
                    "person": person,
                    "office": row["office"],
                    "start_date": datetime.date.fromisoformat(row["start_date"]),
                },
                {"source": NOTE_SOURCE},
                "mandats du bureau",
                report,
            )
        if problems:
            raise DataLoadError(problems)
