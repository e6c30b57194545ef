"""Read positions: how far each person has read each thread and room, recorded in one
statement whatever the number of rows (private bookkeeping: never an event).

Every write here is one `INSERT ... ON CONFLICT (user, thread) DO UPDATE` that only
moves a position forward, so two tabs, a page view and a live mark can race
harmlessly: the highest number wins. The same statement sets a blank level (the
person never chose one) to "watching" when they post in a discussion (auto-watch).
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import NotificationLevel, ReadPosition, Thread

__all__ = [
    "community_mark_read",
    "positions_advance",
    "read_mark",
    "thread_page_read",
    "threads_mark_read",
]


def _table():
    return connection.ops.quote_name(ReadPosition._meta.db_table)


def _on_conflict(table):
    """The upsert's tail: a position only moves forward; a blank level takes the
    new row's level (auto-watch), a chosen one stays (muted stays muted)."""
    return (
        " ON CONFLICT (user_id, thread_id) DO UPDATE SET"
        f" last_read_number = CASE WHEN excluded.last_read_number >"
        f" {table}.last_read_number THEN excluded.last_read_number"
        f" ELSE {table}.last_read_number END,"
        f" level = CASE WHEN {table}.level = '' THEN excluded.level"
        f" ELSE {table}.level END,"
        " updated_at = excluded.updated_at"
        f" WHERE excluded.last_read_number > {table}.last_read_number"
        f" OR ({table}.level = '' AND excluded.level <> '')"
    )


def positions_advance(rows):
    """Move read positions forward in one statement: `rows` are (user id, thread id,
    post number, level to set if none was chosen: "watching" or ""). Several rows of
    one person and thread keep the highest number. Callers check permissions; the
    posting services call it inside their transaction (one statement per group).
    """
    best = {}
    for user_id, thread_id, number, level in rows:
        key = (user_id, thread_id)
        old_number, old_level = best.get(key, (0, ""))
        best[key] = (max(number, old_number), old_level or level)
    if not best:
        return
    table = _table()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(best))
    params = []
    for (user_id, thread_id), (number, level) in best.items():
        params += [user_id, thread_id, number, level, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_number, level,"
            f" updated_at) VALUES {values}" + _on_conflict(table),
            params,
        )


def thread_page_read(user, thread, number):
    """Record that `user` saw `thread` up to post `number` on its page (the highest
    number shown): one statement, and only when it moves the position forward, as
    far as the page knows (`thread.reader_position`, read with the thread).

    Callers: the thread page, for signed-in readers (`permissions.can_mark_read`,
    which reading the page implies). Returns the position before the visit (0 when
    the thread was never opened).
    """
    position = getattr(thread, "reader_position", None)
    before = position.last_read_number if position is not None else 0
    if user.is_authenticated and number > before:
        positions_advance([(user.pk, thread.pk, number, "")])
    return before


def read_mark(*, user, thread, number):
    """Record that `user` has seen `thread` (a room or a discussion) up to post
    `number`; return the position now.

    Callers: signed-in people who may read the thread (`permissions.can_mark_read`),
    else PermissionDenied: room.js and thread_live.js while new posts arrive on a
    visible page, and the "mark as read" forms. The position never moves backwards
    and never passes the last post; a number that is not a positive whole number
    raises ValidationError. No event.
    """
    permissions.require_mark_read(user, thread)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValidationError(_("No such message."), code="invalid")
    threads = Thread.objects.filter(pk=thread.pk)
    _mark_read_up_to_now(user, threads, cap=number)
    return (
        ReadPosition.objects.filter(user=user, thread=thread)
        .values_list("last_read_number", flat=True)
        .first()
        or 0
    )


def _mark_read_up_to_now(user, threads, *, cap=None):
    """Every thread of the queryset `threads` read by `user` up to its last post (or
    up to `cap`), in one INSERT ... SELECT."""
    rows = threads.filter(post_count__gt=0).order_by().values("pk", "post_count")
    sql, params = rows.query.sql_with_params()
    table = _table()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    number = "chosen.post_count"
    head = [user.pk]
    if cap is not None:
        number = "CASE WHEN chosen.post_count < %s THEN chosen.post_count ELSE %s END"
        head += [cap, cap]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_number, level,"
            f" updated_at) SELECT %s, chosen.pk, {number}, '', %s"
            f" FROM ({sql}) chosen WHERE true" + _on_conflict(table),
            [*head, now, *params],
        )


def threads_mark_read(*, user, threads):
    """Mark the threads and rooms of the queryset `threads` read up to now (the
    unread view's "dismiss"), in one statement. Callers pass a queryset already
    limited to what `user` may read (`queries.unread`)."""
    if not user.is_authenticated:
        return
    _mark_read_up_to_now(user, threads)


def community_mark_read(*, actor, community):
    """Mark every thread and room of `community` that `actor` may read as read up to
    now, in one statement.

    Callers: active members (`permissions.can_set_community_level`: whoever follows
    the community), else PermissionDenied. No event.
    """
    permissions.require_set_community_level(actor, community)
    _mark_read_up_to_now(
        actor, permissions.threads_visible_to(actor).filter(community=community)
    )


# The level a new post gives its author's position when they never chose one.
AUTO_WATCH = {
    Thread.Kind.DISCUSSION: NotificationLevel.WATCHING,
    Thread.Kind.ROOM: "",  # rooms are chat: unread counts, no alerts
}
