"""Write services for moderators: sanctions on members, thread tools, hiding posts.

Every change of who may read or write goes through here (the admin's actions too), so
each one records its events and ends the live subscriptions it revokes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import (
    AuditEntry,
    Membership,
    ModerationNotice,
    Post,
    ReviewItem,
    Thread,
)
from .answers import answer_withdraw
from .audit import audit_record
from .memberships import members_recount, membership_locked, record_membership_event
from .threads import record_post_event

__all__ = [
    "clean_hide_reason",
    "post_hidden_set",
    "membership_ban",
    "membership_mute",
    "membership_remove",
    "membership_unban",
    "membership_unmute",
    "membership_warn",
    "post_hide",
    "post_unhide",
    "thread_lock",
    "thread_pin",
    "thread_unlock",
    "thread_unpin",
]

State = Membership.State
Action = AuditEntry.Action

HIDE_REASON_MAX_LENGTH = Post._meta.get_field("hidden_reason").max_length


# --- sanctions on members --------------------------------------------------------------


def _audit_member(actor, row, action, reason, until=None):
    audit_record(
        actor=actor,
        community=row.community,
        action=action,
        member=row.user,
        reason=reason,
        until=until,
    )


def _sanction(actor, membership, states, apply):
    """Lock the row, check the rule on its current state, `apply(row)`; return it.
    `apply` writes the audit entry (it knows whether anything changed)."""
    community = membership.community
    with transaction.atomic():
        row = membership_locked(membership.user, community)
        if row is None or row.state not in states:
            raise ValidationError(_("This person's membership has changed meanwhile."))
        row.community = community
        # Decided on the locked rows: the actor may have been demoted meanwhile.
        with permissions.fresh():
            permissions.require_sanction_member(actor, row)
        apply(row)
    return row


def membership_ban(*, actor, membership, reason=""):
    """Ban the person from the community: they can no longer join, ask or post, and a
    restricted or private community disappears from their view.

    Moderators ban members, people who asked to join and invitees; owners and staff
    also ban moderators (`permissions.can_sanction_member`), else PermissionDenied.
    Emits `member.banned` (and `member.left` on the community's stream when they were
    a member); the person's live subscriptions are re-checked at once.
    """

    def ban(row):
        was_member = row.is_active
        row.state = State.BANNED
        row.role = Membership.Role.MEMBER
        row.muted_until = None
        row.save(update_fields=["state", "role", "muted_until", "updated_at"])
        if was_member:
            members_recount(row.community)
        record_membership_event(row, "member.banned", actor, listed=was_member)
        _audit_member(actor, row, Action.MEMBER_BANNED, reason)
        # The person is told (with the reason) in "My reports and notices".
        ModerationNotice.objects.create(
            user=row.user,
            community=row.community,
            kind=ModerationNotice.Kind.BANNED,
            reason=reason,
        )

    return _sanction(
        actor, membership, (State.ACTIVE, State.PENDING, State.INVITED), ban
    )


def membership_unban(*, actor, membership, reason=""):
    """Lift a ban: the row goes, and the person may join or ask again.

    Owners and staff only (`permissions.can_lift_ban`), else PermissionDenied.
    Emits `member.unbanned`.
    """
    community = membership.community
    with transaction.atomic():
        row = membership_locked(membership.user, community)
        if row is None or row.state != State.BANNED:
            raise ValidationError(_("This person is not banned."))
        row.community = community
        with permissions.fresh():
            permissions.require_lift_ban(actor, row)
        record_membership_event(row, "member.unbanned", actor)
        _audit_member(actor, row, Action.MEMBER_UNBANNED, reason)
        row.delete()
    return row


def membership_remove(*, actor, membership, reason=""):
    """Remove an active member (they may join or ask again, unlike a ban).

    Same rule as a ban (`permissions.can_sanction_member`). Emits `member.removed`
    (`member.left` on the community's stream).
    """

    def remove(row):
        record_membership_event(row, "member.removed", actor)
        _audit_member(actor, row, Action.MEMBER_REMOVED, reason)
        row.delete()
        members_recount(row.community)

    return _sanction(actor, membership, (State.ACTIVE,), remove)


def membership_mute(*, actor, membership, until, reason="", post=None):
    """Keep an active member from posting until `until` (they still read).

    Same rule as a ban. ValidationError when `until` is not in the future.
    Emits `member.muted`; the member is told until when and why (about `post`, when
    the silence is a review decision on it).
    """
    if until is None or until <= timezone.now():
        raise ValidationError(_("A mute must end in the future."))

    def mute(row):
        row.muted_until = until
        row.save(update_fields=["muted_until", "updated_at"])
        record_membership_event(row, "member.muted", actor)
        _audit_member(actor, row, Action.MEMBER_SILENCED, reason, until=until)
        ModerationNotice.objects.create(
            user=row.user,
            community=row.community,
            kind=ModerationNotice.Kind.SILENCED,
            post_id_ref=post.pk if post is not None else None,
            reason=reason,
            until=until,
        )

    return _sanction(actor, membership, (State.ACTIVE,), mute)


def membership_unmute(*, actor, membership, reason=""):
    """Let a muted member post again at once. Same rule as a mute; emits `member.unmuted`."""

    def unmute(row):
        if row.muted_until is None:
            return
        row.muted_until = None
        row.save(update_fields=["muted_until", "updated_at"])
        record_membership_event(row, "member.unmuted", actor)
        _audit_member(actor, row, Action.MEMBER_UNSILENCED, reason)

    return _sanction(actor, membership, (State.ACTIVE,), unmute)


def membership_warn(*, actor, membership, reason):
    """Send an active member a private warning (not about one post: the review
    queue's "warn" is for that). Same rule as a mute; ValidationError without a
    reason or with one too long. Writes the audit entry and the member's notice;
    emits `member.warned` (the reason stays in the notice)."""
    reason = clean_hide_reason(reason)
    if not reason:
        raise ValidationError({"reason": _("Write the warning the member will read.")})

    def warn(row):
        _audit_member(actor, row, Action.MEMBER_WARNED, reason)
        record_membership_event(row, "member.warned", actor, listed=False)
        ModerationNotice.objects.create(
            user=row.user,
            community=row.community,
            kind=ModerationNotice.Kind.WARNING,
            reason=reason,
        )

    return _sanction(actor, membership, (State.ACTIVE,), warn)


# --- thread tools ----------------------------------------------------------------------


def _thread_set(actor, thread, field, value, type):
    """Set a moderator's flag on a thread; record `type` on its stream if it changed."""
    if field == "is_locked":
        permissions.require_lock_thread(actor, thread)
    else:
        permissions.require_pin_thread(actor, thread)
    with transaction.atomic():
        changed = (
            Thread.objects.filter(pk=thread.pk)
            .exclude(**{field: value})
            .update(**{field: value})
        )
        setattr(thread, field, value)
        if changed:
            audit_record(
                actor=actor, community=thread.community, action=type, thread=thread
            )
            event_record(
                stream=stream_name("thread", thread.pk),
                type=type,
                payload=payloads.thread_data(thread),
                actor=actor,
            )
    return thread


def thread_lock(*, actor, thread):
    """Lock a thread or room: only moderators write in it from now on.

    Moderators and staff (`permissions.can_lock_thread`), else PermissionDenied.
    Emits `thread.locked` on `thread:<id>` (nothing when it was locked already).
    """
    return _thread_set(actor, thread, "is_locked", True, "thread.locked")


def thread_unlock(*, actor, thread):
    """Open a locked thread again. Same rule as `thread_lock`; emits `thread.unlocked`."""
    return _thread_set(actor, thread, "is_locked", False, "thread.unlocked")


def thread_pin(*, actor, thread):
    """Keep a thread at the top of its community's list.

    Moderators and staff (`permissions.can_pin_thread`), else PermissionDenied.
    Emits `thread.pinned`.
    """
    return _thread_set(actor, thread, "is_pinned", True, "thread.pinned")


def thread_unpin(*, actor, thread):
    """Let a pinned thread take its place by activity again; emits `thread.unpinned`."""
    return _thread_set(actor, thread, "is_pinned", False, "thread.unpinned")


# --- hiding posts ----------------------------------------------------------------------


def clean_hide_reason(reason):
    reason = " ".join((reason or "").split())
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("The reason is too long: at most %(limit)d characters.")
                % {"limit": HIDE_REASON_MAX_LENGTH}
            }
        )
    return reason


def _post_locked(post):
    """`post`'s row as it is now, locked (two moderators hiding it at once write
    one entry: the second finds it hidden)."""
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("thread__community", "author")
        .get(pk=post.pk)
    )


def _copy_hidden(locked, post):
    for field in ("is_hidden", "hidden_by_id", "hidden_reason"):
        setattr(post, field, getattr(locked, field))


def _open_items_follow(post, actor):
    """Open review items of `post` stop counting it as hidden by reports; the
    queues (`moderation:<id>`, staff's `review:1`) refetch."""
    items = list(
        ReviewItem.objects.select_for_update()
        .filter(post=post, status=ReviewItem.Status.OPEN, hidden_by_reports=True)
        .values_list("pk", "community_id")
    )
    if not items:
        return
    ReviewItem.objects.filter(pk__in=[pk for pk, _community in items]).update(
        hidden_by_reports=False
    )
    for pk, community_id in items:
        payload = {"item": pk, "community": community_id}
        for stream in (stream_name("moderation", community_id), stream_name("review", 1)):
            event_record(stream=stream, type="review.updated", payload=payload, actor=actor)


def post_hidden_set(post, *, actor, hidden, reason="", action=None, audit_reason=None):
    """Hide or show `post` on every page, catch-up and live socket (the one path for
    moderators and for the report threshold); the caller holds a transaction and has
    checked the rule. `actor` None: the community's members' reports hid it. Writes
    the audit entry (`action`, by default hidden or shown; its reason `audit_reason`
    when given, a code its reader's language turns into words, else `reason`) and
    `post.hidden` / `post.unhidden` on the thread's stream."""
    post.is_hidden = hidden
    post.hidden_by = actor if hidden else None
    post.hidden_reason = reason if hidden else ""
    post.save(update_fields=["is_hidden", "hidden_by", "hidden_reason"])
    record_post_event(post, "post.hidden" if hidden else "post.unhidden", actor)
    if hidden:
        answer_withdraw(post, actor=actor)
    audit_record(
        actor=actor,
        community=post.thread.community,
        action=action or (Action.POST_HIDDEN if hidden else Action.POST_UNHIDDEN),
        post=post,
        reason=reason if audit_reason is None else audit_reason,
    )


def post_hide(*, actor, post, reason=""):
    """Hide a post from everyone: a placeholder takes its place on every page and in
    every catch-up (its earlier events are rewritten in the same transaction).

    Moderators and staff (`permissions.can_hide_post`), else PermissionDenied.
    ValidationError for a reason over 300 characters. Emits `post.hidden`.
    """
    permissions.require_hide_post(actor, post)
    reason = clean_hide_reason(reason)
    with transaction.atomic():
        locked = _post_locked(post)
        if not locked.is_hidden:
            post_hidden_set(locked, actor=actor, hidden=True, reason=reason)
            # A moderator's hand overrides the reports': an open item no longer
            # says "hidden pending review" (and dismissing it leaves this hide).
            _open_items_follow(locked, actor)
    _copy_hidden(locked, post)
    return post


def post_unhide(*, actor, post, reason=""):
    """Show a hidden post again. Same rule as `post_hide`; emits `post.unhidden`."""
    permissions.require_hide_post(actor, post)
    with transaction.atomic():
        locked = _post_locked(post)
        if locked.is_hidden:
            post_hidden_set(locked, actor=actor, hidden=False, reason=reason)
            _open_items_follow(locked, actor)
    _copy_hidden(locked, post)
    return post
