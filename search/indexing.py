"""Keep the index current: rows are built from the current state of a post or a
thread whenever a committed event names it (`event_committed`, a `live` after-commit
subscriber), and the whole index can be rebuilt (`rebuild`, the `search_rebuild`
command). A post that is deleted, hidden or removed, or a thread that is gone, leaves
no row: its text can no longer be found."""

import html
import logging
import re

from django.db import transaction
from django.utils.html import strip_tags

from community.models import Post, Thread

from .models import Entry

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
_BLOCK = re.compile(r"<(?:/?(?:p|li|ul|ol|div|h[1-6]|blockquote|pre|tr|td|th)|br)\b", re.I)
_BATCH = 500


def plain_text(body_html):
    """The words of a rendered post, without markup (entities decoded)."""
    return _SPACES.sub(" ", html.unescape(strip_tags(_BLOCK.sub(r" \g<0>", body_html)))).strip()


def _tags(thread):
    names = sorted({tag.name.lower() for tag in thread.tags.all()})
    return f"|{'|'.join(names)}|" if names else ""


def _entry(post, thread, tags):
    if thread.kind == Thread.Kind.ROOM:
        kind = Entry.Kind.MESSAGE
    elif post.number == 1:
        kind = Entry.Kind.THREAD
    else:
        kind = Entry.Kind.POST
    return Entry(
        kind=kind,
        post_id=post.pk,
        thread_id=thread.pk,
        number=post.number,
        community_id=thread.community_id,
        author_id=post.author_id,
        title=thread.title[:255],
        body=plain_text(post.body_html),
        tags=tags,
        created_at=post.created_at,
    )


def _searchable(posts):
    return posts.filter(is_deleted=False, is_hidden=False, is_removed=False)


def index_post(post_id):
    """Bring the row of one post in line with the post as it is now."""
    post = (
        _searchable(Post.objects.filter(pk=post_id))
        .select_related("thread")
        .first()
    )
    with transaction.atomic():
        Entry.objects.filter(post_id=post_id).delete()
        if post is not None:
            _entry(post, post.thread, _tags(post.thread)).save()


def index_thread(thread_id):
    """Bring the rows of one thread's posts in line with the thread as it is now
    (renamed, moved, merged, split, retagged or gone)."""
    thread = Thread.objects.filter(pk=thread_id).first()
    with transaction.atomic():
        Entry.objects.filter(thread_id=thread_id).delete()
        if thread is None:
            return
        tags = _tags(thread)
        posts = _searchable(thread.posts.all()).order_by("number")
        Entry.objects.bulk_create(
            [_entry(post, thread, tags) for post in posts.iterator(chunk_size=_BATCH)],
            batch_size=_BATCH,
        )


def rebuild():
    """Empty the index and build it again from every thread; returns the rows."""
    with transaction.atomic():
        Entry.objects.all().delete()
        count = 0
        threads = Thread.objects.prefetch_related("tags").order_by("pk")
        for thread in threads.iterator(chunk_size=_BATCH):
            tags = _tags(thread)
            posts = _searchable(thread.posts.all()).order_by("number")
            rows = [_entry(post, thread, tags) for post in posts]
            Entry.objects.bulk_create(rows, batch_size=_BATCH)
            count += len(rows)
    return count


# Thread events that change what the rows of its posts hold (title, community, tags,
# which thread a post belongs to); visibility changes are decided at query time.
_THREAD_CHANGES = {
    "thread.created",
    "thread.renamed",
    "thread.moved",
    "thread.moved_in",
    "thread.moved_out",
    "thread.merged",
    "thread.split",
}


def _ids(payload, *keys):
    for key in keys:
        value = payload.get(key) if isinstance(payload, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            yield value


def event_committed(event):
    """A `live` after-commit subscriber: reindex what `event` names."""
    kind, _sep, stream_id = event.stream.partition(":")
    family = event.type.partition(".")[0]
    payload = event.payload
    if kind == "thread" and family == "post":
        for post_id in _ids(payload, "id"):
            index_post(post_id)
    elif event.type in _THREAD_CHANGES and kind in ("thread", "community"):
        thread_ids = set(_ids(payload, "id", "from", "into", "thread", "new"))
        if kind == "thread" and stream_id.isdigit():
            thread_ids.add(int(stream_id))
        for thread_id in sorted(thread_ids):
            index_thread(thread_id)
