"""The /ws/ consumer: one socket per tab, many stream subscriptions, lossless catch-up.

Each socket has one writer task that sends frames in order: replay from the Event table
on subscribe, then live events from the process hub, with duplicates dropped and gaps
filled from the Event table. Every frame is validated; a bad frame gets an `error` frame
and never disturbs the other subscriptions. A client that stops reading is closed once
LIVE_SOCKET_BACKLOG_BYTES wait for it (`CLOSE_TOO_SLOW`) and catches up on reconnect.
"""

import asyncio
import json
import logging
import time
import uuid
from collections import defaultdict, deque

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import catchup, handshake, operations, presence, sessions, streams
from .events import group_name, stream_name
from .hub import get_hub
from .wire import CLOSE_TOO_SLOW, UNSEEN, unseen_text, wire_of, with_viewer

logger = logging.getLogger(__name__)

STREAM_MAX_LENGTH = 64
REF_MAX_LENGTH = 100
# How long a replay waits for a client to read the half of LIVE_SOCKET_BACKLOG_BYTES
# it was sent before treating it as one that stopped reading.
DRAIN_PATIENCE_SECONDS = 30
DRAIN_POLL_SECONDS = 0.02

logger = logging.getLogger(__name__)


def not_found():
    return _("No such conversation, or you may not follow it.")


def unavailable():
    """The `unavailable` error's message: the database failed (it is restarting, or
    unreachable). Nothing was done, and the client sends the same frame again later:
    a post it resends is stored once."""
    return _("The server cannot reach its database just now: trying again shortly.")


def whole_number(value):
    """JSON integers only: `true` is not thread 1."""
    return type(value) is int


class LiveConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the process hub receives each stream once
    # and hands events to its sockets. A channel per socket would cost a Redis
    # subscription each and, cancelled at shutdown, log tracebacks from channels_redis.
    channel_layer_alias = None
    # This socket's own state in slots: a thousand idle sockets, a thousand dicts.
    __slots__ = (
        "user",
        "session_key",
        "session",
        "language",
        "own_stream",
        "connection_id",
        "wire",
        "subscribed",
        "failures",
        "last_seq",
        "scopes",
        "joined",
        "outbox",
        "backlog",
        "writer",
        "heartbeat",
        "rooms",
        "viewers",
        "present",
    )

    async def __call__(self, scope, receive, send):
        """Dispatch the socket's messages one at a time as they come.

        Channels' loop runs each `receive` in a task of its own and waits on it with
        `asyncio.wait` (made to wait on a channel layer too, which this consumer has
        not): about 3 kB per idle socket for nothing.
        """
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            self.user, self.session_key = await handshake.signed_in(scope)
        except DatabaseError:
            # No session can be read: refuse the handshake (the client reconnects
            # with backoff) rather than accept a socket that knows nobody.
            logger.warning("live: database unavailable, socket refused")
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1011})
            return
        self.language = handshake.language(self.user, scope)
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def connect(self):
        self.subscribed = set()  # streams subscribed or being replayed (the cap)
        self.failures = None  # times of recent refused subscribes (a deque once any)
        self.last_seq = {}  # subscribed stream -> last seq sent
        self.scopes = defaultdict(set)  # access scope stream -> subscribed streams
        self.joined = set()  # hub groups this socket is in
        self.outbox = None  # what the writer task sends, in order (a deque while running)
        # Bytes of text in the outbox when sends go through ASGI (no daphne connection to
        # measure); None once the socket is being closed for not reading.
        self.backlog = 0
        self.writer = None  # running only while the outbox has work: idle sockets
        self.heartbeat = None  # hold no task (memory), present ones one heartbeat
        self.rooms = set()  # subscribed streams that track presence (room threads)
        self.viewers = {}  # subscribed stream -> what its app annotates per socket
        self.present = set()  # of those, where this socket counts as present now
        self.connection_id = uuid.uuid4().hex
        self.wire = wire_of(self.base_send)  # None unless served by daphne
        await self.accept()
        if self.user is not None and self.user.is_authenticated:
            self.own_stream = stream_name(streams.OWN_KIND, self.user.pk)
            self.session = sessions.session_fingerprint(self.session_key)
            await self._join(self.own_stream)
        else:
            self.own_stream = None
            self.session = None

    async def disconnect(self, code):
        if getattr(self, "heartbeat", None):
            self.heartbeat.cancel()
        for stream in list(getattr(self, "present", ())):
            await self._presence(stream, present=False)
        hub = get_hub()
        for stream in list(self.joined):
            await hub.discard(group_name(stream), self)
        self.joined.clear()
        self.last_seq.clear()
        if getattr(self, "writer", None):
            self.writer.cancel()

    async def _join(self, stream):
        if stream not in self.joined:
            self.joined.add(stream)
            await get_hub().add(group_name(stream), self)

    async def _leave_if_unused(self, stream):
        needed = stream in self.last_seq or self.scopes.get(stream) or stream == self.own_stream
        if stream in self.joined and not needed:
            self.joined.discard(stream)
            await get_hub().discard(group_name(stream), self)

    # --- incoming frames ----------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else bytes_data
        if raw is None or len(raw) > settings.LIVE_MAX_FRAME_BYTES:
            return await self.error("too_large", _("Frame over the size limit."))
        try:
            frame = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return await self.error("bad_json", _("Frame is not valid JSON."))
        if not isinstance(frame, dict):
            return await self.error("bad_frame", _("Frame must be a JSON object."))
        op = frame.get("op")
        if op == "subscribe":
            return await self.op_subscribe(frame)
        if op == "unsubscribe":
            return await self.op_unsubscribe(frame)
        handle = operations.operation(op) if isinstance(op, str) else None
        if handle is None:
            return await self.error("unknown_op", _("Unknown op."), ref=op)
        await handle(self, frame)

    async def op_subscribe(self, frame):
        stream = frame.get("stream")
        after = frame.get("after")
        if not isinstance(stream, str) or len(stream) > STREAM_MAX_LENGTH:
            return await self.error("bad_frame", _("subscribe needs a stream."), ref=stream)
        if after is not None and (not whole_number(after) or after < 0):
            return await self.error(
                "bad_frame", _("after must be a whole number."), ref=stream
            )
        if stream not in self.subscribed and len(self.subscribed) >= settings.LIVE_MAX_SUBSCRIPTIONS:
            return await self.error("too_many", _("Too many subscriptions."), ref=stream)
        if self._refused_too_often():
            return await self.error(
                "rate_limited",
                _("Too many refused subscriptions: wait a minute and try again."),
                ref=stream,
            )
        try:
            scopes = await database_sync_to_async(streams.may_subscribe)(self.user, stream)
        except DatabaseError:
            return await self._database_failed(stream)
        if scopes is None:
            if self.failures is None:
                self.failures = deque()
            self.failures.append(time.monotonic())
            return await self.error("not_found", not_found(), ref=stream)
        self.subscribed.add(stream)
        self._set_viewer(stream, scopes)
        if scopes.has_presence and self.own_stream is not None:
            self.rooms.add(stream)
        try:
            for scope in scopes:
                self.scopes[scope].add(stream)
                await self._join(scope)
            await self._join(stream)
        except DatabaseError:  # the hub reads a stream's head when it joins first
            return await self._database_failed(stream)
        # Live events arriving from now on queue up behind the replay.
        self._queue(("subscribe", stream, after))

    def _refused_too_often(self):
        """Probing for streams costs a database lookup each: cap the refusals per
        minute (LIVE_SUBSCRIBE_REFUSALS) on each socket."""
        if not self.failures:
            return False
        now = time.monotonic()
        while self.failures and self.failures[0] < now - 60:
            self.failures.popleft()
        return len(self.failures) >= settings.LIVE_SUBSCRIBE_REFUSALS

    async def op_unsubscribe(self, frame):
        stream = frame.get("stream")
        if not isinstance(stream, str):
            return await self.error("bad_frame", _("unsubscribe needs a stream."))
        if stream in self.subscribed:
            await self.end_subscription(stream)
        await self.send_frame({"op": "unsubscribed", "stream": stream[:STREAM_MAX_LENGTH]})

    # --- what operations may ask of the socket -----------------------------------------

    def follows(self, stream):
        """Is this socket subscribed to `stream` (its replay done)?"""
        return stream in self.last_seq

    def is_present_in(self, stream):
        """Does this socket count as present in `stream`, a stream with presence?"""
        return stream in self.rooms and stream in self.last_seq

    # --- presence ------------------------------------------------------------------------

    def person(self):
        """Who this socket is, as presence and typing notices show them."""
        return presence.person_brief(self.user)

    async def _presence(self, stream, *, present):
        """Count this socket in (or out of) a thread's room; tell everyone on change."""
        if present:
            self.present.add(stream)
            if self.heartbeat is None:
                self.heartbeat = asyncio.ensure_future(self._heartbeat())
        else:
            self.present.discard(stream)
            if not self.present and self.heartbeat is not None:
                self.heartbeat.cancel()
                self.heartbeat = None
        people, changed = await presence.presence_update(
            stream, self.connection_id, self.user, present=present
        )
        if changed:
            await presence.ephemeral_send(
                stream, {"op": "presence", "stream": stream, "users": people}
            )
        return people, changed

    async def _heartbeat(self):
        """Keep this socket's presence fresh in the rooms where it counts as present."""
        while True:
            await asyncio.sleep(settings.LIVE_PRESENCE_HEARTBEAT_SECONDS)
            for stream in list(self.present):
                await self._presence(stream, present=True)

    # --- outgoing ------------------------------------------------------------------------

    def deliver_ephemeral(self, frame, text):
        """Presence and typing frames: only for sockets following the stream."""
        if frame.get("stream") in self.last_seq:
            self._queue(("raw", text))

    def deliver(self, delivery):
        """Called by the hub for each live event of a joined stream (never blocks).

        Returns the `Outgoing` the hub should send itself, at once, when the writer is
        idle with nothing queued and this is the stream's next seq (so order is kept
        and no task wakes up per socket, a thousand per event otherwise); else None.
        """
        frame = delivery.frame
        stream = delivery.stream
        direct = None
        if stream == self.own_stream and frame["type"] == sessions.SESSION_ENDED:
            if sessions.ends_socket(frame.get("data") or {}, self.session):
                self._queue(("close",))
        if stream in self.last_seq or stream not in self.scopes:
            seq = delivery.seq
            if self._idle() and self.last_seq.get(stream) == seq - 1:
                self.last_seq[stream] = seq
                direct = delivery.outgoing(self._viewer_field(frame, delivery.memo))
            else:
                # The viewer field is looked up when the writer sends it: a re-check
                # queued before it (a lock, a mute) may change it meanwhile.
                self._queue(("event", stream, seq, delivery))
        if delivery.revokes and self._access_follows(stream):
            self._queue(("recheck", stream))
        return direct

    def send_later(self, outgoings):
        """Have the writer send shared texts the hub could not write at once (another
        server than daphne, whose `send` may wait for the client: never the hub)."""
        for outgoing in outgoings:
            self._queue(("outgoing", outgoing))

    def send_now(self, outgoings):
        """Write shared texts, in order, straight to daphne's connection (one write);
        False when they must go through ASGI (`send_later`): another server, or the
        connection not open."""
        return self.wire is not None and self.wire.send_prepared_many(outgoings)

    async def send_outgoing(self, outgoing):
        """Send a text shared with other sockets: its prepared frame under daphne."""
        if self.wire is None or not self.wire.send_prepared(outgoing):
            if self.wire is not None and self.wire.closing():
                return  # the tab went away mid-send (daphne would raise Disconnected)
            await self.send(text_data=outgoing.text)

    async def send_text(self, text):
        """Send one text frame, straight to the connection under daphne."""
        if self.wire is None or not self.wire.send_text(text):
            if self.wire is not None and self.wire.closing():
                return  # the tab went away mid-send (daphne would raise Disconnected)
            await self.send(text_data=text)

    def _set_viewer(self, stream, access):
        viewer = getattr(access, "viewer", None)
        if viewer is None:
            self.viewers.pop(stream, None)
        else:
            self.viewers[stream] = viewer

    def _viewer_field(self, frame, memo=None):
        """What its app says about `frame` for this socket's viewer (the actions they
        may take on a post, say), sent as the frame's `viewer` field; None for none.
        `memo`: the event's scratch space shared by every socket (`Delivery.memo`)."""
        viewer = self.viewers.get(frame["stream"])
        if viewer is None:
            return None
        return viewer.annotate(frame, {} if memo is None else memo)

    def _for_this_viewer(self, frame, text):
        """The shared frame text with this viewer's field (replay and repair); only
        its place in the stream for an event this viewer may not see."""
        field = self._viewer_field(frame)
        if field is UNSEEN:
            return unseen_text(frame)
        return with_viewer(text, field)

    def _access_follows(self, stream):
        """Is this socket's access decided on `stream` (its own, or a scope of its
        subscriptions)? A revoking event there calls for authorising them again."""
        return stream == self.own_stream or stream in self.scopes

    def _queue(self, item):
        """Hand `item` to the writer, starting it if it is not running."""
        if self.backlog is None:
            return  # closing: the client stopped reading
        if self.wire is None:
            # Through ASGI a `send` may wait for the client (daphne's never does: its
            # connection's backlog is bounded in live/wire.py), so bound the outbox.
            self.backlog += _text_size(item)
            if self.backlog > settings.LIVE_SOCKET_BACKLOG_BYTES:
                self._too_slow()
                return
        if self.outbox is None:
            self.outbox = deque()
        self.outbox.append(item)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.ensure_future(self._write())

    def _too_slow(self):
        """Through ASGI, more than LIVE_SOCKET_BACKLOG_BYTES queued for a client that
        does not read: drop them and close (the page catches up when it reconnects)."""
        logger.warning(
            "live: closing a socket that stopped reading (%d bytes queued, over "
            "LIVE_SOCKET_BACKLOG_BYTES)",
            self.backlog,
        )
        self.backlog = None
        if self.outbox:
            self.outbox.clear()
        if self.writer is not None:
            self.writer.cancel()  # it waits in `send` for the client
        self.writer = asyncio.ensure_future(self.close(code=CLOSE_TOO_SLOW))

    def _idle(self):
        """No writer running and nothing queued: a frame may be sent at once."""
        return not self.outbox and (self.writer is None or self.writer.done())

    async def _write(self):
        """Send what is queued, in order, then stop (the next `_queue` starts it) and
        let go of the queue and the task: an idle socket holds neither."""
        try:
            await self._send_queued()
        finally:
            if not self.outbox:
                self.outbox = None
                self.writer = None

    async def _send_queued(self):
        while self.outbox:
            item = self.outbox.popleft()
            if self.wire is None and self.backlog is not None:
                self.backlog -= _text_size(item)
            if item[0] == "outgoing":
                await self.send_outgoing(item[1])
            elif item[0] == "subscribe":
                if item[1] in self.joined:
                    try:
                        await self._replay(item[1], item[2])
                    except DatabaseError:
                        await self._database_failed(item[1])
                        continue
                    await self._enter_room(item[1])
            elif item[0] == "raw":
                await self.send_text(item[1])
            elif item[0] == "recheck":
                await self._recheck(item[1])
            elif item[0] == "close":
                await self.error("session_ended", _("Signed out: reconnect to go on."))
                await self.close(code=4001)
                return
            elif item[0] == "event":
                _kind, stream, seq, delivery = item
                last = self.last_seq.get(stream)
                if last is None or seq <= last:
                    continue  # not subscribed (any more), or already sent
                if seq > last + 1:
                    try:
                        await self._repair(stream, last, seq)
                    except DatabaseError:
                        await self._database_failed(stream)
                        continue
                    if self.last_seq.get(stream, seq) >= seq:
                        continue
                self.last_seq[stream] = seq
                field = self._viewer_field(delivery.frame, delivery.memo)
                await self.send_outgoing(delivery.outgoing(field))

    async def _replay(self, stream, after):
        head = await database_sync_to_async(catchup.stream_head)(stream)
        if after is None or after > head:
            after = head
        events, complete = await database_sync_to_async(catchup.events_after)(
            stream, after, settings.LIVE_REPLAY_LIMIT
        )
        if not complete:
            self.last_seq[stream] = head
            await self.send_frame({"op": "resync", "stream": stream, "seq": head})
            return
        self.last_seq[stream] = after
        await self.send_frame({"op": "subscribed", "stream": stream, "seq": after})
        for frame, text in events:
            if not await self._drained():
                return
            self.last_seq[stream] = frame["seq"]
            await self.send_text(self._for_this_viewer(frame, text))

    async def _repair(self, stream, last, upto):
        """Fetch events the layer dropped (last, upto) from the Event table."""
        events, complete = await database_sync_to_async(catchup.events_between)(
            stream, last, upto, settings.LIVE_REPLAY_LIMIT
        )
        if not complete:
            self.last_seq[stream] = upto
            await self.send_frame({"op": "resync", "stream": stream, "seq": upto})
            return
        for frame, text in events:
            if self.last_seq.get(stream) is None or not await self._drained():
                return
            self.last_seq[stream] = frame["seq"]
            await self.send_text(self._for_this_viewer(frame, text))

    async def _drained(self):
        """Pace a replay to the client's reading: while half of LIVE_SOCKET_BACKLOG_BYTES
        waits for it in daphne's buffer, wait until a quarter does (a replay is up to
        LIVE_REPLAY_LIMIT events at once, which must not count as falling behind).
        False when the socket is closing, or closed here after DRAIN_PATIENCE_SECONDS
        without the client reading. Through ASGI the server's `send` paces it."""
        wire = self.wire
        if wire is None or wire.waiting() <= wire.backlog_limit // 2:
            return True
        deadline = time.monotonic() + DRAIN_PATIENCE_SECONDS
        while wire.waiting() > wire.backlog_limit // 4:
            if wire.closing():
                return False
            if time.monotonic() > deadline:
                wire.close_too_slow()
                return False
            await asyncio.sleep(DRAIN_POLL_SECONDS)
        return not wire.closing()

    async def _recheck(self, scope):
        """Re-authorise the subscriptions an access event may have revoked."""
        if scope == self.own_stream:
            affected = list(self.last_seq)
        else:
            affected = list(self.scopes.get(scope, ()))
        for stream in affected:
            if stream not in self.subscribed:
                continue
            try:
                scopes = await database_sync_to_async(streams.may_subscribe)(
                    self.user, stream
                )
            except DatabaseError:
                # Not known to be allowed still: ended until it is asked again.
                await self._database_failed(stream)
                continue
            if scopes is None:
                await self.end_subscription(stream)
                await self.error("not_found", not_found(), ref=stream)
            else:
                self._set_viewer(stream, scopes)

    async def _enter_room(self, stream):
        """Signed-in followers of a thread are present in it; they see who else is."""
        if stream not in self.rooms or stream not in self.last_seq:
            return
        people, changed = await self._presence(stream, present=True)
        if not changed:  # on a change the broadcast reaches this socket too
            await self.send_frame({"op": "presence", "stream": stream, "users": people})

    async def end_subscription(self, stream):
        if stream in self.present:
            await self._presence(stream, present=False)
        self.rooms.discard(stream)
        self.viewers.pop(stream, None)
        self.subscribed.discard(stream)
        self.last_seq.pop(stream, None)
        for scope, subscribed in list(self.scopes.items()):
            subscribed.discard(stream)
            if not subscribed:
                del self.scopes[scope]
                await self._leave_if_unused(scope)
        await self._leave_if_unused(stream)

    async def _database_failed(self, stream):
        """The database failed while `stream` was being subscribed, replayed, repaired
        or re-checked: end the subscription and say so; the client subscribes again
        later from the last seq it holds, and misses nothing."""
        logger.warning("live: database unavailable, %s to be subscribed again", stream)
        await self.end_subscription(stream)
        await self.error("unavailable", unavailable(), ref=stream)

    async def send_frame(self, frame):
        await self.send_text(json.dumps(frame, separators=(",", ":")))

    async def error(self, code, message, ref=None):
        """An `error` frame; `ref` echoes what it answers, bounded (never an object)."""
        with translation.override(self.language):
            frame = {"op": "error", "code": code, "message": str(message)}
        if isinstance(ref, str):
            frame["ref"] = ref[:REF_MAX_LENGTH]
        elif whole_number(ref):
            frame["ref"] = ref
        await self.send_frame(frame)


def _text_size(item):
    """The characters of text an outbox item sends (frames that answer the client's own
    requests, and subscribes, count for nothing)."""
    kind = item[0]
    if kind == "event":
        return len(item[3].text)
    if kind == "outgoing":
        return len(item[1].text)
    if kind == "raw":
        return len(item[1])
    return 0
