"""Notification actions: storing them from committed events, marking them read."""

import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from live.events import event_record_many, stream_name

from . import tasks
from .models import Notification

# The columns an entry writes, in the upsert's order.
_COLUMNS = (
    "recipient_id",
    "kind",
    "event_type",
    "actor_id",
    "post_id",
    "thread_id",
    "community_id",
    "workspace_id_ref",
    "item_ref",
    "detail",
    "count",
    "unread_key",
    "created_at",
    "updated_at",
)
# Kinds coalesced per thread: their row is inserted by the first unseen post and
# never rewritten (count and latest poster are read from the thread at display).
_THREAD_KINDS = (
    Notification.Kind.WATCHING,
    Notification.Kind.REPLY_THREAD,
    Notification.Kind.DIRECT,
)
# What a coalesced document row takes from the newest news (the count adds up).
_UPDATED = ("kind", "event_type", "actor_id", "post_id", "updated_at")
# Rows a statement writes at most (SQLite's bound on variables: 32766).
_CHUNK = 1000


@dataclass(slots=True)
class Entry:
    """One notification to store: plain ids and facts (no model instances, cheap to
    make by the hundred). An entry with `unread_key` joins the recipient's unread row
    of that key when there is one (its count grows, the rest is the newest), else
    starts it."""

    recipient_id: int
    kind: str
    event_type: str = ""
    actor_id: int | None = None
    post_id: int | None = None
    thread_id: int | None = None
    community_id: int | None = None
    workspace_id_ref: int | None = None
    item_ref: int | None = None
    detail: str = ""
    count: int = 1
    unread_key: str | None = None


def _gathered(entries):
    """Self-notifications dropped, and entries of one (recipient, key) gathered (one
    statement may not touch a row twice): a thread's (`_THREAD_KINDS`) keeps the
    first, as the row it starts never changes; documents are summed into the last."""
    keyed = {}
    out = []
    for entry in entries:
        if entry.actor_id is not None and entry.actor_id == entry.recipient_id:
            continue
        if entry.unread_key is None:
            out.append(entry)
            continue
        key = (entry.recipient_id, entry.unread_key)
        earlier = keyed.get(key)
        if earlier is None:
            keyed[key] = entry
            out.append(entry)
            continue
        if earlier.kind in _THREAD_KINDS:
            continue
        earlier.count += entry.count
        for name in ("kind", "event_type", "actor_id", "post_id"):
            setattr(earlier, name, getattr(entry, name))
    return out


def _returning():
    return connection.vendor != "sqlite" or sqlite3.sqlite_version_info >= (3, 35)


def _upsert(entries, now):
    """Write `entries` with one statement per _CHUNK rows and kind of conflict; return
    (id, recipient id, kind) of the rows it *created*. An entry whose unread row
    exists already: a thread's leaves it as it is (DO NOTHING), a document's counts it
    up in place (neither is among the created)."""
    counted = [e for e in entries if e.unread_key and e.kind not in _THREAD_KINDS]
    others = [e for e in entries if not (e.unread_key and e.kind not in _THREAD_KINDS)]
    created = []
    if others:
        created.extend(_insert(others, now, update=False))
    if counted:
        created.extend(_insert(counted, now, update=True))
    return created


def _insert(entries, now, *, update):
    table = connection.ops.quote_name(Notification._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = ", ".join(_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    if update:
        updates = ", ".join(
            [f"count = {table}.count + excluded.count"]
            + [f"{name} = excluded.{name}" for name in _UPDATED]
        )
        conflict = f"ON CONFLICT (recipient_id, unread_key) DO UPDATE SET {updates}"
    else:
        conflict = "ON CONFLICT (recipient_id, unread_key) DO NOTHING"
    returning = _returning()
    created = []
    for start in range(0, len(entries), _CHUNK):
        chunk = entries[start : start + _CHUNK]
        params = []
        for entry in chunk:
            params.extend(
                (
                    entry.recipient_id,
                    entry.kind,
                    entry.event_type,
                    entry.actor_id,
                    entry.post_id,
                    entry.thread_id,
                    entry.community_id,
                    entry.workspace_id_ref,
                    entry.item_ref,
                    entry.detail,
                    entry.count,
                    entry.unread_key,
                    stamp,
                    stamp,
                )
            )
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "
            f"{conflict}"
        )
        with connection.cursor() as cursor:
            if not returning:
                # SQLite before 3.35: no RETURNING; every recipient is told.
                cursor.execute(sql, params)
                created.extend((None, e.recipient_id, e.kind) for e in chunk)
                continue
            if not update:
                # DO NOTHING returns the rows it inserted, and only those.
                cursor.execute(sql + " RETURNING id, recipient_id, kind", params)
                created.extend(cursor.fetchall())
                continue
            cursor.execute(sql + " RETURNING id, recipient_id, kind, count", params)
            # A row whose count is the one written was created by this statement
            # (a coalesced row updated in place counts more).
            for (pk, recipient, kind, count), entry in zip(
                cursor.fetchall(), chunk, strict=True
            ):
                if count == entry.count:
                    created.append((pk, recipient, kind))
    return created


def notifications_store(entries):
    """Store `entries` (a list of Entry): new rows, or coalesced ones counted up in
    place; then tell each recipient who got a *new* row on their `user:<id>` stream
    (`notification.created`, ids only, one write per such recipient), so their bell
    counts it live. A coalesced notification counted up sends nothing: the unread
    count did not change.

    Self-notifications are dropped here, whoever builds the entries. Returns the
    number of rows created."""
    entries = _gathered(entries)
    if not entries:
        return 0
    # One statement (a chunk of a thousand rows at most) is atomic on its own: a
    # transaction is opened only when there is something to announce, so a busy
    # watched thread costs one round trip, not three.
    with transaction.atomic() if len(entries) > _CHUNK else nullcontext():
        now = timezone.now()
        created = _upsert(entries, now)
    told = {}
    for pk, recipient, kind in created:
        told.setdefault(recipient, []).append(
            ("notification.created", {"id": pk, "kind": kind}, None)
        )
    if told:
        with transaction.atomic():
            for recipient, events in told.items():
                event_record_many(stream=stream_name("user", recipient), entries=events)
            # E-mail for those still unread by someone away, at their due time.
            tasks.schedule_emails(created, now)
    return len(created)


def _frozen():
    """What a coalesced row keeps once read: the posts since it began and the thread's
    last poster (display reads them from the thread only while it is unread)."""
    from django.db.models import (
        BigIntegerField,
        Case,
        ExpressionWrapper,
        F,
        OuterRef,
        Subquery,
        When,
    )
    from django.db.models.functions import Coalesce

    from community.models import Post, Thread

    thread = Thread.objects.filter(pk=OuterRef("thread_id"))
    began = Subquery(Post.objects.filter(pk=OuterRef("post_id")).values("number")[:1])
    coalesced = {"kind__in": _THREAD_KINDS, "post__isnull": False}
    return {
        "count": Case(
            When(
                **coalesced,
                then=ExpressionWrapper(
                    Subquery(thread.values("post_count")[:1]) - began + 1,
                    output_field=Notification._meta.get_field("count"),
                ),
            ),
            default=F("count"),
        ),
        "actor_id": Case(
            When(
                **coalesced,
                then=Coalesce(
                    Subquery(thread.values("last_poster_id")[:1]),
                    F("actor_id"),
                    output_field=BigIntegerField(),
                ),
            ),
            default=F("actor_id"),
            output_field=BigIntegerField(),
        ),
    }


def notification_mark_read(*, actor, notification):
    """Mark one of `actor`'s notifications read (someone else's: nothing changes);
    a coalesced one stops gathering, so the next news starts a new one."""
    return bool(
        Notification.objects.filter(
            pk=notification.pk, recipient_id=actor.pk, read_at__isnull=True
        ).update(read_at=timezone.now(), unread_key=None, **_frozen())
    )


def notifications_mark_all_read(*, actor):
    """Mark every unread notification of `actor` read; returns how many."""
    return Notification.objects.filter(
        recipient_id=actor.pk, read_at__isnull=True
    ).update(read_at=timezone.now(), unread_key=None, **_frozen())


def thread_notifications_settle(*, thread_id, first_number, recipient_ids):
    """Close the unread rows of `thread_id` that `recipient_ids` settled by reading to
    its last post before post `first_number` arrived (the subscriber found them), so
    that post starts a new row: marked read, keeping the posts up to that one and
    their last poster. One statement, only when someone had caught up."""
    from django.db.models import ExpressionWrapper, OuterRef, Subquery, Value

    from community.models import Post

    if not recipient_ids:
        return 0
    before = Post.objects.filter(thread_id=thread_id, number=first_number - 1)
    return Notification.objects.filter(
        recipient_id__in=recipient_ids,
        unread_key=f"thread:{thread_id}",
        read_at__isnull=True,
    ).update(
        read_at=timezone.now(),
        unread_key=None,
        count=ExpressionWrapper(
            Value(first_number)
            - Subquery(
                Post.objects.filter(pk=OuterRef("post_id")).values("number")[:1]
            ),
            output_field=Notification._meta.get_field("count"),
        ),
        actor_id=Subquery(before.values("author_id")[:1]),
    )


def due_tasks_notify(*, today):
    """Tell each assignee of an open task due today or tomorrow (`today` a date), once
    per task and due date: a task moved to another date is told again, a second run
    tells nobody twice. Only people still taking part in the task's workspace, not
    archived, are told. Returns how many were told."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef

    from workspaces.models import Participant, Task

    tasks = (
        Task.objects.filter(
            due_date__gte=today,
            due_date__lte=today + timedelta(days=1),
            assignee__is_active=True,
            workspace__archived_at__isnull=True,
        )
        .exclude(status=Task.Status.DONE)
        .filter(
            Exists(
                Participant.objects.filter(
                    user_id=OuterRef("assignee_id"),
                    workspace_id=OuterRef("workspace_id"),
                )
            )
        )
        .order_by("pk")
        .values_list("pk", "workspace_id", "assignee_id", "due_date")
    )
    entries = []
    for pk, workspace, assignee, due in tasks:
        entries.append(
            Entry(
                recipient_id=assignee,
                kind=Notification.Kind.TASK_DUE,
                event_type="task.due",
                workspace_id_ref=workspace,
                item_ref=pk,
                detail=due.isoformat(),
            )
        )
    if not entries:
        return 0
    already = set(
        Notification.objects.filter(
            kind=Notification.Kind.TASK_DUE, item_ref__in=[e.item_ref for e in entries]
        ).values_list("recipient_id", "item_ref", "detail")
    )
    return notifications_store(
        [e for e in entries if (e.recipient_id, e.item_ref, e.detail) not in already]
    )
