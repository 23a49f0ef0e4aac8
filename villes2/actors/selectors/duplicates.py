"""Finding likely duplicates of a person or an organisation, on entry and on import."""

from __future__ import annotations

from difflib import SequenceMatcher

from django.db.models import Q

from villes2.core.text import normalize_for_search

from ..models import Organisation, Person

# Names at least this similar, in the same organisation, are probably one person:
# "Jean-Michel Dupont" / "Jean Michel Dupond" (0.94), not "Anne Martin" / "Annie Morin".
NAME_SIMILARITY = 0.85


def _similar(first: str, second: str) -> bool:
    return SequenceMatcher(None, first, second).ratio() >= NAME_SIMILARITY


def person_duplicates(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    organisation_ids=(),
    exclude_pk: int | None = None,
) -> list[Person]:
    """Persons with the same e-mail (any case), or a similar name in one of the same
    organisations. Two queries at most."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    organisation_ids = [pk for pk in organisation_ids if pk]
    if organisation_ids:
        condition |= Q(memberships__organisation__in=organisation_ids)
    if not condition:
        return []
    candidates = Person.objects.filter(condition).distinct().order_by("sort_name", "pk")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    name = normalize_for_search(f"{first_name} {last_name}")
    email = email.casefold()
    found = []
    in_organisations = (
        set(
            Person.objects.filter(
                memberships__organisation__in=organisation_ids, pk__in=candidates.values("pk")
            ).values_list("pk", flat=True)
        )
        if organisation_ids
        else set()
    )
    for candidate in candidates:
        same_email = bool(email) and candidate.email.casefold() == email
        similar_name = candidate.pk in in_organisations and _similar(
            name, normalize_for_search(f"{candidate.first_name} {candidate.last_name}")
        )
        if same_email or similar_name:
            found.append(candidate)
    return found


def organisation_duplicates(
    *, name: str, siren: str = "", exclude_pk: int | None = None
) -> list[Organisation]:
    """Organisations with the same SIREN, or the same name once case, accents and
    punctuation are ignored."""
    condition = Q(sort_name=normalize_for_search(name))
    if siren:
        condition |= Q(siren=siren)
    candidates = Organisation.objects.filter(condition).order_by("sort_name", "pk")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return list(candidates)
