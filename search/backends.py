"""One interface over the databases' full-text search, chosen by `connection.vendor`:
FTS5 on SQLite, text-search vectors with Italian and English stemming on PostgreSQL,
LIKE elsewhere. `search(queryset, terms)` narrows a queryset of `Entry` to the rows
holding every term (as a word or the start of one); `ordering(terms)` ranks them:
rows whose own title holds a term first, then the newest."""

from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.expressions import RawSQL

# Titles and tags count on the rows that own them, never on replies and room
# messages (which are found by their own words). The expression of the GIN index
# (migrations 0004 and 0005): change them together.
_POSTGRES_TEXT = (
    "translate(body || ' ' || CASE WHEN kind IN ('post', 'message') THEN '' "
    "ELSE title || ' ' || tags END, '<>', '  ')"
)
_POSTGRES_DOCUMENT = (
    f"(to_tsvector('crocevia_italian'::regconfig, {_POSTGRES_TEXT}) || "
    f"to_tsvector('crocevia_english'::regconfig, {_POSTGRES_TEXT}))"
)
_POSTGRES_TITLE = (
    "(to_tsvector('crocevia_italian'::regconfig, translate(title, '<>', '  ')) || "
    "to_tsvector('crocevia_english'::regconfig, translate(title, '<>', '  ')))"
)
_POSTGRES_QUERY = "(to_tsquery('crocevia_italian'::regconfig, %s) || to_tsquery('crocevia_english'::regconfig, %s))"


def _sqlite_match(terms, joiner=" "):
    # Terms are runs of word characters (`query.parse`), quoted as FTS5 strings and
    # matched as prefixes; juxtaposed strings must all match.
    return joiner.join(f'"{term}"*' for term in terms)


def _sqlite(queryset, terms):
    return queryset.filter(
        id__in=RawSQL(
            "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s",
            [_sqlite_match(terms)],
        )
    )


def _sqlite_title_hit(terms):
    # The title column only holds text on the rows that own it (the triggers).
    return RawSQL(
        "search_entry.id IN (SELECT rowid FROM search_entry_fts "
        "WHERE search_entry_fts MATCH %s)",
        ["title : (" + _sqlite_match(terms, " OR ") + ")"],
        output_field=BooleanField(),
    )


def _postgresql(queryset, terms):
    expression = " & ".join(f"{term}:*" for term in terms)
    matched = RawSQL(
        f"{_POSTGRES_DOCUMENT} @@ {_POSTGRES_QUERY}",
        [expression, expression],
        output_field=BooleanField(),
    )
    return queryset.alias(full_text_match=matched).filter(full_text_match=True)


def _postgresql_title_hit(terms):
    expression = " | ".join(f"{term}:*" for term in terms)
    return RawSQL(
        f"(kind NOT IN ('post', 'message') AND {_POSTGRES_TITLE} @@ {_POSTGRES_QUERY})",
        [expression, expression],
        output_field=BooleanField(),
    )


def _like(queryset, terms):
    for term in terms:
        queryset = queryset.filter(
            Q(body__icontains=term)
            | (~Q(kind__in=("post", "message")) & Q(title__icontains=term))
        )
    return queryset


def _like_title_hit(terms):
    condition = Q()
    for term in terms:
        condition |= Q(title__icontains=term)
    return Case(
        When(~Q(kind__in=("post", "message")) & condition, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def search(queryset, terms):
    """The rows of `queryset` matching every one of `terms` (word characters only)."""
    if not terms:
        return queryset
    backend = {"sqlite": _sqlite, "postgresql": _postgresql}.get(
        connection.vendor, _like
    )
    return backend(queryset, terms)


def title_hit(terms):
    """A boolean expression: the row's own title holds one of `terms`."""
    return {
        "sqlite": _sqlite_title_hit,
        "postgresql": _postgresql_title_hit,
    }.get(connection.vendor, _like_title_hit)(terms)


def ordering(terms):
    """How rows matching `terms` are ranked: title matches above body matches, the
    newest first among equals (with no terms: newest first). A list of expressions,
    for `order_by` or a window."""
    newest = [F("created_at").desc(), F("id").desc()]
    if not terms:
        return newest
    return [
        ExpressionWrapper(title_hit(terms), output_field=BooleanField()).desc(),
        *newest,
    ]
