"""Reads from the Event table for replay and gap repair (sync; called via a worker thread).

Frames are presented here, at delivery, from the current state of what they describe
(`events.register_presenter`), in every interface language, like live frames.
"""

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from .events import event_frames, frame_text, languages
from .models import Event, StreamCursor


def stream_head(stream):
    """The last sequence number allocated in `stream` (0 when it has no events)."""
    return (
        StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).first()
        or 0
    )


def stream_head_expression(stream):
    """`stream_head(stream)` as an SQL expression, for pages that read the head in the
    same query as something else (one statement: one snapshot)."""
    return Coalesce(
        Subquery(StreamCursor.objects.filter(stream=stream).values("last_seq")[:1]),
        Value(0),
    )


def _frames(queryset, first_expected, limit):
    events = list(queryset.order_by("seq")[: limit + 1])
    if len(events) > limit:
        return [], False
    # Pruned events leave a hole at the start: the client must resync instead.
    if events and events[0].seq != first_expected:
        return [], False
    for previous, current in zip(events, events[1:], strict=False):
        if current.seq != previous.seq + 1:
            return [], False
    return [(frame, frame_text(frame)) for frame in event_frames(events, languages())], True


def events_after(stream, after, limit):
    """(frame, text) of `stream`'s events with seq > after, and whether they form a
    complete run."""
    return _frames(Event.objects.filter(stream=stream, seq__gt=after), after + 1, limit)


def events_between(stream, after, before, limit):
    """Frames of `stream` with after < seq < before (a gap the layer dropped)."""
    frames, complete = _frames(
        Event.objects.filter(stream=stream, seq__gt=after, seq__lt=before),
        after + 1,
        limit,
    )
    if complete and before - after - 1 != len(frames):
        # The events exist (seq allocated) but are not visible yet or were pruned.
        return [], False
    return frames, complete


def streams_behind(heads, limit=200):
    """For streams whose cursor passed the given head: their missing frames.

    One query for the cursors of all streams, one per stream that is behind.
    """
    behind = {}
    cursors = StreamCursor.objects.filter(stream__in=list(heads)).values_list(
        "stream", "last_seq"
    )
    for stream, last_seq in cursors:
        if last_seq > heads[stream]:
            frames, _complete = _frames(
                Event.objects.filter(stream=stream, seq__gt=heads[stream]),
                heads[stream] + 1,
                limit,
            )
            if frames:
                behind[stream] = frames
    return behind
