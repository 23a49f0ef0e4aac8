"""SYNTHETIC observatory values for the end-to-end tests only (see README.md).

Run by the `live_site` fixture after `load_reference_data` (which loads the real legal
populations) and the other test data, through
`manage.py shell -c "import runpy; runpy.run_path(...)"`. Every figure here is generated:
its source is marked synthetic, and every page that shows it says "données
synthétiques". Nothing here is ever loaded by `make run`.

1. "Part des moins de 25 ans (synthétique)", a rate with its numerator and denominator,
   census-based, yearly 2014-2023 for the communes and QPV of Indre-et-Loire (the
   département's values are computed from its communes), 2023 provisional: the portrait
   of the QPV Rabière (QN03702M) then shows a chart, comparisons and every warning.
2. "Demandeurs d'emploi (synthétique)", a count, 2019-2023 for the same territories.
3. An invented "Contrat de ville de test" (2015-2023) covering two QPV of Joué-lès-Tours
   and Saint-Pierre-des-Corps, following both indicators and the real municipal
   population. On a fresh database it is the second scheme (id 2): the practices test
   data create the first.

Values are deterministic (a hash of the territory code and the year): re-running gives
the same data.
"""

import hashlib

from django.db import transaction

from villes2.observation.models import (
    Aggregation,
    Indicator,
    IndicatorType,
    IndicatorValue,
    SchemeIndicator,
    Source,
    ValueStatus,
    period_of_year,
)
from villes2.observation.services import values_aggregate_upward
from villes2.territories.models import Scheme, SchemeKind, Territory, TerritoryKind

SOURCE_CODE = "villes2-tests-e2e-synthetique"
GEOGRAPHY = {TerritoryKind.COMMUNE: "COG 2026", TerritoryKind.QPV: "QPV 2024"}


def _unit(code: str, year: int, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) for a territory, a year and an indicator."""
    digest = hashlib.sha256(f"{salt}:{code}:{year}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


@transaction.atomic
def load() -> None:
    source, _ = Source.objects.update_or_create(
        code=SOURCE_CODE,
        defaults={
            "producer": "Villes² (données de test)",
            "dataset": "Valeurs synthétiques pour les tests de bout en bout",
            "vintage": "générées",
            "licence": "Licence Ouverte 2.0",
            "synthetic": True,
            "notes": "Chiffres inventés : jamais de vraies données.",
        },
    )
    young, _ = Indicator.objects.update_or_create(
        code="part-moins-25-ans-synthetique",
        defaults={
            "label": "Part des moins de 25 ans (synthétique)",
            "label_en": "Share of under-25s (synthetic)",
            "definition": "Part des habitants de moins de 25 ans. Valeurs inventées.",
            "definition_en": "Share of inhabitants under 25. Invented values.",
            "unit": "%",
            "type": IndicatorType.RATE,
            "aggregation": Aggregation.RATIO_OF_SUMS,
            "decimals": 1,
            "census_based": True,
            "comparability_notes": "Indicateur de test : ne pas interpréter.",
            "position": 30,
        },
    )
    jobseekers, _ = Indicator.objects.update_or_create(
        code="demandeurs-emploi-synthetique",
        defaults={
            "label": "Demandeurs d'emploi (synthétique)",
            "label_en": "Jobseekers (synthetic)",
            "definition": "Demandeurs d'emploi de catégorie A. Valeurs inventées.",
            "definition_en": "Category A jobseekers. Invented values.",
            "unit": "personnes",
            "type": IndicatorType.COUNT,
            "aggregation": Aggregation.SUM,
            "position": 40,
        },
    )
    departement = Territory.objects.get(kind=TerritoryKind.DEPARTEMENT, code="37")
    places = list(
        Territory.objects.filter(
            ancestors=departement, kind__in=[TerritoryKind.COMMUNE, TerritoryKind.QPV]
        ).only("pk", "kind", "code")
    )
    rows = []
    for place in places:
        for year in range(2014, 2024):
            population = 200 + int(_unit(place.code, year, "pop") * 5000)
            share = 0.18 + 0.14 * _unit(place.code, year, "jeunes")
            rows.append(
                IndicatorValue(
                    indicator=young,
                    territory=place,
                    period=period_of_year(year),
                    numerator=round(population * share),
                    denominator=population,
                    value=round(population * share) / population * 100,
                    status=ValueStatus.PROVISIONAL if year == 2023 else ValueStatus.FINAL,
                    source=source,
                    geography=GEOGRAPHY[place.kind],
                )
            )
            if year >= 2019:
                rows.append(
                    IndicatorValue(
                        indicator=jobseekers,
                        territory=place,
                        period=period_of_year(year),
                        value=10 + int(_unit(place.code, year, "emploi") * 400),
                        source=source,
                        geography=GEOGRAPHY[place.kind],
                    )
                )
    IndicatorValue.objects.filter(indicator__in=[young, jobseekers]).delete()
    IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    for indicator, first in ((young, 2014), (jobseekers, 2019)):
        values_aggregate_upward(
            indicator=indicator, periods=[period_of_year(y) for y in range(first, 2024)]
        )

    scheme, _ = Scheme.objects.update_or_create(
        name="Contrat de ville de test (Joué-lès-Tours, Saint-Pierre-des-Corps)",
        defaults={
            "kind": SchemeKind.CONTRAT_VILLE,
            "start_date": period_of_year(2015),
            "end_date": period_of_year(2023).replace(month=12, day=31),
            "source": "Données de test (inventées)",
            "lead_name": "Tours Métropole Val de Loire",
        },
    )
    covered = Territory.objects.filter(kind=TerritoryKind.QPV, code__in=["QN03702M", "QN03704M"])
    scheme.territories.set(covered)
    municipal = Indicator.objects.filter(code="population-municipale").first()
    followed = [young, jobseekers] + ([municipal] if municipal else [])
    SchemeIndicator.objects.filter(scheme=scheme).exclude(indicator__in=followed).delete()
    for position, indicator in enumerate(followed):
        SchemeIndicator.objects.update_or_create(
            scheme=scheme, indicator=indicator, defaults={"position": position}
        )


load()
