"""Turn committed live events into notifications (live's after-commit subscriber).

Community and workspaces never import this app: they record their events as they
always do (`post.created` with the people a text mentions, `member.*` on the person's
`user:<id>` stream, `post.hidden`), and this subscriber reads them. Each recipient is
checked against the content apps' permissions before anything is stored."""

import logging

from django.db.models import Min

from community import permissions
from community.models import Community, Post, Thread, User
from live.events import register_batch_subscriber, stream_kind

from . import services, visibility
from .models import Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# Membership events on the person's own stream, and what they are told.
_MEMBERSHIP_KINDS = {
    "member.invited": Kind.INVITATION,
    "member.approved": Kind.JOIN_APPROVED,
    "member.declined": Kind.JOIN_DECLINED,
    "member.role_changed": Kind.ROLE_CHANGED,
    "member.banned": Kind.MODERATION,
    "member.muted": Kind.MODERATION,
    "member.removed": Kind.MODERATION,
}


def _post(post_id):
    return Post.objects.select_related("thread__community").filter(pk=post_id).first()


def _post_created(event):
    # The writer's own post, loaded with its thread, when it handed it on (a group of
    # messages); else read once.
    post = getattr(event, "subject", None)
    if (
        post is None
        or not Post.thread.is_cached(post)
        or not Thread.community.is_cached(post.thread)
    ):
        post = _post(event.payload.get("id"))
    if post is None:
        return []
    author = post.author_id
    thread = post.thread
    wanted = {}  # recipient id -> kind; a mention wins over a reply
    if thread.kind == Thread.Kind.DISCUSSION and post.number > 1:
        earlier = set(
            Post.objects.filter(thread=thread, number__lt=post.number, is_deleted=False)
            .exclude(author=None)
            .values_list("author_id", flat=True)
            .distinct()
        )
        for person in earlier:
            wanted[person] = Kind.REPLY_POST
        if thread.author_id is not None:
            wanted[thread.author_id] = Kind.REPLY_THREAD
    for person in event.payload.get("mentions") or ():
        wanted[int(person)] = Kind.MENTION
    wanted.pop(author, None)
    if not wanted:
        return []
    people = User.objects.filter(pk__in=wanted, is_active=True)
    return [
        Notification(
            recipient=person,
            kind=wanted[person.pk],
            event_type=event.type,
            actor_id=author,
            post=post,
            thread=thread,
            community=thread.community,
        )
        for person in people
        if visibility.post_visible(person, post)
    ]


def _post_hidden(event):
    post = _post(event.payload.get("id"))
    if post is None or post.author_id is None or post.author_id == event.actor_id:
        return []
    return [
        Notification(
            recipient_id=post.author_id,
            kind=Kind.MODERATION,
            event_type=event.type,
            actor_id=event.actor_id,
            post=post,
            thread=post.thread,
            community=post.thread.community,
        )
    ]


def _membership(event):
    kind = _MEMBERSHIP_KINDS.get(event.type)
    recipient = int(event.stream.partition(":")[2])
    if kind is None or event.actor_id in (None, recipient):
        return []
    community_id = event.payload.get("community")
    if Community.objects.filter(
        pk=community_id, kind=Community.Kind.WORKSPACE
    ).exists():
        return []  # a workspace's discussion: its own participant events tell it
    return [
        Notification(
            recipient_id=recipient,
            kind=kind,
            event_type=event.type,
            actor_id=event.actor_id,
            community_id=event.payload.get("community"),
        )
    ]


# A workspace's participant events, and what the participant is told.
_WORKSPACE_KINDS = {
    "participant.joined": Kind.WORKSPACE_ADDED,
    "participant.role_changed": Kind.ROLE_CHANGED,
}


def _workspace(event):
    kind = _WORKSPACE_KINDS.get(event.type)
    recipient = event.payload.get("user")
    if kind is None or recipient is None or event.actor_id in (None, recipient):
        return []
    workspace_id = int(event.stream.partition(":")[2])
    person = User.objects.filter(pk=recipient, is_active=True).first()
    if person is None or not visibility.workspace_visible(person, workspace_id):
        return []
    return [
        Notification(
            recipient=person,
            kind=kind,
            event_type=event.type,
            actor_id=event.actor_id,
            workspace_id_ref=workspace_id,
        )
    ]


def notifications_for(event):
    """The unsaved notifications one committed event gives rise to."""
    kind = stream_kind(event.stream)
    if kind == "thread" and event.type == "post.created":
        return _post_created(event)
    if kind == "thread" and event.type == "post.hidden":
        return _post_hidden(event)
    if kind == "user" and event.type.startswith("member."):
        return _membership(event)
    if kind == "workspace" and event.type.startswith("participant."):
        return _workspace(event)
    return []


def _loaded(post):
    return Post.thread.is_cached(post) and Thread.community.is_cached(post.thread)


def _posts_created(events):
    """The notifications of a commit's `post.created` events, in event order: each
    thread's earlier posters read once for the group, the recipients once, and each
    recipient's right to read a thread checked once per thread."""
    posts = [getattr(event, "subject", None) for event in events]
    missing = [
        event.payload.get("id")
        for event, post in zip(events, posts, strict=True)
        if post is None or not _loaded(post)
    ]
    if missing:
        # The writer's own posts, loaded with their threads, when it handed them on (a
        # group of messages); the others read in one query.
        read = Post.objects.select_related("thread__community").in_bulk(missing)
        posts = [
            post
            if post is not None and _loaded(post)
            else read.get(event.payload.get("id"))
            for event, post in zip(events, posts, strict=True)
        ]
    # Each discussion's posters before the group's last post, with their first post.
    upto = {}
    for post in posts:
        if (
            post is not None
            and post.thread.kind == Thread.Kind.DISCUSSION
            and post.number > 1
        ):
            upto[post.thread_id] = max(upto.get(post.thread_id, 0), post.number)
    first = {}  # thread id -> {author id: their first live post's number}
    if upto:
        rows = (
            Post.objects.filter(thread_id__in=upto, is_deleted=False)
            .exclude(author=None)
            .order_by()
            .values("thread_id", "author_id")
            .annotate(first=Min("number"))
        )
        for row in rows:
            if row["first"] < upto[row["thread_id"]]:
                first.setdefault(row["thread_id"], {})[row["author_id"]] = row["first"]
    wanted = []  # per post: recipient id -> kind; a mention wins over a reply
    for event, post in zip(events, posts, strict=True):
        kinds = {}
        if post is not None:
            thread = post.thread
            if thread.kind == Thread.Kind.DISCUSSION and post.number > 1:
                for person, number in first.get(thread.pk, {}).items():
                    if number < post.number:
                        kinds[person] = Kind.REPLY_POST
                if thread.author_id is not None:
                    kinds[thread.author_id] = Kind.REPLY_THREAD
            for person in event.payload.get("mentions") or ():
                kinds[int(person)] = Kind.MENTION
            kinds.pop(post.author_id, None)
        wanted.append(kinds)
    everyone = set().union(*wanted)
    if not everyone:
        return []
    people = User.objects.filter(pk__in=everyone, is_active=True).in_bulk()
    readable = {}  # (recipient id, thread id) -> may read the thread
    entries = []
    for event, post, kinds in zip(events, posts, wanted, strict=True):
        if not kinds:
            continue
        thread = post.thread
        for person in sorted((people[pk] for pk in kinds if pk in people), key=_pk):
            if post.is_deleted:
                continue
            if post.is_hidden and not permissions.can_see_hidden_post(person, post):
                continue
            key = (person.pk, thread.pk)
            if key not in readable:
                readable[key] = permissions.can_read_thread(person, thread)
            if not readable[key]:
                continue
            entries.append(
                Notification(
                    recipient=person,
                    kind=kinds[person.pk],
                    event_type=event.type,
                    actor_id=post.author_id,
                    post=post,
                    thread=thread,
                    community=thread.community,
                )
            )
    return entries


def _posts_created_logged(events):
    try:
        return _posts_created(events)
    except Exception:
        logger.exception("notifications: failed for %s", events)
        return []


def _pk(person):
    return person.pk


def notify(events):
    """live's batch subscriber: a commit's events become their notifications, stored in
    one go (a group of posts at once rather than one by one)."""
    entries = []
    posts = []
    for event in events:
        if stream_kind(event.stream) == "thread" and event.type == "post.created":
            posts.append(event)
            continue
        if posts:
            entries.extend(_posts_created_logged(posts))
            posts = []
        try:
            entries.extend(notifications_for(event))
        except Exception:
            logger.exception("notifications: failed for %s", event)
    if posts:
        entries.extend(_posts_created_logged(posts))
    if entries:
        services.notifications_create(entries)


def register():
    register_batch_subscriber(notify)
