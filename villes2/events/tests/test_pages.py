"""The public agenda: list, month view, year's programme, event and cycle pages, in
French and English; the founding 2007 programme as the note has it."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from lxml import html

from villes2.accounts.roles import PARTNER
from villes2.core.testing import staff_user
from villes2.events.models import Cycle, Event
from villes2.events.selectors import agenda
from villes2.territories.models import Territory

from . import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(agenda, "today", lambda: TODAY)


def _page(response):
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def _text(node) -> str:
    for line_break in node.iter("br"):
        line_break.tail = " " + (line_break.tail or "")
    return re.sub(r"\s+", " ", node.text_content()).strip()


def _section(tree, heading_id):
    return tree.xpath(f'//section[@aria-labelledby="{heading_id}"]')[0]


# --- /agenda/ ---------------------------------------------------------------------


def test_the_2007_programme_is_in_the_past_section(client, reference_data):
    tree = _page(client.get("/agenda/"))
    upcoming = _text(_section(tree, "a-venir"))
    assert upcoming == "Événements à venir Aucun événement à venir."
    past = _section(tree, "passes")
    assert _text(past.xpath(".//h2")[0]) == "Événements passés (10)"
    # Most recent first, one heading per month; the year-only atelier last.
    assert [_text(h) for h in past.xpath(".//h3")] == [
        "février 2008",
        "janvier 2008",
        "décembre 2007",
        "octobre 2007",
        "septembre 2007",
        "juin 2007",
        "2007 (mois non précisé)",
    ]
    rows = {
        _text(row.xpath("./th")[0].xpath("./a")[0]): [_text(cell) for cell in row.xpath("./td")]
        for row in past.xpath(".//tbody/tr")
    }
    assert len(rows) == 10
    assert rows["Formation-action sur les discriminations dans les politiques locales"] == [
        "18 et 19 octobre 2007",
        "Formation-action Volet humain",
        "ACSE, APDSU, RDVC, SGAR",
        "Tours ou Orléans (lieu à confirmer)",
    ]
    assert rows["Favoriser l'égalité des chances dans l'accès à l'emploi"][0] == (
        "janvier 2008 (date à confirmer)"
    )
    assert rows["Favoriser l'égalité des chances dans l'accès au logement"][0] == (
        "février 2008 (jour à préciser)"
    )
    assert rows["Promouvoir l'initiative économique des habitants"][3] == (
        "Orléans Hémicycle du Conseil régional"
    )


def test_tentative_dates_carry_a_badge_in_words_and_the_cycle_is_linked(client, reference_data):
    tree = _page(client.get("/agenda/"))
    badges = {
        _text(row.xpath("./th/a")[0]): [
            _text(b) for b in row.xpath(".//*[@class[contains(., 'badge')]]")
        ]
        for row in _section(tree, "passes").xpath(".//tbody/tr")
    }
    assert badges["Favoriser l'égalité des chances dans l'accès à l'emploi"] == ["Date à confirmer"]
    assert badges["Favoriser l'égalité des chances dans l'accès au logement"] == [
        "Date à confirmer"
    ]
    assert badges["Réunion de lancement du centre de ressources"] == []
    cycle_links = tree.xpath('//span[@class="agenda-cycle"]/a/@href')
    assert cycle_links == ["/agenda/cycles/egalite-des-chances-acces-aux-droits/"] * 3


def test_upcoming_events_come_first_in_date_order_and_cancelled_ones_say_so(client, reference_data):
    later = factories.event(title="Atelier de juin", start_date=datetime.date(2026, 6, 20))
    sooner = factories.event(title="Colloque de mai", start_date=datetime.date(2026, 5, 20))
    factories.event(title="Réunion annulée", start_date=datetime.date(2026, 5, 30), status="annule")
    factories.event(title="Brouillon", start_date=datetime.date(2026, 5, 21), published=False)
    running = factories.event(
        title="Formation en cours",
        start_date=datetime.date(2026, 5, 14),
        end_date=datetime.date(2026, 5, 16),
    )
    tree = _page(client.get("/agenda/"))
    rows = _section(tree, "a-venir").xpath(".//tbody/tr")
    assert [_text(row.xpath("./th/a")[0]) for row in rows] == [
        running.title,
        sooner.title,
        "Réunion annulée",
        later.title,
    ]
    assert rows[2].get("class") == "cancelled"
    assert "Annulé" in _text(rows[2].xpath("./th")[0])
    assert "Brouillon" not in _text(tree)


def test_past_events_are_paginated(client, reference_data):
    for number in range(15):
        factories.event(title=f"Ancienne rencontre {number}", start_date=datetime.date(2010, 3, 1))
    tree = _page(client.get("/agenda/"))
    past = _section(tree, "passes")
    assert _text(past.xpath(".//h2")[0]) == "Événements passés (25)"
    assert len(past.xpath(".//tbody/tr")) == 20
    second = _section(_page(client.get("/agenda/", {"page": 2})), "passes")
    assert len(second.xpath(".//tbody/tr")) == 5
    assert [_text(h) for h in second.xpath(".//h3")] == [
        "octobre 2007",
        "septembre 2007",
        "juin 2007",
        "2007 (mois non précisé)",
    ]


def test_calendar_subscription_links(client, reference_data):
    content = client.get("/agenda/").content.decode()
    assert 'href="webcal://testserver/agenda/ical"' in content
    assert 'href="http://testserver/agenda/ical"' in content
    filtered = client.get("/agenda/", {"organisateur": "apdsu"}).content.decode()
    assert 'href="webcal://testserver/agenda/ical/organisateur/apdsu"' in filtered
    territory = client.get("/agenda/", {"territoire": "ancienne-region-54"}).content.decode()
    assert 'href="webcal://testserver/agenda/ical/territoire/ancienne-region/54"' in territory
    theme = client.get("/agenda/", {"theme": "mediation-sociale"}).content.decode()
    assert re.search(
        r'href="webcal://testserver/agenda/ical/theme/[a-z0-9-]+/mediation-sociale"', theme
    )
    # Two of them at once: no single feed matches, none is offered.
    both = client.get("/agenda/", {"organisateur": "apdsu", "theme": "mediation-sociale"})
    assert "/agenda/ical/organisateur/" not in both.content.decode()


def test_the_list_links_the_programmes_of_each_year(client, reference_data):
    tree = _page(client.get("/agenda/"))
    nav = tree.xpath('//nav[@class="agenda-views"]//a/@href')
    assert nav == ["/agenda/mois/2026/5/", "/agenda/programme/2008/", "/agenda/programme/2007/"]


def test_the_coordination_page_is_linked_for_those_who_may_open_it(client, reference_data):
    def links() -> list[tuple[str, str]]:
        nav = _page(client.get("/agenda/")).xpath('//nav[@class="agenda-views"]//a')
        return [(_text(a), a.get("href")) for a in nav if "coordination" in a.get("href")]

    assert links() == []
    client.force_login(get_user_model().objects.create_user("lambda", password="x"))
    assert links() == []
    partner = get_user_model().objects.create_user("membre-reseau", password="x")
    partner.groups.add(Group.objects.get(name=PARTNER))
    client.force_login(partner)
    assert links() == [("Coordination des programmes des réseaux", "/agenda/coordination/")]
    assert client.get("/agenda/coordination/").status_code == 200


def test_english_version(client, reference_data):
    tree = _page(client.get("/en/agenda/"))
    assert tree.xpath("//html/@lang") == ["en"]
    assert _text(_section(tree, "a-venir")) == "Upcoming events No upcoming event."
    past = _section(tree, "passes")
    assert [_text(h) for h in past.xpath(".//h3")][:2] == ["February 2008", "January 2008"]
    assert "January 2008 (date to be confirmed)" in _text(past)
    assert "Tours or Orléans (place to be confirmed)" in _text(past)
    for path in (
        "/en/agenda/mois/2007/10/",
        "/en/agenda/programme/2007/",
        "/en/agenda/evenements/egalite-des-chances-acces-emploi/",
        "/en/agenda/cycles/egalite-des-chances-acces-aux-droits/",
    ):
        assert client.get(path).status_code == 200, path


# --- Month view -------------------------------------------------------------------


def _day_cells(tree) -> dict[int, list[str]]:
    cells = {}
    for cell in tree.xpath('//table[@class="agenda-calendar"]//td[not(@class="outside")]'):
        number = int(_text(cell.xpath('./span[@class="day-number"]')[0]))
        cells[number] = [_text(a) for a in cell.xpath(".//a")]
    return cells


def test_month_grid_shows_a_two_day_event_on_both_days(client, reference_data):
    tree = _page(client.get("/agenda/mois/2007/10/"))
    table = tree.xpath('//table[@class="agenda-calendar"]')[0]
    assert _text(table.xpath("./caption")[0]) == "Calendrier — octobre 2007"
    assert [_text(th) for th in table.xpath("./thead//th")] == [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ]  # fmt: skip
    assert table.xpath("./thead//th/@scope") == ["col"] * 7
    cells = _day_cells(tree)
    assert len(cells) == 31
    training = "Formation-action sur les discriminations dans les politiques locales"
    assert cells[18] == cells[19] == [training]
    assert cells[9] == ["Réunion de lancement du centre de ressources"]
    assert cells[11] == ["Les clauses d'insertion dans les projets ORU"]
    assert cells[17] == cells[20] == []
    # 1 October 2007 was a Monday: no empty cell before it.
    first_row = table.xpath("./tbody/tr[1]/td")
    assert _text(first_row[0]).startswith("1")
    # The plain list: every event of the month, in order.
    plain = _section(tree, "liste-du-mois")
    assert [_text(a) for a in plain.xpath(".//a")] == [
        "Réunion de lancement du centre de ressources",
        "Les clauses d'insertion dans les projets ORU",
        training,
    ]
    # The year-only atelier is no more in October than in any month of 2007: not "to be
    # specified in the month", not in the month's list, but apart, as the year's.
    assert tree.xpath('//section[@aria-labelledby="a-preciser"]') == []
    year_only = _section(tree, "dans-l-annee")
    assert _text(year_only.xpath("./h2")[0]) == "Date à préciser dans l'année 2007"
    assert [_text(li) for li in year_only.xpath(".//li")] == [
        "Démarrage de l'atelier interrégional sur l'évaluation des CUCS et des PRU "
        "Date à confirmer — 2007 (date à confirmer)"
    ]
    assert year_only.xpath(".//p/a/@href") == ["/agenda/programme/2007/"]
    links = tree.xpath('//nav[@class="agenda-pager"]//a/@href')
    assert links[:2] == ["/agenda/mois/2007/9/", "/agenda/mois/2007/11/"]


def test_month_precision_events_are_listed_as_to_be_specified(client, reference_data):
    tree = _page(client.get("/agenda/mois/2008/1/"))
    undated = _section(tree, "a-preciser")
    assert _text(undated.xpath(".//h2")[0]) == "Date à préciser dans le mois"
    assert "Favoriser l'égalité des chances dans l'accès à l'emploi" in _text(undated)
    assert "janvier 2008 (date à confirmer)" in _text(undated)
    assert all(links == [] for links in _day_cells(tree).values())
    assert tree.xpath('//section[@aria-labelledby="dans-l-annee"]') == []


def test_year_precision_events_are_apart_in_every_month_of_their_year(client, reference_data):
    atelier = "Démarrage de l'atelier interrégional sur l'évaluation des CUCS et des PRU"
    for month in (1, 6, 12):
        tree = _page(client.get(f"/agenda/mois/2007/{month}/"))
        year_only = _section(tree, "dans-l-annee")
        assert [_text(a) for a in year_only.xpath(".//li/a")] == [atelier]
        assert atelier not in _text(_section(tree, "liste-du-mois"))
        assert tree.xpath('//section[@aria-labelledby="a-preciser"]') == []
    english = _page(client.get("/en/agenda/mois/2007/6/"))
    assert _text(_section(english, "dans-l-annee").xpath("./h2")[0]) == (
        "Date to be specified within the year 2007"
    )


def test_month_view_previous_of_january_is_december(client, reference_data):
    tree = _page(client.get("/agenda/mois/2008/1/"))
    links = tree.xpath('//nav[@class="agenda-pager"]//a/@href')
    assert links[:2] == ["/agenda/mois/2007/12/", "/agenda/mois/2008/2/"]


@pytest.mark.parametrize(
    "path",
    ["/agenda/mois/2007/13/", "/agenda/mois/2007/0/", "/agenda/mois/0/5/", "/agenda/mois/99999/1/"],
)
def test_invalid_months_are_404(client, path):
    assert client.get(path).status_code == 404


# --- The year's programme ---------------------------------------------------------


def _programme_rows(tree):
    rows = []
    for row in tree.xpath('//table[@class="programme-table"]/tbody/tr'):
        kind = row.get("class") or "event"
        rows.append((kind, [_text(cell) for cell in row.xpath("./th|./td")]))
    return rows


def test_programme_2007_as_the_note_prints_it(client, reference_data):
    tree = _page(client.get("/agenda/programme/2007/"))
    rows = _programme_rows(tree)
    assert [cells[0] for kind, cells in rows if kind == "strand-row"] == [
        "Volet urbain",
        "Volet humain",
        "Transversal",
    ]
    assert [cells[0] for kind, cells in rows if kind == "cycle-row"] == [
        "Cycle sur l'égalité des chances dans l'accès aux droits"
    ]
    events = [cells for kind, cells in rows if kind == "event"]
    assert len(events) == 10
    assert events[3] == [
        "Cycle sur l'égalité des chances dans l'accès aux droits, séance : Formation-action sur "
        "les discriminations dans les politiques locales (Claude Ruche)",
        "ACSE, APDSU, RDVC, SGAR",
        "18 et 19 octobre 2007",
        "Tours ou Orléans (lieu à confirmer)",
    ]
    assert events[4][0].endswith("l'accès à l'emploi Date à confirmer (Julien Viteau, à confirmer)")
    assert events[4][2:] == ["janvier 2008 (date à confirmer)", "Blois (lieu à confirmer)"]
    # Cross-cutting: the launch meeting of 9 October before the undated atelier.
    assert [cells[0].split(" Date à")[0] for cells in events[-2:]] == [
        "Réunion de lancement du centre de ressources",
        "Démarrage de l'atelier interrégional sur l'évaluation des CUCS et des PRU",
    ]
    assert tree.xpath('//section[@aria-labelledby="pistes"]') == []  # no lines for 2007
    assert tree.xpath('//table[@class="programme-table"]/thead//th/text()') == [
        "Intitulé",
        "Organisateurs",
        "Date",
        "Lieu",
    ]


def test_programme_cells_name_their_strand_cycle_and_column_headers(client, reference_data):
    """The cycle heads its sessions (a heading cell, not a data cell), and only them: an
    event after the cycle in the same strand is not one of its sessions."""
    table = _page(client.get("/agenda/programme/2007/")).xpath('//table[@class="programme-table"]')[
        0
    ]
    (cycle,) = table.xpath('.//tr[@class="cycle-row"]/*')
    assert (cycle.tag, cycle.get("scope"), cycle.get("colspan")) == ("th", "rowgroup", "4")
    labels = {cell.get("id"): _text(cell) for cell in table.xpath(".//th[@id]")}

    def headers(cell) -> list[str]:
        return [labels[ref] for ref in cell.get("headers").split()]  # every id exists

    cycle_title = "Cycle sur l'égalité des chances dans l'accès aux droits"
    assert headers(cycle) == ["Volet humain"]
    dates = {
        _text(cell): headers(cell) for cell in table.xpath('.//td[contains(@class, "agenda-date")]')
    }
    session = "Cycle sur l'égalité des chances dans l'accès aux droits, séance : Formation-action"
    (training,) = [h for date, h in dates.items() if date == "18 et 19 octobre 2007"]
    assert training[:3] == ["Date", "Volet humain", cycle_title]
    assert training[3].startswith(session)
    by_strand = {}
    for row in table.xpath("./tbody/tr[th[@scope='row']]"):
        strand, *rest = headers(row.xpath("./th")[0])[1:]
        by_strand.setdefault(strand, []).append(bool(rest))
    # In the human strand, the three sessions and the events around them.
    assert by_strand["Volet humain"].count(True) == 3
    assert False in by_strand["Volet humain"][by_strand["Volet humain"].index(True) :]
    assert True not in by_strand["Volet urbain"] + by_strand["Transversal"]


def test_programme_2008_has_the_cycle_sessions_and_the_lines_of_action(client, reference_data):
    tree = _page(client.get("/agenda/programme/2008/"))
    rows = _programme_rows(tree)
    assert [kind for kind, _cells in rows] == ["strand-row", "cycle-row", "event", "event"]
    lines = _section(tree, "pistes")
    assert _text(lines.xpath(".//h2")[0]) == "Pistes d'action pour 2008"
    items = lines.xpath("./ol/li")
    assert len(items) == 8
    assert _text(items[0]).startswith("Continuer la mise en commun")
    assert "/thesaurus/themes/sante/" in items[0].xpath(".//a/@href")


@pytest.mark.parametrize("path", ["/agenda/programme/1990/", "/agenda/programme/99999/"])
def test_programme_of_a_year_without_anything_is_404(client, reference_data, path):
    assert client.get(path).status_code == 404


# --- Event page -------------------------------------------------------------------


def _json_ld(response) -> dict:
    tree = _page(response)
    scripts = tree.xpath('//script[@type="application/ld+json"]/text()')
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_event_page_shows_everything_and_its_json_ld(client, reference_data):
    response = client.get("/agenda/evenements/formation-action-discriminations-politiques-locales/")
    tree = _page(response)
    facts = {
        _text(dt): _text(dt.getnext())
        for dt in tree.xpath('//dl[contains(@class, "event-facts")]/dt')
    }
    assert facts["Date"] == "18 et 19 octobre 2007"
    assert facts["Lieu"] == "Tours ou Orléans (lieu à confirmer)"
    assert (
        facts["Cycle"] == "Cycle sur l'égalité des chances dans l'accès aux droits, séance 1 sur 3"
    )
    assert facts["Publics"] == "Chefs de projet"
    assert facts["Intervenants"] == "Claude Ruche"
    assert facts["Statut"] == "Prévu"
    organisers = tree.xpath(
        '//dl[contains(@class, "event-facts")]//a[contains(@href, "/annuaire/")]/@href'
    )
    assert "/annuaire/organisations/apdsu/" in organisers and len(organisers) == 4
    assert tree.xpath(
        '//a[@href="/agenda/evenements/formation-action-discriminations-politiques-locales.ics"]'
    )
    data = _json_ld(response)
    assert (data["@type"], data["startDate"], data["endDate"]) == (
        "Event",
        "2007-10-18",
        "2007-10-19",
    )
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    # "Tours ou Orléans (lieu à confirmer)": no location while the place is not confirmed.
    assert "location" not in data
    assert [o["alternateName"] for o in data["organizer"] if "alternateName" in o] == [
        "ACSE",
        "SGAR",
    ]
    assert data["performer"] == [{"@type": "Person", "name": "Claude Ruche"}]
    assert data["url"] == (
        "http://testserver/agenda/evenements/formation-action-discriminations-politiques-locales/"
    )
    assert data["superEvent"]["url"] == (
        "http://testserver/agenda/cycles/egalite-des-chances-acces-aux-droits/"
    )


def test_json_ld_gives_the_place_once_confirmed_and_else_only_the_online_one(
    client, reference_data
):
    confirmed = _event_in_tours()
    assert _json_ld(client.get(confirmed.get_absolute_url()))["location"] == {
        "@type": "Place",
        "name": "Salle des fêtes",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Tours",
            "addressCountry": "FR",
            "streetAddress": "1 rue Fictive\n37000 Tours",
        },
    }
    orleans = Territory.objects.get(kind="commune", code="45234")
    hybrid = _event_in_tours(
        place_confirmed=False,
        places=[Territory.objects.get(kind="commune", code="37261"), orleans],
        online_url="https://visio.example.org/salle",
    )
    data = _json_ld(client.get(hybrid.get_absolute_url()))
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": "https://visio.example.org/salle",
    }
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_month_precision_and_unconfirmed_speaker(client, reference_data):
    response = client.get("/agenda/evenements/egalite-des-chances-acces-emploi/")
    data = _json_ld(response)
    assert (data["startDate"], data["endDate"]) == ("2008-01", "2008-01")
    assert "performer" not in data  # "Julien Viteau ?" is not confirmed
    tree = _page(response)
    facts = {
        _text(dt): _text(dt.getnext())
        for dt in tree.xpath('//dl[contains(@class, "event-facts")]/dt')
    }
    assert facts["Date"] == "janvier 2008 (date à confirmer) Date à confirmer"
    assert facts["Intervenants"] == "Julien Viteau (à confirmer)"
    assert facts["Cycle"].endswith("séance 2 sur 3")


def test_json_ld_of_a_cancelled_online_event_with_times_cannot_break_the_script(
    client, reference_data
):
    event = factories.event(
        title="Webinaire </script><script>alert(1)</script>",
        description="Ligne 1\n<b>Ligne 2</b> & plus",
        status="annule",
        kind="webinaire",
        online_url="https://visio.example.org/salle",
        start_date=datetime.date(2026, 9, 3),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
    )
    response = client.get(event.get_absolute_url())
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;b&gt;Ligne 2&lt;/b&gt; &amp; plus" in content  # description escaped
    data = _json_ld(response)
    assert data["name"] == "Webinaire </script><script>alert(1)</script>"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": "https://visio.example.org/salle",
    }
    assert (data["startDate"], data["endDate"]) == (
        "2026-09-03T09:30:00+02:00",
        "2026-09-03T12:00:00+02:00",
    )
    facts = _page(response).xpath('//dl[contains(@class, "event-facts")]/dd')
    assert _text(facts[0]) == "3 septembre 2026, de 9 h 30 à 12 h"
    assert "Cet événement est annulé." in content


def test_unpublished_events_are_404_except_for_those_who_may_view_events(client, reference_data):
    draft = factories.event(title="Rencontre en préparation", published=False)
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    plain = get_user_model().objects.create_user("lambda", password="x")
    client.force_login(plain)
    assert client.get(url).status_code == 404
    client.force_login(staff_user("partenaire", role=PARTNER))
    content = client.get(url).content.decode()
    assert "Non publié :" in content
    one_permission = get_user_model().objects.create_user("vue", password="x")
    one_permission.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(one_permission)
    assert client.get(url).status_code == 200


def test_unknown_event_and_cycle_are_404(client, reference_data):
    assert client.get("/agenda/evenements/inconnu/").status_code == 404
    assert client.get("/agenda/cycles/inconnu/").status_code == 404


def _event_in_tours(**fields):
    """A confirmed place in Tours, with times, a French venue and organiser, in a cycle."""
    values = {
        "title": "Rencontre régionale sur l'emploi",
        "place_confirmed": True,
        "venue": "Salle des fêtes",
        "address": "1 rue Fictive\n37000 Tours",
        "places": [Territory.objects.get(kind="commune", code="37261")],
        "start_date": datetime.date(2026, 9, 3),
        "start_time": datetime.time(9, 30),
        "end_time": datetime.time(17, 0),
        "cycle": Event.objects.get(slug="egalite-des-chances-acces-emploi").cycle,
        "cycle_position": 4,
        "organisers": [factories.organisation(name="Association régionale de test")],
        **fields,
    }
    return factories.event(**values)


def _place_fact(tree):
    (dd,) = tree.xpath('//dl[contains(@class, "event-facts")]/dt[.="Lieu" or .="Place"]')
    return dd.getnext()


def test_event_page_says_the_place_once(client, reference_data):
    event = _event_in_tours()
    place = _place_fact(_page(client.get(f"/agenda/evenements/{event.slug}/")))
    # The venue, the address, and not "Tours" again: the address names it.
    assert html.tostring(place, encoding="unicode", with_tail=False) == (
        '<dd><span lang="fr">Salle des fêtes<br>1 rue Fictive<br>37000 Tours</span></dd>'
    )
    elsewhere = _event_in_tours(address="2 rue Fictive\n37300 Joué-lès-Tours")
    place = _place_fact(_page(client.get(f"/agenda/evenements/{elsewhere.slug}/")))
    assert _text(place) == "Salle des fêtes 2 rue Fictive 37300 Joué-lès-Tours Tours"
    tentative = _event_in_tours(place_confirmed=False)
    place = _place_fact(_page(client.get(f"/agenda/evenements/{tentative.slug}/")))
    assert html.tostring(place, encoding="unicode", with_tail=False) == (
        "<dd><span>Tours (lieu à confirmer)</span></dd>"
    )


def test_english_event_page_marks_the_french_data(client, reference_data):
    event = _event_in_tours()
    tree = _page(client.get(f"/en/agenda/evenements/{event.slug}/"))
    crumbs = tree.xpath('//nav[@class="breadcrumb"]//li/*')
    assert [(_text(c), c.get("lang")) for c in crumbs] == [
        ("Home", None),
        ("Events", None),
        ("Cycle sur l'égalité des chances dans l'accès aux droits", "fr"),
        ("Rencontre régionale sur l'emploi", "fr"),
    ]
    facts = {
        _text(dt): dt.getnext() for dt in tree.xpath('//dl[contains(@class, "event-facts")]/dt')
    }
    assert _text(facts["Date"]) == "3 September 2026, 9:30 am – 5:00 pm"
    assert facts["Place"].xpath("./span/@lang") == ["fr"]
    assert facts["Organisers"].xpath(".//li/@lang") == ["fr"]
    assert facts["Cycle"].xpath("./a/@lang") == ["fr"]
    subscribe = _section(tree, "ajouter").xpath(".//li[2]/span[@lang='fr']")
    assert [_text(span) for span in subscribe] == [
        "Cycle sur l'égalité des chances dans l'accès aux droits"
    ]
    # The agenda's table: venue and organisers in French.
    table = _section(_page(client.get("/en/agenda/")), "a-venir")
    assert table.xpath('.//span[@class="muted small"]/@lang') == ["fr"]
    assert table.xpath(".//td[3]/span[@lang='fr']/text()") == ["Association régionale de test"]


def test_english_programme_reads_naturally(client, reference_data):
    tree = _page(client.get("/en/agenda/programme/2007/"))
    assert _text(tree.xpath("//h1")[0]) == "2007 inter-network programme"
    assert _text(tree.xpath("//caption")[0]) == (
        "2007 programme: meetings and trainings, by strand"
    )
    hidden = tree.xpath('//th[@class="session"]/span[@class="visually-hidden"]')[0]
    assert hidden.xpath("./span/@lang") == ["fr"]
    assert _text(hidden) == "Cycle sur l'égalité des chances dans l'accès aux droits, session:"


def test_registration_box_only_when_registration_is_open(client, reference_data):
    closed = factories.event(title="Sans inscription")
    assert client.get(closed.get_absolute_url()).context["registration"] is None
    opened = factories.event(title="Avec inscription", registration_open=True, capacity=30)
    response = client.get(f"/agenda/evenements/{opened.slug}/")
    state = response.context["registration"]
    assert (state.open, state.capacity, state.places_left) == (True, 30, 30)
    box = _section(_page(response), "registration-heading")
    assert box.get("class") == "card registration-box"
    assert " style=" not in response.content.decode()  # the layout is in events.css


# --- Cycle page -------------------------------------------------------------------


def test_cycle_page_lists_its_sessions_in_order(client, reference_data):
    tree = _page(client.get("/agenda/cycles/egalite-des-chances-acces-aux-droits/"))
    sessions = _section(tree, "seances")
    assert _text(sessions.xpath(".//h2")[0]) == "3 séances"
    assert [_text(a) for a in sessions.xpath(".//h3/a")] == [
        "Formation-action sur les discriminations dans les politiques locales",
        "Favoriser l'égalité des chances dans l'accès à l'emploi",
        "Favoriser l'égalité des chances dans l'accès au logement",
    ]
    assert [_text(p) for p in sessions.xpath(".//li/p[1]")] == [
        "18 et 19 octobre 2007 — Tours ou Orléans (lieu à confirmer)",
        "janvier 2008 (date à confirmer) — Blois (lieu à confirmer)",
        "février 2008 (jour à préciser) — Tours ou Orléans (lieu à confirmer)",
    ]
    themes = tree.xpath('//dl[@class="record-fields"]//a/text()')
    assert sorted(themes) == ["accès aux droits", "égalité des chances"]
    feeds = tree.xpath('//section[@aria-labelledby="abonnement"]//a/@href')
    assert feeds == [
        "webcal://testserver/agenda/ical/cycle/egalite-des-chances-acces-aux-droits",
        "http://testserver/agenda/ical/cycle/egalite-des-chances-acces-aux-droits",
    ]


def test_cycle_page_hides_unpublished_sessions(client, reference_data):
    cycle = Event.objects.get(slug="egalite-des-chances-acces-emploi").cycle
    factories.event(title="Séance en préparation", cycle=cycle, cycle_position=4, published=False)
    tree = _page(client.get(cycle.get_absolute_url()))
    assert "Séance en préparation" not in _text(tree)
    assert _text(_section(tree, "seances").xpath(".//h2")[0]) == "3 séances"


def test_a_cycle_without_a_public_session_is_404_except_for_those_who_may_view_events(
    client, reference_data
):
    empty = Cycle.objects.create(title="Cycle sans séance", slug="cycle-sans-seance")
    planned = Cycle.objects.create(title="Cycle en préparation", slug="cycle-en-preparation")
    factories.event(title="Séance en préparation", cycle=planned, published=False)
    for cycle in (empty, planned):
        assert client.get(cycle.get_absolute_url()).status_code == 404
    client.force_login(get_user_model().objects.create_user("lambda", password="x"))
    assert client.get(planned.get_absolute_url()).status_code == 404
    client.force_login(staff_user("partenaire", role=PARTNER))
    tree = _page(client.get(planned.get_absolute_url()))
    assert _text(tree.xpath('//p[@class="notice"]')[0]) == (
        "Non publié : ce cycle n'est pas à l'agenda public tant qu'aucune de ses séances "
        "n'est publiée ; seuls l'équipe et les réseaux partenaires le voient."
    )
    assert _text(_section(tree, "seances")) == (
        "0 séance Aucune séance de ce cycle n'est encore à l'agenda public."
    )
    assert tree.xpath('//section[@aria-labelledby="abonnement"]') == []  # no feed to offer
    # The published cycle has no such notice.
    public = _page(client.get("/agenda/cycles/egalite-des-chances-acces-aux-droits/"))
    assert public.xpath('//p[@class="notice"]') == []


# --- Sitemap ----------------------------------------------------------------------


def test_sitemap_lists_published_events_and_cycles(client, reference_data):
    draft = factories.event(title="Brouillon du plan", published=False)
    content = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/agenda/evenements/reunion-lancement-centre-ressources/" in content
    assert "http://testserver/agenda/cycles/egalite-des-chances-acces-aux-droits/" in content
    assert "http://testserver/agenda/" in content
    assert draft.get_absolute_url() not in content


def test_sitemap_leaves_out_cycles_without_a_public_session(client, reference_data):
    planned = Cycle.objects.create(title="Cycle en préparation", slug="cycle-en-preparation")
    factories.event(title="Séance en préparation", cycle=planned, published=False)
    Cycle.objects.create(title="Cycle sans séance", slug="cycle-sans-seance")
    content = client.get("/sitemap.xml").content.decode()
    assert "/agenda/cycles/egalite-des-chances-acces-aux-droits/" in content
    assert "/agenda/cycles/cycle-en-preparation/" not in content
    assert "/agenda/cycles/cycle-sans-seance/" not in content
