"""The iCalendar feeds and the single-event download, read back with two independent
parsers (icalendar and vobject): the founding 2007 programme as the note gives it, the
per-cycle, organiser, theme and territory feeds, tentative and cancelled events, and
unpublished events nowhere."""

import datetime

import icalendar
import pytest
import vobject
from django.core.cache import cache
from django.urls import reverse

from villes2.actors.models import Organisation
from villes2.events import ical
from villes2.events.models import Cycle, Event
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .factories import event, organisation

pytestmark = pytest.mark.django_db

FEED = "/agenda/ical"
CYCLE = "egalite-des-chances-acces-aux-droits"
TWO_DAYS = "formation-action-discriminations-politiques-locales"
JANUARY = "egalite-des-chances-acces-emploi"  # "Janvier ?"
FEBRUARY = "egalite-des-chances-acces-logement"  # "Février"
YEAR_ONLY = "atelier-interregional-evaluation-cucs-pru"  # "(non daté)", 2007
PROGRAMME_DATED = {
    "2e-rencontre-regionale-centre-2007",
    "conditions-reussite-residentialisation-2007",
    "clauses-insertion-projets-oru-2007",
    TWO_DAYS,
    JANUARY,
    FEBRUARY,
    "initiative-economique-habitants-2007",
    "rencontre-nationale-utilite-sociale-mediation",
    "reunion-lancement-centre-ressources",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Written feeds are cached per index state, which a test's rollback brings back."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def in_march_2008(monkeypatch):
    """The feeds hold a year of past events: seen from March 2008, the whole 2007
    programme (from June 2007) is in them."""
    monkeypatch.setattr(ical, "today", lambda: datetime.date(2008, 3, 1))


def parse(response) -> icalendar.Calendar:
    """Parse with both libraries; return icalendar's calendar."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))  # folded (3.1)
    vcalendar = vobject.readOne(body)
    calendar = icalendar.Calendar.from_ical(body)
    vevents = getattr(vcalendar, "vevent_list", [])
    assert [v.uid.value for v in vevents] == [str(e["UID"]) for e in calendar.walk("VEVENT")]
    return calendar


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """The VEVENTs by event slug (from their UID)."""
    slugs = dict(Event.objects.values_list("pk", "slug"))
    found = {}
    for vevent in calendar.walk("VEVENT"):
        uid = str(vevent["UID"])
        assert uid.startswith("event-") and uid.endswith("@villes2.example.org")
        found[slugs[int(uid[len("event-") : -len("@villes2.example.org")])]] = vevent
    return found


def slugs(response) -> set[str]:
    return set(vevents(parse(response)))


def categories(vevent) -> list[str]:
    return [str(c) for c in vevent["CATEGORIES"].cats]


def test_the_agenda_feed_holds_the_2007_programme_dated_to_the_month(client, reference_data):
    response = client.get(FEED)
    assert response["Content-Disposition"] == "inline"
    calendar = parse(response)
    assert set(vevents(calendar)) == PROGRAMME_DATED  # 9: the 10th is dated to the year
    assert str(calendar["PRODID"]) == "-//Villes²//Agenda//FR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Villes² — agenda"
    assert str(calendar["NAME"]) == "Villes² — agenda"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=12)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT12H"
    assert str(calendar["SOURCE"]) == "http://testserver/agenda/ical"
    # icalendar leaves NAME and X- properties escaped ("\\,"): read the text with vobject.
    assert vobject.readOne(response.content.decode()).x_wr_caldesc.value == (
        "Le programme des réseaux de la politique de la ville, par Villes²."
    )


def test_a_two_day_event_is_all_day_with_the_exclusive_end(client, reference_data):
    vevent = vevents(parse(client.get(FEED)))[TWO_DAYS]
    assert vevent["DTSTART"].dt == datetime.date(2007, 10, 18)
    assert vevent["DTEND"].dt == datetime.date(2007, 10, 20)  # RFC 5545: the day after
    assert not isinstance(vevent["DTSTART"].dt, datetime.datetime)
    assert vevent["DTSTART"].params["VALUE"] == "DATE"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "TRANSP" not in vevent
    assert str(vevent["SUMMARY"]) == (
        "Formation-action sur les discriminations dans les politiques locales"
    )
    assert str(vevent["LOCATION"]) == "Tours ou Orléans (lieu à confirmer)"
    assert categories(vevent) == [
        "Volet humain",
        "Formation-action",
        "accès aux droits",
        "discriminations",
    ]
    two_days = Event.objects.get(slug=TWO_DAYS)
    url = f"http://testserver/agenda/evenements/{TWO_DAYS}/"
    assert str(vevent["URL"]) == url
    assert int(vevent["SEQUENCE"]) == two_days.version
    assert vevent["LAST-MODIFIED"].dt == two_days.modified.replace(microsecond=0)
    assert str(vevent["DESCRIPTION"]) == (
        "Pour les chefs de projets Ville et référents COPEC en région Centre.\n"
        "\n"
        "Date : 18 et 19 octobre 2007\n"
        "Lieu : Tours ou Orléans (lieu à confirmer)\n"
        "Organisé par : Agence nationale pour la cohésion sociale et l'égalité des "
        "chances, APDSU, RDVC, SGAR Centre\n"
        "Intervenants : Claude Ruche\n"
        "Cycle : Cycle sur l'égalité des chances dans l'accès aux droits\n"
        f"Page de l'événement : {url}"
    )


def test_dates_known_to_the_month_are_tentative_over_the_month(client, reference_data):
    found = vevents(parse(client.get(FEED)))
    january, february = found[JANUARY], found[FEBRUARY]
    assert (january["DTSTART"].dt, january["DTEND"].dt) == (
        datetime.date(2008, 1, 1),
        datetime.date(2008, 2, 1),
    )
    assert (february["DTSTART"].dt, february["DTEND"].dt) == (
        datetime.date(2008, 2, 1),
        datetime.date(2008, 3, 1),
    )
    for vevent in (january, february):
        assert str(vevent["STATUS"]) == "TENTATIVE"
        assert str(vevent["TRANSP"]) == "TRANSPARENT"
    assert str(january["SUMMARY"]) == (
        "Favoriser l'égalité des chances dans l'accès à l'emploi (date à confirmer)"
    )
    assert str(february["SUMMARY"]) == (
        "Favoriser l'égalité des chances dans l'accès au logement (jour à préciser)"
    )
    assert "Intervenants : Julien Viteau (à confirmer)" in str(january["DESCRIPTION"])
    assert str(january["LOCATION"]) == "Blois (lieu à confirmer)"


def test_the_year_only_event_is_downloadable_but_in_no_feed(client, reference_data):
    response = client.get(reverse("events:event_ics", args=[YEAR_ONLY]))
    assert response["Content-Disposition"] == f'attachment; filename="{YEAR_ONLY}.ics"'
    calendar = parse(response)
    (vevent,) = vevents(calendar).values()
    assert (vevent["DTSTART"].dt, vevent["DTEND"].dt) == (
        datetime.date(2007, 1, 1),
        datetime.date(2008, 1, 1),
    )
    assert (str(vevent["STATUS"]), str(vevent["TRANSP"])) == ("TENTATIVE", "TRANSPARENT")
    assert "LOCATION" not in vevent
    assert str(calendar["X-WR-CALNAME"]) == (
        "Villes² — Démarrage de l'atelier interrégional sur l'évaluation des CUCS et des PRU"
    )
    assert YEAR_ONLY not in slugs(client.get(FEED))
    territory = reverse("events:ical_territory", args=["ancienne-region", "54"])
    assert YEAR_ONLY not in slugs(client.get(territory))


def test_the_single_event_download(client, reference_data):
    response = client.get(reverse("events:event_ics", args=[TWO_DAYS]))
    assert response["Content-Disposition"] == f'attachment; filename="{TWO_DAYS}.ics"'
    (vevent,) = vevents(parse(response)).values()
    assert (vevent["DTSTART"].dt, vevent["DTEND"].dt) == (
        datetime.date(2007, 10, 18),
        datetime.date(2007, 10, 20),
    )


def test_the_cycle_feed_has_its_three_sessions(client, reference_data):
    calendar = parse(client.get(reverse("events:ical_cycle", args=[CYCLE])))
    assert list(vevents(calendar)) == [TWO_DAYS, JANUARY, FEBRUARY]  # in date order
    name = "Villes² — Cycle sur l'égalité des chances dans l'accès aux droits"
    assert (str(calendar["X-WR-CALNAME"]), str(calendar["NAME"])) == (name, name)


def test_the_organiser_feed_has_the_events_it_co_organises(client, reference_data):
    calendar = parse(client.get(reverse("events:ical_organiser", args=["apdsu"])))
    assert set(vevents(calendar)) == {
        "conditions-reussite-residentialisation-2007",
        TWO_DAYS,
        JANUARY,
        FEBRUARY,
        "initiative-economique-habitants-2007",
    }
    assert str(calendar["X-WR-CALNAME"]) == "Villes² — APDSU"
    calendar = parse(client.get(reverse("events:ical_organiser", args=["ush-centre"])))
    assert str(calendar["X-WR-CALNAME"]) == "Villes² — USH Centre"
    assert set(vevents(calendar)) == {
        "2e-rencontre-regionale-centre-2007",
        "conditions-reussite-residentialisation-2007",
        FEBRUARY,
    }


def test_the_theme_feed_counts_narrower_concepts(client, reference_data):
    url = reverse("events:ical_theme", args=["themes", "renovation-urbaine-cadre-de-vie"])
    calendar = parse(client.get(url))
    assert set(vevents(calendar)) == {
        "2e-rencontre-regionale-centre-2007",  # rénovation urbaine
        "conditions-reussite-residentialisation-2007",  # résidentialisation
        "clauses-insertion-projets-oru-2007",  # ORU, under rénovation urbaine
        "reunion-lancement-centre-ressources",  # rénovation urbaine
    }
    assert str(calendar["X-WR-CALNAME"]) == "Villes² — Rénovation urbaine et cadre de vie"
    url = reverse("events:ical_theme", args=["themes", "egalite-des-chances"])
    assert slugs(client.get(url)) == {JANUARY, FEBRUARY}


def test_the_territory_feed_has_what_is_held_or_concerns_inside(client, reference_data):
    def feed(kind, code):
        return client.get(reverse("events:ical_territory", args=[kind, code]))

    assert slugs(feed("ancienne-region", "54")) == {
        "clauses-insertion-projets-oru-2007",  # Niort
        "rencontre-nationale-utilite-sociale-mediation",  # Angoulême
        "reunion-lancement-centre-ressources",  # Poitiers, concerns both regions
    }
    assert slugs(feed("ancienne-region", "24")) == {
        "2e-rencontre-regionale-centre-2007",
        "conditions-reussite-residentialisation-2007",
        TWO_DAYS,
        JANUARY,
        FEBRUARY,
        "initiative-economique-habitants-2007",
        "reunion-lancement-centre-ressources",
    }
    assert slugs(feed("commune", "37261")) == {TWO_DAYS, FEBRUARY}  # Tours, a candidate
    assert str(parse(feed("departement", "86"))["X-WR-CALNAME"]) == "Villes² — Vienne"


def test_an_old_or_lower_case_code_leads_to_the_current_territory(client, reference_data):
    response = client.get("/agenda/ical/territoire/commune/2a004")
    assert (response.status_code, response["Location"]) == (
        301,
        "/agenda/ical/territoire/commune/2A004",
    )
    response = client.get("/agenda/ical/territoire/commune/37235")  # merged into Tours
    assert response["Location"] == "/agenda/ical/territoire/commune/37261"


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/ical/cycle/cycle-inconnu",
        "/agenda/ical/organisateur/organisation-inconnue",
        "/agenda/ical/theme/themes/theme-inconnu",
        "/agenda/ical/theme/schema-inconnu/egalite-des-chances",
        "/agenda/ical/territoire/ancienne-region/99",
        "/agenda/ical/territoire/planete/1",
        "/agenda/ical/territoire/commune/%3Cscript%3E",
        "/agenda/evenements/evenement-inconnu.ics",
    ],
)
def test_unknown_things_give_404(client, reference_data, url):
    assert client.get(url).status_code == 404


def test_only_reads_are_allowed(client, reference_data):
    assert client.head(FEED).status_code == 200
    assert client.post(FEED).status_code == 405


def test_an_unpublished_event_appears_nowhere(client, reference_data):
    cycle = Cycle.objects.get(slug=CYCLE)
    apdsu = Organisation.objects.get(slug="apdsu")
    tours = Territory.objects.get(kind="commune", code="37261")
    theme = Concept.objects.get(scheme__slug="themes", slug="egalite-des-chances")
    draft = event(
        slug="brouillon-non-publie",
        published=False,
        cycle=cycle,
        organisers=[apdsu],
        themes=[theme],
        places=[tours],
        start_date=datetime.date(2007, 11, 20),
    )
    for url in (
        FEED,
        reverse("events:ical_cycle", args=[CYCLE]),
        reverse("events:ical_organiser", args=["apdsu"]),
        reverse("events:ical_theme", args=["themes", "egalite-des-chances"]),
        reverse("events:ical_territory", args=["commune", "37261"]),
    ):
        response = client.get(url)
        assert draft.slug not in slugs(response)
        assert f"event-{draft.pk}@" not in response.content.decode()
    assert client.get(reverse("events:event_ics", args=[draft.slug])).status_code == 404


def test_subscription_feeds_hold_a_year_of_past_events_cycles_all(
    client, reference_data, monkeypatch
):
    monkeypatch.setattr(ical, "today", lambda: datetime.date(2030, 6, 1))
    apdsu = Organisation.objects.get(slug="apdsu")
    cycle = Cycle.objects.get(slug=CYCLE)
    event(slug="trop-ancien", organisers=[apdsu], start_date=datetime.date(2029, 5, 31))
    event(slug="recent", organisers=[apdsu], start_date=datetime.date(2029, 6, 1))
    event(slug="a-venir", organisers=[apdsu], cycle=cycle, start_date=datetime.date(2031, 1, 8))
    assert slugs(client.get(FEED)) == {"recent", "a-venir"}
    assert slugs(client.get(reverse("events:ical_organiser", args=["apdsu"]))) == {
        "recent",
        "a-venir",
    }
    # A cycle's feed and a single event's download are complete.
    cycle_feed = client.get(reverse("events:ical_cycle", args=[CYCLE]))
    assert list(vevents(parse(cycle_feed))) == [TWO_DAYS, JANUARY, FEBRUARY, "a-venir"]
    assert client.get(reverse("events:event_ics", args=["trop-ancien"])).status_code == 200


def test_a_cancelled_event_is_marked_cancelled(client, reference_data):
    cancelled = event(slug="rencontre-annulee", title="Rencontre des bailleurs", status="annule")
    vevent = vevents(parse(client.get(FEED)))["rencontre-annulee"]
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["SUMMARY"]) == "Annulé : Rencontre des bailleurs"
    assert str(vevent["DESCRIPTION"]).startswith("Cet événement est annulé.\n")
    assert vevent["DTSTART"].dt == cancelled.start_date


def test_an_event_with_times_is_in_utc(client, reference_data):
    event(
        slug="rencontre-horaires",
        start_date=datetime.date(2030, 3, 12),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(17, 0),
    )
    event(
        slug="rencontre-ete",
        start_date=datetime.date(2030, 7, 2),
        start_time=datetime.time(14, 0),
    )
    found = vevents(parse(client.get(FEED)))
    march = found["rencontre-horaires"]
    utc = datetime.UTC
    assert march["DTSTART"].dt == datetime.datetime(2030, 3, 12, 8, 30, tzinfo=utc)  # CET
    assert march["DTEND"].dt == datetime.datetime(2030, 3, 12, 16, 0, tzinfo=utc)
    assert "TZID" not in march["DTSTART"].params
    # The description says the local times, in French typography.
    assert str(march["DESCRIPTION"]).startswith(
        "Date : 12 mars 2030, de 9\u00a0h\u00a030 à 17\u00a0h\n"
    )
    july = found["rencontre-ete"]
    assert july["DTSTART"].dt == datetime.datetime(2030, 7, 2, 12, 0, tzinfo=utc)  # CEST
    assert "DTEND" not in july  # no end time: a start only
    assert str(july["DESCRIPTION"]).startswith("Date : 2 juillet 2030, à 14\u00a0h\n")


def test_an_unconfirmed_exact_day_is_tentative_but_keeps_its_day(client, reference_data):
    event(slug="jour-a-confirmer", start_date=datetime.date(2030, 5, 14), date_confirmed=False)
    vevent = vevents(parse(client.get(FEED)))["jour-a-confirmer"]
    assert (vevent["DTSTART"].dt, vevent["DTEND"].dt) == (
        datetime.date(2030, 5, 14),
        datetime.date(2030, 5, 15),
    )
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert "TRANSP" not in vevent
    assert str(vevent["SUMMARY"]).endswith(" (date à confirmer)")


def test_special_characters_round_trip(client, reference_data):
    title = "Habitat, santé ; emploi : « l'accès » à Saint-Étienne\\Nord — 100 %"
    description = "Première ligne, avec virgule;\net une seconde\n\nUne troisième : œ æ ß 日本"
    event(
        slug="caracteres-speciaux",
        title=title,
        description=description,
        venue="Salle A, 2e étage; aile « Est »",
        address="12, rue de l'Église\n37000 Tours",
        place_confirmed=True,
        organisers=[organisation(name="Réseau, virgule; point-virgule")],
    )
    response = client.get(FEED)
    vevent = vevents(parse(response))["caracteres-speciaux"]
    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith(description + "\n\nDate : 12 mars 2030\n")
    assert "Organisé par : Réseau, virgule; point-virgule\n" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == (
        "Salle A, 2e étage; aile « Est », 12, rue de l'Église, 37000 Tours"
    )
    # The same through vobject, which unescapes on its own.
    (parsed,) = [
        v
        for v in vobject.readOne(response.content.decode()).vevent_list
        if v.summary.value == title
    ]
    assert parsed.description.value.startswith(description)
    assert parsed.location.value == str(vevent["LOCATION"])


def test_uids_do_not_depend_on_the_host(client, reference_data):
    first = {str(v["UID"]) for v in parse(client.get(FEED)).walk("VEVENT")}
    second = {str(v["UID"]) for v in parse(client.get(FEED, HTTP_HOST="localhost")).walk("VEVENT")}
    assert first == second


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the index state (the feed's version), events, then organisers, themes, places
        # with their communes, speakers
        (FEED, 6),
        (f"/agenda/ical/cycle/{CYCLE}", 7),
        ("/agenda/ical/organisateur/apdsu", 7),
        # + the concept, the thesaurus' broader relation and its concepts
        ("/agenda/ical/theme/themes/egalite-des-chances", 9),
        ("/agenda/ical/territoire/ancienne-region/24", 7),
        (f"/agenda/evenements/{TWO_DAYS}.ics", 5),
    ],
)
def test_query_budget_does_not_grow_with_events(
    client, reference_data, django_assert_num_queries, url, queries
):
    apdsu = Organisation.objects.get(slug="apdsu")
    orleans = Territory.objects.get(kind="commune", code="45234")
    theme = Concept.objects.get(scheme__slug="themes", slug="egalite-des-chances")
    cycle = Cycle.objects.get(slug=CYCLE)
    for number in range(6):
        event(
            cycle=cycle,
            organisers=[apdsu, organisation()],
            themes=[theme],
            places=[orleans],
            territories=[orleans],
            start_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=7 * number),
            speakers=[],
        )
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_a_feed_is_written_once_per_state_and_answers_304_to_its_etag(client, monkeypatch):
    written = []
    serialize = ical.calendar_serialize
    monkeypatch.setattr(
        ical, "calendar_serialize", lambda *a, **k: written.append(1) or serialize(*a, **k)
    )
    first = client.get(FEED)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=900"
    again = client.get(FEED)
    assert again.content == first.content and again["ETag"] == etag
    assert len(written) == 1
    assert client.get(FEED, headers={"if-none-match": etag}).status_code == 304
    # A query string is not another feed (it would let anyone fill the cache).
    assert client.get(FEED, {"x": "1"})["ETag"] == etag
    assert len(written) == 1
    # Another address, another language: another feed.
    assert client.get("/en" + FEED)["ETag"] != etag
    assert len(written) == 2


def test_a_change_of_an_event_gives_a_new_feed(client):
    first = client.get(FEED)
    found = Event.objects.get(slug=TWO_DAYS)
    found.title = "Formation-action renommée"
    from villes2.events.services import event_save

    event_save(found)
    changed = client.get(FEED, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "Formation-action renommée" in changed.content.decode()


def test_the_window_moves_with_the_day(client, monkeypatch):
    first = client.get(FEED)
    monkeypatch.setattr(ical, "today", lambda: datetime.date(2008, 3, 2))
    assert client.get(FEED, headers={"if-none-match": first["ETag"]}).status_code == 200
