"""Threads, replies and room messages: one row per post that is not deleted, hidden
or removed, readable by whoever may read the post now (`posts_visible_to`)."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community import permissions
from community.models import Community, Post, Thread, ThreadTag
from community.queries import direct as direct_queries

from ..models import Entry
from ..registry import BATCH, Source, tags_text
from ..text import plain_text

KINDS = (Entry.Kind.THREAD, Entry.Kind.POST, Entry.Kind.MESSAGE)


def _tags(thread):
    return tags_text(tag.name for tag in thread.tags.all())


def _entry(post, thread, tags):
    if thread.kind == Thread.Kind.ROOM:
        kind = Entry.Kind.MESSAGE
    elif post.number == 1:
        kind = Entry.Kind.THREAD
    else:
        kind = Entry.Kind.POST
    return Entry(
        kind=kind,
        object_id=post.pk,
        thread_id=thread.pk,
        number=post.number,
        community_id=thread.community_id,
        author_id=post.author_id,
        title=thread.title[:255],
        body=plain_text(post.body_html),
        tags=tags,
        created_at=post.created_at,
    )


# What a post's row holds besides its key (kind, object id).
_ENTRY_FIELDS = [
    "thread_id",
    "number",
    "community_id",
    "author_id",
    "title",
    "body",
    "tags",
    "created_at",
]


def _searchable(posts):
    return posts.filter(is_deleted=False, is_hidden=False, is_removed=False)


def _visible(post):
    return not (post.is_deleted or post.is_hidden or post.is_removed)


def _thread_tags(thread_ids):
    """{thread id: tags text} for `thread_ids`, in one query."""
    names = {}
    for thread_id, name in ThreadTag.objects.filter(
        content_object_id__in=thread_ids
    ).values_list("content_object_id", "tag__name"):
        names.setdefault(thread_id, []).append(name)
    return {pk: tags_text(names.get(pk, ())) for pk in thread_ids}


def index_posts(post_ids, written=None):
    """Bring the rows of `post_ids` in line with the posts as they are now. Posts in
    `written` ({id: post}, just created by the commit, with their thread loaded) are
    not read again: a group of new posts costs one read of their threads' tags and
    one upsert. Others are read as they are now (with their threads), their rows
    deleted and written again."""
    post_ids = set(post_ids)
    if not post_ids:
        return
    written = {
        pk: post
        for pk, post in (written or {}).items()
        if pk in post_ids and Post.thread.is_cached(post)
    }
    posts = [post for post in written.values() if _visible(post)]
    threads = {post.thread_id: post.thread for post in posts}
    unread = post_ids - written.keys()
    if unread:
        read = list(
            _searchable(Post.objects.filter(pk__in=unread)).only(
                "pk", "thread_id", "number", "author_id", "body_html", "created_at"
            )
        )
        posts += read
        missing = {post.thread_id for post in read} - threads.keys()
        if missing:
            threads.update(
                Thread.objects.only("pk", "kind", "title", "community_id").in_bulk(
                    missing
                )
            )
    tags = _thread_tags(threads.keys()) if threads else {}
    rows = [
        _entry(post, threads[post.thread_id], tags[post.thread_id])
        for post in sorted(posts, key=lambda post: post.pk)
        if post.thread_id in threads
    ]
    if not unread:
        # New posts: an upsert, as a thread's event of the same transaction, handed
        # over before them, may have indexed its first post already.
        Entry.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=_ENTRY_FIELDS,
        )
        return
    with transaction.atomic():
        Entry.objects.filter(kind__in=KINDS, object_id__in=post_ids)._raw_delete(
            Entry.objects.db
        )
        Entry.objects.bulk_create(rows, batch_size=BATCH)


def index_thread(thread_id):
    """Bring the rows of one thread's posts in line with the thread as it is now
    (renamed, moved, merged, split, retagged or gone)."""
    thread = Thread.objects.filter(pk=thread_id).first()
    with transaction.atomic():
        Entry.objects.filter(kind__in=KINDS, thread_id=thread_id).delete()
        if thread is None:
            return
        tags = _tags(thread)
        posts = _searchable(thread.posts.all()).order_by("number")
        Entry.objects.bulk_create(
            [_entry(post, thread, tags) for post in posts.iterator(chunk_size=BATCH)],
            batch_size=BATCH,
        )


def rebuild():
    """Every searchable post: the threads (and their tags) read once, the posts in
    batches in id order, each batch one INSERT."""
    threads = {
        thread.pk: thread
        for thread in Thread.objects.only("pk", "kind", "title", "community_id")
        .prefetch_related("tags")
        .iterator(chunk_size=BATCH * 4)
    }
    tags = {pk: _tags(thread) for pk, thread in threads.items()}
    posts = _searchable(Post.objects.all()).only(
        "pk", "thread_id", "number", "author_id", "body_html", "created_at"
    )
    count = 0
    rows = []
    for post in posts.order_by("pk").iterator(chunk_size=BATCH * 4):
        thread = threads.get(post.thread_id)
        if thread is None:
            continue
        rows.append(_entry(post, thread, tags[post.thread_id]))
        if len(rows) >= BATCH * 4:
            Entry.objects.bulk_create(rows, batch_size=BATCH)
            count += len(rows)
            rows = []
    Entry.objects.bulk_create(rows, batch_size=BATCH)
    return count + len(rows)


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


def index_events(events):
    """Reindex the posts and threads a commit's events name, the posts all at once
    (a group of new posts, `event.subject`, is not read again)."""
    post_ids = set()
    written = {}
    thread_ids = set()
    for event in events:
        kind, _sep, stream_id = event.stream.partition(":")
        family = event.type.partition(".")[0]
        payload = event.payload
        if kind == "thread" and family == "post":
            ids = set(_ids(payload, "id"))
            post_ids |= ids
            subject = getattr(event, "subject", None)
            if (
                event.type == "post.created"
                and isinstance(subject, Post)
                and ids == {subject.pk}
            ):
                written[subject.pk] = subject
            else:
                # Named by another event too: read as it is now.
                for pk in ids:
                    written.pop(pk, None)
        elif event.type in _THREAD_CHANGES and kind in ("thread", "community"):
            thread_ids |= set(_ids(payload, "id", "from", "into", "thread", "new"))
            if kind == "thread" and stream_id.isdigit():
                thread_ids.add(int(stream_id))
    index_posts(post_ids, written)
    for thread_id in sorted(thread_ids):
        index_thread(thread_id)


def readable(user):
    # Decided now on the post itself, whatever the index holds: one the reader may
    # read (their communities, not hidden threads), never deleted, hidden or removed.
    # A correlated EXISTS, so the cost follows the rows the words matched, not every
    # post the reader may read.
    posts = permissions.posts_visible_to(
        user, _searchable(Post.objects.filter(pk=OuterRef("object_id")))
    )
    return Q(Exists(posts))


def present(entries):
    threads = Thread.objects.select_related("community").in_bulk(
        {entry.thread_id for entry in entries}
    )
    # Direct conversations are named after their people, not their stored title.
    names = direct_queries.conversation_names(
        {
            thread.community_id
            for thread in threads.values()
            if thread.community.kind == Community.Kind.DIRECT
        }
    )
    shown = []
    for entry in entries:
        thread = threads.get(entry.thread_id)
        if thread is None:
            continue
        entry.thread = thread
        if thread.community_id in names:
            entry.title = names[thread.community_id]
            entry.context = _("Direct messages")
            entry.context_url = reverse("community:direct-list")
        else:
            entry.context = thread.community.name
            entry.context_url = thread.community.get_absolute_url()
        if entry.kind == Entry.Kind.THREAD:
            entry.url = thread.get_absolute_url()
        else:
            entry.url = reverse("community:post-permalink", args=[entry.object_id])
        shown.append(entry)
    return shown


SOURCE = Source(
    name="conversation",
    kinds={
        Entry.Kind.THREAD: (
            _("Discussions"),
            ("threads", "discussion", "discussione", "discussioni"),
        ),
        Entry.Kind.POST: (
            _("Replies"),
            ("posts", "reply", "replies", "risposta", "risposte"),
        ),
        Entry.Kind.MESSAGE: (_("Room messages"), ("messages", "messaggio", "messaggi")),
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=10,
)
