"""The real data loaded with the reference data: legal populations (DGCL 2026 file)."""

import io

import pytest
from django.core.management import call_command

from villes2.observation.models import Aggregation, Indicator, IndicatorValue, Source
from villes2.observation.reference import POPULATION_YEAR

pytestmark = pytest.mark.django_db


def _value(code, kind, territory_code):
    return IndicatorValue.objects.get(
        indicator__code=code, territory__kind=kind, territory__code=territory_code
    )


def test_populations_of_communes_and_epci_come_from_the_dgcl_file(territories):
    tours = _value("population-municipale", "commune", "37261")
    # communes.csv, Tours: population_municipale_dgcl 138668, population_totale_dgcl 141133.
    assert (tours.value, tours.computed, tours.period.year) == (138668, False, POPULATION_YEAR)
    assert _value("population-totale", "commune", "37261").value == 141133
    metropole = _value("population-municipale", "epci", "243700754")
    assert metropole.computed is False
    source = tours.source
    assert source.synthetic is False
    assert source.licence == "Licence Ouverte / Etalab"
    assert "millésimées 2023" in source.vintage


def test_departements_and_regions_get_the_sum_of_their_communes(territories):
    indre_et_loire = _value("population-municipale", "departement", "37")
    communes = IndicatorValue.objects.filter(
        indicator__code="population-municipale",
        territory__kind="commune",
        territory__parents__kind="departement",
        territory__parents__code="37",
    )
    assert indre_et_loire.computed is True
    assert indre_et_loire.value == sum(value.value for value in communes)
    for kind, code in (("region", "24"), ("ancienne-region", "24"), ("ancienne-region", "54")):
        assert _value("population-municipale", kind, code).computed is True


def test_no_sum_where_a_commune_has_no_figure(territories):
    # The DGCL file has no population for the four island communes outside any EPCI
    # (Île-de-Bréhat, Île-de-Sein, Ouessant, L'Île-d'Yeu): no partial sum is shown.
    for kind, code in (("departement", "29"), ("region", "53"), ("pays", "FR")):
        assert not IndicatorValue.objects.filter(
            indicator__code="population-municipale", territory__kind=kind, territory__code=code
        ).exists()
    assert "quatre communes insulaires" in Source.objects.get(code="dgcl-epcicom-2026").notes


def test_total_population_is_not_summed(territories):
    indicator = Indicator.objects.get(code="population-totale")
    assert indicator.aggregation == Aggregation.NONE
    assert not indicator.values.filter(computed=True).exists()


def test_a_second_load_changes_no_value(territories):
    before = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "computed"))
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "valeurs d'indicateurs : 0 créés, 0 modifiés, 0 supprimés" in out.getvalue()
    after = list(IndicatorValue.objects.order_by("pk").values_list("pk", "value", "computed"))
    assert after == before


def _qpv(kind, code):
    return _value("nombre-qpv", kind, code).value


def test_number_of_qpv_is_counted_for_every_territory_of_france(territories):
    # Counts of SOURCES.md (cross-checked with the prefectures' pages).
    assert _qpv("departement", "37") == 15
    assert _qpv("departement", "45") == 19
    assert _qpv("ancienne-region", "24") == 57  # Centre-Val de Loire
    assert _qpv("ancienne-region", "54") == 7 + 6 + 6 + 5  # 17, 16, 86, 79
    assert _qpv("pays", "FR") == 1493
    # QN04512M straddles Châlette-sur-Loing, Montargis and Villemandeur: it counts in
    # each of them, and once in the département (19, not the sum of the communes).
    communes = [_qpv("commune", code) for code in ("45068", "45208", "45338")]
    assert min(communes) >= 1
    loiret = IndicatorValue.objects.filter(
        indicator__code="nombre-qpv", territory__kind="commune", territory__parents__code="45"
    )
    assert sum(value.value for value in loiret) > 19
    assert _qpv("commune", "37001") == 0  # Abilly: no QPV is a figure too
    value = _value("nombre-qpv", "departement", "45")
    assert (value.computed, value.period.year, value.source.code) == (False, 2024, "anct-qpv-2024")
    # The COM are outside the list: no figure rather than a false zero.
    assert not IndicatorValue.objects.filter(
        indicator__code="nombre-qpv", territory__kind="commune", territory__code="97502"
    ).exists()
