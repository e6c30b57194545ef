"""Turn committed live events into notifications (live's after-commit subscriber).

Community and workspaces never import this app: they record their events as they
always do (`post.created` with the people a text mentions, `member.*` on the person's
`user:<id>` stream, `post.hidden`), and this subscriber reads them. Each recipient is
checked against the content apps' permissions before anything is stored."""

import logging

from community.models import Community, Post, Thread, User
from live.events import register_subscriber, stream_kind

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


def notify(event):
    entries = notifications_for(event)
    if entries:
        services.notifications_create(entries)


def register():
    register_subscriber(notify)
