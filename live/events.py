"""Record events in the writer's transaction; after commit, present and broadcast them.

An event row holds ids and plain facts. What a client shows (rendered HTML, names) is
built by the app that owns the data through a *presenter* registered per stream kind,
outside the write transaction: once per broadcast after commit, and from the current
state when a client catches up. After-commit *subscribers* (notifications, search)
receive every committed event.
"""

import json
import logging
import re
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import Event, StreamCursor

logger = logging.getLogger(__name__)

_STREAM = re.compile(r"(?P<kind>[a-z]+):(?P<id>[0-9]+)")
_presenters = {}
_subscribers = []


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
    _subscribers.append(subscriber)


# --- writing ---------------------------------------------------------------------------


def next_seq(stream):
    """Allocate the next gap-free sequence number of `stream` inside the transaction.

    The UPDATE takes the cursor's row lock, so concurrent writers to one stream queue
    up until commit; a rolled-back transaction gives its number back.
    """
    StreamCursor.objects.bulk_create([StreamCursor(stream=stream)], ignore_conflicts=True)
    StreamCursor.objects.filter(stream=stream).update(last_seq=F("last_seq") + 1)
    return StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).get()


def event_record(*, stream, type, payload, actor=None):
    """Append an event to `stream`; must run inside the writing transaction.

    `payload` is plain JSON data: ids and facts, no rendered content. Once the
    transaction commits, the event is presented, broadcast to live subscribers and
    handed to the after-commit subscribers.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record() must run inside transaction.atomic().")
    event = Event.objects.create(
        stream=stream,
        seq=next_seq(stream),
        type=type,
        payload=payload,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    transaction.on_commit(partial(event_committed, event), robust=True)
    return event


def event_committed(event):
    """Broadcast, then hand to each subscriber; one failing never stops the others."""
    for step in (event_broadcast, *_subscribers):
        try:
            step(event)
        except Exception:
            logger.exception("live: after-commit step %r failed for %s", step, event)


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


def event_broadcast(event):
    """Send a committed event to the stream's group (fast path; clients repair gaps),
    presented once in every interface language."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = group_name(event.stream)
    (frame,) = event_frames([event], languages())
    async_to_sync(layer.group_send)(
        group, {"type": "live.event", "group": group, "frame": frame}
    )
