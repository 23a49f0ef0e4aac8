"""A scheme's dashboard: its followed indicators over its period for its territories, with
comparisons and warnings; a message when nothing is followed yet; 404; query budget."""

import datetime

import pytest

from villes2.observation.models import SchemeIndicator
from villes2.territories.tests.factories import SchemeFactory

from .factories import IndicatorFactory
from .test_pages_helpers import (
    JOUE,
    RABIERE,
    chain_values,
    rate_indicator,
    territory,
    texts,
    tree,
    values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(territories):
    return SchemeFactory(
        name="Contrat de ville de test",
        territories=[territory(RABIERE), territory(("qpv", "QN03704M"))],
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )


def follow(scheme, *indicators):
    for position, indicator in enumerate(indicators):
        SchemeIndicator.objects.create(scheme=scheme, indicator=indicator, position=position)


def test_dashboard(client, scheme):
    young = rate_indicator(label="Part des jeunes", census_based=True)
    chain_values(young, range(2012, 2024))
    values(young, ("qpv", "QN03704M"), range(2012, 2024), base=30)
    jobs = IndicatorFactory(label="Demandeurs d'emploi")
    values(jobs, RABIERE, range(2018, 2024))
    follow(scheme, jobs, young)
    response = client.get(f"/observatoire/dispositif/{scheme.pk}/")
    assert response.status_code == 200
    page = tree(response)
    assert texts(page, "//h1") == ["Tableau de bord : Contrat de ville de test"]
    assert texts(page, "//section[@class='indicator']/h3") == [
        "Demandeurs d'emploi données synthétiques",
        "Part des jeunes données synthétiques",
    ]
    (jobs_table, young_table) = page.xpath("//section[@class='indicator']//table")
    assert texts(jobs_table, "./caption") == ["Demandeurs d'emploi (habitants), 2018–2020"]
    assert texts(young_table, ".//thead/tr/th") == ["Territoire"] + [
        str(year) for year in range(2015, 2021)
    ]
    assert [row[0] for row in (texts(r, "./th") for r in young_table.xpath(".//tbody/tr"))] == [
        "Rabaterie QPV (quartier prioritaire)",
        "Rabière QPV (quartier prioritaire)",
        "Joué-lès-Tours Commune",
        "Tours Métropole Val de Loire EPCI",
        "Indre-et-Loire Département",
        "Centre-Val de Loire Région",
        "France Pays",
    ]
    warnings = texts(page, "//section[@class='indicator'][2]//div[@class='warning']//li")
    assert warnings[0].startswith("INSEE : ne comparez pas")
    assert any("QPV 2024 sont des géographies" in note for note in texts(page, "//p[@role='note']"))
    # A rate: the chart has the two QPV and four comparison lines (six at most).
    (chart,) = page.xpath("//section[@class='indicator'][2]//figure[@class='chart']")
    assert len(chart.xpath(".//*[local-name()='path'][@class='chart-line']")) == 6
    assert texts(page, "//dd")[1] == "2015–2020"


def test_dashboard_without_followed_indicators(client, scheme):
    response = client.get(f"/observatoire/dispositif/{scheme.pk}/")
    assert response.status_code == 200
    assert texts(tree(response), "//p[@class='notice']") == [
        "Aucun indicateur n'a encore été choisi pour ce dispositif : l'équipe les choisit "
        "dans l'espace de gestion."
    ]


def test_followed_indicator_without_values_in_the_period(client, scheme):
    late = IndicatorFactory(label="Trop tard")
    values(late, RABIERE, [2022])
    follow(scheme, late)
    page = tree(client.get(f"/observatoire/dispositif/{scheme.pk}/"))
    assert texts(page, "//p[contains(., 'Aucune valeur sur la période')]") == [
        "Aucune valeur sur la période du dispositif pour : Trop tard."
    ]


def test_unknown_scheme_is_404(client, territories):
    assert client.get("/observatoire/dispositif/999999/").status_code == 404
    assert client.get("/observatoire/dispositif/abc/").status_code == 404


@pytest.mark.parametrize("indicators", [1, 6])
def test_query_budget(client, scheme, django_assert_num_queries, indicators):
    followed = [IndicatorFactory() for _ in range(indicators)]
    for indicator in followed:
        chain_values(indicator, range(2014, 2024))
    follow(scheme, *followed)
    # The scheme (1), the dashboard (5: followed indicators, territories, comparison
    # territories, values, sources).
    with django_assert_num_queries(6):
        assert client.get(f"/observatoire/dispositif/{scheme.pk}/").status_code == 200


def test_joue_alone(client, territories):
    scheme = SchemeFactory(territories=[territory(JOUE)])
    follow(scheme, IndicatorFactory(code="population-test"))
    page = tree(client.get(f"/observatoire/dispositif/{scheme.pk}/"))
    assert texts(page, "//dd")[1] == "sans dates"
