"""The searchable sources: each kind of content the index holds registers here how
its rows are built, which committed events change them, who may read them and how a
result is shown. The content apps never import search (import contracts): search
registers the sources it knows in its AppConfig.ready() (`search.sources`), each
reading its app only through that app's models and public permissions; a new kind
(innovation's challenges and offers) is one more module and one more `register`."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from .models import Entry

BATCH = 500


@dataclass(frozen=True)
class Source:
    """One kind of searchable content (or several sharing a table: threads, replies
    and room messages are all posts).

    - `kinds`: {Entry.Kind: (its plural label, for the results page's tabs, and
      the words `type:` accepts for it besides its value, English and Italian)}.
    - `index_events(events)`: bring the rows named by a commit's events in line with
      the content as it is now (a `live` after-commit subscriber calls it).
    - `rebuild()`: write the rows of every object (the index is emptied first);
      returns how many.
    - `readable(user)`: a condition on Entry picking the rows of these kinds `user`
      may read now (None: all of them), decided by the content app's permissions.
    - `present(entries)`: give the entries of one page `url` and `context` (and
      `person` for an avatar), in a few queries whatever their number; returns the
      entries whose object is still there.
    """

    name: str
    kinds: dict
    index_events: Callable
    rebuild: Callable
    readable: Callable
    present: Callable
    order: int = field(default=100)


_sources = {}


def register(source):
    """Add `source` (from AppConfig.ready())."""
    for other in _sources.values():
        if set(other.kinds) & set(source.kinds):
            raise ValueError(f"Search kinds of {source.name!r} are already registered.")
    _sources[source.name] = source


def sources():
    return sorted(_sources.values(), key=lambda source: source.order)


def source_of(kind):
    return next((source for source in _sources.values() if kind in source.kinds), None)


def kinds():
    """Every registered kind, in the order the results page shows its tab."""
    return [kind for source in sources() for kind in source.kinds]


def kind_words():
    """{word `type:` accepts: kind}."""
    return {
        word: kind
        for source in sources()
        for kind, (_label, words) in source.kinds.items()
        for word in (kind, *words)
    }


def kind_label(kind):
    """The plural label of `kind` (a tab of the results page)."""
    source = source_of(kind)
    return source.kinds[kind][0] if source else kind


def replace(kinds, object_ids, rows):
    """Replace the rows of `kinds` about `object_ids` by `rows` (the ones still
    searchable): one DELETE and one INSERT."""
    object_ids = set(object_ids)
    if not object_ids:
        return
    with transaction.atomic():
        Entry.objects.filter(kind__in=kinds, object_id__in=object_ids)._raw_delete(
            Entry.objects.db
        )
        Entry.objects.bulk_create(rows, batch_size=BATCH)


def stream_ids(events, stream_kind, types):
    """The object ids of the `<stream_kind>:<id>` streams whose events are of `types`."""
    ids = set()
    for event in events:
        kind, _sep, pk = event.stream.partition(":")
        if kind == stream_kind and event.type in types and pk.isdigit():
            ids.add(int(pk))
    return ids


def tags_text(names):
    """ "|a|b|": lower-cased names between bars, what `tag:` matches."""
    names = sorted({name.lower() for name in names})
    return f"|{'|'.join(names)}|" if names else ""
