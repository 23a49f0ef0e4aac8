"""Synonym and acronym expansion from the thesaurus.

The thesaurus registers its label groups (`search_registry.set_synonyms`); they are
analysed once into a map phrase of stems → equivalent phrases, and reloaded when the
thesaurus's version changes (one cheap query per search)."""

import threading

from .analysis import analyse
from .query import Phrase
from .registry import search_registry

_lock = threading.Lock()
_cache: dict = {"version": object(), "map": {}}


def _build(groups) -> dict[Phrase, list[Phrase]]:
    mapping: dict[Phrase, list[Phrase]] = {}
    for group in groups:
        phrases = []
        for label in group:
            phrase = tuple(analyse(label))
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        for phrase in phrases:
            others = mapping.setdefault(phrase, [])
            others.extend(p for p in phrases if p != phrase and p not in others)
    return mapping


def synonym_map() -> dict[Phrase, list[Phrase]]:
    if search_registry.synonym_groups is None or search_registry.synonym_version is None:
        return {}
    version = search_registry.synonym_version()
    with _lock:
        if _cache["version"] != version:
            _cache["map"] = _build(search_registry.synonym_groups())
            _cache["version"] = version
        return _cache["map"]


def expander():
    """A function phrase → synonyms for the query parser, or None without thesaurus."""
    mapping = synonym_map()
    if not mapping:
        return None
    return lambda phrase: mapping.get(tuple(phrase), ())
