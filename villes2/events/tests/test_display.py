"""How times and places read (`events.display`): French typography for times, each
piece of a place once."""

import datetime

import pytest
from django.utils import translation

from villes2.events import display
from villes2.territories.tests.factories import TerritoryFactory

from . import factories

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        (datetime.time(9, 0), "9 h", "9:00 am"),
        (datetime.time(9, 30), "9 h 30", "9:30 am"),
        (datetime.time(17, 5), "17 h 05", "5:05 pm"),
        (datetime.time(12, 0), "12 h", "12:00 pm"),
        (datetime.time(0, 15), "0 h 15", "12:15 am"),
    ],
)
def test_time_label(moment, french, english):
    with translation.override("fr"):
        # No-break spaces: "9 h 30" never splits across two lines.
        assert display.time_label(moment) == french.replace(" ", NBSP)
    with translation.override("en"):
        assert display.time_label(moment) == english


def test_time_span_label():
    start, end = datetime.time(9, 30), datetime.time(17, 0)
    with translation.override("fr"):
        assert display.time_span_label(start, end) == f"de 9{NBSP}h{NBSP}30 à 17{NBSP}h"
        assert display.time_span_label(start, None) == f"à 9{NBSP}h{NBSP}30"
        assert display.time_span_label(None, end) == ""
    with translation.override("en"):
        assert display.time_span_label(start, end) == "9:30 am – 5:00 pm"
        assert display.time_span_label(start, None) == "at 9:30 am"


@pytest.mark.django_db
def test_date_time_label_gives_times_with_a_known_day_only():
    times = {"start_time": datetime.time(9, 30), "end_time": datetime.time(17, 0)}
    day = factories.event(start_date=datetime.date(2030, 3, 14), **times)
    month = factories.event(
        start_date=datetime.date(2030, 3, 1),
        end_date=datetime.date(2030, 3, 31),
        date_precision="mois",
        **times,
    )
    plain = factories.event(start_date=datetime.date(2030, 3, 14))
    with translation.override("fr"):
        assert display.date_time_label(day) == f"14 mars 2030, de 9{NBSP}h{NBSP}30 à 17{NBSP}h"
        assert display.date_time_label(month) == "mars 2030 (jour à préciser)"
        assert display.date_time_label(plain) == "14 mars 2030"
    with translation.override("en"):
        assert display.date_time_label(day) == "14 March 2030, 9:30 am – 5:00 pm"


@pytest.fixture
def tours():
    return TerritoryFactory(name="Tours", kind="commune", code="37261")


@pytest.fixture
def orleans():
    return TerritoryFactory(name="Orléans", kind="commune", code="45234")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "lines"),
    [
        # The address names the commune (whatever the case and accents): not repeated.
        ("1 rue Fictive, 37000 Tours", ["Salle de test", "1 rue Fictive, 37000 Tours"]),
        ("1 rue Fictive\n37000 TOURS", ["Salle de test", "1 rue Fictive", "37000 TOURS"]),
        # "Tours" inside another commune's name is not Tours.
        (
            "2 rue Fictive, 37300 Joué-lès-Tours",
            ["Salle de test", "2 rue Fictive, 37300 Joué-lès-Tours", "Tours"],
        ),
        # No address: the commune.
        ("", ["Salle de test", "Tours"]),
    ],
)
def test_place_details_give_the_commune_once(tours, address, lines):
    event = factories.event(
        place_confirmed=True, venue="Salle de test", address=address, places=[tours]
    )
    details = display.place_details(event)
    assert details.lines == lines
    assert details.confirmed is True
    assert str(details) == ", ".join(lines)


@pytest.mark.django_db
def test_place_details_of_several_communes_and_of_hyphenated_names(tours, orleans):
    both = factories.event(
        place_confirmed=True, address="1 rue Fictive, 37000 Tours", places=[tours, orleans]
    )
    # The address names one of the two: both communes are said.
    assert display.place_details(both).lines == ["1 rue Fictive, 37000 Tours", "Tours – Orléans"]
    saint_cyr = TerritoryFactory(name="Saint-Cyr-sur-Loire", kind="commune", code="37214")
    spaced = factories.event(
        place_confirmed=True,
        address="5 avenue Fictive, 37540 Saint Cyr sur Loire,",
        places=[saint_cyr],
    )
    assert display.place_details(spaced).lines == ["5 avenue Fictive, 37540 Saint Cyr sur Loire"]


@pytest.mark.django_db
def test_place_details_of_a_place_to_be_confirmed_give_the_candidates_only(tours, orleans):
    event = factories.event(
        place_confirmed=False,
        venue="Salle pressentie",
        address="1 rue Fictive",
        places=[tours, orleans],
    )
    with translation.override("fr"):
        details = display.place_details(event)
        assert details.lines == ["Tours ou Orléans (lieu à confirmer)"]
        assert details.confirmed is False
    online = factories.event(place_confirmed=True, online_url="https://visio.example.org/")
    assert not display.place_details(online)
    assert str(display.place_details(online)) == ""
