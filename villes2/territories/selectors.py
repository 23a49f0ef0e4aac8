"""Reads for territories: pages, the note's territory table, map layers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from villes2.core.registry import LinkedItem, LinkedSection

from .models import (
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
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.COMMUNE,
    TerritoryKind.EPCI,
    TerritoryKind.QPV,
    TerritoryKind.ZUS,
]


def territory_get(*, kind: str, code: str) -> Territory:
    """The territory of this kind and code, or Http404 (unknown kind or code)."""
    if kind not in TerritoryKind.values:
        raise Http404
    territory = (
        Territory.objects.filter(kind=kind, code=code)
        .prefetch_related(
            Prefetch("parents", queryset=Territory.objects.with_list_related().order_by("kind"))
        )
        .first()
    )
    if territory is None:
        raise Http404
    return territory


def territory_for_alias(*, kind: str, code: str) -> Territory | None:
    """The current commune designated by an old or delegated code, if `kind` is commune."""
    if kind != TerritoryKind.COMMUNE:
        return None
    alias = TerritoryAlias.objects.filter(code=code).select_related("territory").first()
    return alias.territory if alias else None


# Kinds for which the reference data has populations.
KINDS_WITH_POPULATION = {
    TerritoryKind.REGION,
    TerritoryKind.FORMER_REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.EPCI,
    TerritoryKind.COMMUNE,
}
# Kinds whose map draws their parts inside their own outline, and the kind of those parts.
MAP_PARTS_KIND = {
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
                computed = scheme_counts.get((subject, area.pk), 0)
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


def territory_has_map(territory: Territory) -> bool:
    return territory_map_shapes(territory).filter(boundary__isnull=False).exists()


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
