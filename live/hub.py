"""Per-process fan-out: one channel-layer subscription per stream, many local sockets.

A textbook Channels design gives every socket its own layer channel and group
membership, so one event costs one layer message per subscriber. Here each process (each
event loop) holds a single hub channel: it joins a stream's group when its first local
socket subscribes, receives each event once, serialises it once and hands the text to
every local subscriber. The layer remains at-most-once; subscribers repair gaps from the
Event table.

While Redis is unreachable (`outage.redis_outage`), the hub goes on without it: its
own process's events go straight to its sockets, the others' come from the Event table
with the sweep, and groups it could not join wait. Once a probe sent to its own
channel comes back, it joins them and sweeps at once: broadcasts resume, and whatever
the layer lost meanwhile is fetched from the Event table.
"""

import asyncio
import logging
import weakref
from collections import defaultdict

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError

from . import catchup, streams
from .events import (
    frame_text,
    frames_lacking,
    frames_localized,
    languages,
    register_outlet,
)
from .outage import RETRY_SECONDS, UNREACHABLE, redis_outage
from .wire import Delivery

logger = logging.getLogger(__name__)

_hubs = weakref.WeakKeyDictionary()
_language_sets = {}  # frozenset -> the same frozenset, shared by the hubs' groups


class Hub:
    def __init__(self, layer):
        self.layer = layer
        self.channel = None
        self.subscribers = defaultdict(set)
        # group -> how many of its sockets read each language, and the set of them:
        # read by the writer thread (`wanted_languages`), so replaced, never changed
        # in place.
        self.language_counts = {}
        self.languages = {}
        self.heads = {}  # group -> highest seq fanned out (or known committed)
        self.held = {}  # group -> [(frame, text)] that arrived ahead of the next seq
        self._releases = {}  # group -> timer handing held frames on anyway
        self._tasks = []
        self._starting = asyncio.Lock()
        self.broadcasts = asyncio.Queue()  # (group, message) committed in this process
        self.unjoined = set()  # groups the layer could not join (Redis unreachable)
        self.outages_over = redis_outage.count  # the outages this hub recovered from

    async def start(self):
        async with self._starting:
            if not self._tasks:
                await self._open()
                self._tasks = [
                    asyncio.ensure_future(self._read()),
                    asyncio.ensure_future(self._refresh()),
                    asyncio.ensure_future(self._sweep()),
                    asyncio.ensure_future(self._broadcast()),
                    asyncio.ensure_future(self._watch()),
                ]
                register_outlet(
                    asyncio.get_running_loop(), self._queue_broadcast, self.wanted_languages
                )

    async def _open(self):
        """Open the hub's layer channel; while Redis is unreachable the hub starts
        without one and `_read` opens it once Redis answers (groups wait meanwhile)."""
        try:
            self.channel = await self.layer.new_channel("live-hub.")
        except UNREACHABLE as error:
            redis_outage.failed(error)

    def wanted_languages(self, group):
        """The languages this process's sockets following `group` read (any thread)."""
        return self.languages.get(group, frozenset())

    def _count_language(self, group, subscriber, change):
        code = getattr(subscriber, "language", None)
        counts = dict(self.language_counts.get(group, ()))
        for one in (code,) if code else languages():
            counts[one] = counts.get(one, 0) + change
        counts = {one: count for one, count in counts.items() if count > 0}
        if counts:
            self.language_counts[group] = counts
            # A few distinct sets for thousands of groups (each socket's own stream
            # is a group): shared, not one per group.
            wanted = frozenset(counts)
            self.languages[group] = _language_sets.setdefault(wanted, wanted)
        else:
            self.language_counts.pop(group, None)
            self.languages.pop(group, None)

    def _queue_broadcast(self, group, message):
        self.broadcasts.put_nowait((group, message))

    async def _broadcast(self):
        """Send the events this process committed to their groups, in commit order;
        the writer thread queues them and goes on (events.events_broadcast)."""
        while True:
            group, message = await self.broadcasts.get()
            try:
                await self.group_send(group, message)
            except asyncio.CancelledError:
                raise
            except Exception:  # subscribers repair the gap from the Event table
                logger.exception("live hub: broadcast failed")

    async def group_send(self, group, message):
        """Send `message` to `group` in every process; while Redis is unreachable,
        to this process's sockets only (the others sweep the Event table)."""
        if redis_outage.may_try():
            try:
                await self.layer.group_send(group, message)
                return
            except UNREACHABLE as error:
                redis_outage.failed(error)
        await self._handle(message)

    async def add(self, group, subscriber):
        """Deliver `group`'s events to `subscriber.deliver(delivery)`."""
        await self.start()
        first = not self.subscribers[group]
        if subscriber not in self.subscribers[group]:
            self.subscribers[group].add(subscriber)
            self._count_language(group, subscriber, +1)
        if first:
            await self._join(group)
            # Everything up to here is replayed by the subscriber itself; the sweep
            # covers what the layer may drop after it.
            head = await database_sync_to_async(catchup.stream_head)(_stream_of(group))
            self.heads[group] = max(self.heads.get(group, 0), head)

    async def discard(self, group, subscriber):
        members = self.subscribers.get(group)
        if members is None:
            return
        if subscriber in members:
            members.discard(subscriber)
            self._count_language(group, subscriber, -1)
        if not members:
            del self.subscribers[group]
            self.heads.pop(group, None)
            self._stop_holding(group)
            self.unjoined.discard(group)
            if self.channel is None:
                return
            try:
                await self.layer.group_discard(group, self.channel)
            except UNREACHABLE as error:  # Redis drops the subscription anyway
                redis_outage.failed(error)

    async def _join(self, group):
        """Join `group` on the layer, or leave it for when Redis is back."""
        if self.channel is None:
            self.unjoined.add(group)
            return
        try:
            await self.layer.group_add(group, self.channel)
        except UNREACHABLE as error:
            redis_outage.failed(error)
            self.unjoined.add(group)
        else:
            self.unjoined.discard(group)

    async def _read(self):
        while True:
            if self.channel is None:
                await asyncio.sleep(RETRY_SECONDS)
                await self._open()
                continue
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except UNREACHABLE as error:
                redis_outage.failed(error)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            except Exception:  # a broken layer connection must not kill fan-out
                logger.exception("live hub: receive failed")
                await asyncio.sleep(0.5)
                continue
            if message.get("type") == PROBE:
                await self._recover(message.get("outage", 0))
                continue
            await self._handle(message)

    async def _handle(self, message):
        """Hand a layer message on to this process's sockets."""
        group = message.get("group")
        if not group or group not in self.subscribers:
            return
        if message.get("type") == "live.ephemeral":
            frame = message.get("frame")
            if not frame:
                return
            text = frame_text(frame)
            for subscriber in list(self.subscribers.get(group, ())):
                subscriber.deliver_ephemeral(frame, text)
            return
        frames = message.get("frames") or [message.get("frame")]
        if not all(frames):
            return
        try:
            frames = await self._localized(group, frames)
        except DatabaseError as error:  # subscribers repair the gap later
            logger.warning("live hub: presenting skipped, database unavailable (%s)", error)
            return
        except Exception:  # subscribers repair the gap from the Event table
            logger.exception("live hub: presenting failed")
            return
        await self._in_order(group, [(frame, frame_text(frame)) for frame in frames])

    async def _watch(self):
        """After an outage began in this process, probe the layer through the hub's
        own channel until the probe comes back (`_recover`): only then is this
        process subscribed again (redis-py re-subscribes when it reconnects)."""
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            outage = redis_outage.count
            if self.channel is None or (
                outage == self.outages_over and not self.unjoined
            ):
                continue
            try:
                await self.layer.send(self.channel, {"type": PROBE, "outage": outage})
            except UNREACHABLE as error:
                redis_outage.failed(error)
            except Exception:
                logger.exception("live hub: probe failed")

    async def _recover(self, outage):
        """The layer delivers again: join the groups that waited, fetch from the Event
        table what the layer lost meanwhile, and say Redis is back."""
        if outage <= self.outages_over and not self.unjoined:
            return  # an earlier probe, answered already
        self.outages_over = max(self.outages_over, outage)
        for group in list(self.unjoined):
            if group in self.subscribers:
                await self._join(group)
            else:
                self.unjoined.discard(group)
        try:
            await self._sweep_once()
        except Exception:
            logger.exception("live hub: sweep failed")
        if not self.unjoined:
            redis_outage.recovered()

    async def _in_order(self, group, frames):
        """Fan out `frames` [(frame, text)] of `group`, in seq order across writers.

        Processes commit to one stream in turn and each sends its own events, so a
        process's events may arrive before those of another committed earlier. The
        ones ahead of the stream's next seq wait here (LIVE_REORDER_SECONDS at most)
        for those still on the way, rather than every socket fetching them from the
        database as a gap; past the wait they go on, and sockets repair the gap.
        """
        head = self.heads.get(group)
        wait = settings.LIVE_REORDER_SECONDS
        if head is not None and wait > 0 and frames[0][0]["seq"] > head + 1:
            self.held.setdefault(group, []).extend(frames)
            if group not in self._releases:
                loop = asyncio.get_running_loop()
                self._releases[group] = loop.call_later(
                    wait, lambda: asyncio.ensure_future(self._release(group))
                )
            return
        await self._fan_out(group, frames)
        held = self.held.get(group)
        while held:
            held.sort(key=lambda item: item[0]["seq"])
            if held[0][0]["seq"] > self.heads.get(group, 0) + 1:
                return  # still waiting for an earlier one
            run = [held.pop(0)]
            while held and held[0][0]["seq"] == run[-1][0]["seq"] + 1:
                run.append(held.pop(0))
            await self._fan_out(group, run)
        self._stop_holding(group)

    def _stop_holding(self, group):
        """Nothing held for `group` any more, and no timer to hand it on."""
        self.held.pop(group, None)
        timer = self._releases.pop(group, None)
        if timer is not None:
            timer.cancel()

    async def _release(self, group):
        """The wait is over: hand on whatever is held, in order (sockets repair gaps)."""
        self._releases.pop(group, None)
        held = sorted(self.held.pop(group, ()), key=lambda item: item[0]["seq"])
        if held and group in self.subscribers:
            try:
                await self._fan_out(group, held)
            except Exception:
                logger.exception("live hub: fan-out failed")

    async def _localized(self, group, frames):
        """The frames in the languages of this process's sockets on `group`, presented
        here for those the writer did not present (it presents only its own sockets')."""
        wanted = self.languages.get(group, frozenset())
        lacking = frames_lacking(frames, wanted)
        if lacking:
            return await database_sync_to_async(frames_localized)(
                list(frames), wanted, lacking
            )
        return frames_localized(frames, wanted, lacking)

    async def _fan_out(self, group, frames):
        """Hand `frames` [(frame, text)] of `group`, in stream order, to its sockets."""
        if group in self.heads:
            self.heads[group] = max(self.heads[group], frames[-1][0]["seq"])
        deliveries = [
            Delivery(frame, text, streams.revokes(frame["stream"], frame["type"]))
            for frame, text in frames
        ]
        single = deliveries[0] if len(deliveries) == 1 else None
        for subscriber in list(self.subscribers.get(group, ())):
            # The socket's writer is idle and these are the stream's next events: send
            # them from here rather than waking one task per socket. This loop never
            # waits on a client: under daphne a write only buffers (Twisted; a socket
            # that lets LIVE_SOCKET_BACKLOG_BYTES pile up is closed, live/wire.py), and
            # a send through ASGI, which may wait, goes to the socket's writer task.
            # Under daphne, a socket's share of a group of events goes in one write.
            if single is not None:  # one event: no list per socket
                direct = subscriber.deliver(single)
                directs = (direct,) if direct is not None else ()
            else:
                directs = []
                for delivery in deliveries:
                    direct = subscriber.deliver(delivery)
                    if direct is not None:
                        directs.append(direct)
            if not directs:
                continue
            try:
                if not subscriber.send_now(directs):
                    subscriber.send_later(directs)
            except Exception:
                logger.exception("live hub: send failed")

    async def _sweep(self):
        """Fetch events the layer dropped at the tail of a stream (a gap in the middle
        is noticed by the next event; a lost last event only by comparing heads)."""
        while True:
            await asyncio.sleep(settings.LIVE_SWEEP_SECONDS)
            try:
                await self._sweep_once()
            except DatabaseError as error:  # restarting: the next sweep catches up
                logger.warning("live hub: sweep skipped, database unavailable (%s)", error)
            except Exception:
                logger.exception("live hub: sweep failed")

    async def _sweep_once(self):
        heads = {_stream_of(group): group for group in self.heads}
        if not heads:
            return
        behind = await database_sync_to_async(catchup.streams_behind)(
            {stream: self.heads[group] for stream, group in heads.items()}
        )
        for stream, frames in behind.items():
            group = heads[stream]
            if group in self.heads:
                ahead = [(f, t) for f, t in frames if f["seq"] > self.heads[group]]
                if ahead:
                    await self._fan_out(group, ahead)

    async def _refresh(self):
        """Re-join groups before the layer's group_expiry silently drops them."""
        expiry = getattr(self.layer, "group_expiry", 86400) or 86400
        interval = min(settings.LIVE_GROUP_REFRESH_SECONDS, max(expiry / 2, 1))
        while True:
            await asyncio.sleep(interval)
            for group in list(self.subscribers):
                try:
                    await self._join(group)
                except Exception:
                    logger.exception("live hub: group refresh failed")


# A hub's message to itself: the layer delivers again (`_watch`).
PROBE = "live.probe"


def _stream_of(group):
    """`live.thread.42` -> `thread:42` (group names come from stream names only)."""
    _prefix, kind, pk = group.split(".")
    return f"{kind}:{pk}"


def get_hub():
    """The hub of the running event loop (one per daphne process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = Hub(get_channel_layer())
        _hubs[loop] = hub
    return hub
