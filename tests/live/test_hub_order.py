"""Events of one stream committed by several processes reach sockets in seq order.

Each process sends the events it committed, so a later commit's message can arrive
before an earlier one still on the way. The hub holds what arrives ahead of the
stream's next seq for a moment instead of letting every socket fetch the "gap" from
the database; an event that never comes (the layer is at-most-once) is repaired from
the database once the wait is over.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.test.utils import override_settings

from live.events import event_frames, group_name, next_seq
from live.models import Event
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import ThreadFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _committed_elsewhere(stream, count):
    """`count` events committed as another process would: stored, not broadcast here.
    Returns their frames as that process would send them, marked as sent live."""
    with transaction.atomic():  # as event_record writes them, minus the broadcast
        last = next_seq(stream, count)
        events = Event.objects.bulk_create(
            [
                Event(stream=stream, seq=seq, type="thread.note", payload={"i": seq})
                for seq in range(last - count + 1, last + 1)
            ]
        )
    sent = event_frames(events, [])
    for frame in sent:
        frame["data"] = {**frame["data"], "sent": "live"}
    return sent


async def _send(group, batch):
    await get_channel_layer().group_send(
        group, {"type": "live.events", "group": group, "frames": batch}
    )


async def test_a_later_commit_arriving_first_waits_for_the_earlier_one():
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    socket = await connect()
    await subscribe(socket, stream)
    first, second, third = await sync_to_async(_committed_elsewhere)(stream, 3)

    group = group_name(stream)
    await _send(group, [third])  # the later process's message overtakes
    await _send(group, [first, second])
    received = [f for f in await frames(socket) if f.get("op") == "event"]
    await socket.disconnect()

    assert [f["seq"] for f in received] == [first["seq"], second["seq"], third["seq"]]
    # All three as sent: none fetched from the database as a gap.
    assert all(f["data"].get("sent") == "live" for f in received)


@override_settings(LIVE_REORDER_SECONDS=0.05)
async def test_an_event_the_layer_dropped_is_repaired_after_the_wait():
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    socket = await connect()
    await subscribe(socket, stream)
    lost, arrived = await sync_to_async(_committed_elsewhere)(stream, 2)

    await _send(group_name(stream), [arrived])
    received = [f for f in await frames(socket) if f.get("op") == "event"]
    await socket.disconnect()

    assert [f["seq"] for f in received] == [lost["seq"], arrived["seq"]]
    assert "sent" not in received[0]["data"]  # read from the Event table
    assert received[1]["data"]["sent"] == "live"
