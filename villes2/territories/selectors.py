"""Reads for territories: pages, the note's territory table, map layers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from villes2.core.registry import LinkedItem, LinkedSection

from .models import (
    COUNT_SUBJECT_SCHEME_KINDS,
    Boundary,
    CountSubject,
    DeclaredCount,
    Scheme,
    Territory,
    TerritoryAlias,
    TerritoryKind,
)

Ancestors = Territory.ancestors.through

# Kinds listed on a territory page, in this order, for what it contains.
CONTENT_KINDS = [
    TerritoryKind.REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.COMMUNE,
    TerritoryKind.EPCI,
    TerritoryKind.QPV,
    TerritoryKind.ZUS,
]


CODE_SHAPE = re.compile(r"^[0-9A-Za-z-]{1,20}$")


def territory_find(*, kind: str, code: str, for_page: bool = False) -> Territory | None:
    """The territory of this kind and exact code, or None for an unknown kind or code.

    `for_page` prefetches what its page shows: parents and other codes."""
    if kind not in TerritoryKind.values or not CODE_SHAPE.match(code):
        return None
    queryset = Territory.objects.filter(kind=kind, code=code)
    if for_page:
        parents = Territory.objects.with_list_related().order_by("kind")
        queryset = queryset.prefetch_related(Prefetch("parents", queryset=parents), "aliases")
    return queryset.first()


def territory_get(*, kind: str, code: str) -> Territory:
    """The territory of this kind and code, or Http404."""
    territory = territory_find(kind=kind, code=code)
    if territory is None:
        raise Http404
    return territory


def territory_canonical(*, kind: str, code: str) -> Territory | None:
    """The territory a non-canonical code designates: "2a004" for "2A004", or an old
    commune code."""
    if kind not in TerritoryKind.values or not CODE_SHAPE.match(code):
        return None
    if code != code.upper():
        found = Territory.objects.filter(kind=kind, code=code.upper()).first()
        if found is not None:
            return found
    return territory_for_alias(kind=kind, code=code)


def territory_for_alias(*, kind: str, code: str) -> Territory | None:
    """The current commune designated by an old or delegated code, if `kind` is commune.

    A few codes point to two communes (an old code reused as a commune associée):
    the order by reason makes the answer stable (the old code wins).
    """
    if kind != TerritoryKind.COMMUNE:
        return None
    alias = (
        TerritoryAlias.objects.filter(code=code.upper())
        .select_related("territory")
        .order_by("reason", "territory__code")
        .first()
    )
    return alias.territory if alias else None


LABEL_PATTERN = re.compile(r"—\s*(?P<kind>[a-z-]+)\s+(?P<code>[0-9A-Za-z-]+)\s*$")
KIND_CODE_PATTERN = re.compile(r"^(?P<kind>[a-z-]+)[:/ ](?P<code>[0-9A-Za-z-]+)$")


def territory_resolve(text: str, *, kinds: list[str] | None = None) -> list[Territory]:
    """The territories that typed text designates, best first (at most 6).

    Accepts the picker's label ("Tours — commune 37261"), "kind code", a code of any kind
    (including old and delegated commune codes), or an exact name (accents and case
    ignored). More than one result means the text is ambiguous.
    """
    queryset = Territory.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    match = LABEL_PATTERN.search(text) or KIND_CODE_PATTERN.match(text)
    if match and match["kind"] in TerritoryKind.values:
        return list(queryset.filter(kind=match["kind"], code=match["code"].upper())[:6])
    code = text.upper()
    by_code = list(queryset.filter(code=code)[:6])
    if by_code:
        return by_code
    by_alias = list(queryset.filter(aliases__code=code).distinct()[:6])
    if by_alias:
        return by_alias
    return list(queryset.search(text).filter(search_rank__lte=1)[:6])


# Kinds for which the reference data has populations.
KINDS_WITH_POPULATION = {
    TerritoryKind.COUNTRY,
    TerritoryKind.REGION,
    TerritoryKind.FORMER_REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.EPCI,
    TerritoryKind.COMMUNE,
}
# Kinds whose map draws their parts inside their own outline, and the kind of those parts.
MAP_PARTS_KIND = {
    TerritoryKind.COUNTRY: TerritoryKind.REGION,
    TerritoryKind.REGION: TerritoryKind.DEPARTEMENT,
    TerritoryKind.FORMER_REGION: TerritoryKind.DEPARTEMENT,
    TerritoryKind.DEPARTEMENT: TerritoryKind.COMMUNE,
    TerritoryKind.EPCI: TerritoryKind.COMMUNE,
}


@dataclass
class ContentGroup:
    kind: str
    label: str
    count: int

    @property
    def has_population(self) -> bool:
        return self.kind in KINDS_WITH_POPULATION


def territory_content_groups(territory: Territory) -> list[ContentGroup]:
    """How many territories of each kind lie inside this one (one query)."""
    rows = dict(
        Territory.objects.within(territory).values_list("kind").annotate(n=Count("id")).order_by()
    )
    labels = dict(TerritoryKind.choices)
    return [
        ContentGroup(kind, labels[kind], rows[kind]) for kind in CONTENT_KINDS if rows.get(kind)
    ]


def territory_contents(territory: Territory, kind: str):
    # search_name sorts accent-insensitively: Céré-la-Ronde before Chédigny, as in French.
    return (
        Territory.objects.within(territory)
        .filter(kind=kind)
        .with_list_related()
        .order_by("search_name", "code")
    )


def linked_schemes_section(territory: Territory) -> LinkedSection | None:
    """Provider for the "linked to this territory" section: schemes."""
    schemes = Scheme.objects.linked_to(territory).order_by("kind", "name")
    items = [
        LinkedItem(
            title=scheme.name,
            detail=_format_period(scheme.get_kind_display(), scheme.start_date, scheme.end_date),
        )
        for scheme in schemes[:20]
    ]
    if not items:
        return None
    total = len(items) if len(items) < 20 else schemes.count()
    return LinkedSection("schemes", _("Schemes (contracts and programmes)"), items, total)


def _format_period(kind_label, start, end) -> str:
    if start and end:
        return f"{kind_label}, {start.year}–{end.year}"
    if start:
        return f"{kind_label}, {start.year}–"
    return str(kind_label)


def centre_former_regions() -> list[Territory]:
    return list(
        Territory.objects.filter(
            kind=TerritoryKind.FORMER_REGION, code__in=settings.VILLES2_FORMER_REGIONS
        ).order_by("code")
    )


@dataclass
class TableCell:
    computed: int
    declared: int | None = None
    declared_source: str = ""
    list_complete: bool = True

    @property
    def is_declared(self) -> bool:
        """True while the list is incomplete: the table then shows the declared figure."""
        return not self.list_complete and self.declared is not None

    @property
    def shown(self) -> int:
        return self.declared if self.is_declared and self.declared is not None else self.computed


@dataclass
class TableRow:
    subject: str
    label: str
    cells: list[TableCell]
    total: TableCell = field(init=False)

    def __post_init__(self) -> None:
        # The total adds what each cell shows; it is "declared" if any cell still is.
        partly_declared = any(cell.is_declared for cell in self.cells)
        self.total = TableCell(
            computed=sum(cell.computed for cell in self.cells),
            declared=sum(cell.shown for cell in self.cells) if partly_declared else None,
            declared_source=next((c.declared_source for c in self.cells if c.declared_source), ""),
            list_complete=not partly_declared,
        )


def territory_table(areas: list[Territory]) -> list[TableRow]:
    """The note's table: one row per subject that has declared counts, one cell per area.

    Each cell holds the number of records (ZUS loaded as territories; schemes entered)
    and the declared figure with its source. Three queries whatever the number of rows.
    """
    area_ids = [area.pk for area in areas]
    declared = {
        (d.subject, d.area_id): d for d in DeclaredCount.objects.filter(area_id__in=area_ids)
    }
    subjects = sorted(
        {subject for subject, _ in declared},
        key=lambda s: min(d.position for (subj, _a), d in declared.items() if subj == s),
    )
    zus_counts = dict(
        Ancestors.objects.filter(
            to_territory_id__in=area_ids, from_territory__kind=TerritoryKind.ZUS
        )
        .values_list("to_territory_id")
        .annotate(n=Count("from_territory_id", distinct=True))
        .order_by()
    )
    scheme_counts = _scheme_counts_by_area(area_ids)
    labels = dict(CountSubject.choices)
    rows = []
    for subject in subjects:
        cells = []
        for area in areas:
            if subject == CountSubject.ZUS:
                computed = zus_counts.get(area.pk, 0)
            else:
                computed = sum(
                    scheme_counts.get((kind, area.pk), 0)
                    for kind in COUNT_SUBJECT_SCHEME_KINDS.get(subject, ())
                )
            entry = declared.get((subject, area.pk))
            cells.append(
                TableCell(
                    computed=computed,
                    declared=entry.count if entry else None,
                    declared_source=entry.source if entry else "",
                    list_complete=entry.list_complete if entry else True,
                )
            )
        rows.append(TableRow(subject, labels.get(subject, subject), cells))
    return rows


def _scheme_counts_by_area(area_ids: list[int]) -> dict[tuple[str, int], int]:
    """Schemes per (kind, area): a scheme counts in an area if it covers the area or a
    territory inside it."""
    covered = Scheme.territories.through.objects
    direct = covered.filter(territory_id__in=area_ids).values_list(
        "scheme__kind", "territory_id", "scheme_id"
    )
    inside = covered.filter(territory__ancestors__in=area_ids).values_list(
        "scheme__kind", "territory__ancestors", "scheme_id"
    )
    # A scheme covering several communes of one area counts once there.
    pairs = set(direct) | set(inside)
    return Counter((kind, area) for kind, area, _scheme in pairs)


@dataclass
class DepartementRow:
    territory: Territory
    former_region: Territory
    communes: int
    epci: int
    qpv: int


def departement_table(areas: list[Territory]) -> list[DepartementRow]:
    """The départements of the areas with their communes, EPCI and QPV 2024 (three queries)."""
    area_of = dict(
        Territory.parents.through.objects.filter(
            to_territory__in=areas, from_territory__kind=TerritoryKind.DEPARTEMENT
        ).values_list("from_territory_id", "to_territory_id")
    )
    departements = list(
        Territory.objects.filter(pk__in=area_of).with_list_related().order_by("code")
    )
    counts = {
        (departement, kind): number
        for departement, kind, number in Ancestors.objects.filter(
            to_territory_id__in=area_of,
            from_territory__kind__in=[
                TerritoryKind.COMMUNE,
                TerritoryKind.EPCI,
                TerritoryKind.QPV,
            ],
        )
        .values_list("to_territory_id", "from_territory__kind")
        .annotate(n=Count("from_territory_id"))
        .order_by()
    }
    by_id = {area.pk: area for area in areas}
    return [
        DepartementRow(
            territory=d,
            former_region=by_id[area_of[d.pk]],
            communes=counts.get((d.pk, TerritoryKind.COMMUNE), 0),
            epci=counts.get((d.pk, TerritoryKind.EPCI), 0),
            qpv=counts.get((d.pk, TerritoryKind.QPV), 0),
        )
        for d in departements
    ]


def boundaries_feature_collection(territories, *, outline: Territory | None = None) -> dict:
    """GeoJSON FeatureCollection of the boundaries of `territories` that have one.

    `outline`, when given, is drawn as the frame (property `outline: true`).
    """
    boundaries = Boundary.objects.filter(territory__in=territories).select_related("territory")
    features = [
        {
            "type": "Feature",
            "geometry": boundary.geometry,
            "properties": {
                "kind": boundary.territory.kind,
                "code": boundary.territory.code,
                "name": boundary.territory.name,
                "url": boundary.territory.get_absolute_url(),
                "outline": outline is not None and boundary.territory_id == outline.pk,
            },
        }
        for boundary in boundaries.order_by("territory__kind", "territory__code")
    ]
    return {"type": "FeatureCollection", "features": features}


def territory_map_layer(territory: Territory) -> dict:
    return boundaries_feature_collection(territory_map_shapes(territory), outline=territory)


@dataclass(frozen=True)
class MapState:
    available: bool  # something to draw
    shows_parts: bool  # parts (départements, communes) drawn, not only the outline


def territory_map_state(territory: Territory) -> MapState:
    drawn = set(
        territory_map_shapes(territory)
        .filter(boundary__isnull=False)
        .values_list("pk", flat=True)[:2]
    )
    return MapState(available=bool(drawn), shows_parts=bool(drawn - {territory.pk}))


def territory_map_shapes(territory: Territory):
    """What to draw for a territory: its own boundary framing its parts.

    Regions show their départements; départements and EPCI their communes; zones (ZUS,
    QPV), whose perimeters are not in the reference data, their member communes.
    """
    parts_kind = MAP_PARTS_KIND.get(territory.kind)
    if parts_kind is not None:
        parts = Territory.objects.within(territory).filter(kind=parts_kind).values("pk")
    elif territory.kind in (TerritoryKind.ZUS, TerritoryKind.QPV):
        parts = territory.parents.filter(kind=TerritoryKind.COMMUNE).values("pk")
    else:
        parts = Territory.objects.none().values("pk")
    return Territory.objects.filter(pk=territory.pk) | Territory.objects.filter(pk__in=parts)


def centre_map_layer(areas: list[Territory]) -> dict:
    """The former regions of the centre and their départements."""
    departements = Territory.objects.filter(
        kind=TerritoryKind.DEPARTEMENT, parents__in=areas
    ).values("pk")
    shown = Territory.objects.filter(pk__in=[a.pk for a in areas]) | Territory.objects.filter(
        pk__in=departements
    )
    return boundaries_feature_collection(shown)


# --- Search facet "territory" -------------------------------------------------------------

# A record linked to a QPV or a commune is also counted under its commune(s), EPCI,
# département, region and former region, so that territory pages and their "see the
# documents" link agree.
FACET_ANCESTOR_KINDS = ("region", "ancienne-region", "departement", "epci", "commune")


def facet_values(territory_ids) -> dict[int, set[str]]:
    """For each territory id, the "territory" facet values: itself and its ancestors of
    the kinds above, as "kind-code" (two queries for any number of territories)."""
    territory_ids = list(territory_ids)
    values: dict[int, set[str]] = {pk: set() for pk in territory_ids}
    if not territory_ids:
        return values
    for pk, kind, code in Territory.objects.filter(pk__in=territory_ids).values_list(
        "pk", "kind", "code"
    ):
        values[pk].add(f"{kind}-{code}")
    closure = Territory.ancestors.through.objects.filter(
        from_territory_id__in=territory_ids, to_territory__kind__in=FACET_ANCESTOR_KINDS
    ).values_list("from_territory_id", "to_territory__kind", "to_territory__code")
    for pk, kind, code in closure:
        values[pk].add(f"{kind}-{code}")
    return values


def facet_labels(values) -> dict[str, str]:
    """ "kind-code" → territory name, for the facet's options."""
    wanted: dict[tuple[str, str], str] = {}
    for value in values:
        kind, _, code = value.partition("-")
        if kind == "ancienne":  # "ancienne-region-24"
            rest = value.removeprefix("ancienne-region-")
            kind, code = "ancienne-region", rest
        wanted[(kind, code)] = value
    if not wanted:
        return {}
    # One condition per kind (a handful), not one per value: a facet of thousands of
    # values would otherwise exceed SQLite's expression depth (1,000).
    codes_by_kind: dict[str, list[str]] = {}
    for kind, code in wanted:
        codes_by_kind.setdefault(kind, []).append(code)
    condition = Q()
    for kind, codes in codes_by_kind.items():
        condition |= Q(kind=kind, code__in=codes)
    return {
        wanted[(kind, code)]: name
        for kind, code, name in Territory.objects.filter(condition).values_list(
            "kind", "code", "name"
        )
    }
