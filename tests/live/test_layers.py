"""The single-process channel layer: Channels' in-memory layer with its expiry sweep
at most once a second (it walked every group on every send and receive)."""

import asyncio
import time

import pytest
from channels.layers import InMemoryChannelLayer, get_channel_layer

from live.layers import InMemoryLayer


def test_the_default_layer_without_redis_is_the_project_one():
    assert isinstance(get_channel_layer(), InMemoryLayer)


@pytest.mark.asyncio
async def test_a_burst_of_sends_sweeps_once(monkeypatch):
    sweeps = []
    monkeypatch.setattr(
        InMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(1)
    )
    layer = InMemoryLayer()
    channel = await layer.new_channel()
    for number in range(1000):
        await layer.group_add(f"live.user.{number}", channel)

    for number in range(100):
        await layer.group_send("live.user.7", {"type": "event", "n": number})
        await layer.receive(channel)

    assert len(sweeps) == 1


@pytest.mark.asyncio
async def test_expired_messages_and_memberships_still_go(monkeypatch):
    layer = InMemoryLayer(expiry=1, group_expiry=1)
    reader = await layer.new_channel()
    await layer.group_add("live.thread.1", reader)
    await layer.send(reader, {"type": "old"})
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    layer.clock = lambda: later

    await layer.group_send("live.thread.1", {"type": "after expiry"})

    assert layer.groups["live.thread.1"] == {}
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(reader), 0.05)
