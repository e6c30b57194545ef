"""Record events in the writer's transaction; after commit, present and broadcast them.

An event row holds ids and plain facts. What a client shows (rendered HTML, names) is
built by the app that owns the data through a *presenter* registered per stream kind,
outside the write transaction: once per broadcast after commit, and from the current
state when a client catches up. After-commit *subscribers* (notifications, search)
receive every committed event.
"""

import json
import logging
import os
import re
import sqlite3
import weakref
from functools import partial

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import Event, StreamCursor
from .outage import UNREACHABLE, redis_outage

logger = logging.getLogger(__name__)

_STREAM = re.compile(r"(?P<kind>[a-z]+):(?P<id>[0-9]+)")
_presenters = {}
_subscribers = []  # (subscriber, takes the whole batch)
_outlets = weakref.WeakKeyDictionary()  # event loop -> send(group, message)


def stream_name(kind, pk):
    """The stream for one object, built from an integer id only."""
    return f"{kind}:{int(pk)}"


def stream_kind(stream):
    return stream.partition(":")[0]


def group_name(stream):
    """The channel-layer group for a stream; rejects anything but `<kind>:<int>`."""
    match = _STREAM.fullmatch(stream)
    if not match:
        raise ValueError(f"Bad stream name: {stream!r}")
    return f"live.{match['kind']}.{int(match['id'])}"


def languages():
    return [code for code, _name in settings.LANGUAGES]


# --- registries ------------------------------------------------------------------------


def register_presenter(kind, present):
    """Present the events of `<kind>:<id>` streams to clients.

    `present(events, languages)` receives committed events (in stream order, maybe of
    several streams of the kind) and returns, in the same order, the `data` each
    frame carries: the stored payload enriched with what clients show, rendered in
    each of `languages` and read from the current state (so an edited, deleted or
    hidden post is presented as the pages show it now). Without a presenter, `data`
    is the stored payload.
    """
    _presenters[kind] = present


def register_subscriber(subscriber):
    """Call `subscriber(event)` for every event, after its transaction committed.

    Exceptions are logged and never reach the writer (the change is committed).
    """
    _subscribers.append((subscriber, False))


def register_batch_subscriber(subscriber):
    """Call `subscriber(events)` once per commit with all the events it committed, in
    order (a group of posts at once: one query for the batch rather than per event).

    Exceptions are logged and never reach the writer (the change is committed).
    """
    _subscribers.append((subscriber, True))


# --- writing ---------------------------------------------------------------------------


def next_seq(stream, count=1):
    """Allocate the next `count` gap-free sequence numbers of `stream` inside the
    transaction; returns the last of them.

    One upsert takes the cursor's row lock, so concurrent writers to one stream queue
    up until commit; a rolled-back transaction gives its numbers back.
    """
    connection = transaction.get_connection()
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        # No RETURNING before SQLite 3.35: create, bump, read.
        StreamCursor.objects.bulk_create([StreamCursor(stream=stream)], ignore_conflicts=True)
        StreamCursor.objects.filter(stream=stream).update(last_seq=F("last_seq") + count)
        return StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).get()
    table = connection.ops.quote_name(StreamCursor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (stream, last_seq) VALUES (%s, %s) "
            f"ON CONFLICT (stream) DO UPDATE SET last_seq = {table}.last_seq + %s "
            "RETURNING last_seq",
            [stream, count, count],
        )
        return cursor.fetchone()[0]


def event_record(*, stream, type, payload, actor=None):
    """Append an event to `stream`; must run inside the writing transaction.

    `payload` is plain JSON data: ids and facts, no rendered content. Once the
    transaction commits, the event is presented, broadcast to live subscribers and
    handed to the after-commit subscribers.
    """
    (event,) = event_record_many(stream=stream, entries=[(type, payload, actor)])
    return event


def event_record_many(*, stream, entries):
    """Append events `(type, payload, actor)` to `stream` in order, with one sequence
    allocation and one INSERT (a group of posts committed together); must run inside
    the writing transaction. Each is broadcast after commit, as `event_record`'s.

    An entry may end with a fourth item, the event's *subject*: the object it
    describes, just created by this transaction with everything its presenter reads
    loaded. The presenter may take it (as `event.subject`) instead of reading the
    object again after commit: nobody can have changed an object no one knew of.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record() must run inside transaction.atomic().")
    last = next_seq(stream, len(entries))
    events = Event.objects.bulk_create(
        [
            Event(
                stream=stream,
                seq=last - len(entries) + index,
                type=entry[0],
                payload=entry[1],
                actor=entry[2] if entry[2] is not None and entry[2].is_authenticated else None,
            )
            for index, entry in enumerate(entries, start=1)
        ]
    )
    for event, entry in zip(events, entries, strict=True):
        if len(entry) > 3:
            event.subject = entry[3]
    transaction.on_commit(partial(events_committed, events), robust=True)
    return events


def events_committed(events):
    """Broadcast (presented together), then hand each to each subscriber (the whole
    batch to a batch subscriber); one failing never stops the others."""
    try:
        events_broadcast(events)
    except Exception:
        logger.exception("live: broadcast failed for %s", events)
    for subscriber, batch in _subscribers:
        if batch:
            try:
                subscriber(events)
            except Exception:
                logger.exception("live: subscriber %r failed for %s", subscriber, events)
            continue
        for event in events:
            try:
                subscriber(event)
            except Exception:
                logger.exception("live: subscriber %r failed for %s", subscriber, event)


# --- reading ---------------------------------------------------------------------------


def event_frames(events, languages):
    """The wire frames of committed events, presented in batch per stream kind."""
    events = list(events)
    data = [None] * len(events)
    by_kind = {}
    for index, event in enumerate(events):
        by_kind.setdefault(stream_kind(event.stream), []).append(index)
    for kind, indexes in by_kind.items():
        present = _presenters.get(kind)
        batch = [events[index] for index in indexes]
        presented = present(batch, languages) if present else [e.payload for e in batch]
        for index, item in zip(indexes, presented, strict=True):
            data[index] = item
    return [
        {
            "op": "event",
            "stream": event.stream,
            "seq": event.seq,
            "type": event.type,
            "data": item,
        }
        for event, item in zip(events, data, strict=True)
    ]


def frame_text(frame):
    """A frame as sent on the socket: compact JSON, UTF-8 rather than \\u escapes (an
    Italian or emoji-rich post's event is a third of the size), serialised once."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def register_outlet(loop, send, wanted_languages=None):
    """Let writers on `loop`'s worker threads hand broadcasts to `send(group, message)`,
    called in `loop` in the order of the commits (the hub's sender), instead of waiting
    for the busy loop to run each `group_send`.

    `wanted_languages(group)` (safe to call from any thread) names the languages the
    loop's own sockets following `group` read: the writer presents its events in
    those only; hubs elsewhere present what they lack themselves (`frames_localized`).
    """
    _outlets[loop] = (send, wanted_languages)


def _outlet_of_this_thread():
    """The running server loop this sync thread works for, and its outlet (or None)."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None, None
    loop = getattr(local, "main_event_loop", None)
    if loop is None or loop.is_closed():
        return None, None
    return loop, _outlets.get(loop)


def events_broadcast(events):
    """Send committed events to their streams' groups (fast path; clients repair gaps):
    one layer message per stream with its events in order, presented together, once.

    In a server process they are presented in the languages its own sockets on the
    stream read (none when no socket follows it: the hubs that have followers present
    what they need); elsewhere (a management command, a test) in every language.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    loop, outlet = _outlet_of_this_thread()
    send, wanted = outlet if outlet is not None else (None, None)
    by_stream = {}
    for event in events:
        by_stream.setdefault(event.stream, []).append(event)
    for stream, stream_events in by_stream.items():
        group = group_name(stream)
        codes = wanted(group) if wanted is not None else languages()
        frames = event_frames(stream_events, codes)
        message = {"type": "live.events", "group": group, "frames": frames}
        if send is not None:
            try:
                loop.call_soon_threadsafe(send, group, message)
                continue
            except RuntimeError:  # the loop closed meanwhile
                send = None
        _send_elsewhere(layer, group, message)


def ephemeral_broadcast(stream, frame, *, delay=0):
    """Send `frame`, which is not part of `stream`'s history (no seq, never replayed),
    to the stream's followers, from sync code after a commit (an after-commit
    subscriber): in a server process through the hub's sender, without waiting for
    the loop, `delay` seconds from now; elsewhere at once. At most once, like every
    broadcast: pages that act on it must not depend on each one arriving."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = group_name(stream)
    message = {"type": "live.ephemeral", "group": group, "frame": frame}
    loop, outlet = _outlet_of_this_thread()
    if outlet is not None:
        try:
            if delay > 0:
                loop.call_soon_threadsafe(loop.call_later, delay, outlet[0], group, message)
            else:
                loop.call_soon_threadsafe(outlet[0], group, message)
            return
        except RuntimeError:  # the loop closed meanwhile
            pass
    _send_elsewhere(layer, group, message)


def _send_elsewhere(layer, group, message):
    """`group_send` from outside a server's loop (a command, a worker); while Redis is
    unreachable the message is dropped, reported once (readers sweep the Event table)."""
    try:
        async_to_sync(layer.group_send)(group, message)
    except UNREACHABLE as error:
        redis_outage.failed(error)


def frames_localized(frames, wanted, lacking):
    """`frames` (of one stream, in order) as a hub's sockets reading `wanted` languages
    see them: the frames at indexes `lacking` (`frames_lacking`), whose `data.html`
    lacks one of them, are presented again, from the current state (as a catch-up
    would be), in those languages; languages nobody here reads are left out. Sync
    (the database thread) when `lacking` is not empty."""
    if lacking:
        events = [
            Event(stream=frame["stream"], seq=frame["seq"], type=frame["type"],
                  payload=frame["data"])
            for frame in (frames[index] for index in lacking)
        ]
        for index, frame in zip(lacking, event_frames(events, sorted(wanted)), strict=True):
            frames[index] = frame
    return [_only_languages(frame, wanted) for frame in frames]


def frames_lacking(frames, wanted):
    """Indexes of the frames whose fragments (`data.html`) lack a `wanted` language."""
    return [
        index
        for index, frame in enumerate(frames)
        if isinstance(html := (frame.get("data") or {}).get("html"), dict)
        and not wanted <= html.keys()
    ]


def _only_languages(frame, wanted):
    data = frame.get("data")
    html = data.get("html") if isinstance(data, dict) else None
    if not isinstance(html, dict) or html.keys() <= wanted:
        return frame
    kept = {code: text for code, text in html.items() if code in wanted}
    return {**frame, "data": {**data, "html": kept}}
