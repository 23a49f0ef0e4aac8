"""Real data loaded with the reference data: the legal populations of communes and EPCI
(DGCL 2026 file, INSEE populations légales millésimées 2023), summed up to départements,
régions, former regions and France where every commune has a value; and the number of
QPV (2024 list) touching each territory of France, counted from the reference list.

Nothing synthetic is ever loaded here (docs/observation.md, "Real data").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from villes2.core.loading import DataLoadError, LoadReport, upsert
from villes2.taxonomy.models import Concept
from villes2.territories.models import Territory, TerritoryKind
from villes2.territories.reference_data import REFERENCE_DIR, FileProblems, read_csv

from .models import Aggregation, Indicator, IndicatorType, IndicatorValue, Source, period_of_year
from .services import commune_closure, values_aggregate_upward
from .services.aggregation import AGGREGATE_KINDS

POPULATION_YEAR = 2023
GEOGRAPHY = "COG 2026"
THEME_SLUG = "observation-des-territoires"

SOURCE = {
    "code": "dgcl-epcicom-2026",
    "producer": "DGCL, d'après les populations légales de l'INSEE",
    "dataset": (
        "Liste des EPCI à fiscalité propre et de leurs communes membres au 1er janvier 2026 "
        "(epcicom2026) : populations municipales et totales"
    ),
    "vintage": "populations légales millésimées 2023, en vigueur au 1er janvier 2026",
    "licence": "Licence Ouverte / Etalab",
    "url": "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0",
    "notes": (
        "Lu dans le paquet npm @etalab/decoupage-administratif 6.0.0 (édition 2026, "
        "sha256 c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a), "
        "fichiers communes.csv (colonnes population_municipale_dgcl et "
        "population_totale_dgcl) et epci.csv (population_municipale, population_totale) ; "
        "provenance : territories/reference_data/SOURCES.md. Les populations légales en "
        "vigueur au 1er janvier 2026 sont celles du millésime 2023 du recensement. Les "
        "quatre communes insulaires hors EPCI n'y figurent pas : leurs départements, "
        "leurs régions et la France n'ont donc pas de population calculée."
    ),
    "synthetic": False,
}

MUNICIPAL = {
    "code": "population-municipale",
    "label": "Population municipale",
    "label_en": "Municipal population",
    "definition": (
        "Personnes ayant leur résidence habituelle sur le territoire de la commune, dans un "
        "logement ou une communauté, personnes détenues dans les établissements "
        "pénitentiaires de la commune, personnes sans abri et personnes résidant "
        "habituellement dans une habitation mobile recensées sur la commune (INSEE). "
        "C'est la population utilisée pour les statistiques : chaque personne n'y est "
        "comptée qu'une fois."
    ),
    "definition_en": (
        "People whose usual residence is in the commune (INSEE). Each person is counted "
        "once: the population used for statistics."
    ),
    "unit": "habitants",
    "type": IndicatorType.COUNT,
    "aggregation": Aggregation.SUM,
    "census_based": True,
    "comparability_notes": (
        "Population légale issue du recensement annuel de la population : la valeur d'un "
        "millésime résulte des cinq enquêtes annuelles les plus récentes. Pour mesurer une "
        "évolution, comparer des millésimes distants d'au moins cinq ans."
    ),
    "position": 10,
}

TOTAL = {
    "code": "population-totale",
    "label": "Population totale",
    "label_en": "Total population",
    "definition": (
        "Population municipale plus la population comptée à part : personnes ayant une "
        "résidence habituelle dans une autre commune mais gardant un lien avec celle-ci "
        "(élèves et étudiants majeurs logés ailleurs, personnes en communauté, sans "
        "domicile fixe rattachées à la commune) (INSEE)."
    ),
    "definition_en": (
        "Municipal population plus people counted separately (INSEE): students living "
        "elsewhere, people in institutions, etc."
    ),
    "unit": "habitants",
    "type": IndicatorType.COUNT,
    # A person counted apart in one commune is in the municipal population of another:
    # adding communes' total populations counts them twice (INSEE).
    "aggregation": Aggregation.NONE,
    "census_based": True,
    "comparability_notes": (
        "La population totale d'un ensemble de communes n'est pas la somme des populations "
        "totales des communes : une personne comptée à part dans une commune l'est aussi "
        "dans la population municipale d'une autre. Pour un ensemble de communes, utiliser "
        "la population municipale."
    ),
    "position": 20,
}


QPV_YEAR = 2024
QPV_SOURCE = {
    "code": "anct-qpv-2024",
    "producer": "ANCT / SIG Ville",
    "dataset": (
        "Liste des quartiers prioritaires de la politique de la ville (décret n° 2023-1314 "
        "du 28 décembre 2023 pour la métropole ; DROM) et leurs communes"
    ),
    "vintage": "liste en vigueur au 1er janvier 2024",
    "licence": "Licence Ouverte 2.0 attendue (étiquette de la ressource à vérifier)",
    "url": "https://github.com/anct-carto/superposeur-V2",
    "notes": (
        "Lu dans anct-carto/superposeur-V2, data/admin/centroide-4326_qpv.geojson (commit "
        "3f2b0c0b87604a13831a9f214988878b6a4cb67e) ; provenance : "
        "territories/reference_data/SOURCES.md. Valeurs comptées par Villes² à partir "
        "de la liste des QPV et de leurs communes : pour chaque territoire, le nombre de "
        "quartiers qui le touchent."
    ),
    "synthetic": False,
}
QPV_COUNT = {
    "code": "nombre-qpv",
    "label": "Nombre de quartiers prioritaires (QPV 2024)",
    "label_en": "Number of priority neighbourhoods (QPV 2024)",
    "definition": (
        "Nombre de quartiers prioritaires de la politique de la ville de la liste en "
        "vigueur au 1er janvier 2024 situés, en tout ou en partie, sur le territoire."
    ),
    "definition_en": (
        "Number of priority neighbourhoods (list in force since 1 January 2024) lying, "
        "wholly or partly, in the territory."
    ),
    "unit": "quartiers",
    "type": IndicatorType.COUNT,
    # A neighbourhood straddling two communes counts in each: the figure of a group of
    # communes is counted directly, not summed.
    "aggregation": Aggregation.NONE,
    "census_based": False,
    "comparability_notes": (
        "Un quartier à cheval sur plusieurs communes compte dans chacune d'elles : le "
        "nombre de quartiers d'un ensemble de communes est compté directement, il n'est "
        "pas la somme de ceux des communes. Liste de 2024 : ne pas comparer avec les QPV "
        "de 2015 ni avec les ZUS de 1996, qui sont d'autres géographies."
    ),
    "position": 30,
}
# Territories whose QPV are counted: those of France (the list covers metropolitan
# France and the DROM, not the COM).
QPV_COUNTED_KINDS = (TerritoryKind.COMMUNE, *AGGREGATE_KINDS)


@dataclass(frozen=True)
class _Row:
    indicator: str
    kind: str
    code: str
    value: int


def population_load(*, report: LoadReport, reference_dir: Path = REFERENCE_DIR) -> None:
    """Load the legal populations and the number of QPV of each territory; idempotent (a
    second run changes nothing)."""
    rows = _read_populations(reference_dir)
    with transaction.atomic():
        theme = Concept.objects.filter(slug=THEME_SLUG).first()
        source = _upsert_source(SOURCE, report)
        indicators = {
            spec["code"]: _upsert_indicator(spec, theme, report) for spec in (MUNICIPAL, TOTAL)
        }
        ids = _territory_ids(rows)
        period = period_of_year(POPULATION_YEAR)
        by_territory = [
            (indicators[row.indicator], ids[(row.kind, row.code)], row.value) for row in rows
        ]
        _sync_values(by_territory, period, source, report)
        closure = commune_closure()
        for indicator in indicators.values():
            changed = values_aggregate_upward(
                indicator=indicator, periods=[period], closure=closure
            )
            if changed:
                report.add("valeurs calculées (créées, modifiées ou retirées)", "updated", changed)

        qpv_source = _upsert_source(QPV_SOURCE, report)
        qpv_count = _upsert_indicator(QPV_COUNT, theme, report)
        counts = _qpv_counts()
        _sync_values(
            [(qpv_count, territory_id, count) for territory_id, count in counts.items()],
            period_of_year(QPV_YEAR),
            qpv_source,
            report,
        )


def _upsert_source(spec: dict, report: LoadReport) -> Source:
    return upsert(Source, {"code": spec["code"]}, _without(spec, "code"), "sources", report)


def _upsert_indicator(spec: dict, theme: Concept | None, report: LoadReport) -> Indicator:
    indicator = upsert(
        Indicator, {"code": spec["code"]}, _without(spec, "code"), "indicateurs", report
    )
    if theme is not None and not indicator.themes.filter(pk=theme.pk).exists():
        indicator.themes.add(theme)
    return indicator


def _qpv_counts() -> dict[int, int]:
    """Number of QPV touching each territory of France (zero included), from the
    containment closure: one query for the territories, one for the links."""
    france = Territory.objects.get(kind=TerritoryKind.COUNTRY, code="FR")
    # Former regions have no parent (they ended in 2015) but lie in France.
    counted = Territory.objects.filter(kind__in=QPV_COUNTED_KINDS).filter(
        Q(pk=france.pk) | Q(ancestors=france) | Q(kind=TerritoryKind.FORMER_REGION)
    )
    counts = dict.fromkeys(counted.values_list("pk", flat=True), 0)
    links = Territory.ancestors.through.objects.filter(
        from_territory__kind=TerritoryKind.QPV
    ).values_list("to_territory_id", flat=True)
    for territory_id in links.iterator():
        if territory_id in counts:
            counts[territory_id] += 1
    return counts


def _without(spec: dict, *names: str) -> dict:
    return {key: value for key, value in spec.items() if key not in names}


def _read_populations(base: Path) -> list[_Row]:
    problems = FileProblems(base)
    rows: list[_Row] = []

    def number(text: str, path: Path, line: int, column: str) -> int | None:
        if not text:
            return None
        if not text.isdigit():
            problems.add(path, line, f"{column} : nombre entier attendu, « {text} » lu")
            return None
        return int(text)

    path = base / "admin" / "communes.csv"
    columns = ("code_insee", "type", "population_municipale_dgcl", "population_totale_dgcl")
    for line, row in read_csv(path, columns, problems):
        if row["type"] != "commune-actuelle":
            continue  # arrondissements municipaux: no DGCL figure, and not territories
        for indicator, column in (
            (MUNICIPAL["code"], "population_municipale_dgcl"),
            (TOTAL["code"], "population_totale_dgcl"),
        ):
            value = number(row[column], path, line, column)
            if value is not None:
                rows.append(_Row(indicator, TerritoryKind.COMMUNE, row["code_insee"], value))
    path = base / "admin" / "epci.csv"
    for line, row in read_csv(
        path, ("siren", "population_municipale", "population_totale"), problems
    ):
        for indicator, column in (
            (MUNICIPAL["code"], "population_municipale"),
            (TOTAL["code"], "population_totale"),
        ):
            value = number(row[column], path, line, column)
            if value is not None:
                rows.append(_Row(indicator, TerritoryKind.EPCI, row["siren"], value))
    if problems.items:
        raise DataLoadError(problems.items)
    return rows


def _territory_ids(rows: list[_Row]) -> dict[tuple[str, str], int]:
    territory_ids = {
        (kind, code): pk
        for pk, kind, code in Territory.objects.filter(
            kind__in=(TerritoryKind.COMMUNE, TerritoryKind.EPCI)
        ).values_list("pk", "kind", "code")
    }
    missing = sorted({(row.kind, row.code) for row in rows} - set(territory_ids))
    if missing:
        raise DataLoadError([f"territoire inconnu : {kind} {code}" for kind, code in missing[:50]])
    return territory_ids


def _sync_values(
    rows: list[tuple[Indicator, int, int]], period, source: Source, report: LoadReport
) -> None:
    """Upsert (indicator, territory id, value) rows of one period and source."""
    indicators = {indicator.pk: indicator for indicator, _, _ in rows}
    existing = {
        (value.indicator_id, value.territory_id): value
        for value in IndicatorValue.objects.filter(
            indicator__in=indicators, period=period, computed=False
        ).only("id", "indicator_id", "territory_id", "value", "source_id", "geography", "status")
    }
    to_create, to_update = [], []
    for indicator, territory_id, number in rows:
        old = existing.get((indicator.pk, territory_id))
        if old is None:
            to_create.append(
                IndicatorValue(
                    indicator=indicator,
                    territory_id=territory_id,
                    period=period,
                    value=number,
                    source=source,
                    geography=GEOGRAPHY,
                )
            )
        elif (old.value, old.source_id, old.geography) != (number, source.pk, GEOGRAPHY):
            old.value, old.source, old.geography = number, source, GEOGRAPHY
            to_update.append(old)
    # A computed value standing where the source now gives one makes way for it.
    IndicatorValue.objects.filter(
        indicator__in=indicators,
        period=period,
        computed=True,
        territory_id__in=[territory_id for _, territory_id, _ in rows],
    ).delete()
    IndicatorValue.objects.bulk_create(to_create, batch_size=2000)
    IndicatorValue.objects.bulk_update(to_update, ["value", "source", "geography"], batch_size=2000)
    table = "valeurs d'indicateurs"
    report.add(table, "created", len(to_create))
    report.add(table, "updated", len(to_update))
    report.add(table, "unchanged", len(rows) - len(to_create) - len(to_update))
