import re
import unicodedata

_SEPARATORS = re.compile(r"[\s'’\-_/.,;:()]+")


def normalize_for_search(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used to match names.

    "Saint-Étienne-de-Chigny" and "saint etienne de chigny" give the same string, on
    SQLite and PostgreSQL alike, without depending on database extensions.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae")
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()
