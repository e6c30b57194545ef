"""Record events in the same transaction as the change, broadcast them after commit."""

import json
import logging
import re
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from ..models import Event, StreamCursor

logger = logging.getLogger(__name__)

_STREAM = re.compile(r"(?P<kind>[a-z]+):(?P<id>[0-9]+)")


def stream_name(kind, pk):
    """The stream for one object, built from an integer id only."""
    return f"{kind}:{int(pk)}"


def group_name(stream):
    """The channel-layer group for a stream; rejects anything but `<kind>:<int>`."""
    match = _STREAM.fullmatch(stream)
    if not match:
        raise ValueError(f"Bad stream name: {stream!r}")
    return f"live.{match['kind']}.{int(match['id'])}"


def next_seq(stream):
    """Allocate the next gap-free sequence number of `stream` inside the transaction.

    The UPDATE takes the cursor's row lock, so concurrent writers to one stream queue
    up until commit; a rolled-back transaction gives its number back.
    """
    StreamCursor.objects.bulk_create([StreamCursor(stream=stream)], ignore_conflicts=True)
    StreamCursor.objects.filter(stream=stream).update(last_seq=F("last_seq") + 1)
    return StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).get()


def event_record(*, stream, type, payload, actor=None, subject="", supersede=False):
    """Append an event to `stream`; must run inside the writing transaction.

    `subject` names the object the event is about (`post:991`). With `supersede`, the
    earlier events of that subject in the stream take this payload too, in the same
    transaction: a catch-up replays what the page shows now, never an edited, deleted
    or hidden text. The event is broadcast to live subscribers once the transaction
    commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record() must run inside transaction.atomic().")
    if supersede:
        if not subject:
            raise ValueError("supersede needs a subject.")
        Event.objects.filter(stream=stream, subject=subject).update(payload=payload)
    event = Event.objects.create(
        stream=stream,
        seq=next_seq(stream),
        type=type,
        payload=payload,
        subject=subject,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    transaction.on_commit(partial(event_broadcast, event), robust=True)
    return event


def event_frame(event):
    """The wire form of an event, serialised once per broadcast."""
    return {
        "op": "event",
        "stream": event.stream,
        "seq": event.seq,
        "type": event.type,
        "data": event.payload,
    }


def frame_text(frame):
    """A frame as sent on the socket: compact JSON, UTF-8 rather than \\u escapes (an
    Italian or emoji-rich post's event is a third of the size), serialised once."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def event_broadcast(event):
    """Send a committed event to the stream's group (fast path; clients repair gaps)."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = group_name(event.stream)
    async_to_sync(layer.group_send)(
        group, {"type": "live.event", "group": group, "frame": event_frame(event)}
    )
