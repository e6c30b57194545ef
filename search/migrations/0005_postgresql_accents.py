"""PostgreSQL: accents folded as on SQLite ("perche" finds "perché"). Two text-search
configurations of the site's own, copies of `italian` and `english`, pass words
through the `unaccent` dictionary before stemming when the extension can be created
(it is trusted since PostgreSQL 13: a database owner may create it); without it they
are plain copies and accents count. The GIN index is built on them."""

from django.db import migrations

_TEXT = (
    "translate(body || ' ' || CASE WHEN kind IN ('post', 'message') THEN '' "
    "ELSE title || ' ' || tags END, '<>', '  ')"
)


def _index(italian, english):
    return (
        "CREATE INDEX search_entry_fts ON search_entry USING GIN (("
        f"to_tsvector('{italian}'::regconfig, {_TEXT}) || "
        f"to_tsvector('{english}'::regconfig, {_TEXT})))"
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.db import transaction

    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        accents = True
    except Exception:  # not installed, or not allowed: accents count
        accents = False
    for language in ("italian", "english"):
        schema_editor.execute(
            f"CREATE TEXT SEARCH CONFIGURATION crocevia_{language} "
            f"(COPY = pg_catalog.{language})"
        )
        if accents:
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION crocevia_{language} ALTER MAPPING "
                f"FOR hword, hword_part, word WITH unaccent, {language}_stem"
            )
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_fts")
    schema_editor.execute(_index("crocevia_italian", "crocevia_english"))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_entry_fts")
    schema_editor.execute(_index("italian", "english"))
    for language in ("italian", "english"):
        schema_editor.execute(
            f"DROP TEXT SEARCH CONFIGURATION IF EXISTS crocevia_{language}"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0004_every_kind")]

    operations = [migrations.RunPython(forward, backward)]
