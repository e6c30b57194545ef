"""The full-text index of `search_entry`: an FTS5 table kept in step by triggers on
SQLite (accents folded: "perche" finds "perché"), a GIN index on the Italian and
English text-search vectors on PostgreSQL. Other databases search with LIKE."""

from django.db import migrations

# A thread's title and tags are searched on its own row only: a reply is found by
# its words, not by the title of the thread it is in (which it still shows).
_TITLE = "CASE WHEN {row}.kind = 'thread' THEN {row}.{column} ELSE '' END"


def _values(row):
    return (
        f"{row}.id, {_TITLE.format(row=row, column='title')}, {row}.body, "
        f"{_TITLE.format(row=row, column='tags')}"
    )


# Contentless FTS5 (content=''): it holds only the index, fed by the triggers.
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(title, body, tags, "
    "content='', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"VALUES ({_values('new')}); END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    f"VALUES ('delete', {_values('old')}); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, title, body, tags) "
    f"VALUES ('delete', {_values('old')}); "
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"VALUES ({_values('new')}); END",
    "INSERT INTO search_entry_fts(rowid, title, body, tags) "
    f"SELECT {_values('search_entry')} FROM search_entry",
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
    "to_tsvector('italian'::regconfig, translate(body || ' ' || "
    "CASE WHEN kind = 'thread' THEN title || ' ' || tags ELSE '' END, '<>', '  ')) || "
    "to_tsvector('english'::regconfig, translate(body || ' ' || "
    "CASE WHEN kind = 'thread' THEN title || ' ' || tags ELSE '' END, '<>', '  '))))",
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
