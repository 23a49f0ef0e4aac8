"""The engine side of the search index, which Django models cannot describe:

- SQLite: an FTS5 table with one column per weight, rowid = `core_searchentry.id`, and a
  trigger so that deleting an entry (also by cascade or `flush`) deletes its text;
- PostgreSQL: a `tsvector` column on `core_searchentry` with a GIN index.

Both hold only analysed stems (villes2.core.search.analysis), never raw text.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE core_search_fts USING fts5("
    "title, descriptors, abstract, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER core_searchentry_delete_text AFTER DELETE ON core_searchentry "
    "BEGIN DELETE FROM core_search_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_searchentry_delete_text",
    "DROP TABLE IF EXISTS core_search_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE core_searchentry ADD COLUMN vector tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX core_searchentry_vector ON core_searchentry USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_searchentry_vector",
    "ALTER TABLE core_searchentry DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_search_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
