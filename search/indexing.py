"""Keep the index current: every registered source (`search.registry`) reindexes what
a commit's events name (`events_committed`, a `live` after-commit subscriber), and
the whole index can be rebuilt (`rebuild`, the `search_rebuild` command). Content that
is deleted, hidden or removed leaves no row; who may read a row is decided at query
time, so access changes need no reindexing."""

import logging

from django.db import transaction

from . import registry
from .models import Entry
from .sources.conversation import index_posts, index_thread  # noqa: F401
from .text import plain_text  # noqa: F401 - migration 0003 reads it here

logger = logging.getLogger(__name__)


def index_post(post_id):
    """Bring the row of one post in line with the post as it is now."""
    index_posts([post_id])


def event_committed(event):
    """Reindex what `event` names."""
    events_committed([event])


def events_committed(events):
    """A `live` after-commit subscriber, given the events of one commit: each source
    reindexes what they name (one failing source does not stop the others)."""
    for source in registry.sources():
        try:
            source.index_events(events)
        except Exception:
            logger.exception(
                "Search source %s failed to reindex a commit.", source.name
            )


def rebuild():
    """Empty the index and build it again from every source; returns
    {source name: rows}."""
    counts = {}
    with transaction.atomic():
        Entry.objects.all().delete()
        for source in registry.sources():
            counts[source.name] = source.rebuild()
    return counts
