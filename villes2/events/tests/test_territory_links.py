"""Events in the "linked to this territory" section of territory pages: public events
concerning the territory or held in it (or inside it), upcoming first, then the most
recent, with a link to the agenda filtered on the territory."""

import datetime

import pytest
from lxml import html

from villes2.events.selectors import agenda

from . import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(agenda, "today", lambda: TODAY)


def _events_section(client, path):
    tree = html.fromstring(client.get(path).content.decode())
    for heading in tree.xpath('//section[@aria-labelledby="liens"]/h3'):
        if heading.text.strip() == "Agenda":
            return heading
    return None


def _items(heading) -> list[str]:
    return [a.text for a in heading.getnext().xpath("./li/a")]


def test_poitou_charentes_lists_its_events_most_recent_first(client, territories):
    section = agenda.linked_events_section(territories.get(kind="ancienne-region", code="54"))
    assert [(item.title, item.detail) for item in section.items] == [
        ("Rencontre nationale sur l'utilité sociale de la médiation", "12 décembre 2007"),
        ("Les clauses d'insertion dans les projets ORU", "11 octobre 2007"),
        ("Réunion de lancement du centre de ressources", "9 octobre 2007"),
        (
            "Démarrage de l'atelier interrégional sur l'évaluation des CUCS et des PRU",
            "2007 (date à confirmer)",
        ),
    ]
    assert section.total == 4
    assert section.more_url == "/agenda/?territoire=ancienne-region-54"


def test_upcoming_first_soonest_first_then_past_and_a_total_beyond_five(client, territories):
    tours = territories.get(kind="commune", code="37261")
    later = factories.event(
        title="Dans un an", start_date=datetime.date(2027, 5, 1), places=[tours]
    )
    soon = factories.event(
        title="Bientôt", start_date=datetime.date(2026, 5, 20), territories=[tours]
    )
    factories.event(
        title="Non publié", start_date=datetime.date(2026, 5, 21), places=[tours], published=False
    )
    factories.event(title="Ailleurs", start_date=datetime.date(2026, 5, 22))
    recent = factories.event(
        title="L'an dernier", start_date=datetime.date(2025, 5, 1), places=[tours]
    )
    factories.event(title="Il y a longtemps", start_date=datetime.date(2001, 5, 1), places=[tours])
    heading = _events_section(client, "/territoires/departement/37/")
    assert heading.xpath("./span/text()") == ["(6)"]
    assert _items(heading) == [
        soon.title,
        later.title,
        recent.title,
        "Favoriser l'égalité des chances dans l'accès au logement",  # February 2008
        "Formation-action sur les discriminations dans les politiques locales",  # October 2007
    ]
    more = heading.getnext().getnext().xpath("./a/@href")
    assert more == ["/agenda/?territoire=departement-37"]


def test_the_more_link_leads_to_the_same_events(client, territories):
    response = client.get("/agenda/", {"territoire": "departement-37"})
    titles = html.fromstring(response.content.decode()).xpath(
        '//section[@aria-labelledby="passes"]//tbody/tr/th/a/text()'
    )
    assert sorted(titles) == [
        "Favoriser l'égalité des chances dans l'accès au logement",
        "Formation-action sur les discriminations dans les politiques locales",
    ]


def test_no_section_without_events(client, territories):
    assert agenda.linked_events_section(territories.get(kind="zus", code="ZUS-28-05")) is None
    assert _events_section(client, "/territoires/zus/ZUS-28-05/") is None
