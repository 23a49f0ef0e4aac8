"""Clash detection between the networks' programmes (`selectors.clashes`) and the
coordination page: each rule on constructed events, the founding 2007 programme worked
out by hand, a comparison with a brute-force reading of the rules, the page's filters,
its permissions and its query budget."""

import datetime
import random

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import html

from villes2.accounts import roles
from villes2.actors.models import Organisation
from villes2.core.testing import staff_user
from villes2.events.models import Event, month_span
from villes2.events.selectors.clashes import ClashReason, clashes_for, find_clashes
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory

from .factories import event, organisation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2030, 3, 12)
URL = reverse("events:coordination")
NOTE = "Note de mise en œuvre, 2007"
TWO_DAYS = "formation-action-discriminations-politiques-locales"  # 18–19 Oct 2007, Centre


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


def territory(kind: str, code: str) -> Territory:
    return Territory.objects.get(kind=kind, code=code)


def theme(slug: str) -> Concept:
    return Concept.objects.get(scheme__slug="themes", slug=slug)


@pytest.fixture
def places(reference_data):
    return {
        "tours": commune("37261"),
        "orleans": commune("45234"),
        "blois": commune("41018"),
        "poitiers": commune("86194"),
        "niort": commune("79191"),
    }


def pairs(clashes) -> set[frozenset[str]]:
    return {frozenset((clash.first.slug, clash.second.slug)) for clash in clashes}


def labels(clash) -> list[str]:
    return [reason.label for reason in clash.reasons]


def tours_and_orleans(places, number, *, start=DAY, **fields) -> None:
    """Two events on the same day in the same former region, "a<number>" in Tours and
    "b<number>" in Orléans: one clash."""
    event(slug=f"a{number}", places=[places["tours"]], start_date=start, **fields)
    event(slug=f"b{number}", places=[places["orleans"]], start_date=start, **fields)


def only_mine(**kwargs):
    """The clashes among events made by the test (the 2007 programme left aside)."""
    return find_clashes(Event.objects.exclude(source=NOTE), **kwargs)


# --- Rule A: same dates, same former region ------------------------------------------


def test_overlapping_dates_in_the_same_former_region_clash(places):
    first = event(
        slug="a",
        places=[places["tours"]],
        start_date=DAY,
        end_date=DAY + datetime.timedelta(days=1),
    )
    second = event(
        slug="b", places=[places["orleans"]], start_date=DAY + datetime.timedelta(days=1)
    )
    (clash,) = only_mine()
    assert (clash.first, clash.second) == (first, second)
    assert labels(clash) == ["dates qui se chevauchent, même ancienne région (Centre)"]
    assert clash.reasons[0].rule == ClashReason.SAME_PLACE_AND_DATES


def test_the_next_day_or_another_region_is_no_clash(places):
    event(slug="a", places=[places["tours"]], start_date=DAY)
    event(slug="b", places=[places["orleans"]], start_date=DAY + datetime.timedelta(days=1))
    event(slug="c", places=[places["poitiers"]], start_date=DAY)
    assert only_mine() == []


def test_same_organisers_are_no_clash_but_partly_shared_ones_are(places):
    network, other = organisation(), organisation()
    event(slug="a", places=[places["tours"]], organisers=[network, other])
    event(slug="b", places=[places["orleans"]], organisers=[other, network])
    assert only_mine() == []
    event(slug="c", places=[places["blois"]], organisers=[network])
    assert pairs(only_mine()) == {frozenset("ac"), frozenset("bc")}


def test_cancelled_events_and_year_dated_events_clash_with_nothing(places):
    event(slug="a", places=[places["tours"]])
    event(slug="b", places=[places["orleans"]], status="annule")
    event(
        slug="c",
        territories=[territory("ancienne-region", "24")],
        start_date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 12, 31),
        date_precision="annee",
        date_confirmed=False,
    )
    assert only_mine() == []


def test_a_month_precision_date_clashes_with_a_day_of_that_month(places):
    start, end = month_span(2030, 3)
    event(
        slug="mars", places=[places["blois"]], start_date=start, end_date=end, date_precision="mois"
    )
    event(slug="jour", places=[places["tours"]], start_date=DAY)
    event(slug="avril", places=[places["tours"]], start_date=datetime.date(2030, 4, 1))
    (clash,) = only_mine()
    assert (clash.first.slug, clash.second.slug) == ("mars", "jour")
    assert labels(clash) == [
        "le même mois, l'une des dates restant à confirmer, dans la même ancienne région (Centre)"
    ]


def test_an_unconfirmed_day_counts_as_its_whole_month(places):
    event(
        slug="douteux",
        places=[places["blois"]],
        start_date=datetime.date(2030, 3, 3),
        date_confirmed=False,
    )
    event(slug="ferme", places=[places["tours"]], start_date=datetime.date(2030, 3, 28))
    event(slug="avril", places=[places["tours"]], start_date=datetime.date(2030, 4, 1))
    (clash,) = only_mine()
    assert (clash.first.slug, clash.second.slug) == ("douteux", "ferme")
    assert clash.reasons[0].tentative


def test_regions_come_from_territories_concerned_too(places):
    event(slug="centre", territories=[territory("ancienne-region", "24")])
    event(slug="cvl", territories=[territory("region", "24")])  # Centre-Val de Loire
    event(slug="loiret", territories=[territory("departement", "45")])
    event(slug="tours", places=[places["tours"]])
    event(slug="nulle-part")
    event(slug="vienne", territories=[territory("departement", "86")])
    assert pairs(only_mine()) == {
        frozenset(pair)
        for pair in [
            ("centre", "cvl"),
            ("centre", "loiret"),
            ("centre", "tours"),
            ("cvl", "loiret"),
            ("cvl", "tours"),
            ("loiret", "tours"),
        ]
    }


def test_two_shared_regions_are_both_named(places):
    both = [territory("ancienne-region", "24"), territory("ancienne-region", "54")]
    event(slug="a", territories=both)
    event(slug="b", places=[places["tours"], places["niort"]])
    (clash,) = only_mine()
    assert labels(clash) == [
        "dates qui se chevauchent, mêmes anciennes régions (Centre, Poitou-Charentes)"
    ]


# --- Rule B: same theme and audience within the window ----------------------------------


def test_same_theme_and_audience_within_the_window(places):
    discriminations = theme("discriminations")
    event(
        slug="a",
        themes=[discriminations],
        audiences=["chefs-de-projet", "elus"],
        places=[places["tours"]],
    )
    event(
        slug="b",
        themes=[discriminations],
        audiences=["chefs-de-projet"],
        places=[places["poitiers"]],  # another region: rule B only
        start_date=DAY + datetime.timedelta(days=10),
    )
    event(
        slug="loin",
        themes=[discriminations],
        audiences=["chefs-de-projet"],
        start_date=DAY + datetime.timedelta(days=10 + 15),  # 15 days after b
    )
    (clash,) = only_mine()
    assert (clash.first.slug, clash.second.slug) == ("a", "b")
    assert labels(clash) == [
        "même thème (discriminations) et même public (Chefs de projet) à 10 jours d'intervalle"
    ]
    assert settings.EVENTS_CLASH_WINDOW_DAYS == 14
    assert pairs(only_mine(window_days=9)) == set()
    assert pairs(only_mine(window_days=15)) == {frozenset("ab"), frozenset(("b", "loin"))}


def test_theme_rule_needs_a_shared_audience_and_a_shared_theme(places):
    event(slug="a", themes=[theme("discriminations")], audiences=["elus"])
    event(slug="b", themes=[theme("discriminations")], audiences=["habitants"])
    event(slug="c", themes=[theme("egalite-des-chances")], audiences=["elus"])  # a sibling
    event(slug="d", themes=[theme("discriminations")])  # no audience
    assert only_mine() == []


def test_a_narrower_theme_is_the_same_theme(places):
    event(slug="large", themes=[theme("renovation-urbaine")], audiences=["bailleurs"])
    event(
        slug="precis",
        themes=[theme("projet-renovation-urbaine")],
        audiences=["bailleurs", "elus"],
        start_date=DAY + datetime.timedelta(days=1),
    )
    (clash,) = only_mine()
    assert labels(clash) == [
        "même thème (projet de rénovation urbaine, sous-thème de rénovation urbaine) et même "
        "public (Bailleurs sociaux) à 1 jour d'intervalle"
    ]


def test_both_rules_give_both_reasons(places):
    event(
        slug="a",
        themes=[theme("mediation-sociale")],
        audiences=["habitants"],
        places=[places["niort"]],
    )
    event(
        slug="b",
        themes=[theme("mediation-sociale")],
        audiences=["habitants"],
        places=[places["poitiers"]],
    )
    (clash,) = only_mine()
    assert labels(clash) == [
        "dates qui se chevauchent, même ancienne région (Poitou-Charentes)",
        "même thème (médiation sociale) et même public (Habitants) à des dates qui se chevauchent",
    ]


# --- Options: since, region, one event -----------------------------------------------


def test_since_keeps_events_not_yet_over(places):
    event(
        slug="a",
        places=[places["tours"]],
        start_date=DAY,
        end_date=DAY + datetime.timedelta(days=2),
    )
    event(slug="b", places=[places["orleans"]], start_date=DAY)
    event(slug="c", places=[places["blois"]], start_date=DAY + datetime.timedelta(days=2))
    assert pairs(only_mine()) == {frozenset("ab"), frozenset("ac")}
    assert pairs(only_mine(since=DAY + datetime.timedelta(days=1))) == {frozenset("ac")}


def test_region_filter(places):
    event(slug="a", places=[places["tours"]])
    event(slug="b", places=[places["orleans"]])
    event(slug="c", places=[places["niort"]])
    event(slug="d", places=[places["poitiers"]])
    assert pairs(only_mine()) == {frozenset("ab"), frozenset("cd")}
    poitou = territory("ancienne-region", "54")
    assert pairs(only_mine(region=poitou)) == {frozenset("cd")}


def test_clashes_of_one_event(places):
    a = event(slug="a", places=[places["tours"]])
    event(slug="b", places=[places["orleans"]])
    event(slug="c", places=[places["blois"]], start_date=DAY + datetime.timedelta(days=40))
    c2 = event(slug="c2", places=[places["blois"]], start_date=DAY + datetime.timedelta(days=40))
    assert [clash.other(a).slug for clash in clashes_for(a)] == ["b"]
    assert [clash.other(c2).slug for clash in clashes_for(c2)] == ["c"]
    cancelled = event(slug="x", places=[places["tours"]], status="annule")
    assert clashes_for(cancelled) == []


# --- The founding programme ------------------------------------------------------------


def test_the_2007_programme_has_no_clash_as_the_note_gives_it(reference_data):
    """Worked out by hand: the October events (9th Poitiers, 11th Niort, 18–19th Tours or
    Orléans) and the December ones (7th Orléans, 12th Angoulême) fall on different days;
    "Janvier ?" (Blois) and "Février" (Tours or Orléans) are different months; the only
    event with an audience is the 18–19 October training; the interregional workshop is
    dated to the year only. Nothing clashes."""
    programme = Event.objects.filter(source=NOTE)
    assert programme.count() == 10
    assert find_clashes(programme, window_days=365) == []


def test_a_new_event_in_centre_on_18_october_2007_clashes_with_the_training(reference_data):
    new = event(
        slug="journee-bailleurs-octobre-2007",
        published=False,
        organisers=[Organisation.objects.get(slug="ush-centre")],
        places=[commune("45234")],
        start_date=datetime.date(2007, 10, 18),
    )
    january = event(
        slug="forum-emploi-janvier-2008",
        organisers=[Organisation.objects.get(slug="irdsu")],
        places=[commune("37261")],
        start_date=datetime.date(2008, 1, 22),
    )
    clashes = find_clashes()
    assert [(c.first.slug, c.second.slug, labels(c)) for c in clashes] == [
        (
            TWO_DAYS,
            new.slug,
            ["dates qui se chevauchent, même ancienne région (Centre)"],
        ),
        (
            "egalite-des-chances-acces-emploi",  # "Janvier ?", Blois
            january.slug,
            [
                "le même mois, l'une des dates restant à confirmer, dans la même ancienne "
                "région (Centre)"
            ],
        ),
    ]
    assert find_clashes(since=datetime.date(2007, 11, 1))[0].second == january


# --- The sweep agrees with a plain reading of the rules --------------------------------


def _brute_force(events, window):
    def span(e):
        if e.date_precision == "mois" or not e.date_confirmed:
            return month_span(e.start_date.year, e.start_date.month)[0], month_span(
                e.end_date.year, e.end_date.month
            )[1]
        return e.start_date, e.end_date

    def regions(e):
        found = set()
        for t in [*e.territories.all(), *e.places.all()]:
            if t.kind == "ancienne-region":
                found.add(t.pk)
            found |= {a.pk for a in t.ancestors.all() if a.kind == "ancienne-region"}
        return found

    lineage = {c.pk: {c.pk, *(b.pk for b in c.broader.all())} for c in Concept.objects.all()}
    expected = set()
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            if {o.pk for o in a.organisers.all()} == {o.pk for o in b.organisers.all()}:
                continue
            (sa, ea), (sb, eb) = span(a), span(b)
            if sa <= eb and sb <= ea and regions(a) & regions(b):
                expected.add(frozenset((a.slug, b.slug)))
            gap = max(0, (sb - ea).days, (sa - eb).days)
            ta, tb = {t.pk for t in a.themes.all()}, {t.pk for t in b.themes.all()}
            same_theme = any(x in lineage[y] or y in lineage[x] for x in ta for y in tb)
            if gap <= window and same_theme and set(a.audiences) & set(b.audiences):
                expected.add(frozenset((a.slug, b.slug)))
    return expected


def test_the_sweep_finds_what_comparing_every_pair_finds(places):
    rng = random.Random(2007)
    networks = [organisation() for _ in range(3)]
    # Themes one level deep (a parent and its children), so lineage is parent + self.
    concepts = [
        theme(s)
        for s in (
            "renovation-urbaine",
            "projet-renovation-urbaine",
            "operation-renouvellement-urbain",
            "mediation-sociale",
        )
    ]
    where = list(places.values())
    for number in range(60):
        start = datetime.date(2030, 1, 1) + datetime.timedelta(days=rng.randrange(120))
        precision = rng.choice(["jour"] * 5 + ["mois"])
        end = start + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 2]))
        if precision == "mois":
            start, end = month_span(start.year, start.month)
        event(
            slug=f"hasard-{number}",
            organisers=rng.sample(networks, rng.choice([1, 2])),
            places=rng.sample(where, rng.choice([0, 1, 1, 2])),
            themes=rng.sample(concepts, rng.choice([0, 1, 2])),
            audiences=rng.sample(["elus", "habitants", "bailleurs"], rng.choice([0, 1, 2])),
            start_date=start,
            end_date=end,
            date_precision=precision,
            date_confirmed=rng.random() > 0.15,
        )
    mine = Event.objects.exclude(source=NOTE).prefetch_related(
        "organisers", "themes", "territories__ancestors", "places__ancestors"
    )
    for window in (0, 7, 14):
        expected = _brute_force(list(mine), window)
        assert pairs(only_mine(window_days=window)) == expected
    assert len(_brute_force(list(mine), 14)) > 20  # the data does exercise both rules


# --- The page --------------------------------------------------------------------------


@pytest.fixture
def partner_client(client, reference_data):
    client.force_login(staff_user("partner", role=roles.PARTNER))
    return client


@pytest.fixture
def october_clash(reference_data):
    return event(
        slug="journee-bailleurs-octobre-2007",
        title="Journée des bailleurs",
        published=False,
        organisers=[Organisation.objects.get(slug="ush-centre")],
        places=[commune("45234")],
        start_date=datetime.date(2007, 10, 18),
    )


def test_anonymous_visitors_are_sent_to_log_in(client, reference_data):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next={URL}"


def test_a_user_without_the_permission_is_refused(client, django_user_model, reference_data):
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    "role",
    [roles.DIRECTION, roles.ASSISTANT, roles.DOCUMENTALIST, roles.PROJECT_OFFICER, roles.PARTNER],
)
def test_staff_and_partners_see_the_page(client, reference_data, role):
    client.force_login(staff_user("someone", role=role))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Coordination des programmes des réseaux" in response.content.decode()


def test_the_page_shows_upcoming_clashes_and_past_ones_on_request(client, october_clash):
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    page = client.get(URL).content.decode()
    assert "0 conflit entre des événements à venir ou en cours" in page
    assert "Cochez « Inclure les événements passés »" in page
    page = client.get(URL, {"passes": "on"}).content.decode()
    assert "1 conflit</h2>" in page
    two_days = Event.objects.get(slug=TWO_DAYS)
    # The published event links to its page, the unpublished one to the back office.
    assert f'<a href="{two_days.get_absolute_url()}" lang="fr">' in page
    admin_url = reverse("admin:events_event_change", args=[october_clash.pk])
    assert f'<a href="{admin_url}" lang="fr">Journée des bailleurs</a>' in page
    assert '<span class="badge">non publié</span>' in page
    assert "18 et 19 octobre 2007" in page
    assert "Tours ou Orléans (lieu à confirmer)" in page
    assert "Dates qui se chevauchent, même ancienne région (Centre)" in page
    assert "USH Centre" in page


def test_partners_see_unpublished_events_without_a_back_office_link(partner_client, october_clash):
    page = partner_client.get(URL, {"passes": "on"}).content.decode()
    assert '<span lang="fr">Journée des bailleurs</span>' in page
    assert reverse("admin:events_event_change", args=[october_clash.pk]) not in page


def test_each_clash_row_is_headed_by_its_event(partner_client, october_clash):
    tree = html.fromstring(partner_client.get(URL, {"passes": "on"}).content.decode())
    (table,) = tree.xpath('//table[@aria-labelledby="conflits"]')
    columns = [(th.text_content(), th.get("scope")) for th in table.xpath("./thead/tr/th")]
    assert columns == [("Événement", "col"), ("En conflit avec", "col"), ("Motifs", "col")]
    (row,) = table.xpath("./tbody/tr")
    assert [(cell.tag, cell.get("scope")) for cell in row] == [
        ("th", "row"),
        ("td", None),
        ("td", None),
    ]
    assert " ".join(row[0].text_content().split()).startswith("Formation-action")


def test_the_region_filter_and_the_window(partner_client, places):
    event(
        slug="a",
        places=[places["niort"]],
        themes=[theme("mediation-sociale")],
        audiences=["habitants"],
    )
    event(
        slug="b",
        places=[places["poitiers"]],
        themes=[theme("mediation-sociale")],
        audiences=["habitants"],
    )
    event(
        slug="c",
        title="Rencontre tardive",
        places=[places["tours"]],
        themes=[theme("mediation-sociale")],
        audiences=["habitants"],
        start_date=DAY + datetime.timedelta(days=20),
    )
    page = partner_client.get(URL).content.decode()
    assert "1 conflit entre" in page
    page = partner_client.get(URL, {"jours": "20"}).content.decode()
    assert "3 conflits entre" in page
    assert "à 20 jours d&#x27;intervalle" in page
    page = partner_client.get(URL, {"jours": "20", "region": "24"}).content.decode()
    assert "2 conflits entre" in page  # those involving the Tours event
    assert "Rencontre tardive" in page


@pytest.mark.parametrize("value", ["-1", "366", "quinze", "1e9"])
def test_a_bad_window_is_explained_in_french(partner_client, value):
    response = partner_client.get(URL, {"jours": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez un nombre de jours entre 0 et 365." in page
    assert 'aria-invalid="true"' in page
    assert "<table" not in page


def test_an_unknown_region_is_explained(partner_client):
    page = partner_client.get(URL, {"region": "99"}).content.decode()
    assert "Sélectionnez un choix valide" in page


def test_the_page_query_count_does_not_grow_with_clashes(client, reference_data, places):
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"passes": "on"})
        assert response.status_code == 200
        return len(queries)

    client.get(URL)  # session and permission caches warm
    same_public = {"themes": [theme("sante")], "audiences": ["elus"]}
    tours_and_orleans(places, 0, **same_public)
    few = count()
    for number in range(1, 15):
        start = DAY + datetime.timedelta(days=3 * number)
        tours_and_orleans(places, number, start=start, **same_public)
    assert count() == few


def test_the_page_query_budget(client, reference_data, places, django_assert_num_queries):
    client.force_login(staff_user("officer", role=roles.PROJECT_OFFICER))
    for number in range(5):
        tours_and_orleans(places, number, start=DAY + datetime.timedelta(days=number))
    client.get(URL)
    # session, user, its second factor, permissions (own, groups); events,
    # organisers, territories concerned, places, closure, themes; the clashing events
    # with their organisers and places; the former regions of the filter
    with django_assert_num_queries(15):
        response = client.get(URL)
    assert "5 conflits entre" in response.content.decode()


def test_the_page_is_paginated(partner_client, places, monkeypatch):
    from villes2.events.views import coordination

    monkeypatch.setattr(coordination, "PAGE_SIZE", 2)
    for slug, where in (("a", "tours"), ("b", "orleans"), ("c", "niort"), ("d", "poitiers")):
        event(slug=slug, title=f"Rencontre {slug.upper()}", places=[places[where]])
    event(
        slug="e",
        title="Rencontre E",
        places=[places["blois"]],
        start_date=DAY + datetime.timedelta(days=1),
    )
    event(
        slug="f",
        title="Rencontre F",
        places=[places["blois"]],
        start_date=DAY + datetime.timedelta(days=1),
    )
    first = partner_client.get(URL).content.decode()
    assert "3 conflits entre" in first
    assert "Page 1 sur 2" in first
    assert first.count("<tr>") == 1 + 2  # the header row and two clashes
    second = partner_client.get(URL, {"page": "2"}).content.decode()
    assert second.count("<tr>") == 1 + 1
    assert "Rencontre E" in second and "Rencontre F" in second
    assert partner_client.get(URL, {"page": "zzz"}).status_code == 200  # the first page
