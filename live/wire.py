"""Writing frames straight to daphne's WebSocket connection when there is one.

Through ASGI every frame a socket sends climbs the consumer's `send`, the session
middleware's `send`, daphne's `handle_reply` and autobahn's `sendMessage`, which encodes
and frames it again for each socket. For a live event that a thousand sockets receive,
that per-socket path is most of the server's work. Under daphne the hub instead encodes
and frames each distinct text once (`Outgoing`) and writes the prepared bytes to every
socket's connection (`Wire.send_prepared`), as autobahn's prepared messages allow.

Writing never waits for the client: what the kernel does not take stays in Twisted's
buffer for the connection. A client that stops reading would make that buffer grow
without end, so once more than LIVE_SOCKET_BACKLOG_BYTES wait there the socket is
closed with `CLOSE_TOO_SLOW`; the page reconnects and replays what it missed from the
Event table.

Under any other ASGI server (or Channels' test communicator) `wire_of` finds no
connection and everything goes through ASGI `send` as usual.
"""

import functools
import logging

from autobahn.websocket.protocol import WebSocketProtocol
from django.conf import settings

from .events import frame_text

logger = logging.getLogger(__name__)

STATE_OPEN = WebSocketProtocol.STATE_OPEN
STATE_GONE = (WebSocketProtocol.STATE_CLOSING, WebSocketProtocol.STATE_CLOSED)

# The close code of a socket that fell LIVE_SOCKET_BACKLOG_BYTES behind: "reconnect and
# catch up" (private range, like 4001 for a session that ended).
CLOSE_TOO_SLOW = 4008

_MAX_WRAPPERS = 8
_MAX_SHARED_VIEWER_FIELDS = 4096
_shared_viewer_fields = {}


def _daphne_protocol(send):
    """daphne's WebSocket protocol behind an ASGI `send` callable, or None.

    daphne hands each application `partial(server.handle_reply, protocol)`; Channels'
    session middleware wraps it in a method whose object keeps it as `real_send`.
    """
    for _ in range(_MAX_WRAPPERS):
        if isinstance(send, functools.partial):
            protocol = send.args[0] if len(send.args) == 1 else None
            if hasattr(protocol, "sendPreparedMessage") and hasattr(protocol, "factory"):
                return protocol
            return None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def _write_now(transport, sock, chunks):
    """Write the byte strings `chunks` to a plain TCP connection at once when Twisted
    holds nothing back for it, with one `sendmsg` call (no joining); True when some
    of them were left with Twisted (the connection's backlog may have grown).

    Twisted on asyncio never writes at once: every write registers the socket for
    writability (an epoll change), waits a turn of the loop, sends, and unregisters
    (another). With a thousand sockets per event that dance cost more than the
    sends. Whatever the kernel does not take now, and anything on a connection that
    already has data waiting, a TLS connection (`sock` None) or one that is closing,
    goes to Twisted's own `write`, so bytes keep their order and errors are Twisted's
    to handle.
    """
    if (
        sock is None
        or not transport.connected
        or transport.disconnecting
        or getattr(transport, "_writeDisconnected", True)
        or getattr(transport, "_tempDataLen", 1)
        or len(transport.dataBuffer) != transport.offset
    ):
        transport.write(b"".join(chunks))
        return True
    one = chunks[0] if len(chunks) == 1 else None  # one event: the common case
    try:
        sent = sock.send(one) if one is not None else sock.sendmsg(chunks)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        transport.write(b"".join(chunks))  # Twisted notices the failure and closes
        return True
    if sent < (len(one) if one is not None else sum(len(chunk) for chunk in chunks)):
        transport.write(b"".join(chunks)[sent:])
        return True
    return False


def _buffering(transport):
    """The Twisted TCP transport that holds what the kernel has not taken yet: the
    connection's own, or the one under TLS; None for one of another kind."""
    for candidate in (transport, getattr(transport, "transport", None)):
        if all(
            hasattr(candidate, name) for name in ("dataBuffer", "offset", "_tempDataLen")
        ):
            return candidate
    return None


class Wire:
    """A socket's daphne connection: frames written without the ASGI round trip."""

    __slots__ = (
        "protocol",
        "transport",
        "socket",
        "factory",
        "uncompressed",
        "buffer",
        "backlog_limit",
    )

    def __init__(self, protocol):
        self.protocol = protocol
        self.transport = protocol.transport
        self.factory = protocol.factory
        # Whether messages go uncompressed: negotiated by the handshake, so read once
        # the connection is open (None until then). Each attribute read on daphne's
        # protocol costs a cache miss per socket and event: the big objects of a
        # thousand sockets do not stay in the CPU's cache between events.
        self.uncompressed = None
        # The OS socket to write to at once; None for TLS (Twisted must encrypt).
        plain = not getattr(self.transport, "TLS", False)
        sock = getattr(self.transport, "socket", None) if plain else None
        self.socket = sock if hasattr(sock, "sendmsg") else None
        self.buffer = _buffering(self.transport)
        self.backlog_limit = settings.LIVE_SOCKET_BACKLOG_BYTES

    def waiting(self):
        """Bytes written to the connection that the kernel has not taken yet (0 when
        the transport is of a kind that does not say)."""
        buffer = self.buffer
        if buffer is None:
            return 0
        return len(buffer.dataBuffer) - buffer.offset + buffer._tempDataLen

    def closing(self):
        """Whether the connection is closing or closed: nothing can be sent on it."""
        return self.protocol.state in STATE_GONE

    def send_text(self, text):
        """One text frame; False (nothing written) when the connection is not open."""
        return self.send_prepared(Outgoing(text))

    def send_prepared(self, outgoing):
        """`outgoing`'s frame, encoded and framed once for every socket that gets it."""
        return self.send_prepared_many((outgoing,))

    def send_prepared_many(self, outgoings):
        """Several frames, in order, with one write when the kernel takes them; False
        (nothing written) when the connection is not open."""
        protocol = self.protocol
        if protocol.state != STATE_OPEN:
            return False
        factory = self.factory
        uncompressed = self.uncompressed
        if uncompressed is None:
            uncompressed = self.uncompressed = protocol._perMessageCompress is None
        if uncompressed and not protocol.send_queue:
            if not _write_now(
                self.transport,
                self.socket,
                [outgoing.prepared(factory).payloadHybi for outgoing in outgoings],
            ):
                return True  # the kernel took it all: nothing waits (the common case)
        else:
            for outgoing in outgoings:  # compression, or autobahn's queue
                protocol.sendPreparedMessage(outgoing.prepared(factory))
        if self.waiting() > self.backlog_limit:
            self.close_too_slow()
        return True

    def close_too_slow(self):
        """The client stopped reading: close the socket rather than buffer its events
        without end. The close frame queues behind the backlog; if the client does not
        answer it within autobahn's close handshake timeout (a second), the connection
        is aborted and the backlog freed."""
        logger.warning(
            "live: closing a socket that stopped reading (%d bytes waiting, over "
            "LIVE_SOCKET_BACKLOG_BYTES)",
            self.waiting(),
        )
        self.protocol.sendClose(code=CLOSE_TOO_SLOW, reason="Too slow: catch up")


def wire_of(send):
    """The `Wire` behind an ASGI `send`, or None when the server is not daphne."""
    protocol = _daphne_protocol(send)
    return Wire(protocol) if protocol is not None else None


class Outgoing:
    """One text that goes to several sockets: framed on first need, then reused."""

    __slots__ = ("text", "_prepared", "_factory")

    def __init__(self, text):
        self.text = text
        self._prepared = None
        self._factory = None

    def prepared(self, factory):
        if self._factory is not factory:
            self._prepared = factory.prepareMessage(self.text.encode(), isBinary=False)
            self._factory = factory
        return self._prepared


class _Unseen:
    """The viewer field of an event its viewer may not see (`UNSEEN`)."""

    __slots__ = ()

    def __repr__(self):
        return "UNSEEN"


# What a viewer's `annotate` returns for an event of its stream that the person may
# not see on any page (a leads-only fact on a workspace's stream): the socket gets
# only its place in the stream (`unseen_text`), so its seq stays gap-free and its
# catch-up asks for nothing more.
UNSEEN = _Unseen()


def unseen_text(frame):
    """The frame sent instead of an event its reader may not see: stream and seq,
    type `unseen`, no data."""
    return frame_text(
        {"op": "event", "stream": frame["stream"], "seq": frame["seq"], "type": "unseen"}
    )


def with_viewer(text, field):
    """The shared frame `text` with `"viewer": field` added, without serialising the
    frame again (`text` is a JSON object)."""
    if field is None:
        return text
    return f"{text[:-1]},\"viewer\":{frame_text(field)}}}"


def viewer_field(value):
    """The one shared object for a `viewer` field equal to `value`.

    Apps build their viewer fields once per subscription; returning equal fields as
    the same object lets an event be spliced and framed once per distinct field
    rather than once per socket. A bounded table: past it, values are not shared.
    """
    key = frame_text(value)
    shared = _shared_viewer_fields.get(key)
    if shared is not None:
        return shared
    if len(_shared_viewer_fields) < _MAX_SHARED_VIEWER_FIELDS:
        _shared_viewer_fields[key] = value
    return value


class Delivery:
    """A live event on its way to this process's sockets: its text, and its text with
    each distinct viewer field, each spliced (and framed) once; whether it calls for
    re-checking subscriptions, decided once (`revokes`, set by the hub); and `memo`,
    where viewers keep what they read from the event once for every socket."""

    __slots__ = ("frame", "stream", "seq", "text", "revokes", "memo", "_outgoing")

    def __init__(self, frame, text, revokes=False):
        self.frame = frame
        self.stream = frame["stream"]
        self.seq = frame.get("seq")
        self.text = text
        self.revokes = revokes
        self.memo = {}
        self._outgoing = {}  # id(field) -> (field, Outgoing); the field keeps its id

    def outgoing(self, field):
        entry = self._outgoing.get(id(field))
        if entry is None:
            if field is UNSEEN:
                text = unseen_text(self.frame)
            else:
                text = with_viewer(self.text, field)
            entry = (field, Outgoing(text))
            self._outgoing[id(field)] = entry
        return entry[1]
