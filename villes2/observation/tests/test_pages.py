"""The observatory's index (what it holds, its entry points), the territory picker to a
portrait, the collection template page, the link from territory pages; all public."""

import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from villes2.accounts import roles
from villes2.core.testing import staff_user
from villes2.observation.models import SchemeIndicator
from villes2.territories.tests.factories import SchemeFactory

from .factories import IndicatorFactory, SourceFactory
from .test_pages_helpers import RABIERE, chain_values, territory, texts, tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def test_index_lists_indicators_sources_and_dashboards(client, territories):
    source = SourceFactory(producer="Producteur de test", vintage="millésime 2021")
    chain_values(IndicatorFactory(label="Indicateur de test", unit="logements"), source=source)
    scheme = SchemeFactory(name="CUCS suivi", territories=[territory(RABIERE)])
    SchemeIndicator.objects.create(scheme=scheme, indicator=IndicatorFactory())
    SchemeFactory(name="CUCS non suivi")
    response = client.get("/observatoire/")
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Observatoire des territoires"]
    rows = {
        texts(row, "./th/a")[0]: texts(row, "./td")
        for row in page.xpath("//table[@class='overview']/tbody/tr[th/a]")
    }
    assert rows["Population municipale"][:3] == ["habitants", "2023", "36 260"]
    assert rows["Indicateur de test"] == ["logements", "2014–2023", "6"]
    sources = texts(page, "//ul[@class='sources']/li")
    assert any(s.startswith("DGCL, d'après les populations légales de l'INSEE") for s in sources)
    assert any("Licence Ouverte / Etalab" in s for s in sources)
    assert any(
        s.startswith("Producteur de test") and s.endswith("données synthétiques") for s in sources
    )
    assert texts(page, "//h2[@id='dispositifs']/following-sibling::ul[1]/li/a") == ["CUCS suivi"]
    # Entry points: the portrait picker, the comparison form, the template page.
    assert page.xpath("//form[@action='/observatoire/territoire/']//input[@name='territoire']")
    assert page.xpath("//form[@action='/observatoire/comparer/']//select[@name='indicateur']")
    assert page.xpath("//a[@href='/observatoire/modele/']")


def test_index_says_what_is_synthetic(client, territories):
    chain_values(IndicatorFactory())
    page = tree(client.get("/observatoire/"))
    assert texts(page, "//p[contains(@class, 'notice-synthetic')]/strong") == [
        "Données synthétiques."
    ]


def test_index_in_english(client, territories):
    page = tree(client.get("/en/observatoire/"))
    assert texts(page, "//h1") == ["Observatory of territories"]
    assert "Municipal population" in texts(page, "//table[@class='overview']//th/a")


def test_picker_goes_to_the_portrait(client, territories):
    response = client.get("/observatoire/territoire/?territoire=Rabière — qpv QN03702M")
    assert response.status_code == 302
    assert response["Location"] == "/observatoire/territoire/qpv/QN03702M/"
    response = client.get("/observatoire/territoire/?territoire=37261")
    assert response["Location"] == "/observatoire/territoire/commune/37261/"


def test_picker_error_is_shown_on_the_index(client, territories):
    response = client.get("/observatoire/territoire/?territoire=Saint-Martin")
    assert response.status_code == 400
    errors = texts(tree(response), "//ul[@class='errorlist']/li")
    assert len(errors) == 1 and "correspond à plusieurs territoires" in errors[0]


def test_template_page(client, territories):
    response = client.get("/observatoire/modele/")
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Modèle de collecte"]
    codes = texts(page, "//h2[@id='indicateurs']/following::table[1]/tbody/tr/th")
    assert codes[:2] == ["population-municipale", "population-totale"]
    columns = texts(page, "//h2[@id='colonnes']/following::table[1]/tbody/tr/th")
    assert columns[:5] == ["niveau", "code", "indicateur", "periode", "valeur"]
    assert page.xpath("//a[@href='/observatoire/modele/modele-de-collecte.xlsx']")
    assert page.xpath("//a[@href='/observatoire/modele/modele-de-collecte.csv']")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_template_files(client, territories, file_format):
    response = client.get(f"/observatoire/modele/modele-de-collecte.{file_format}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="villes2-modele-de-collecte.{file_format}"'
    )
    if file_format == "csv":
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("niveau;code;indicateur;periode;valeur")
    else:
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        assert len(workbook.sheetnames) >= 2  # the template and its description


def test_unknown_template_format_is_404(client, territories):
    assert client.get("/observatoire/modele/modele-de-collecte.pdf").status_code == 404


def test_territory_pages_link_to_their_portrait(client, territories):
    page = tree(client.get("/territoires/qpv/QN03702M/"))
    assert page.xpath("//a[@href='/observatoire/territoire/qpv/QN03702M/']")


@pytest.mark.parametrize(
    "path",
    [
        "/observatoire/",
        "/observatoire/territoire/qpv/QN03702M/",
        "/observatoire/comparer/?indicateur=population-municipale",
        "/observatoire/modele/",
    ],
)
def test_every_page_is_public_and_the_same_for_staff(client, territories, path):
    anonymous = client.get(path)
    client.force_login(staff_user("documentaliste", role=roles.DOCUMENTALIST))
    assert anonymous.status_code == client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        # Overview: version check, the statistics (two queries, then cached),
        # indicators, their themes, sources, schemes with a dashboard; the comparison
        # form: indicators, scope territories.
        ("/observatoire/", 9),
        ("/observatoire/modele/", 1),
        ("/observatoire/territoire/?territoire=37261", 1),
    ],
)
def test_query_budget(client, territories, django_assert_num_queries, path, budget):
    chain_values(IndicatorFactory())
    with django_assert_num_queries(budget):
        assert client.get(path).status_code in {200, 302}


def test_query_budget_of_the_index_once_cached(client, territories, django_assert_num_queries):
    for _ in range(5):
        chain_values(IndicatorFactory())
    client.get("/observatoire/")
    with django_assert_num_queries(7):
        assert client.get("/observatoire/").status_code == 200
