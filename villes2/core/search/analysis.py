"""Text analysis shared by indexing and querying, identical on every database.

Text is split into words, folded (lower case, accents and ligatures removed), French
stop words are dropped and each word is stemmed with the Snowball French stemmer. The
engines (SQLite FTS5, PostgreSQL `simple` tsvector) only ever see these stems, so both
find exactly the same records and "renovation", "rénovation" and "rénover" meet.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Words: letters and digits, with inner apostrophes split off ("l'emploi" → "emploi").
WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Elided articles and the most frequent function words; short, because a stop word
# removed at index time can never be found (SQLite FTS5 and PostgreSQL alike).
_STOP_WORDS_TEXT = """
    a au aux avec ce ces c d dans de des du elle en et eux il ils j je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que
    qui s sa se ses son sur t ta te tes toi ton tu un une vos votre vous y
    the of and to in for on with
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

MAX_WORD_LENGTH = 40

_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case without accents: "Œuvre à l'Été" → "oeuvre a l'ete"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Stem of a folded word. Accents are removed before stemming, so that a word typed
    without accents stems exactly like the accented one. Snowball leaves the plural
    "s" after some vowels ("emplois"); it is removed when the stemmer kept it."""
    stemmed = _stemmer.stemWord(word)
    if len(stemmed) > 3 and stemmed.endswith("s") and stemmed == word:
        stemmed = _stemmer.stemWord(word[:-1])
    return stemmed


def words(text: str) -> list[str]:
    """Folded words of a text, stop words included (for phrase positions)."""
    return [w[:MAX_WORD_LENGTH] for w in WORD.findall(fold(text))]


def analyse(text: str) -> list[str]:
    """Stems of a text's significant words, in order."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def analysed_text(text: str) -> str:
    """The stems joined by spaces: what an index column holds."""
    return " ".join(analyse(text))


def word_spans(text: str):
    """(start, end, stem or None) for every word of an original text, for highlighting:
    stop words give None."""
    for match in WORD.finditer(text):
        folded = fold(match.group())
        for part in WORD.findall(folded) or [folded]:
            part = part[:MAX_WORD_LENGTH]
            yield match.start(), match.end(), None if part in STOP_WORDS else stem(part)
            break
