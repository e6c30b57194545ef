"""Accepted answers: a question's author or a moderator marks the reply that solves it
("Solved" on the thread and on lists), or takes the mark back."""

from django.db import transaction

from live.events import event_record, stream_name

from .. import permissions
from ..models import AuditEntry, Post, Thread
from .audit import audit_record

__all__ = ["answer_accept", "answer_clear", "answer_data", "answer_withdraw"]


def answer_data(thread, post):
    """The payload of `thread.answered`: the thread and its accepted answer (None when
    the mark was taken back)."""
    return {
        "id": thread.pk,
        "answer": post.pk if post is not None else None,
        "number": post.number if post is not None else None,
    }


def _record(*, actor, thread, post, action, answer):
    """Record the event (`answer`: the accepted post now, or None) and, for a
    moderator acting on someone else's question, the audit entry naming `post`."""
    event_record(
        stream=stream_name("thread", thread.pk),
        type="thread.answered",
        payload=answer_data(thread, answer),
        actor=actor,
    )
    # The author deciding about their own question is their business; a moderator
    # deciding for them leaves a trace in the community's audit log.
    if thread.author_id != actor.pk:
        audit_record(
            actor=actor,
            community=thread.community,
            action=action,
            thread=thread,
            post=post,
        )


def answer_accept(*, actor, post):
    """Mark `post` as the accepted answer of its question thread; return the thread.

    Callers: the question's author or a moderator (`permissions.can_accept_answer`),
    else PermissionDenied. Replaces an earlier mark. Emits `thread.answered` on
    `thread:<id>`; audited when a moderator marks someone else's question.
    """
    permissions.require_accept_answer(actor, post)
    thread = post.thread
    with transaction.atomic():
        row = Thread.objects.select_for_update().only("id", "accepted_answer_id").get(
            pk=thread.pk
        )
        if row.accepted_answer_id == post.pk:
            return thread
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=post)
        thread.accepted_answer = post
        _record(
            actor=actor,
            thread=thread,
            post=post,
            action=AuditEntry.Action.ANSWER_ACCEPTED,
            answer=post,
        )
    return thread


def answer_clear(*, actor, thread):
    """Take back the accepted answer of `thread`; return the thread.

    Callers: the question's author or a moderator (`permissions.can_mark_answers`),
    else PermissionDenied. Emits `thread.answered` (with no answer) on `thread:<id>`
    when there was one; audited when a moderator acts on someone else's question.
    """
    permissions.require_mark_answers(actor, thread)
    with transaction.atomic():
        row = Thread.objects.select_for_update().only("id", "accepted_answer_id").get(
            pk=thread.pk
        )
        if row.accepted_answer_id is None:
            return thread
        previous = Post.objects.select_related("author").get(pk=row.accepted_answer_id)
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
        thread.accepted_answer = None
        previous.thread = thread
        _record(
            actor=actor,
            thread=thread,
            post=previous,
            action=AuditEntry.Action.ANSWER_CLEARED,
            answer=None,
        )
    return thread


def answer_withdraw(post, *, actor):
    """`post` was just hidden or deleted: when it was its question's accepted answer,
    the question is unsolved again (lists stop saying "Solved"), and `thread.answered`
    tells open pages; its author or a moderator may accept an answer again. The
    caller holds the transaction; one UPDATE, an event only when it was the answer."""
    if not Thread.objects.filter(pk=post.thread_id, accepted_answer=post).update(
        accepted_answer=None
    ):
        return
    thread = post.thread
    thread.accepted_answer = None
    event_record(
        stream=stream_name("thread", thread.pk),
        type="thread.answered",
        payload=answer_data(thread, None),
        actor=actor,
    )
