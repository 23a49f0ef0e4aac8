"""The founding note's 2007 programme is loaded as the note prints it."""

import datetime

import pytest

from villes2.events.display import place_names
from villes2.events.models import Event, ProgrammeLine

pytestmark = pytest.mark.django_db


def _event(slug: str) -> Event:
    return Event.objects.get(slug=slug)


def test_every_line_of_the_2007_programme_is_loaded(reference_data):
    programme = Event.objects.filter(source="Note de mise en œuvre, 2007")
    assert programme.count() == 10
    assert set(programme.values_list("strand", flat=True)) == {
        "volet-urbain",
        "volet-humain",
        "transversal",
    }
    assert programme.filter(published=True, status="prevu").count() == 10


def test_dates_are_as_precise_as_the_note(reference_data):
    june = _event("2e-rencontre-regionale-centre-2007")
    assert (june.start_date, june.end_date, june.date_precision) == (
        datetime.date(2007, 6, 1),
        datetime.date(2007, 6, 1),
        "jour",
    )
    two_days = _event("formation-action-discriminations-politiques-locales")
    assert (two_days.start_date, two_days.end_date) == (
        datetime.date(2007, 10, 18),
        datetime.date(2007, 10, 19),
    )
    january = _event("egalite-des-chances-acces-emploi")  # "Janvier ?"
    assert (january.date_precision, january.date_confirmed, january.is_tentative) == (
        "mois",
        False,
        True,
    )
    assert (january.start_date, january.end_date) == (
        datetime.date(2008, 1, 1),
        datetime.date(2008, 1, 31),
    )
    february = _event("egalite-des-chances-acces-logement")  # "Février"
    assert (february.date_precision, february.date_confirmed, february.is_tentative) == (
        "mois",
        True,
        True,
    )
    assert february.end_date == datetime.date(2008, 2, 29)
    assert not two_days.is_tentative


def test_places_and_speakers_keep_their_uncertainty(reference_data):
    either = _event("formation-action-discriminations-politiques-locales")
    assert place_names(either) == ["Tours", "Orléans"]  # the note's order
    assert not either.place_confirmed
    assert [(s.name, s.confirmed) for s in either.speakers.all()] == [("Claude Ruche", True)]
    blois = _event("egalite-des-chances-acces-emploi")
    assert list(blois.places.values_list("name", flat=True)) == ["Blois"]
    assert not blois.place_confirmed
    assert [(s.name, s.confirmed) for s in blois.speakers.all()] == [("Julien Viteau", False)]
    hemicycle = _event("initiative-economique-habitants-2007")
    assert hemicycle.place_confirmed
    assert hemicycle.venue == "Hémicycle du Conseil régional"


def test_the_cycle_has_its_three_sessions_in_order(reference_data):
    cycle_events = Event.objects.filter(
        cycle__slug="egalite-des-chances-acces-aux-droits"
    ).order_by("cycle_position")
    assert [e.slug for e in cycle_events] == [
        "formation-action-discriminations-politiques-locales",
        "egalite-des-chances-acces-emploi",
        "egalite-des-chances-acces-logement",
    ]


def test_organisers_are_the_directory_entries_the_note_names(reference_data):
    assert sorted(
        _event("rencontre-nationale-utilite-sociale-mediation").organisers.values_list(
            "slug", flat=True
        )
    ) == ["aire-198", "div", "omega", "sgar-poitou-charentes"]
    launch = _event("reunion-lancement-centre-ressources")
    assert launch.start_date == datetime.date(2007, 10, 9)
    assert list(launch.places.values_list("name", flat=True)) == ["Poitiers"]


def test_the_2008_lines_of_action_are_planned_themes_not_events(reference_data):
    lines = ProgrammeLine.objects.filter(year=2008)
    assert lines.count() == 8
    assert not Event.objects.filter(start_date__year=2008, cycle__isnull=True).exists()
    first = lines.get(order=1)
    assert "santé" in first.text
    assert set(first.themes.values_list("slug", flat=True)) >= {"sante", "egalite-des-chances"}


def test_reloading_changes_nothing(reference_data, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    before = Event.history.count()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "événements : 0 créés, 0 modifiés, 0 supprimés, 10 inchangés" in out.getvalue()
    assert Event.history.count() == before
