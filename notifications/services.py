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
# What a coalesced row takes from the newest news (the count adds up).
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
    """Self-notifications dropped, and entries of one (recipient, key) summed into the
    last of them (one statement may not touch a row twice)."""
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
        earlier.count += entry.count
        for name in ("kind", "event_type", "actor_id", "post_id"):
            setattr(earlier, name, getattr(entry, name))
    return out


def _returning():
    return connection.vendor != "sqlite" or sqlite3.sqlite_version_info >= (3, 35)


def _upsert(entries, now):
    """Write `entries` with one statement per _CHUNK rows; return (id, recipient id,
    kind) of the rows it *created* (a coalesced row updated in place is not among
    them)."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = ", ".join(_COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    updates = ", ".join(
        [f"count = {table}.count + excluded.count"]
        + [f"{name} = excluded.{name}" for name in _UPDATED]
    )
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
            f"ON CONFLICT (recipient_id, unread_key) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            if not returning:
                # SQLite before 3.35: no RETURNING; every recipient is told.
                cursor.execute(sql, params)
                created.extend((None, e.recipient_id, e.kind) for e in chunk)
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


def notification_mark_read(*, actor, notification):
    """Mark one of `actor`'s notifications read (someone else's: nothing changes);
    a coalesced one stops gathering, so the next news starts a new one."""
    return bool(
        Notification.objects.filter(
            pk=notification.pk, recipient_id=actor.pk, read_at__isnull=True
        ).update(read_at=timezone.now(), unread_key=None)
    )


def notifications_mark_all_read(*, actor):
    """Mark every unread notification of `actor` read; returns how many."""
    return Notification.objects.filter(
        recipient_id=actor.pk, read_at__isnull=True
    ).update(read_at=timezone.now(), unread_key=None)


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
