"""Parsing what a user types into a query tree that no engine ever sees raw.

Syntax (the usual one of search engines, documented on the search page):
- words are all required: `insertion emploi`;
- `"…"` is a phrase: `"zone urbaine"`;
- a leading `-` excludes a word or a phrase: `rénovation -ANRU`;
- `OU` / `OR` between two words or phrases accepts either.

Unbalanced quotes, stray operators, symbols and very long input never fail: the parser
only produces phrases of analysed stems (letters and digits), which each backend writes
into its own syntax with every stem quoted. Phrases matching a thesaurus label are
expanded into the concept's other labels ("ZUS" → "zone urbaine sensible").
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .analysis import analyse

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 12
MAX_ALTERNATIVES = 8

Phrase = tuple[str, ...]

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """Any one of `alternatives` (each a phrase of stems) must match — or, when
    `negated`, none of them."""

    alternatives: tuple[Phrase, ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    raw: str
    clauses: tuple[Clause, ...] = ()
    # Phrases to highlight: those of the positive clauses, synonyms included.
    highlight: frozenset[Phrase] = field(default_factory=frozenset)

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: browse (sorted by date) instead."""
        return not self.clauses

    @property
    def has_terms(self) -> bool:
        return bool(self.positive)


Expander = Callable[[Phrase], Iterable[Phrase]]


def parse(raw: str, expand: Expander | None = None) -> Query:
    text = (raw or "")[:MAX_QUERY_LENGTH]
    or_next = False
    # Groups of alternatives ("a OU b"), each piece (negated, quoted, stems).
    groups: list[list[tuple[bool, bool, Phrase]]] = []
    for match in _TOKEN.finditer(text):
        minus, quoted, bare = match.groups()
        if bare is not None:
            if bare in {"OU", "OR", "|"}:
                or_next = bool(groups)
                continue
            negated = bare.startswith("-") and len(bare) > 1
            stems = tuple(analyse(bare[1:] if negated else bare))
            is_quoted = False
        else:
            negated = minus == "-"
            stems = tuple(analyse(quoted))
            is_quoted = True
        if not stems:
            continue
        if is_quoted:
            piece = (negated, True, stems)
            _append(groups, piece, or_next)
        else:
            # "rénovation-urbaine" or "l'emploi": several stems from one bare token are
            # one phrase; otherwise one word.
            _append(groups, (negated, len(stems) > 1, stems), or_next)
        or_next = False
    clauses = _merge_synonyms(groups, expand)
    # Too many words: keep every exclusion and the first positive clauses.
    negative = [clause for clause in clauses if clause.negated][:MAX_CLAUSES]
    positive = [clause for clause in clauses if not clause.negated]
    clauses = positive[: max(1, MAX_CLAUSES - len(negative))] + negative
    highlight = frozenset(
        alternative
        for clause in clauses
        if not clause.negated
        for alternative in clause.alternatives
    )
    return Query(raw=text, clauses=tuple(clauses), highlight=highlight)


def _append(groups, piece, or_next: bool) -> None:
    if or_next and groups and groups[-1][-1][0] == piece[0]:
        groups[-1].append(piece)
    else:
        groups.append([piece])


def _merge_synonyms(groups, expand: Expander | None) -> list[Clause]:
    """Turn groups into clauses. Consecutive bare words that together form a thesaurus
    label ("zone urbaine sensible") become one clause with the label's synonyms."""
    clauses: list[Clause] = []
    index = 0
    while index < len(groups):
        group = groups[index]
        negated = group[0][0]
        if expand is not None and len(group) == 1 and not group[0][1]:
            # Longest run of single bare words (same sign) that is a known label.
            run_end = index
            while (
                run_end + 1 < len(groups)
                and len(groups[run_end + 1]) == 1
                and not groups[run_end + 1][0][1]
                and groups[run_end + 1][0][0] == negated
            ):
                run_end += 1
            for end in range(min(run_end, index + 5), index - 1, -1):
                phrase = tuple(stem for g in groups[index : end + 1] for stem in g[0][2])
                synonyms = list(expand(phrase))
                if synonyms:
                    alternatives = _unique([phrase, *synonyms])[:MAX_ALTERNATIVES]
                    clauses.append(Clause(tuple(alternatives), negated))
                    index = end + 1
                    break
            else:
                clauses.append(Clause((group[0][2],), negated))
                index += 1
            continue
        alternatives = [piece[2] for piece in group]
        if expand is not None:
            for piece in group:
                alternatives += list(expand(piece[2]))
        clauses.append(Clause(tuple(_unique(alternatives)[:MAX_ALTERNATIVES]), negated))
        index += 1
    return clauses


def _unique(phrases: Iterable[Phrase]) -> list[Phrase]:
    seen: dict[Phrase, None] = {}
    for phrase in phrases:
        if phrase:
            seen.setdefault(phrase, None)
    return list(seen)
