"""The about pages: the board computed from mandates, partners, the centre."""

import datetime

import pytest
from django.urls import reverse

from villes2.actors.models import Mandate, Office, Person
from villes2.actors.selectors import board_on

pytestmark = pytest.mark.django_db

NOTE_BOARD = [
    ("president", "Michel Lussault"),
    ("vice-president", "Alain Baudin"),
    ("vice-president", "Jean-Patrick Gille"),
    ("tresorier", "Brigitte Jallet"),
    ("tresorier-adjoint", "Daniel Beaufort"),
    ("secretaire", "Pierre Jolly"),
    ("secretaire-adjoint", "Gilles Coatrieux"),
    ("assesseur", "Jean-Claude Bonnefon"),
    ("assesseur", "Yves Dauge"),
]


def test_the_board_of_the_note(territories):
    board = board_on(datetime.date(2007, 5, 29))
    assert [(m.office, str(m.person)) for m in board] == NOTE_BOARD


def test_board_page_shows_the_nine_members(client, territories, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = client.get(reverse("about:board"))
    assert response.status_code == 200
    assert [str(m.person) for m in response.context["mandates"]] == [n for _o, n in NOTE_BOARD]


def test_earlier_boards_stay_reachable(client, territories):
    lussault = Person.objects.get(slug="michel-lussault")
    Mandate.objects.filter(person=lussault).update(end_date=datetime.date(2009, 6, 30))
    successor = Person.objects.get(slug="yves-dauge")
    Mandate.objects.create(
        person=successor, office=Office.PRESIDENT, start_date=datetime.date(2009, 7, 1)
    )
    today = client.get(reverse("about:board"))
    presidents = [m.person for m in today.context["mandates"] if m.office == "president"]
    assert presidents == [successor]
    then = client.get(reverse("about:board"), {"date": "2008-01-01"})
    presidents = [m.person for m in then.context["mandates"] if m.office == "president"]
    assert presidents == [lussault]
    assert 'href="?date=2007-05-29"' in today.content.decode()


def test_board_before_the_association_and_bad_dates(client, territories):
    response = client.get(reverse("about:board"), {"date": "2007-05-28"})
    assert response.context["mandates"] == []
    response = client.get(reverse("about:board"), {"date": "pas une date"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"]


def test_partners_page_groups_the_partners_of_the_note(
    client, territories, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(reverse("about:partners"))
    partners = {str(o) for _label, group in response.context["groups"] for o in group}
    assert len(partners) == 17
    assert {"RDVC", "Aire 198", "Région Poitou-Charentes", "Université de Tours"} <= partners
    assert "Cabinet Tetra" not in partners


def test_centre_page_lists_the_missions_and_links(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:centre"))
    content = response.content.decode()
    assert len(response.context["missions"]) == 6
    assert reverse("about:board") in content and reverse("about:partners") in content
