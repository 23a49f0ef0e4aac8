"""Keeping derived index text right when something an entry *quotes* changes: a
record's index holds its descriptors' labels, their themes and lineage, and its authors'
names. Each `SearchType` declares `depends_on` (model label → function of primary keys
returning the objects that quote them); the app that owns those models calls
`reindex_dependents` from its own services or admin, in the same transaction. Before a
deletion, read `dependents` first and `reindex` them after."""

from collections.abc import Iterable

from django.db import transaction

from .index import index_object
from .registry import search_registry

Found = dict[str, set[int]]  # search type key → primary keys


def dependents(model_label: str, pks: Iterable[int]) -> Found:
    """The indexed objects quoting any of these rows, by type."""
    pks = list(pks)
    found: Found = {}
    if not pks:
        return found
    for search_type in search_registry.ordered():
        select = search_type.depends_on.get(model_label)
        if select is not None:
            found[search_type.key] = {obj.pk for obj in select(pks)}
    return found


def reindex(found: Found) -> int:
    """Re-index the objects found, read afresh (after the change), many at a time."""
    count = 0
    with transaction.atomic():
        for key, pks in found.items():
            search_type = search_registry.types[key]
            objects = list(search_type.queryset().filter(pk__in=pks))
            if search_type.prepare_batch is not None and objects:
                search_type.prepare_batch(objects)
            for obj in objects:
                index_object(obj, prepared=True)
                count += 1
    return count


def reindex_dependents(model_label: str, pks: Iterable[int]) -> int:
    return reindex(dependents(model_label, pks))
