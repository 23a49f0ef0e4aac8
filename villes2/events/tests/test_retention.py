"""Registrations' personal data are emptied 12 months after the event by the retention
command; the counts stay."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from villes2.core.registry import registry
from villes2.events import services
from villes2.events.models import Registration, RegistrationStatus
from villes2.events.services.registrations import _months_before

from . import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2031, 6, 15)


def _event_ended(day: datetime.date):
    event = factories.event(start_date=day - datetime.timedelta(days=1), end_date=day)
    Registration.objects.create(
        event=event,
        name="Léa Martin",
        organisation="Ville de Tours",
        email="lea@example.org",
        role="Cheffe de projet",
        status=RegistrationStatus.CONFIRMED,
        attended=True,
    )
    Registration.objects.create(
        event=event,
        name="Paul Bernard",
        email="paul@example.org",
        status=RegistrationStatus.CANCELLED,
    )
    return event


@pytest.fixture
def events():
    return {
        "13 months": _event_ended(datetime.date(2030, 5, 14)),
        "12 months": _event_ended(datetime.date(2030, 6, 15)),
        "11 months": _event_ended(datetime.date(2030, 7, 15)),
    }


def test_months_before():
    assert _months_before(datetime.date(2031, 6, 15), 12) == datetime.date(2030, 6, 15)
    assert _months_before(datetime.date(2031, 3, 31), 1) == datetime.date(2031, 2, 28)
    assert _months_before(datetime.date(2031, 1, 10), 13) == datetime.date(2029, 12, 10)


def test_dry_run_reports_events_and_changes_nothing(events):
    report = services.registrations_retention_purge(dry_run=True, today=TODAY)
    assert report.count == 4
    assert report.lines == [
        f"événement n° {events['13 months'].pk} (fin : 14/05/2030) : 2 inscription(s)",
        f"événement n° {events['12 months'].pk} (fin : 15/06/2030) : 2 inscription(s)",
    ]
    assert not Registration.objects.filter(anonymised_at__isnull=False).exists()


def test_purge_empties_personal_fields_and_keeps_the_counts(events):
    report = services.registrations_retention_purge(dry_run=False, today=TODAY)
    assert report.count == 4
    purged = Registration.objects.filter(event__in=[events["13 months"], events["12 months"]])
    assert set(purged.values_list("name", "organisation", "email", "role")) == {("", "", "", "")}
    assert purged.filter(anonymised_at__isnull=True).count() == 0
    assert sorted(purged.values_list("status", "attended")) == [
        ("annule", False),
        ("annule", False),
        ("inscrit", True),
        ("inscrit", True),
    ]
    # An event that ended 11 months ago is untouched.
    kept = Registration.objects.filter(event=events["11 months"])
    assert set(kept.values_list("name", flat=True)) == {"Léa Martin", "Paul Bernard"}
    assert kept.filter(anonymised_at__isnull=False).count() == 0
    # Running again purges nothing more.
    assert services.registrations_retention_purge(dry_run=False, today=TODAY).count == 0


def test_retention_period_is_a_setting(events, settings):
    settings.EVENTS_REGISTRATION_RETENTION_MONTHS = 10
    assert services.registrations_retention_purge(dry_run=True, today=TODAY).count == 6


def test_the_retention_command_runs_the_events_purge(capsys):
    today = timezone.localdate()
    old = _event_ended(_months_before(today, 13))
    recent = _event_ended(_months_before(today, 11))
    assert "events-registrations" in [task.key for task in registry.retention_tasks]

    call_command("purge_personal_data", "--dry-run")
    output = capsys.readouterr().out
    assert "Simulation, Inscriptions aux événements (données personnelles) : 2 à purger." in (
        output
    )
    assert f"  événement n° {old.pk} (fin : {old.end_date:%d/%m/%Y}) : 2 inscription(s)" in (output)
    assert "Léa" not in output and "lea@example.org" not in output
    assert not Registration.objects.filter(anonymised_at__isnull=False).exists()

    call_command("purge_personal_data")
    output = capsys.readouterr().out
    assert "Inscriptions aux événements (données personnelles) : 2 purgé(s)." in output
    assert set(
        Registration.objects.filter(anonymised_at__isnull=False).values_list("event", flat=True)
    ) == {old.pk}
    assert Registration.objects.filter(event=recent, name="Léa Martin").exists()
