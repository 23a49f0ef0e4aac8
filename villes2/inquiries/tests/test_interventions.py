"""The interventions log: the checks of `intervention_save` (French messages, nothing
written), the sums for the map and the activity report, the back office's list (filters,
half-days of what it shows, a request's interventions), the form, the map with its data
and table, the month calendar and its export, the roles, the query budgets."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from villes2.accounts import roles
from villes2.actors.models import Organisation
from villes2.core.testing import staff_user
from villes2.inquiries.models import Intervention
from villes2.inquiries.selectors import interventions as selectors
from villes2.inquiries.services.interventions import intervention_save, latest_date
from villes2.territories.models import Scheme, Territory

from .factories import InquiryFactory, InterventionFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:inquiries_intervention_changelist")
ADD_URL = reverse("admin:inquiries_intervention_add")
MAP_URL = reverse("admin:inquiries_intervention_map")
MAP_DATA_URL = reverse("admin:inquiries_intervention_map_data")
CALENDAR_URL = reverse("admin:inquiries_intervention_calendar")
ICALENDAR_URL = reverse("admin:inquiries_intervention_icalendar")
STAFF_PAGES = [LIST_URL, ADD_URL, MAP_URL, MAP_DATA_URL, CALENDAR_URL, ICALENDAR_URL]
DAY = datetime.date(2025, 3, 12)
HALF_DAYS_MESSAGE = "Comptez le temps en demi-journées\u00a0: 0,5, 1, 1,5, 2…"


def territory(kind: str, code: str) -> Territory:
    return Territory.objects.get(kind=kind, code=code)


@pytest.fixture
def sites(territories):
    """Real territories: two communes with a boundary, a QPV and an EPCI without one (of
    Indre-et-Loire), a ZUS that ended in 2014."""
    return {
        "tours": territory("commune", "37261"),
        "orleans": territory("commune", "45234"),
        "sanitas": territory("qpv", "QN03709M"),
        "metropole": territory("epci", "243700754"),
        "zus": Territory.objects.filter(kind="zus", valid_to__isnull=False).first(),
    }


@pytest.fixture
def officer(territories):
    return staff_user("officer", role=roles.PROJECT_OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def log(sites):
    """Five interventions in 2025 (four in March) and one in 2024."""
    make = InterventionFactory
    return [
        make(date=DAY, site=sites["tours"], half_days=Decimal("1.5"), procedures=["pru"]),
        make(date=DAY, site=sites["sanitas"], kind="animation", procedures=["contrat-de-ville"]),
        make(
            date=datetime.date(2025, 3, 20),
            site=sites["metropole"],
            kind="formation",
            half_days=Decimal("2"),
            procedures=["cucs", "pru"],
        ),
        make(date=datetime.date(2025, 3, 31), site=sites["orleans"], procedures=[]),
        make(
            date=datetime.date(2025, 6, 2),
            site=sites["tours"],
            half_days=Decimal("0.5"),
            procedures=["cucs"],
        ),
        make(
            date=datetime.date(2024, 11, 5),
            site=sites["orleans"],
            half_days=Decimal("3"),
            procedures=[],
        ),
    ]


# --- Checks (service) -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "0.3", "-1", "-0.5", "1.25"])
def test_half_days_must_be_halves(sites, value):
    intervention = Intervention(
        date=DAY, title="Conseil", site=sites["tours"], kind="conseil", half_days=Decimal(value)
    )
    with pytest.raises(ValidationError) as raised:
        intervention_save(intervention)
    assert raised.value.message_dict == {"half_days": [HALF_DAYS_MESSAGE]}
    assert not Intervention.objects.exists()


def test_date_at_most_a_year_ahead(sites):
    limit = latest_date()
    too_far = Intervention(
        date=limit + datetime.timedelta(days=1),
        title="Comité prévu",
        site=sites["tours"],
        kind="comite-pilotage",
        half_days=Decimal("1"),
    )
    with pytest.raises(ValidationError) as raised:
        intervention_save(too_far)
    (message,) = raised.value.message_dict["date"]
    assert message.startswith("La date ne peut pas dépasser d’un an la date du jour\u00a0: ")
    assert not Intervention.objects.exists()
    too_far.date = limit
    intervention_save(too_far)
    assert Intervention.objects.get().date == limit


def test_a_year_ahead_of_29_february():
    assert latest_date(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_site_must_exist_on_the_date(sites):
    qpv = Intervention(
        date=datetime.date(2020, 5, 4),
        title="Atelier",
        site=sites["sanitas"],  # QPV 2024
        kind="animation",
        half_days=Decimal("1"),
    )
    with pytest.raises(ValidationError) as raised:
        intervention_save(qpv)
    assert raised.value.message_dict == {
        "site": [
            "«\u00a0Sanitas\u00a0» n’existait pas encore à cette date\u00a0: "
            "il est valable à partir du 1 janvier 2024. Choisissez le territoire de "
            "l’époque (une ZUS plutôt qu’un QPV, par exemple)."
        ]
    }
    zus = sites["zus"]
    ended = Intervention(
        date=datetime.date(2020, 5, 4), title="Atelier", site=zus, kind="animation", half_days=1
    )
    with pytest.raises(ValidationError) as raised:
        intervention_save(ended)
    (message,) = raised.value.message_dict["site"]
    assert message.startswith(f"«\u00a0{zus.name}\u00a0» n’existait plus à cette date\u00a0: ")
    assert not Intervention.objects.exists()
    ended.date = datetime.date(2008, 5, 4)
    intervention_save(ended)
    assert Intervention.objects.count() == 1


def test_every_error_at_once_in_french(sites):
    intervention = Intervention(
        date=DAY, title="", site=sites["tours"], kind="inconnu", half_days=Decimal("0"),
        procedures=["cucs", "inconnue"],
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        intervention_save(intervention)
    assert raised.value.message_dict == {
        "title": ["Ce champ ne peut pas être vide."],
        "kind": ["La valeur «\u00a0'inconnu'\u00a0» n’est pas un choix valide."],
        "half_days": [HALF_DAYS_MESSAGE],
        "procedures": ["Choisissez les procédures dans la liste."],
    }
    assert not Intervention.objects.exists()


def test_save_sets_and_replaces_the_relations(sites, officer):
    organisations = list(Organisation.objects.order_by("pk")[:2])
    scheme = Scheme.objects.create(kind="cucs", name="CUCS de test", source="test")
    intervention = intervention_save(
        Intervention(
            date=DAY, title="Conseil", site=sites["tours"], kind="conseil", half_days=Decimal("1")
        ),
        organisations=organisations,
        schemes=[scheme],
        staff=[officer],
    )
    assert set(intervention.organisations.all()) == set(organisations)
    assert list(intervention.schemes.all()) == [scheme]
    assert list(intervention.staff.all()) == [officer]
    intervention.half_days = Decimal("2.5")
    intervention_save(intervention, organisations=organisations[:1])  # the rest unchanged
    intervention.refresh_from_db()
    assert intervention.half_days == Decimal("2.5")
    assert list(intervention.organisations.all()) == organisations[:1]
    assert list(intervention.staff.all()) == [officer]


# --- Sums (the map, the activity report) ------------------------------------------------


def test_sums_by_site_kind_and_total(log, sites):
    rows = selectors.interventions_by_site(2025)
    assert [(row.site, row.interventions, row.half_days) for row in rows] == [
        (sites["tours"], 2, Decimal("2")),  # equal half-days: by name
        (sites["metropole"], 1, Decimal("2")),
        (sites["orleans"], 1, Decimal("1")),
        (sites["sanitas"], 1, Decimal("1")),
    ]
    assert rows[0].site_id == sites["tours"].pk
    kinds = selectors.interventions_by_kind(2025)
    assert [(k.kind, k.label, k.interventions, k.half_days) for k in kinds] == [
        ("conseil", "Conseil", 3, Decimal("3")),
        ("animation", "Animation de réunion", 1, Decimal("1")),
        ("formation", "Formation", 1, Decimal("2")),
    ]
    by_both = selectors.interventions_by_site_and_kind(2025)
    assert [(r.site.code, r.kind, r.half_days) for r in by_both] == [
        ("45234", "conseil", Decimal("1")),
        ("QN03709M", "animation", Decimal("1")),
        ("37261", "conseil", Decimal("2")),
        ("243700754", "formation", Decimal("2")),
    ]
    assert selectors.interventions_totals(2025) == selectors.Totals(5, Decimal("6"))
    assert selectors.interventions_totals(2024) == selectors.Totals(1, Decimal("3"))
    assert selectors.interventions_totals() == selectors.Totals(6, Decimal("9"))
    assert selectors.interventions_by_site(2023) == []
    march = Intervention.objects.in_month(2025, 3)
    assert selectors.interventions_totals(queryset=march) == selectors.Totals(4, Decimal("5.5"))
    assert selectors.intervention_years() == [2025, 2024]


def test_procedure_and_departement_vocabulary(log, sites):
    assert set(Intervention.objects.for_procedure("pru")) == {log[0], log[2]}
    assert set(Intervention.objects.for_procedure("cucs")) == {log[2], log[4]}
    assert not Intervention.objects.for_procedure("contrat-de-pays").exists()
    indre_et_loire = territory("departement", "37")
    # The commune, the QPV and the EPCI are inside Indre-et-Loire; Orléans is not.
    assert set(Intervention.objects.within(indre_et_loire)) == set(log[:3]) | {log[4]}
    assert set(Intervention.objects.within(sites["tours"])) == {log[0], log[1], log[4]}


def test_half_days_in_words():
    assert selectors.half_days_label(Decimal("0.5")) == "0,5 demi-journée"
    assert selectors.half_days_label(Decimal("1")) == "1 demi-journée"
    assert selectors.half_days_label(Decimal("1.5")) == "1,5 demi-journée"
    assert selectors.half_days_label(Decimal("2.0")) == "2 demi-journées"
    assert selectors.half_days_label(Decimal("12.5")) == "12,5 demi-journées"
    assert selectors.procedures_label(["cucs", "pru"]) == (
        "Contrat urbain de cohésion sociale (CUCS), Projet de rénovation urbaine (PRU, ANRU)"
    )


# --- Back office: list ------------------------------------------------------------------


def test_list_shows_rows_and_the_half_days_of_what_it_shows(officer_client, log):
    response = officer_client.get(LIST_URL)
    assert response.status_code == 200
    assert response.context["totals"] == selectors.Totals(6, Decimal("9"))
    page = response.content.decode()
    assert "6 interventions, 9 demi-journées." in page
    assert "Projet de rénovation urbaine (PRU, ANRU)" in page  # procedures in words
    assert reverse("admin:inquiries_intervention_map") in page
    assert reverse("admin:inquiries_intervention_calendar") in page

    response = officer_client.get(LIST_URL, {"annee": "2025", "kind__exact": "conseil"})
    assert response.context["totals"] == selectors.Totals(3, Decimal("3"))
    assert set(response.context["cl"].result_list) == {log[0], log[3], log[4]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"annee": "2024"}, [5]),
        ({"procedure": "pru"}, [0, 2]),
        ({"departement": "37"}, [0, 1, 2, 4]),
        ({"departement": "45"}, [3, 5]),
        ({"departement": "37", "procedure": "contrat-de-ville"}, [1]),
        ({"q": "Orléans"}, [3, 5]),
        ({"date__year": "2025", "date__month": "3"}, [0, 1, 2, 3]),
    ],
)
def test_list_filters(officer_client, log, query, expected):
    response = officer_client.get(LIST_URL, query)
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {log[i] for i in expected}
    total = sum((log[i].half_days for i in expected), Decimal(0))
    assert response.context["totals"] == selectors.Totals(len(expected), total)


@pytest.mark.parametrize("query", [{"annee": "abc"}, {"procedure": "x"}, {"departement": "75"}])
def test_list_refuses_unknown_filter_values(officer_client, log, query):
    response = officer_client.get(LIST_URL, query)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_list_of_a_request(officer_client, log, sites):
    inquiry = InquiryFactory()
    log[1].inquiry = inquiry
    log[1].save()
    response = officer_client.get(LIST_URL, {"inquiry__id__exact": inquiry.pk})
    assert list(response.context["cl"].result_list) == [log[1]]
    assert response.context["for_inquiry"] == inquiry
    assert f"Interventions liées à la demande {inquiry.reference}" in response.content.decode()


def test_list_query_budget(officer_client, sites, django_assert_num_queries):
    def make(number: int) -> None:
        for n in range(number):
            intervention = InterventionFactory(
                date=DAY - datetime.timedelta(days=n),
                site=[sites["tours"], sites["sanitas"], sites["metropole"]][n % 3],
            )
            intervention.staff.add(staff_user(f"agent{Intervention.objects.count()}"))

    make(5)
    # Session, user, permissions (4); year, département and staff filters (3); date
    # hierarchy (2); counts (2); rows with their sites (1), their staff (1); totals (1).
    with django_assert_num_queries(15):
        assert officer_client.get(LIST_URL).status_code == 200
    make(45)
    with django_assert_num_queries(15):
        assert officer_client.get(LIST_URL).status_code == 200


# --- Back office: form ------------------------------------------------------------------


def form_data(sites, **changes) -> dict:
    data = {
        "date": "12/03/2025",
        "title": "Appui à l'évaluation du CUCS",
        "site": str(sites["tours"].pk),
        "kind": "evaluation",
        "half_days": "1,5",
        "procedures": ["pru", "cucs"],
        "schemes": [],
        "organisations": [],
        "staff": [],
        "inquiry": "",
        "notes": "",
    }
    data.update(changes)
    return data


def test_add_form_defaults_the_staff_to_the_user(officer_client, officer):
    response = officer_client.get(ADD_URL)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["staff"] == [officer.pk]
    assert set(form.fields["procedures"].choices) >= {
        ("cucs", "Contrat urbain de cohésion sociale (CUCS)")
    }


def test_add_through_the_form(officer_client, officer, sites):
    organisation = Organisation.objects.order_by("pk").first()
    response = officer_client.post(
        ADD_URL,
        form_data(sites, staff=[str(officer.pk)], organisations=[str(organisation.pk)]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    intervention = Intervention.objects.get()
    assert intervention.half_days == Decimal("1.5")
    assert intervention.procedures == ["cucs", "pru"]  # in the list's order
    assert list(intervention.staff.all()) == [officer]
    assert list(intervention.organisations.all()) == [organisation]


def test_two_editors_cannot_overwrite_each_other(officer_client, officer, sites):
    """RELIABILITY.md, no silent overwrites: the second save from a page opened before
    the first is refused, and nothing of it is written."""
    officer_client.post(ADD_URL, form_data(sites, staff=[str(officer.pk)]))
    intervention = Intervention.objects.get()
    url = reverse("admin:inquiries_intervention_change", args=[intervention.pk])
    seen = str(intervention.version)
    first = officer_client.post(
        url, form_data(sites, staff=[str(officer.pk)], title="Première", seen_version=seen)
    )
    assert first.status_code == 302
    second = officer_client.post(
        url, form_data(sites, staff=[str(officer.pk)], title="Seconde", seen_version=seen)
    )
    assert second.status_code == 200
    assert (
        second.context["adminform"]
        .form.non_field_errors()[0]
        .startswith("Quelqu'un d'autre a enregistré cette fiche")
    )
    intervention.refresh_from_db()
    assert (intervention.title, intervention.version) == ("Première", 2)


@pytest.mark.parametrize("value", ["0", "0,3", "-1"])
def test_form_refuses_wrong_half_days_in_french(officer_client, sites, value):
    response = officer_client.post(ADD_URL, form_data(sites, half_days=value))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"half_days": [HALF_DAYS_MESSAGE]}
    assert not Intervention.objects.exists()


def test_form_shows_the_rules_on_their_fields(officer_client, sites):
    far = latest_date() + datetime.timedelta(days=3)
    response = officer_client.post(
        ADD_URL,
        form_data(sites, date=far.strftime("%d/%m/%Y"), site=str(sites["zus"].pk)),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["date"][0].startswith("La date ne peut pas dépasser d’un an")
    assert errors["site"][0].startswith(f"«\u00a0{sites['zus'].name}\u00a0» n’existait plus")
    assert not Intervention.objects.exists()


def test_a_partner_may_not_add(client, sites):
    client.force_login(staff_user("partenaire", role=roles.PARTNER))
    response = client.post(ADD_URL, form_data(sites))
    assert response.status_code == 403
    assert not Intervention.objects.exists()


# --- Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anonymous_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_partner_is_refused(client, territories, url):
    client.force_login(staff_user("partenaire", role=roles.PARTNER))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
@pytest.mark.parametrize("url", [LIST_URL, MAP_URL, CALENDAR_URL])
def test_every_staff_role_may_view(client, territories, role, url):
    client.force_login(staff_user("agent", role=role))
    assert client.get(url).status_code == 200


# --- Map --------------------------------------------------------------------------------


def test_map_page_and_its_table(officer_client, log, sites):
    response = officer_client.get(MAP_URL, {"annee": "2025"})
    assert response.status_code == 200
    rows = [
        (row.site, row.interventions, row.half_days, mapped)
        for row, mapped, _q in response.context["rows"]
    ]
    assert rows == [
        (sites["tours"], 2, Decimal("2"), True),
        (sites["metropole"], 1, Decimal("2"), True),
        (sites["orleans"], 1, Decimal("1"), True),
        (sites["sanitas"], 1, Decimal("1"), True),
    ]
    page = response.content.decode()
    assert "5 interventions, 6 demi-journées, sur 4 sites." in page
    assert "Interventions par site, 2025" in page
    assert f"{MAP_DATA_URL}?annee=2025" in page
    # Each site links to the list of its interventions, with the same filters.
    assert f"{LIST_URL}?annee=2025&amp;site__id__exact={sites['tours'].pk}" in page


def test_map_filters(officer_client, log, sites):
    response = officer_client.get(
        MAP_URL, {"annee": "2025", "mois": "3", "procedure": "pru", "departement": "37"}
    )
    assert [row.site for row, _m, _q in response.context["rows"]] == [
        sites["metropole"],
        sites["tours"],
    ]
    assert response.context["period"] == "mars 2025"


def test_map_data(officer_client, log, sites):
    response = officer_client.get(MAP_DATA_URL, {"annee": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = json.loads(response.content)["features"]
    frame = [f["properties"]["code"] for f in features if f["properties"]["role"] == "frame"]
    assert frame == ["16", "17", "18", "28", "36", "37", "41", "45", "79", "86"]
    areas = [f["properties"]["code"] for f in features if f["properties"]["role"] == "area"]
    assert sorted(areas) == ["37261", "45234"]  # the QPV and the EPCI have no boundary
    points = {f["properties"]["code"]: f for f in features if f["properties"]["role"] == "site"}
    assert set(points) == {"37261", "45234", "QN03709M", "243700754"}
    tours = points["37261"]["properties"]
    assert tours["half_days"] == "2.0"
    assert tours["interventions"] == 2
    assert tours["radius"] == selectors.MAX_RADIUS  # the largest, with the metropole
    assert points["45234"]["properties"]["radius"] == pytest.approx(28 * 0.5**0.5, abs=0.1)
    assert tours["label"] == "Tours (Commune)\u00a0: 2 interventions, 2 demi-journées"
    assert tours["url"] == f"{LIST_URL}?annee=2025&site__id__exact={sites['tours'].pk}"
    # The QPV is placed in its commune, the metropole among its communes (near Tours).
    lon, lat = points["QN03709M"]["geometry"]["coordinates"]
    assert 0.6 < lon < 0.8 and 47.3 < lat < 47.5
    lon, lat = points["243700754"]["geometry"]["coordinates"]
    assert 0.5 < lon < 0.9 and 47.3 < lat < 47.5


def test_map_without_interventions(officer_client, territories):
    response = officer_client.get(MAP_URL, {"annee": "2019"})
    assert response.status_code == 200
    assert "Aucune intervention ne correspond à ces filtres." in response.content.decode()
    data = json.loads(officer_client.get(MAP_DATA_URL, {"annee": "2019"}).content)
    assert {f["properties"]["role"] for f in data["features"]} == {"frame"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"annee": "abc"}, "annee", "Saisissez une année en chiffres, par exemple 2025."),
        ({"annee": "12"}, "annee", "Saisissez une année de 1900 à 2200."),
        ({"mois": "13"}, "mois", "Choisissez un mois de 1 à 12."),
        ({"nature": "x"}, "nature", "Choisissez un type dans la liste."),
        ({"procedure": "x"}, "procedure", "Choisissez une procédure dans la liste."),
        ({"departement": "75"}, "departement", "Choisissez l’un des départements du centre."),
    ],
)
def test_map_bad_parameters(officer_client, territories, query, field, message):
    response = officer_client.get(MAP_URL, query)
    assert response.status_code == 400
    assert response.context["filterset"].form.errors == {field: [message]}
    assert message in response.content.decode()
    response = officer_client.get(MAP_DATA_URL, query)
    assert response.status_code == 400
    assert json.loads(response.content) == {"errors": {field: [message]}}


def test_map_query_budget(officer_client, sites, django_assert_num_queries):
    def make(number: int) -> None:
        for n in range(number):
            InterventionFactory(
                date=DAY - datetime.timedelta(days=n % 60),
                site=[sites["tours"], sites["sanitas"], sites["metropole"]][n % 3],
            )

    make(5)
    # Session, user, permissions (4); the ten départements (1); sums by site (1), the
    # sites (1); the communes of the QPV and the EPCI (1), the boundaries (1).
    with django_assert_num_queries(10):
        assert officer_client.get(MAP_URL, {"annee": "2025"}).status_code == 200
    # The data: the same (the départements' boundaries come with the sites').
    with django_assert_num_queries(10):
        assert officer_client.get(MAP_DATA_URL, {"annee": "2025"}).status_code == 200
    make(45)
    with django_assert_num_queries(10):
        assert officer_client.get(MAP_URL, {"annee": "2025"}).status_code == 200
    with django_assert_num_queries(10):
        assert officer_client.get(MAP_DATA_URL, {"annee": "2025"}).status_code == 200


# --- Calendar ---------------------------------------------------------------------------


def test_calendar_month(officer_client, log, officer):
    log[0].staff.add(officer)
    response = officer_client.get(CALENDAR_URL, {"annee": "2025", "mois": "3"})
    assert response.status_code == 200
    calendar = response.context["calendar"]
    assert calendar.first == datetime.date(2025, 3, 1)
    days = {day.date: day.events for week in calendar.weeks for day in week if day.in_month}
    assert days[DAY] == [log[0], log[1]]
    assert days[datetime.date(2025, 3, 31)] == [log[3]]
    assert sum(len(events) for events in days.values()) == 4
    assert response.context["weekdays"][0] == "lundi"  # 1 March 2025 was a Saturday
    assert [day.in_month for day in calendar.weeks[0]] == [False] * 5 + [True] * 2
    page = response.content.decode()
    assert "Interventions en mars 2025" in page
    assert "4 interventions, 5,5 demi-journées." in page
    assert "?annee=2025&amp;mois=2" in page and "?annee=2025&amp;mois=4" in page
    assert "Mois précédent : février 2025" in page
    assert reverse("admin:inquiries_intervention_change", args=[log[0].pk]) in page
    assert officer.username in page  # the staff, in the list


def test_calendar_keeps_the_filters_across_months(officer_client, log):
    response = officer_client.get(
        CALENDAR_URL, {"annee": "2025", "mois": "12", "nature": "formation"}
    )
    assert response.context["next_query"] == "annee=2026&mois=1&nature=formation"
    assert response.context["previous_query"] == "annee=2025&mois=11&nature=formation"
    assert response.context["totals"] == selectors.Totals(0, Decimal(0))


def test_calendar_defaults_to_this_month(officer_client, territories):
    from django.utils import timezone

    response = officer_client.get(CALENDAR_URL)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["calendar"].first == today.replace(day=1)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"annee": "2025", "mois": "13"}, "mois", "Choisissez un mois de 1 à 12."),
        (
            {"annee": "abc", "mois": "3"},
            "annee",
            "Saisissez une année en chiffres, par exemple 2025.",
        ),
        ({"annee": "2025", "mois": "mars"}, "mois", "Choisissez un mois de 1 à 12."),
    ],
)
def test_calendar_bad_parameters(officer_client, territories, query, field, message):
    response = officer_client.get(CALENDAR_URL, query)
    assert response.status_code == 400
    assert response.context["filterset"].form.errors == {field: [message]}
    page = response.content.decode()
    assert message in page
    assert 'aria-invalid="true"' in page


def test_icalendar_export(officer_client, log, officer):
    log[0].staff.add(officer)
    response = officer_client.get(ICALENDAR_URL, {"annee": "2025", "procedure": "pru"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="interventions-2025.ics"'
    body = response.content.decode().replace("\r\n ", "")
    assert body.count("BEGIN:VEVENT") == 2
    assert f"UID:intervention-{log[0].pk}@" in body
    assert "DTSTART;VALUE=DATE:20250312" in body
    assert "DTEND;VALUE=DATE:20250313" in body
    assert f"SUMMARY:{log[0].title} — Tours" in body
    assert "1\\,5 demi-journée" in body  # commas escaped (RFC 5545)
    assert "officer" in body
    assert officer_client.get(ICALENDAR_URL, {"mois": "13"}).status_code == 400


def test_calendar_query_budget(officer_client, sites, django_assert_num_queries):
    def make(number: int) -> None:
        for n in range(number):
            intervention = InterventionFactory(
                date=datetime.date(2025, 3, 1 + n % 31),
                site=[sites["tours"], sites["sanitas"]][n % 2],
            )
            intervention.staff.add(staff_user(f"agent{Intervention.objects.count()}"))

    make(5)
    # Session, user, permissions (4); the ten départements (1); the month's
    # interventions with their sites (1) and staff (1).
    with django_assert_num_queries(8):
        assert officer_client.get(CALENDAR_URL, {"annee": "2025", "mois": "3"}).status_code == 200
    make(45)
    with django_assert_num_queries(8):
        assert officer_client.get(CALENDAR_URL, {"annee": "2025", "mois": "3"}).status_code == 200
