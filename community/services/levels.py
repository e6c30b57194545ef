"""Notification levels: how closely a person follows a thread, a room or a community
(watching, tracking, muted). Private choices: no event, no audit entry.

The notifications app reads them (`ReadPosition.level`, `Membership.level`) to decide
who is told; the unread view leaves muted ones out.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Membership, NotificationLevel, ReadPosition, Thread

__all__ = [
    "community_level_set",
    "level_clean",
    "room_level_set",
    "thread_level_set",
]


def level_clean(level):
    """`level` as a NotificationLevel, else ValidationError keyed by `level`."""
    try:
        return NotificationLevel(level)
    except ValueError:
        raise ValidationError(
            {"level": _("Choose watching, tracking or muted.")}, code="invalid"
        ) from None


def _position_level_set(user, thread, level):
    """One upsert: the person's level on `thread`, their read position kept."""
    table = connection.ops.quote_name(ReadPosition._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_number, level,"
            " updated_at) VALUES (%s, %s, 0, %s, %s) ON CONFLICT (user_id, thread_id)"
            " DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at",
            [user.pk, thread.pk, level, now],
        )


def thread_level_set(*, actor, thread, level):
    """Set how closely `actor` follows the discussion `thread`: "watching" (told of
    every new post), "tracking" (unread counts; told of mentions and replies) or
    "muted" (nothing, not even in the unread view). A choice stays: replying no
    longer changes it.

    Callers: signed-in readers of the thread, members or not, unless banned from its
    community (`permissions.can_set_thread_level`), else PermissionDenied; an
    unknown level raises ValidationError. No event.
    """
    permissions.require_set_thread_level(actor, thread)
    level = level_clean(level)
    _position_level_set(actor, thread, level)
    return level


def room_level_set(*, actor, room, level):
    """Set how closely `actor` follows the chat room `room`: as `thread_level_set`
    (posting in a room never changes it: rooms are chat, with unread counts and no
    alerts unless one is watching or mentioned)."""
    if room.kind != Thread.Kind.ROOM:
        raise ValidationError(_("This is not a room."), code="invalid")
    return thread_level_set(actor=actor, thread=room, level=level)


def community_level_set(*, actor, community, level):
    """Set how closely `actor` follows `community` (a workspace's discussion for
    workspaces): "watching" (told of every new thread), "tracking" (the default) or
    "muted" (its threads and rooms leave the unread view and tell nothing, unless
    the person chose a level for one of them).

    Callers: active members (`permissions.can_set_community_level`), else
    PermissionDenied; an unknown level raises ValidationError. No event.
    """
    permissions.require_set_community_level(actor, community)
    level = level_clean(level)
    Membership.objects.filter(
        user=actor, community=community, state=Membership.State.ACTIVE
    ).update(level=level, updated_at=timezone.now())
    permissions.membership_changed(Membership(user=actor, community=community))
    return level
