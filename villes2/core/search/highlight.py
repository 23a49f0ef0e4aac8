"""Highlighted extracts, cut in Python from the original text, so that both engines
show the same snippets (the engines only hold stems). A phrase is highlighted only where
its words follow each other, as the engines match it; stop words between them are
skipped, as in the index."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import word_spans
from .query import Phrase

MAX_TEXT = 300_000  # characters scanned for an extract

Span = tuple[int, int, str | None]


def _marked(spans: list[Span], phrases: frozenset[Phrase]) -> set[int]:
    """Indexes of the spans that belong to an occurrence of one of the phrases."""
    if not phrases:
        return set()
    words = [(index, stem) for index, (_s, _e, stem) in enumerate(spans) if stem is not None]
    stems = [stem for _index, stem in words]
    marked: set[int] = set()
    singles = {phrase[0] for phrase in phrases if len(phrase) == 1}
    longer = [phrase for phrase in phrases if len(phrase) > 1]
    for position, stem in enumerate(stems):
        if stem in singles:
            marked.add(words[position][0])
        for phrase in longer:
            if stem == phrase[0] and tuple(stems[position : position + len(phrase)]) == phrase:
                marked.update(words[position + k][0] for k in range(len(phrase)))
    return marked


def _render(text: str, spans: list[Span], marked: set[int], start: int, end: int, offset=0):
    parts: list[str] = []
    cursor = start
    for index, (span_start, span_end, _stem) in enumerate(spans, start=offset):
        if index in marked:
            parts.append(escape(text[cursor:span_start]))
            parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
            cursor = span_end
    parts.append(escape(text[cursor:end]))
    return "".join(parts)


def highlight(text: str, phrases: frozenset[Phrase]) -> SafeString:
    """The whole (short) text with matching words in <mark>."""
    text = text or ""
    spans = list(word_spans(text))
    marked = _marked(spans, phrases)
    return mark_safe(_render(text, spans, marked, 0, len(text)))  # noqa: S308 - escaped


def snippet(text: str, phrases: frozenset[Phrase], *, words: int = 35) -> SafeString:
    """About `words` words around the densest group of matches, matches in <mark>;
    the beginning of the text when nothing matches."""
    text = " ".join((text or "")[:MAX_TEXT].split())
    spans = list(word_spans(text))
    if not spans:
        return SafeString("")
    marked = _marked(spans, phrases)
    matches = sorted(marked)
    best_start = 0
    if matches:
        best_count = 0
        left = 0
        for right in range(len(matches)):
            while matches[right] - matches[left] >= words:
                left += 1
            if right - left + 1 > best_count:
                best_count = right - left + 1
                best_start = max(0, matches[left] - 5)
    window = spans[best_start : best_start + words]
    html = _render(text, window, marked, window[0][0], window[-1][1], offset=best_start)
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if best_start + words < len(spans) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - every piece is escaped
