"""The audit log's one writer: every moderation service calls `audit_record` inside
its own transaction, so an action and its entry are committed (or undone) together."""

from django.utils.text import Truncator

from ..models import AuditEntry

__all__ = ["audit_record", "member_label", "post_label", "thread_label"]

LABEL_MAX_LENGTH = AuditEntry._meta.get_field("target_label").max_length
REASON_MAX_LENGTH = AuditEntry._meta.get_field("reason").max_length


def member_label(user):
    return f"{user.name} (@{user.username})"


def thread_label(thread):
    return thread.title


def post_label(post):
    """The author and the start of the thread's title: enough to recognise the post
    without copying its text into a log that outlives a hide."""
    author = post.author.name if post.author_id else "?"
    return f"#{post.pk} · {author} · {post.thread.title}"


def audit_record(
    *,
    actor,
    community,
    action,
    member=None,
    thread=None,
    post=None,
    reason="",
    until=None,
    label=None,
):
    """Write one entry. The label names the post, else the thread, else the member
    (or is `label`, for an entry about the community itself)."""
    if post is not None:
        thread = post.thread
        member = member if member is not None else post.author
    if label is None:
        if post is not None:
            label = post_label(post)
        elif thread is not None:
            label = thread_label(thread)
        else:
            label = member_label(member)
    return AuditEntry.objects.create(
        community=community,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        member=member,
        thread_id_ref=thread.pk if thread is not None else None,
        post_id_ref=post.pk if post is not None else None,
        target_label=Truncator(label).chars(LABEL_MAX_LENGTH),
        reason=Truncator(" ".join((reason or "").split())).chars(REASON_MAX_LENGTH),
        until=until,
    )
