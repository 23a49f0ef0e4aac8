"""Writes for territories: the reference-data loader and the closure table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q

from villes2.core.loading import DataLoadError, LoadReport
from villes2.core.text import normalize_for_search

from .models import Boundary, DeclaredCount, Territory, TerritoryAlias, TerritoryKind
from .reference_data import (
    REFERENCE_DIR,
    Key,
    ReferenceData,
    TerritoryRecord,
    read_declared_counts,
    read_reference_data,
)

BATCH_SIZE = 2000
# Kinds whose own ancestors their children do not inherit (see territory_closure_rebuild).
STRADDLING_KINDS = (TerritoryKind.EPCI,)
TERRITORY_FIELDS = [
    f.name for f in fields(TerritoryRecord) if f.name not in ("kind", "code", "parents")
]


def reference_data_load(*, report: LoadReport, reference_dir: Path = REFERENCE_DIR) -> None:
    """Load every territory of France, aliases and boundaries; idempotent.

    Reads and checks every file first (any problem raises `DataLoadError` before a
    single write), then upserts by (kind, code). Territories absent from the files are
    kept: staff may have linked content to them.
    """
    data = read_reference_data(reference_dir)
    with transaction.atomic():
        ids = _sync_territories(data.territories.values(), report)
        _sync_parents(data.territories, ids, report)
        _sync_aliases(data, ids, report)
        _sync_boundaries(data, ids, report)
        territory_closure_rebuild(report=report)
        if report.changed:
            _refresh_planner_statistics()


def _refresh_planner_statistics() -> None:
    """After a bulk load the query planner's statistics are stale: PostgreSQL then picks
    nested loops over 150,000 closure rows (pages 10× slower until autovacuum runs)."""
    tables = [
        Territory._meta.db_table,
        Territory.parents.through._meta.db_table,
        Territory.ancestors.through._meta.db_table,
        TerritoryAlias._meta.db_table,
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _sync_territories(records: Iterable[TerritoryRecord], report: LoadReport) -> dict[Key, int]:
    existing = {(t.kind, t.code): t for t in Territory.objects.all()}
    to_create, to_update = [], []
    for record in records:
        values = {name: getattr(record, name) for name in TERRITORY_FIELDS}
        values["search_name"] = normalize_for_search(record.name)
        territory = existing.get(record.key)
        if territory is None:
            to_create.append(Territory(kind=record.kind, code=record.code, **values))
        elif any(getattr(territory, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(territory, name, value)
            to_update.append(territory)
        else:
            report.add("territoires", "unchanged")
    Territory.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Territory.objects.bulk_update(
        to_update, [*TERRITORY_FIELDS, "search_name"], batch_size=BATCH_SIZE
    )
    report.add("territoires", "created", len(to_create))
    report.add("territoires", "updated", len(to_update))
    return {
        (kind, code): pk
        for kind, code, pk in Territory.objects.values_list("kind", "code", "id").iterator()
    }


def _sync_links(through, wanted: set[tuple[int, int]], owned_children: set[int], table, report):
    """Make the (child, parent) rows of `through` whose child is owned equal to `wanted`."""
    existing = {
        pair
        for pair in through.objects.values_list("from_territory_id", "to_territory_id").iterator()
        if pair[0] in owned_children
    }
    stale, new = existing - wanted, wanted - existing
    stale_list = sorted(stale)
    for start in range(0, len(stale_list), 200):
        query = Q()
        for child, parent in stale_list[start : start + 200]:
            query |= Q(from_territory_id=child, to_territory_id=parent)
        through.objects.filter(query).delete()
    through.objects.bulk_create(
        [through(from_territory_id=child, to_territory_id=parent) for child, parent in new],
        batch_size=BATCH_SIZE,
    )
    report.add(table, "created", len(new))
    report.add(table, "deleted", len(stale))
    report.add(table, "unchanged", len(existing & wanted))


def _sync_parents(records: dict[Key, TerritoryRecord], ids: dict, report: LoadReport) -> None:
    wanted = {
        (ids[key], ids[parent]) for key, record in records.items() for parent in record.parents
    }
    owned = {ids[key] for key in records}
    _sync_links(Territory.parents.through, wanted, owned, "liens de parenté", report)


def territory_closure_rebuild(*, report: LoadReport | None = None) -> None:
    """Recompute `ancestors` (the containment closure of `parents`) for every territory.

    A territory is inside its parents and inside their ancestors, except through an EPCI:
    an EPCI may straddle départements, so a commune inherits its département's
    containment, not its EPCI's (Issoudun is in the Indre even though its EPCI also has
    communes in the Cher).
    """
    report = report or LoadReport()
    parents: dict[int, set[int]] = {}
    for child, parent in Territory.parents.through.objects.values_list(
        "from_territory_id", "to_territory_id"
    ).iterator():
        parents.setdefault(child, set()).add(parent)
    straddling = set(
        Territory.objects.filter(kind__in=STRADDLING_KINDS).values_list("id", flat=True)
    )
    memo: dict[int, frozenset[int]] = {}

    def ancestors_of(node: int, path: frozenset[int] = frozenset()) -> frozenset[int]:
        if node in memo:
            return memo[node]
        found: set[int] = set()
        for parent in parents.get(node, ()):
            if parent in path or parent == node:
                continue  # a cycle typed by hand in the admin: ignore the back edge
            found.add(parent)
            if parent not in straddling:
                found |= ancestors_of(parent, path | {node})
        memo[node] = frozenset(found)
        return memo[node]

    wanted = {(node, ancestor) for node in parents for ancestor in ancestors_of(node)}
    all_ids = set(Territory.objects.values_list("id", flat=True))
    _sync_links(Territory.ancestors.through, wanted, all_ids, "ancêtres (fermeture)", report)


def _sync_aliases(data: ReferenceData, ids: dict, report: LoadReport) -> None:
    wanted = {
        (alias.code, ids[alias.territory], alias.reason): alias.name for alias in data.aliases
    }
    existing = {
        (alias.code, alias.territory_id, alias.reason): alias
        for alias in TerritoryAlias.objects.all()
    }
    to_create = [
        TerritoryAlias(code=code, territory_id=territory, reason=reason, name=name)
        for (code, territory, reason), name in wanted.items()
        if (code, territory, reason) not in existing
    ]
    to_update = []
    for key, alias in existing.items():
        if key in wanted and alias.name != wanted[key]:
            alias.name = wanted[key]
            to_update.append(alias)
    stale = [alias.pk for key, alias in existing.items() if key not in wanted]
    TerritoryAlias.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    TerritoryAlias.objects.bulk_update(to_update, ["name"], batch_size=BATCH_SIZE)
    TerritoryAlias.objects.filter(pk__in=stale).delete()
    report.add("codes alias", "created", len(to_create))
    report.add("codes alias", "updated", len(to_update))
    report.add("codes alias", "deleted", len(stale))
    report.add("codes alias", "unchanged", len(wanted) - len(to_create) - len(to_update))


def _sync_boundaries(data: ReferenceData, ids: dict, report: LoadReport) -> None:
    existing = {boundary.pk: boundary for boundary in Boundary.objects.all()}
    to_create, to_update = [], []
    for record in data.boundaries:
        pk = ids[record.territory]
        boundary = existing.get(pk)
        if boundary is None:
            to_create.append(
                Boundary(territory_id=pk, geometry=record.geometry, source=record.source)
            )
        elif boundary.geometry != record.geometry or boundary.source != record.source:
            boundary.geometry, boundary.source = record.geometry, record.source
            to_update.append(boundary)
        else:
            report.add("contours", "unchanged")
    Boundary.objects.bulk_create(to_create, batch_size=500)
    Boundary.objects.bulk_update(to_update, ["geometry", "source"], batch_size=500)
    report.add("contours", "created", len(to_create))
    report.add("contours", "updated", len(to_update))


def declared_counts_load(*, report: LoadReport, reference_dir: Path | None = None) -> None:
    """Load the note's territory table as declared counts; idempotent.

    Founding data ships with the code: `reference_dir` (the reference files) does not
    change where it is read from.

    On rows that exist, only the figure, its source and the row order follow the file:
    whether the list is complete is the staff's call, made in the back office.
    """
    records = read_declared_counts()
    areas = {t.code: t for t in Territory.objects.filter(kind=TerritoryKind.FORMER_REGION)}
    unknown = sorted({r.area_code for r in records} - set(areas))
    if unknown:
        raise DataLoadError(
            [f"territory_table.csv : ancienne région inconnue {code}" for code in unknown]
        )
    with transaction.atomic():
        for record in records:
            area = areas[record.area_code]
            declared = DeclaredCount.objects.filter(subject=record.subject, area=area).first()
            if declared is None:
                declared = DeclaredCount(
                    subject=record.subject, area=area, list_complete=record.list_complete
                )
                action = "created"
            elif (declared.count, declared.source, declared.position) != (
                record.count,
                record.source,
                record.position,
            ):
                action = "updated"
            else:
                report.add("effectifs déclarés", "unchanged")
                continue
            declared.count, declared.source = record.count, record.source
            declared.position = record.position
            declared.full_clean()
            declared.save()
            report.add("effectifs déclarés", action)
