"""One interface over the databases' full-text search: `search(queryset, terms)`
narrows a queryset of `Entry` to the rows holding every term (as a word or the start
of one), chosen by `connection.vendor`: FTS5 on SQLite, text-search vectors with
Italian and English stemming on PostgreSQL, LIKE elsewhere."""

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# The expression of the GIN index (migration 0002): change both together.
# A thread's title and tags count on its own row only, as on SQLite.
_POSTGRES_TEXT = (
    "translate(body || ' ' || "
    "CASE WHEN kind = 'thread' THEN title || ' ' || tags ELSE '' END, '<>', '  ')"
)
_POSTGRES_DOCUMENT = (
    f"(to_tsvector('italian'::regconfig, {_POSTGRES_TEXT}) || "
    f"to_tsvector('english'::regconfig, {_POSTGRES_TEXT}))"
)


def _sqlite(queryset, terms):
    # Terms are runs of word characters (`query.parse`), quoted as FTS5 strings and
    # matched as prefixes; juxtaposed strings must all match.
    expression = " ".join(f'"{term}"*' for term in terms)
    return queryset.filter(
        id__in=RawSQL(
            "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s",
            [expression],
        )
    )


def _postgresql(queryset, terms):
    expression = " & ".join(f"{term}:*" for term in terms)
    matched = RawSQL(
        f"{_POSTGRES_DOCUMENT} @@ (to_tsquery('italian'::regconfig, %s) || "
        "to_tsquery('english'::regconfig, %s))",
        [expression, expression],
        output_field=BooleanField(),
    )
    return queryset.alias(full_text_match=matched).filter(full_text_match=True)


def _like(queryset, terms):
    for term in terms:
        queryset = queryset.filter(
            Q(body__icontains=term) | Q(kind="thread", title__icontains=term)
        )
    return queryset


def search(queryset, terms):
    """The rows of `queryset` matching every one of `terms` (word characters only)."""
    if not terms:
        return queryset
    backend = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connection.vendor, _like)
    return backend(queryset, terms)
