"""Highlighted extracts, cut in Python from the original text, so that both engines
show the same snippets (the engines only hold stems)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import word_spans

MAX_TEXT = 300_000  # characters scanned for an extract


def _render(text: str, spans, stems: frozenset[str], start: int, end: int) -> str:
    parts: list[str] = []
    cursor = start
    for span_start, span_end, stem in spans:
        if stem in stems:
            parts.append(escape(text[cursor:span_start]))
            parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
            cursor = span_end
    parts.append(escape(text[cursor:end]))
    return "".join(parts)


def highlight(text: str, stems: frozenset[str]) -> SafeString:
    """The whole (short) text with matching words in <mark>."""
    text = text or ""
    if not stems:
        return escape(text)
    spans = list(word_spans(text))
    return mark_safe(_render(text, spans, stems, 0, len(text)))  # noqa: S308 - escaped


def snippet(text: str, stems: frozenset[str], *, words: int = 35) -> SafeString:
    """About `words` words around the densest group of matches, matches in <mark>;
    the beginning of the text when nothing matches."""
    text = " ".join((text or "")[:MAX_TEXT].split())
    spans = list(word_spans(text))
    if not spans:
        return SafeString("")
    matches = [i for i, span in enumerate(spans) if span[2] in stems] if stems else []
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
    start = window[0][0]
    end = window[-1][1]
    html = _render(text, window, stems, start, end)
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if best_start + words < len(spans) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - every piece is escaped
