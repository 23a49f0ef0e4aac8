"""Test data for the agenda. Events are written through `event_save`, as every surface
writes them, so that they are validated and indexed. Everything here is invented test
data, never shown as real."""

import datetime
import itertools

from villes2.actors.models import Organisation
from villes2.events.models import Event
from villes2.events.services import event_save

_numbers = itertools.count(1)


def organisation(**fields) -> Organisation:
    number = next(_numbers)
    values = {"kind": "reseau", "name": f"Réseau de test {number}", "slug": f"reseau-test-{number}"}
    values.update(fields)
    return Organisation.objects.create(**values)


def event(
    *,
    organisers=None,
    themes=None,
    territories=None,
    places=None,
    speakers=None,
    user=None,
    **fields,
) -> Event:
    """A saved, indexed, published event on one exact day, unless told otherwise."""
    number = next(_numbers)
    start = fields.pop("start_date", datetime.date(2030, 3, 12))
    values = {
        "title": f"Rencontre de test {number}",
        "slug": f"rencontre-test-{number}",
        "strand": "volet-humain",
        "kind": "rencontre-regionale",
        "start_date": start,
        "end_date": fields.pop("end_date", start),
        "published": True,
        **fields,
    }
    return event_save(
        Event(**values),
        organisers=organisers if organisers is not None else [organisation()],
        themes=themes,
        territories=territories,
        places=places,
        speakers=speakers,
        user=user,
    )
