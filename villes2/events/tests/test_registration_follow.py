"""What follows an event's change for its registrants (cancelled: told; more places: the
waiting list moves up), and the erasure of a directory person reaching registrations."""

import datetime

import pytest
from django.core.cache import cache

from villes2.actors import services as actor_services
from villes2.actors.models import ErasureReason, Person
from villes2.events import services
from villes2.events.models import Registration, RegistrationStatus

from . import factories

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _full_event(capacity=1, waiting=2):
    event = factories.event(
        registration_open=True, capacity=capacity, start_date=datetime.date(2030, 5, 20)
    )
    for n in range(capacity + waiting):
        services.registration_create(
            event=event,
            name=f"Personne {n}",
            organisation="",
            email=f"personne{n}@example.org",
            role="",
            base_url=BASE,
        )
    return event


def test_cancelling_an_event_tells_every_live_registrant(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = _full_event()
    services.registration_cancel(
        registration=Registration.objects.get(email="personne2@example.org"),
        base_url=BASE,
        notify=False,
    )
    mailoutbox.clear()
    event.status = "annule"
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_registrations_follow(
            event=event, previous_status="confirme", previous_capacity=1, base_url=BASE
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["personne0@example.org", "personne1@example.org"]
    assert all(m.subject == f"Événement annulé : {event.title}" for m in mailoutbox)
    # Saving the cancelled event again tells no one twice.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_registrations_follow(
            event=event, previous_status="annule", previous_capacity=1, base_url=BASE
        )
    assert mailoutbox == []


def test_raising_the_capacity_promotes_the_waiting_list_in_order(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = _full_event(capacity=1, waiting=2)
    mailoutbox.clear()
    event.capacity = 2
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_registrations_follow(
            event=event, previous_status="confirme", previous_capacity=1, base_url=BASE
        )
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {
        "personne0@example.org": RegistrationStatus.CONFIRMED,
        "personne1@example.org": RegistrationStatus.CONFIRMED,
        "personne2@example.org": RegistrationStatus.WAITLISTED,
    }
    assert [m.to for m in mailoutbox] == [["personne1@example.org"]]


def test_lowering_the_capacity_moves_no_one():
    event = _full_event(capacity=2, waiting=1)
    event.capacity = 1
    event.save()
    services.event_registrations_follow(
        event=event, previous_status="confirme", previous_capacity=2, base_url=BASE
    )
    assert Registration.objects.filter(event=event).confirmed().count() == 2


def test_erasing_a_person_anonymises_their_registrations(django_capture_on_commit_callbacks):
    event = _full_event(capacity=3, waiting=0)
    person = Person.objects.create(
        first_name="Personne", last_name="Zéro", slug="personne-zero", email="Personne0@Example.org"
    )
    actor_services.person_erase(person=person, reason=ErasureReason.STAFF)
    rows = Registration.objects.filter(event=event).order_by("pk")
    assert [(r.name, r.email, r.anonymised_at is not None) for r in rows] == [
        ("", "", True),
        ("Personne 1", "personne1@example.org", False),
        ("Personne 2", "personne2@example.org", False),
    ]
