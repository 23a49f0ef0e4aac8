"""Public territory pages: content, French errors, and query budgets."""

import pytest
from django.urls import reverse

from villes2.territories.models import DeclaredCount, SchemeKind
from villes2.territories.selectors import centre_former_regions, territory_table

from .factories import SchemeFactory

pytestmark = pytest.mark.django_db


def _cells(row):
    return [cell.shown for cell in row.cells] + [row.total.shown]


def test_the_note_table_is_computed_and_declared(territories):
    rows = {row.subject: row for row in territory_table(centre_former_regions())}
    assert list(rows) == ["zus", "pnru", "cucs", "contrat-agglomeration", "contrat-pays"]
    zus = rows["zus"]
    assert [cell.computed for cell in zus.cells] + [zus.total.computed] == [30, 14, 44]
    assert not zus.total.is_declared
    assert _cells(rows["pnru"]) == [13, 7, 20]
    assert _cells(rows["cucs"]) == [16, 8, 24]
    assert _cells(rows["contrat-agglomeration"]) == [8, 5, 13]
    assert _cells(rows["contrat-pays"]) == [32, 18, 50]
    assert rows["cucs"].cells[0].is_declared
    assert rows["cucs"].cells[0].declared_source.startswith("Note de mise en œuvre, 2007")


def test_a_kind_switches_to_its_computed_count_once_complete(territories):
    tours = territories.get(kind="commune", code="37261")
    niort = territories.get(kind="commune", code="79191")
    SchemeFactory(kind=SchemeKind.CUCS, territories=[tours])
    SchemeFactory(kind=SchemeKind.CUCS, territories=[territories.get(kind="qpv", code="QN03702M")])
    SchemeFactory(kind=SchemeKind.CUCS, territories=[niort])
    rows = {row.subject: row for row in territory_table(centre_former_regions())}
    assert [cell.computed for cell in rows["cucs"].cells] == [2, 1]
    assert _cells(rows["cucs"]) == [16, 8, 24]  # still declared: the list is incomplete
    DeclaredCount.objects.filter(subject="cucs", area__code="24").update(list_complete=True)
    rows = {row.subject: row for row in territory_table(centre_former_regions())}
    assert _cells(rows["cucs"]) == [2, 8, 10]


def test_territories_page_shows_the_table_and_the_ten_departements(client, territories):
    response = client.get(reverse("territories:index"))
    assert response.status_code == 200
    content = response.content.decode()
    zus_row = content.split('<th scope="row">ZUS</th>')[1].split("</tr>")[0]
    assert [cell.split(">")[1].split("<")[0] for cell in zus_row.split("<td")[1:]] == [
        "30",
        "14",
        "44",
    ]
    assert "Note de mise en œuvre, 2007" in content
    departements = response.context["departements"]
    assert [row.territory.code for row in departements] == [
        "16",
        "17",
        "18",
        "28",
        "36",
        "37",
        "41",
        "45",
        "79",
        "86",
    ]
    indre_et_loire = next(row for row in departements if row.territory.code == "37")
    assert (indre_et_loire.communes, indre_et_loire.epci, indre_et_loire.qpv) == (272, 11, 15)
    assert sum(row.communes for row in departements) == 3092


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [
        ("region", "24", "Centre-Val de Loire"),
        ("ancienne-region", "54", "Poitou-Charentes"),
        ("departement", "37", "Indre-et-Loire"),
        ("epci", "243700754", "Tours Métropole Val de Loire"),
        ("commune", "37261", "Tours"),
        ("zus", "ZUS-28-05", "Plateau Est"),
        ("qpv", "QN03702M", "Rabière"),
    ],
)
def test_territory_page_of_each_kind(client, territories, kind, code, expected):
    response = client.get(reverse("territories:detail", args=[kind, code]))
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_territory_page_lists_contents_paginated(client, territories):
    url = reverse("territories:detail", args=["departement", "37"])
    response = client.get(url, {"contenu": "commune", "page": 2})
    assert response.context["shown_group"].count == 272
    assert response.context["contents"].number == 2
    assert len(response.context["contents"].object_list) == 50


def test_linked_section_lists_schemes_of_the_territory(client, territories):
    tours = territories.get(kind="commune", code="37261")
    SchemeFactory(
        kind=SchemeKind.CUCS, name="CUCS de l'agglomération tourangelle", territories=[tours]
    )
    response = client.get(reverse("territories:detail", args=["departement", "37"]))
    assert "CUCS de l&#x27;agglomération tourangelle" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/territoires/pays/37/", "/territoires/commune/99999/", "/territoires/qpv/QN99999Z/"],
)
def test_unknown_kind_or_code_gives_a_french_404(client, territories, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_old_commune_code_redirects_to_the_current_commune(client, territories):
    response = client.get("/territoires/commune/01003/")
    assert response.status_code == 301
    assert response["Location"] == "/territoires/commune/01165/"


def test_lower_case_code_redirects_to_the_official_code(client, territories):
    response = client.get("/territoires/departement/2a/")
    assert response.status_code == 301
    assert response["Location"] == "/territoires/departement/2A/"


@pytest.mark.parametrize(
    "path", ["/territoires/commune/%00/", "/territoires/commune/" + "9" * 30 + "/"]
)
def test_malformed_codes_give_404(client, territories, path):
    assert client.get(path).status_code == 404


def test_geojson_layers(client, territories):
    centre = client.get(reverse("territories:centre_geojson")).json()
    codes = sorted((f["properties"]["kind"], f["properties"]["code"]) for f in centre["features"])
    assert len(codes) == 12 and ("ancienne-region", "24") in codes
    zus = client.get(reverse("territories:detail_geojson", args=["zus", "ZUS-28-05"])).json()
    assert sorted(f["properties"]["code"] for f in zus["features"]) == ["28134", "28332"]


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/territoires/", 8),
        # Territory pages: one query per "linked to this territory" section (documents…).
        # The events' section: one query (+1 for its total only when it shows 5 events).
        # The experience records' section: one query (+1 likewise).
        ("/territoires/departement/37/", 15),
        ("/territoires/commune/37261/", 15),
        ("/territoires/zus/ZUS-28-05/", 11),
        ("/territoires/recherche/?q=saint", 2),
        ("/territoires/recherche/?q=saint&kind=commune&within=departement+37&page=2", 3),
        ("/territoires/recherche/", 0),
        ("/territoires/suggestions/?field=t&t=tours", 1),
        ("/territoires/aller/?territoire=Saint-Martin", 11),
        ("/territoires/carte.geojson", 2),
        ("/territoires/departement/37/carte.geojson", 2),
        ("/territoires/aller/?territoire=37261", 1),
        ("/", 0),
        ("/mentions-legales/", 0),
        ("/accessibilite/", 0),
        ("/donnees-personnelles/", 0),
        ("/en/territoires/commune/37261/", 15),
    ],
)
def test_query_budget(client, territories, django_assert_num_queries, url, budget):
    tours = territories.get(kind="commune", code="37261")
    for number in range(3):
        SchemeFactory(
            territories=[tours, territories.get(kind="departement", code="37")], name=f"S{number}"
        )
    with django_assert_num_queries(budget):
        status = client.get(url).status_code
    assert status == {"37261": 302, "Saint-Martin": 400}.get(url.rsplit("=", 1)[-1], 200)


def test_query_budget_of_the_404_page(client, territories, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert client.get("/territoires/commune/99999/").status_code == 404
