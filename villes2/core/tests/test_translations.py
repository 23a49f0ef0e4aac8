"""Both catalogues are complete, and the compiled files match their sources."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete_and_compiled(language):
    source = LOCALE / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(source))
    assert len(catalogue) > 200
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []
    compiled = polib.mofile(str(source.with_suffix(".mo")))
    # Keyed by context and msgid: one msgid may have several contexts.
    assert {(e.msgctxt, e.msgid): e.msgstr for e in compiled if not e.msgid_plural} == {
        (e.msgctxt, e.msgid): e.msgstr for e in catalogue.translated_entries() if not e.msgid_plural
    }


def test_french_pages_are_french(client, db):
    content = client.get("/").content.decode()
    assert "Aller au contenu" in content and "Mentions légales" in content
