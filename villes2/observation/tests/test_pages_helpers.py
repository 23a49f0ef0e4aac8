"""Builders shared by the tests of the observatory's public pages (no test here).

Values are written in bulk on real reference territories (the `territories` fixture):
the QPV Rabière (QN03702M) in Joué-lès-Tours, its EPCI, Indre-et-Loire, Centre-Val de
Loire and France. Every source is synthetic, as test data must be.
"""

from __future__ import annotations

from lxml import html

from villes2.observation.models import IndicatorValue, ValueStatus, period_of_year
from villes2.territories.models import Territory

from .factories import IndicatorFactory, SourceFactory

RABIERE = ("qpv", "QN03702M")
JOUE = ("commune", "37122")
TOURS = ("commune", "37261")
METROPOLE = ("epci", "243700754")
INDRE_ET_LOIRE = ("departement", "37")
CENTRE_VAL_DE_LOIRE = ("region", "24")
FRANCE = ("pays", "FR")
CHAIN = [RABIERE, JOUE, METROPOLE, INDRE_ET_LOIRE, CENTRE_VAL_DE_LOIRE, FRANCE]


def territory(key: tuple[str, str]) -> Territory:
    kind, code = key
    return Territory.objects.get(kind=kind, code=code)


def values(indicator, key_or_territory, years, *, base=10.0, step=1.0, source=None, **fields):
    """One value a year for a territory: base, base + step, … (bulk-created)."""
    place = (
        key_or_territory if isinstance(key_or_territory, Territory) else territory(key_or_territory)
    )
    fields.setdefault("geography", "COG 2026")
    source = source or SourceFactory()
    rows = [
        IndicatorValue(
            indicator=indicator,
            territory=place,
            period=period_of_year(year),
            value=base + step * index,
            source=source,
            **fields,
        )
        for index, year in enumerate(years)
    ]
    return IndicatorValue.objects.bulk_create(rows)


def rate_indicator(**kwargs):
    return IndicatorFactory(rate=True, **kwargs)


def chain_values(indicator, years=range(2014, 2024), *, source=None, keys=CHAIN):
    """Values on Rabière and each of its comparison territories, each its own level."""
    source = source or SourceFactory()
    for rank, key in enumerate(keys):
        values(indicator, key, years, base=20.0 + rank, step=0.5, source=source)
    return source


def provisional(indicator, key, year):
    IndicatorValue.objects.filter(
        indicator=indicator, territory=territory(key), period=period_of_year(year)
    ).update(status=ValueStatus.PROVISIONAL)


def tree(response):
    return html.fromstring(response.content.decode())


def texts(element, xpath: str) -> list[str]:
    """The text of each node, its parts joined by one space (as a reader hears them)."""
    return [" ".join(" ".join(node.itertext()).split()) for node in element.xpath(xpath)]
