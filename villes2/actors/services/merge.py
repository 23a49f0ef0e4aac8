"""Merging duplicate entries of the directory, keeping their history.

Every relation to the merged entries is found by introspection of the installed models
(as for the GDPR export), so a model added later follows the merge without anyone
remembering to. History tables are left alone: their rows keep the old ids, and that is
the history being kept (who did what to which entry before the merge).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from villes2.core import search
from villes2.core.models import Versioned
from villes2.core.text import normalize_for_search

from .. import selectors
from ..models import Mandate, Membership, NetworkMembership, Organisation, Person
from .directory import organisation_search_text_refresh, person_search_text_refresh

# A merge is a deliberate act on a few entries, not a bulk operation; this also keeps
# the history's change reason (100 characters) whole.
MERGE_MAX = 10
# Stored in the history, in the centre's language whatever the editor's (like sources).
MERGE_REASON = "Fusion de {ids}"
MERGED_INTO_REASON = "Fusionné dans {pk}"

Relation = tuple[type[models.Model], models.Field]
V = TypeVar("V", bound=Versioned)

# Rows that state the same fact once moved onto the kept entry collapse into one
# (the same role twice, the same network or board office twice).
_SAME_FACT: dict[tuple[type[models.Model], str], Callable[[Any], tuple]] = {
    (Membership, "person"): lambda row: (row.organisation_id, normalize_for_search(row.role)),
    (Membership, "organisation"): lambda row: (row.person_id, normalize_for_search(row.role)),
    (NetworkMembership, "person"): lambda row: (row.network_id, row.start_date),
    (NetworkMembership, "organisation"): lambda row: (row.network_id, row.start_date),
    (NetworkMembership, "network"): lambda row: (
        row.organisation_id,
        row.person_id,
        row.start_date,
    ),
    (Mandate, "person"): lambda row: (row.office, row.start_date),
}

# Fields where a rule beats "keep's value, else the first one found": informed of the
# listing since the earliest date (GDPR art. 14); retention runs from the latest contact.
_PICK: dict[tuple[type[models.Model], str], Callable[[Iterable[Any]], Any]] = {
    (Person, "informed_on"): min,
    (Person, "last_contact_on"): max,
}


def organisation_relations() -> Iterator[Relation]:
    """(model, field) for every concrete relation to Organisation in the installed models,
    its own `parent` and history tables included: the counterpart of
    `selectors.person_relations`."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is not Organisation or not field.concrete:
                continue
            if field.many_to_one or field.one_to_one or field.many_to_many:
                yield model, field


def _relations(model: type[models.Model]) -> list[Relation]:
    """Relations whose rows a merge moves: history tables excluded (their rows stay with
    the old ids), and many-to-many fields with an explicit intermediate model (its own
    foreign key is the relation moved)."""
    found = selectors.person_relations() if model is Person else organisation_relations()
    return [
        (related, field)
        for related, field in found
        if not selectors.is_history_model(related)
        and not (field.many_to_many and not field.remote_field.through._meta.auto_created)
    ]


def _is_tracked(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _is_empty(field: models.Field, value: Any) -> bool:
    # False counts as empty: a flag set on any merged entry (partner, processing
    # restricted) stays set on the kept one.
    return value is False or value in field.empty_values


def _fill_empty(
    *, target: models.Model, sources: list[Any], skip_refs: Collection[int] = ()
) -> None:
    """Fill the fields empty on `target` from the first source holding a value; never
    overwrite a value of `target`. `skip_refs`: ids a self-reference must not take."""
    model = type(target)
    for field in model._meta.concrete_fields:
        if field.primary_key or not field.editable or field.unique:
            continue
        pick = _PICK.get((model, field.name))
        values = [getattr(row, field.attname) for row in [target, *sources]]
        if field.is_relation and field.related_model is model:
            values = [value if value not in skip_refs else None for value in values]
        present = [value for value in values if not _is_empty(field, value)]
        if pick is not None and present:
            setattr(target, field.attname, pick(present))
        elif present and _is_empty(field, values[0]):
            setattr(target, field.attname, present[0])


def _unique_sets(model: type[models.Model], field: models.Field) -> list[tuple[str, ...]]:
    """For each uniqueness rule that includes `field`: its other fields."""
    sets: list[tuple[str, ...]] = [()] if field.unique else []
    rules = [*model._meta.unique_together]
    rules += [constraint.fields for constraint in model._meta.total_unique_constraints]
    for rule in rules:
        if field.name in rule:
            sets.append(tuple(name for name in rule if name != field.name))
    return sets


def _check_unique(model: type[models.Model], field: models.Field, rows: list[Any]) -> None:
    """Refuse a merge that would break a uniqueness rule rather than drop a row: the
    staff settle such a conflict by hand (nothing is lost without someone deciding)."""
    for names in _unique_sets(model, field):
        attnames = [model._meta.get_field(name).attname for name in names]
        seen = set()
        for row in rows:
            key = tuple(getattr(row, attname) for attname in attnames)
            if None in key:
                continue  # NULLs never collide
            if key in seen:
                raise ValidationError(
                    _(
                        "Both entries have a row of “%(table)s” that may exist only once; "
                        "settle it by hand, then merge again."
                    )
                    % {"table": model._meta.verbose_name}
                )
            seen.add(key)


def _move_rows(*, model, field, keep, others, user, reason: str) -> list[Any]:
    """Point the rows of `model` that refer to `others` through `field` at `keep`,
    collapsing rows that state the same fact. Returns the rows now on `keep`."""
    manager = model._default_manager
    if field.many_to_many:
        holders = list(manager.filter(**{f"{field.name}__in": others}).distinct())
        for holder in holders:
            getattr(holder, field.name).add(keep)
            getattr(holder, field.name).remove(*others)
        return holders
    moved = list(manager.filter(**{f"{field.name}__in": others}).order_by("pk"))
    if not moved:
        return []
    existing = list(manager.filter(**{field.name: keep}).order_by("pk"))
    same_fact = _SAME_FACT.get((model, field.name))
    by_fact = {same_fact(row): row for row in existing} if same_fact else {}
    repointed: dict[Any, Any] = {}
    filled: dict[Any, Any] = {}
    collapsed = []
    for row in moved:
        twin = by_fact.get(same_fact(row)) if same_fact else None
        if twin is not None:
            _fill_empty(target=twin, sources=[row])
            filled[twin.pk] = twin
            collapsed.append(row)
            continue
        setattr(row, field.name, keep)
        repointed[row.pk] = row
        if same_fact:
            by_fact[same_fact(row)] = row
    on_keep = [row for row in existing if row.pk not in repointed] + list(repointed.values())
    _check_unique(model, field, on_keep)
    for row in collapsed:
        row._history_user, row._change_reason = user, reason
        row.delete()
    for row in filled.values():
        row.full_clean()  # filled dates may contradict each other: refuse, do not crash
    # Moved rows get their foreign key only: another field edited meanwhile is not undone.
    all_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    for rows, fields in (
        ([row for pk, row in repointed.items() if pk not in filled], [field.name]),
        (list(filled.values()), all_fields),
    ):
        if not rows:
            continue
        if _is_tracked(model):
            bulk_update_with_history(
                rows, model, fields, default_user=user, default_change_reason=reason
            )
        else:
            manager.bulk_update(rows, fields)
    return on_keep


def _merge(*, keep: V, others: list[V], user: AbstractBaseUser) -> tuple[V, dict]:
    """Move everything of `others` onto `keep`, fill `keep`'s empty fields, record the
    merge in `keep`'s history and delete `others` (their deletion is recorded too).
    To be called inside a transaction."""
    model = type(keep)
    ids = list(dict.fromkeys(other.pk for other in others))
    if not ids:
        raise ValidationError(_("Choose at least one other entry to merge."))
    if keep.pk in ids:
        raise ValidationError(_("An entry cannot be merged with itself."))
    if len(ids) + 1 > MERGE_MAX:
        raise ValidationError(
            _("At most %(count)s entries can be merged at once.") % {"count": MERGE_MAX}
        )
    # Locked and read again: what is merged is what is stored now, not what a page showed.
    rows = model._default_manager.select_for_update().in_bulk([keep.pk, *ids])
    if len(rows) != len(ids) + 1:
        raise ValidationError(_("One of the entries to merge no longer exists."))
    keep, others = rows[keep.pk], [rows[pk] for pk in ids]
    if model is Organisation:
        _check_not_family(keep=keep, others=others)

    reason = MERGE_REASON.format(ids=", ".join(str(pk) for pk in ids))
    moved = {
        (related, field): _move_rows(
            model=related, field=field, keep=keep, others=others, user=user, reason=reason
        )
        for related, field in _relations(model)
    }
    for field in model._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            values = field.related_model._default_manager.filter(
                **{f"{field.related_query_name()}__in": others}
            )
            getattr(keep, field.name).add(*values)

    _fill_empty(target=keep, sources=others, skip_refs={keep.pk, *ids})
    # The concurrent-edit check warns whoever has `keep` open in an editor.
    keep.version += 1
    keep._history_user, keep._change_reason = user, reason
    keep.full_clean()
    keep.save()
    for other in others:
        other._history_user = user
        other._change_reason = MERGED_INTO_REASON.format(pk=keep.pk)
        other.delete()
    return keep, moved


def _check_not_family(*, keep: Organisation, others: list[Organisation]) -> None:
    """An organisation merged with its parent or child would become its own parent."""
    family: set[int] = set()
    parent_id = keep.parent_id
    while parent_id is not None and parent_id not in family:
        family.add(parent_id)
        parent_id = Organisation.objects.filter(pk=parent_id).values_list("parent_id", flat=True)[0]
    frontier = {keep.pk}
    while frontier:
        frontier = (
            set(Organisation.objects.filter(parent__in=frontier).values_list("pk", flat=True))
            - family
        )
        family |= frontier
    if family & {other.pk for other in others}:
        raise ValidationError(
            _("An organisation cannot be merged with one of its parent or child organisations.")
        )


@transaction.atomic
def person_merge(*, keep: Person, others: list[Person], user: AbstractBaseUser) -> Person:
    """Merge duplicate persons into `keep` (one transaction): their roles, networks,
    mandates, consents and anything else referring to them move to `keep` (identical
    roles collapse), themes and territories are united, `keep`'s empty fields are filled
    from theirs, and they are deleted. Their history stays; `keep`'s records the merge."""
    keep, _moved = _merge(keep=keep, others=others, user=user)
    person_search_text_refresh(person=keep)
    return keep


@transaction.atomic
def organisation_merge(
    *, keep: Organisation, others: list[Organisation], user: AbstractBaseUser
) -> Organisation:
    """Merge duplicate organisations into `keep`, as `person_merge` does; roles held in
    them, their child organisations and network members move to `keep`."""
    keep, moved = _merge(keep=keep, others=others, user=user)
    organisation_search_text_refresh(organisation=keep)
    # Records written by the merged organisations now name `keep`.
    search.reindex_dependents("actors.Organisation", [keep.pk])
    # Their search text holds the name of their organisation or parent.
    for child in moved.get((Organisation, Organisation._meta.get_field("parent")), []):
        organisation_search_text_refresh(organisation=child)
    memberships = moved.get((Membership, Membership._meta.get_field("organisation")), [])
    for person in Person.objects.filter(memberships__in=memberships).distinct():
        person_search_text_refresh(person=person)
    return keep


def merge_preview(*, records: list[Versioned]) -> list[dict[str, Any]]:
    """What each entry offered for merging holds: its filled fields and how many rows of
    each related table refer to it, counted over the relations the merge moves (one
    query per relation)."""
    model = type(records[0])
    counts: dict[int, list[tuple[str, int]]] = {record.pk: [] for record in records}
    relations = _relations(model)
    # A table related twice (a network and its member) names the field too.
    tables = [related for related, _field in relations]
    several = {related for related in tables if tables.count(related) > 1}
    for related, field in relations:
        label = capfirst(related._meta.verbose_name_plural)
        if related in several:
            label = f"{label} ({field.verbose_name})"
        rows = (
            related._default_manager.filter(**{f"{field.name}__in": records})
            .values(field.name)
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row[field.name]].append((label, row["count"]))
    preview = []
    for record in records:
        fields = [
            (capfirst(field.verbose_name), _display(record, field))
            for field in model._meta.concrete_fields
            if field.editable
            and not field.primary_key
            and not _is_empty(field, getattr(record, field.attname))
        ]
        for field in model._meta.many_to_many:
            names = ", ".join(str(item) for item in getattr(record, field.name).all())
            if names:
                fields.append((capfirst(field.verbose_name), names))
        preview.append({"record": record, "fields": fields, "related": counts[record.pk]})
    return preview


def _display(record: models.Model, field: models.Field) -> str:
    if field.choices:
        return str(getattr(record, f"get_{field.name}_display")())
    if isinstance(field, models.BooleanField):
        return _("yes") if getattr(record, field.name) else _("no")
    return str(formats.localize(getattr(record, field.name)))
