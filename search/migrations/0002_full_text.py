"""The full-text index of `search_entry`: an FTS5 table kept in step by triggers on
SQLite (accents folded: "perche" finds "perché"), a GIN index on the Italian and
English text-search vectors on PostgreSQL. Other databases search with LIKE."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title, body, tags, "
    "content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    "VALUES (new.id, new.title, new.body, new.tags); END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    "VALUES ('delete', old.id, old.title, old.body, old.tags); "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    "VALUES (new.id, new.title, new.body, new.tags); END",
    "INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_fts_update",
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS search_entry_fts_insert",
    "DROP TABLE IF EXISTS search_entry_fts",
]
# Must stay the expression `search.backends` matches against, or the index is unused.
# Angle brackets become spaces: PostgreSQL's parser would drop a written "<script>"
# as a tag, and "script" would not be found.
POSTGRES_FORWARD = [
    "CREATE INDEX search_entry_fts ON search_entry USING GIN (("
    "to_tsvector('italian'::regconfig, translate(title || ' ' || body || ' ' || tags, "
    "'<>', '  ')) || "
    "to_tsvector('english'::regconfig, translate(title || ' ' || body || ' ' || tags, "
    "'<>', '  '))))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS search_entry_fts"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_entries")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
