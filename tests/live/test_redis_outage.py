"""Redis unreachable, without Redis: the outage is logged once, the cache answers from
its fallback (rate limits and slow mode hold in each process, sessions are misses),
and the hub keeps its own process's sockets served and joins the groups it missed
once the layer delivers again. (tests/faults/test_redis_down.py stops a real
Redis under two daphne processes.)"""

import asyncio
import json
import logging
import uuid

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from community.ratelimit import RateLimited, rate_limit_hit
from community.services import rules
from live import hub as hub_module
from live import outage as outage_module
from live.cache import FallbackRedisCache
from live.events import event_frames, group_name, next_seq
from live.layers import InMemoryLayer
from live.models import Event
from live.outage import Outage
from tests.live.sockets import connect, subscribe
from tests.support.factories import MembershipFactory, ThreadFactory, UserFactory
from tests.support.processes import free_port


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def outage_lines(caplog):
    return [r.levelname for r in caplog.records if r.name == "live.outage"]


def test_an_outage_is_logged_once_and_its_end_once(caplog):
    caplog.set_level(logging.INFO, logger="live.outage")
    clock = Clock()
    tracker = Outage("Redis", clock=clock)

    for _ in range(50):  # fifty failed calls: one outage
        tracker.failed(redis.exceptions.ConnectionError("refused"))
        clock.now += 0.1
    tracker.recovered()
    tracker.recovered()

    assert outage_lines(caplog) == ["WARNING", "INFO"]
    assert "Redis is unreachable (refused)" in caplog.records[0].getMessage()
    assert "Redis is back after 5 s" in caplog.records[1].getMessage()
    assert tracker.count == 1 and not tracker.down


def test_a_failure_just_after_recovery_belongs_to_the_same_outage(caplog):
    caplog.set_level(logging.INFO, logger="live.outage")
    clock = Clock()
    tracker = Outage("Redis", clock=clock)
    tracker.failed(OSError("refused"))
    clock.now += 3
    tracker.recovered()
    clock.now += 0.5
    tracker.failed(OSError("reset before the restart, reported late"))
    tracker.recovered()
    clock.now += 60
    tracker.failed(OSError("down again"))

    assert outage_lines(caplog) == ["WARNING", "INFO", "WARNING"]
    assert tracker.count == 3  # the hub re-joins after each


def test_while_down_one_caller_a_second_tries_redis():
    clock = Clock()
    tracker = Outage("Redis", clock=clock)
    assert tracker.may_try()
    tracker.failed(OSError("refused"))

    assert not tracker.may_try()
    clock.now += outage_module.RETRY_SECONDS
    assert tracker.may_try()
    assert not tracker.may_try()  # the others wait for that one
    tracker.recovered()
    assert tracker.may_try() and tracker.may_try()


@pytest.fixture
def tracker(monkeypatch):
    """A fresh outage tracker for the cache and the hub (the process's own stays
    untouched), retried every 50 ms."""
    fresh = Outage("Redis")
    for module in ("live.cache", "live.hub", "live.events"):
        monkeypatch.setattr(f"{module}.redis_outage", fresh)
    monkeypatch.setattr(outage_module, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(hub_module, "RETRY_SECONDS", 0.05)
    return fresh


def unreachable_cache(fallback):
    """The site's cache backend on a loopback port nobody listens on."""
    return FallbackRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "FALLBACK": fallback}},
    )


def test_counters_go_on_in_memory_while_redis_is_unreachable(tracker, caplog):
    caplog.set_level(logging.INFO, logger="live.outage")
    cache = unreachable_cache("memory")

    assert cache.get("missing", "default") == "default"
    assert cache.add("rl:post:1", 0, timeout=60)
    assert [cache.incr("rl:post:1") for _ in range(3)] == [1, 2, 3]
    assert cache.add("slow:1:1", 1.0, timeout=60)
    assert not cache.add("slow:1:1", 2.0, timeout=60)  # the throttle holds
    assert cache.get("slow:1:1") == 1.0
    cache.set("presence:thread:1", {"c": 1})
    assert cache.get_many(["presence:thread:1"]) == {"presence:thread:1": {"c": 1}}
    with pytest.raises(ValueError):
        cache.incr("never-set")  # as every backend says of a missing counter

    assert tracker.down
    assert outage_lines(caplog) == ["WARNING"]


def test_sessions_are_misses_while_redis_is_unreachable(tracker):
    cache = unreachable_cache("none")
    cache.set("django.contrib.sessions.cached_dbkey", {"_auth_user_id": "1"})

    # cached_db reads the database: no copy that a logout elsewhere would not reach.
    assert cache.get("django.contrib.sessions.cached_dbkey") is None
    assert tracker.down


@pytest.mark.django_db
def test_rate_limits_and_slow_mode_hold_in_each_process_while_redis_is_unreachable(
    tracker, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "live.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": (3, 60)}
    user = UserFactory()
    thread = ThreadFactory(slow_mode_seconds=30)

    for _ in range(3):
        rate_limit_hit(user, "post")
    with pytest.raises(RateLimited):
        rate_limit_hit(user, "post")
    rules.slow_mode_hit(user, thread)
    with pytest.raises(rules.SlowModeWait):
        rules.slow_mode_hit(user, thread)
    assert rules.slow_mode_remaining(user, thread) > 0
    assert tracker.down


class FlakyLayer(InMemoryLayer):
    """The in-memory layer, raising as channels_redis does while `down`."""

    down = False

    def _check(self):
        if type(self).down:
            raise redis.exceptions.ConnectionError("Error 111 connecting to Redis.")

    async def new_channel(self, prefix="specific."):
        self._check()
        return await super().new_channel(prefix)

    async def send(self, channel, message):
        self._check()
        await super().send(channel, message)

    async def group_add(self, group, channel):
        self._check()
        await super().group_add(group, channel)

    async def group_send(self, group, message):
        self._check()
        await super().group_send(group, message)


def _committed_elsewhere(stream):
    """An event another process committed; returns its frame as that process sends it."""
    event = Event.objects.create(stream=stream, seq=next_seq(stream, 1), type="thread.note",
                                 payload={"from": "elsewhere"})
    return event_frames([event], [])[0]


async def _until(socket, received, condition, what, timeout=10):
    """Collect frames into `received` until `condition()` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"waiting for {what}: {received}"
        received.append(json.loads(await socket.receive_from(timeout=left)))


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "hub_started", [True, False], ids=["hub-started-before", "process-started-during"]
)
async def test_the_hub_serves_its_sockets_and_joins_its_groups_once_redis_is_back(
    tracker, settings, caplog, hub_started
):
    caplog.set_level(logging.INFO, logger="live.outage")
    settings.LIVE_SWEEP_SECONDS = 3600  # only the layer (or the recovery) delivers
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "tests.live.test_redis_outage.FlakyLayer"}
    }
    membership = await sync_to_async(MembershipFactory)()
    thread = await sync_to_async(ThreadFactory)(community=membership.community)
    stream, group = f"thread:{thread.pk}", group_name(f"thread:{thread.pk}")
    FlakyLayer.down = not hub_started  # a process's first socket during the outage
    socket = await connect(membership.user)
    try:
        FlakyLayer.down = True
        replay = await subscribe(socket, stream)
        assert replay[0]["op"] == "subscribed"  # not a crash: the group waits
        hub = hub_module.get_hub()
        assert group in hub.unjoined
        assert (hub.channel is not None) == hub_started

        # A post made through this process reaches its sockets without Redis.
        client_id = str(uuid.uuid4())
        await socket.send_json_to(
            {"op": "post", "thread": thread.pk, "body": "Senza Redis", "client_id": client_id}
        )
        received = []
        await _until(
            socket,
            received,
            lambda: {f["op"] for f in received} >= {"ack", "event"},
            "the ack and the event",
        )
        assert [f["data"]["client_id"] for f in received if f["op"] == "event"] == [
            client_id
        ]

        FlakyLayer.down = False
        deadline = asyncio.get_running_loop().time() + 10
        while tracker.down:  # the probe came back: joined, swept
            assert asyncio.get_running_loop().time() < deadline, "no recovery"
            await asyncio.sleep(0.02)

        # Joined again: another process's event arrives through the layer.
        frame = await sync_to_async(_committed_elsewhere)(stream)
        await get_channel_layer().group_send(
            group, {"type": "live.events", "group": group, "frames": [frame]}
        )
        received = []
        await _until(
            socket,
            received,
            lambda: any(f.get("seq") == frame["seq"] for f in received),
            "the other process's event",
        )
        assert group not in hub.unjoined
    finally:
        FlakyLayer.down = False
        await socket.disconnect()

    assert outage_lines(caplog) == ["WARNING", "INFO"]
