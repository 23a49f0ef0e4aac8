"""Writing the index: called by each app's services inside the transaction that
changes the content, so the index cannot drift from it."""

import uuid
from collections.abc import Iterable

from django.db import connection, transaction

from ..models import SearchEntry, SearchFacet, SearchState
from .analysis import analysed_text
from .backends import get_backend
from .registry import COLUMN_FACETS, MULTI_FACETS, SearchType, search_registry


def _columns(search_type: SearchType, obj) -> dict[str, str]:
    return {
        weight: analysed_text(extract(obj) or "") for weight, extract in search_type.fields.items()
    }


def _entry_values(search_type: SearchType, obj) -> dict:
    date = search_type.date(obj)
    values = {
        "public": bool(search_type.is_public(obj)),
        "date": date,
        "year": date.year if date else None,
        "type": "",
        "access": "",
    }
    for facet in COLUMN_FACETS:
        extract = search_type.facets.get(facet)
        if extract is not None:
            value = extract(obj)
            values[facet] = value if value is not None else ("" if facet != "year" else None)
    return values


def _multi_values(search_type: SearchType, obj) -> list[tuple[str, str]]:
    rows: set[tuple[str, str]] = set()
    for facet in MULTI_FACETS:
        extract = search_type.facets.get(facet)
        if extract is not None:
            rows.update((facet, str(value)[:60]) for value in extract(obj) or () if value)
    return sorted(rows)


def index_changed() -> None:
    """Give the index a new state token, in the writing transaction (see SearchState)."""
    token = uuid.uuid4().hex
    if not SearchState.objects.filter(pk=1).update(token=token):
        SearchState.objects.update_or_create(pk=1, defaults={"token": token})


def index_state() -> str:
    return SearchState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def index_object(obj, *, prepared: bool = False) -> SearchEntry | None:
    """Write (or rewrite) the index entry of one object. Must run in the transaction
    that saved the object."""
    search_type = search_registry.for_model(type(obj))
    if search_type is None:
        return None
    if search_type.prepare_batch is not None and not prepared:
        search_type.prepare_batch([obj])
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            kind=search_type.key, object_id=obj.pk, defaults=_entry_values(search_type, obj)
        )
        SearchFacet.objects.filter(entry=entry).delete()
        SearchFacet.objects.bulk_create(
            SearchFacet(entry=entry, facet=facet, value=value)
            for facet, value in _multi_values(search_type, obj)
        )
        get_backend().write(entry.pk, _columns(search_type, obj))
        index_changed()
    return entry


def remove_object(obj) -> None:
    search_type = search_registry.for_model(type(obj))
    if search_type is not None:
        remove_ids(search_type.key, [obj.pk])


def remove_ids(kind: str, object_ids: Iterable[int]) -> None:
    # The engine's text goes with the entry: FTS5 by trigger, PostgreSQL by the column.
    with transaction.atomic():
        SearchEntry.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()
        index_changed()


def rebuild(kinds: Iterable[str] | None = None, *, batch_size: int = 500, progress=None) -> dict:
    """Drop and rebuild the entries of the given kinds (all by default), in batches,
    in one transaction: a failure leaves the previous index in place."""
    counts: dict[str, int] = {}
    backend = get_backend()
    selected = [search_registry.types[k] for k in kinds] if kinds else search_registry.ordered()
    with transaction.atomic():
        for search_type in selected:
            SearchEntry.objects.filter(kind=search_type.key).delete()
            count = 0
            batch: list = []
            for obj in search_type.queryset().iterator(chunk_size=batch_size):
                batch.append(obj)
                if len(batch) >= batch_size:
                    count += _write_batch(search_type, batch, backend)
                    batch = []
                    if progress:
                        progress(search_type.key, count)
            count += _write_batch(search_type, batch, backend)
            counts[search_type.key] = count
        index_changed()
        backend.optimise()
    return counts


def _write_batch(search_type: SearchType, objects: list, backend) -> int:
    if not objects:
        return 0
    if search_type.prepare_batch is not None:
        search_type.prepare_batch(objects)
    entries = SearchEntry.objects.bulk_create(
        SearchEntry(kind=search_type.key, object_id=obj.pk, **_entry_values(search_type, obj))
        for obj in objects
    )
    if entries and entries[0].pk is None:  # databases that do not return ids
        by_object = dict(
            SearchEntry.objects.filter(
                kind=search_type.key, object_id__in=[obj.pk for obj in objects]
            ).values_list("object_id", "pk")
        )
        for entry in entries:
            entry.pk = by_object[entry.object_id]
    SearchFacet.objects.bulk_create(
        SearchFacet(entry_id=entry.pk, facet=facet, value=value)
        for entry, obj in zip(entries, objects, strict=True)
        for facet, value in _multi_values(search_type, obj)
    )
    pairs = zip(entries, objects, strict=True)
    backend.write_many([(entry.pk, _columns(search_type, obj)) for entry, obj in pairs])
    return len(objects)


def index_size_bytes() -> int:
    return get_backend(connection).size_bytes()


def purge_deleted_text() -> None:
    """Make the engine forget text it only marked deleted (after an erasure): SQLite
    FTS5 keeps deleted terms in its segments until they are merged."""
    get_backend().purge_deleted()
