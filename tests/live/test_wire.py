"""Frames shared between sockets: spliced once per distinct viewer field, framed once,
written straight to daphne's connection when the socket has one."""

import functools
import json

from autobahn.twisted.websocket import WebSocketServerFactory

from live import wire


class FakeSocket:
    """A non-blocking socket whose kernel buffer takes `room` more bytes."""

    def __init__(self, room=1 << 20):
        self.room = room
        self.received = b""
        self.writes = 0  # system calls

    def send(self, data):
        if self.room == 0:
            raise BlockingIOError
        taken = bytes(data[: self.room])
        self.room -= len(taken)
        self.received += taken
        self.writes += 1
        return len(taken)

    def sendmsg(self, buffers):
        return self.send(b"".join(bytes(buffer) for buffer in buffers))


class FakeTransport:
    """The parts of Twisted's TCP connection the wire looks at."""

    TLS = False

    def __init__(self, sock):
        self.socket = sock
        self.connected = 1
        self.disconnecting = False
        self._writeDisconnected = False
        self._tempDataLen = 0
        self.dataBuffer = b""
        self.offset = 0
        self.buffered = b""  # what Twisted would send when the socket is writable

    def write(self, data):
        self.buffered += bytes(data)
        self._tempDataLen += len(data)


class FakeProtocol:
    STATE_OPEN = 3

    def __init__(self, factory=None, state=3, sock=None):
        self.factory = factory or WebSocketServerFactory()
        self.state = state
        self._perMessageCompress = None
        self.send_queue = []
        self.transport = FakeTransport(sock or FakeSocket())

    def sendPreparedMessage(self, prepared):  # noqa: N802 (autobahn's name)
        raise AssertionError("a prepared frame goes to the connection directly")

    def wire_bytes(self):
        return self.transport.socket.received + self.transport.buffered


class CountingFactory(WebSocketServerFactory):
    def __init__(self):
        super().__init__()
        self.prepared = 0

    def prepareMessage(self, payload, isBinary=False, doNotCompress=False):  # noqa: N802
        self.prepared += 1
        return super().prepareMessage(payload, isBinary, doNotCompress)


def texts(data):
    """The text frames in `data`, as a client reads them (server frames are unmasked)."""
    found = []
    while data:
        assert data[0] == 0x81  # FIN, text
        length, start = data[1] & 0x7F, 2
        if length == 126:
            length, start = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, start = int.from_bytes(data[2:10], "big"), 10
        found.append(data[start : start + length].decode())
        data = data[start + length :]
    return found


class SessionWrapper:
    """Channels' session middleware keeps the server's send as `real_send`."""

    def __init__(self, real_send):
        self.real_send = real_send

    async def send(self, message):
        return await self.real_send(message)


async def handle_reply(protocol, message):
    """Stands for daphne's Server.handle_reply."""


def test_the_connection_is_found_behind_channels_wrappers():
    protocol = FakeProtocol()
    send = SessionWrapper(functools.partial(handle_reply, protocol)).send

    assert wire.wire_of(send).protocol is protocol


def test_no_connection_under_another_server():
    async def send(message):
        pass

    assert wire.wire_of(send) is None
    assert wire.wire_of(SessionWrapper(send).send) is None
    assert wire.wire_of(functools.partial(handle_reply, object())) is None


def test_equal_viewer_fields_are_one_object():
    first = wire.viewer_field({"actions": ["edit", "quote"]})
    second = wire.viewer_field({"actions": ["edit", "quote"]})
    other = wire.viewer_field({"actions": ["quote"]})

    assert first is second
    assert other is not first and other == {"actions": ["quote"]}


def test_an_event_is_spliced_and_framed_once_per_distinct_field():
    frame = {"op": "event", "stream": "thread:1", "seq": 2, "data": {"id": 9}}
    delivery = wire.Delivery(frame, json.dumps(frame, separators=(",", ":")))
    factory = CountingFactory()
    editor = wire.viewer_field({"actions": ["edit"]})
    reader = wire.viewer_field({"actions": ["quote"]})
    sockets = [
        (wire.Wire(FakeProtocol(factory)), field)
        for field in (editor, reader, editor, reader, None, editor)
    ]

    for socket, field in sockets:
        assert socket.send_prepared(delivery.outgoing(field))

    assert factory.prepared == 3
    received = [texts(socket.protocol.wire_bytes()) for socket, _field in sockets]
    assert all(len(frames) == 1 for frames in received)
    messages = [json.loads(frames[0]) for frames in received]
    assert [message.get("viewer") for message in messages] == [
        {"actions": ["edit"]},
        {"actions": ["quote"]},
        {"actions": ["edit"]},
        {"actions": ["quote"]},
        None,
        {"actions": ["edit"]},
    ]
    assert all(message["data"] == {"id": 9} for message in messages)


def test_frames_are_sent_at_once_when_nothing_waits():
    socket = wire.Wire(FakeProtocol())
    socket.send_text('{"op":"ack"}')

    assert texts(socket.protocol.transport.socket.received) == ['{"op":"ack"}']
    assert socket.protocol.transport.buffered == b""


def test_what_the_kernel_does_not_take_waits_in_order():
    """A slow reader: the first frame is cut by a full buffer, the rest queue behind it
    in Twisted's buffer, and the client reads every frame whole and in order."""
    socket = wire.Wire(FakeProtocol(sock=FakeSocket(room=10)))
    sent = [json.dumps({"op": "event", "seq": seq, "body": "x" * 50}) for seq in range(5)]
    for text in sent:
        assert socket.send_text(text)

    transport = socket.protocol.transport
    assert len(transport.socket.received) == 10
    assert texts(transport.socket.received + transport.buffered) == sent


def test_a_full_socket_leaves_everything_to_twisted():
    socket = wire.Wire(FakeProtocol(sock=FakeSocket(room=0)))
    socket.send_text("{}")

    assert texts(socket.protocol.transport.buffered) == ["{}"]


def test_a_tls_connection_is_written_by_twisted():
    protocol = FakeProtocol()
    protocol.transport.TLS = True
    wire.Wire(protocol).send_text("{}")

    assert protocol.transport.socket.received == b""
    assert texts(protocol.transport.buffered) == ["{}"]


def test_a_closing_connection_is_not_written_to():
    closing = wire.Wire(FakeProtocol(state=4))
    outgoing = wire.Outgoing('{"op":"event"}')

    assert closing.send_prepared(outgoing) is False
    assert closing.send_text("{}") is False
    assert closing.protocol.wire_bytes() == b""


def test_a_group_of_events_goes_to_a_socket_in_one_write():
    socket = wire.Wire(FakeProtocol())
    sent = [json.dumps({"op": "event", "seq": seq}) for seq in range(1, 21)]

    assert socket.send_prepared_many([wire.Outgoing(text) for text in sent])

    sock = socket.protocol.transport.socket
    assert sock.writes == 1
    assert texts(sock.received) == sent
    assert socket.protocol.transport.buffered == b""


def test_a_group_cut_by_a_full_buffer_keeps_its_order_with_later_frames():
    socket = wire.Wire(FakeProtocol(sock=FakeSocket(room=25)))
    group = [json.dumps({"op": "event", "seq": seq, "body": "x" * 30}) for seq in range(4)]
    later = json.dumps({"op": "event", "seq": 4})

    assert socket.send_prepared_many([wire.Outgoing(text) for text in group])
    assert socket.send_text(later)

    transport = socket.protocol.transport
    assert len(transport.socket.received) == 25
    assert texts(transport.socket.received + transport.buffered) == [*group, later]


def test_a_group_is_not_written_to_a_closing_connection():
    closing = wire.Wire(FakeProtocol(state=4))

    assert closing.send_prepared_many([wire.Outgoing("{}"), wire.Outgoing("{}")]) is False
    assert closing.protocol.transport.socket.received == b""
