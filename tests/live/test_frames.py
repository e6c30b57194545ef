"""Hostile frames and handshakes: an error frame each, the socket and its other
subscriptions unharmed, limits that hold under back-to-back frames."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from community.services import threads as thread_services
from config.asgi import application
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import MembershipFactory, ThreadFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    "raw, code",
    [
        (json.dumps({"op": ["subscribe"]}), "unknown_op"),
        (json.dumps({"op": {"a": 1}}), "unknown_op"),
        (json.dumps({"op": "subscribe", "stream": {"a": 1}}), "bad_frame"),
        (json.dumps({"op": "subscribe", "stream": ["thread:1"]}), "bad_frame"),
        (json.dumps({"op": "unsubscribe", "stream": {"a": 1}}), "bad_frame"),
        (json.dumps({"op": "unsubscribe", "stream": ["x"]}), "bad_frame"),
        (json.dumps({"op": "typing", "thread": ["x"]}), "not_found"),
        (json.dumps({"op": "typing", "thread": True}), "not_found"),
        (DEEP, "bad_json"),
        ('{"op": "subscribe", "stream": ' + DEEP + "}", "bad_json"),
        (json.dumps({"op": "subscribe", "stream": "thread:1", "after": True}), "bad_frame"),
        (json.dumps({"op": "subscribe", "stream": "x" * 5000}), "bad_frame"),
        (
            json.dumps({"op": "post", "thread": {"a": 1}, "body": "x", "client_id": {"b": 2}}),
            "bad_frame",
        ),
        (
            json.dumps(
                {
                    "op": "post",
                    "thread": True,
                    "body": "Ciao",
                    "client_id": "6f1c3a52-8f7e-4c57-a7a4-0d5c1b6e2f10",
                }
            ),
            "bad_frame",
        ),
    ],
)
async def test_malformed_frames_get_an_error_and_leave_the_socket_working(raw, code):
    community, owner, thread = await sync_to_async(community_with_thread)()
    stream = f"thread:{thread.pk}"
    socket = await connect(owner)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"

    await socket.send_to(text_data=raw)
    error = await socket.receive_json_from()
    await sync_to_async(thread_services.post_reply)(actor=owner, thread=thread, body="Ancora qui")
    after = await frames(socket)
    await socket.disconnect()

    assert (error["op"], error["code"]) == ("error", code)
    assert len(json.dumps(error)) < 400, "echoed values are bounded"
    assert [f["type"] for f in after] == ["post.created"]


@pytest.mark.parametrize("stream", ["thread:{pk}\n", "thread:{pk}\r", " thread:{pk}", "thread:0{pk}"])
async def test_stream_names_must_match_exactly(stream):
    _community, _owner, thread = await sync_to_async(community_with_thread)()
    socket = await connect()
    answer = await subscribe(socket, stream.format(pk=thread.pk))
    await socket.disconnect()

    assert [(f["op"], f["code"]) for f in answer] == [("error", "not_found")]


async def test_a_post_to_thread_true_is_not_a_post_to_thread_1():
    community, owner, thread = await sync_to_async(community_with_thread)()
    socket = await connect(owner)
    await socket.send_json_to(
        {"op": "post", "thread": True, "body": "Ciao", "client_id": "6f1c3a52-8f7e-4c57-a7a4-0d5c1b6e2f10"}
    )
    answer = await socket.receive_json_from()
    await socket.disconnect()

    assert answer["code"] == "bad_frame"
    assert await sync_to_async(thread.posts.count)() == 1


@pytest.mark.parametrize(
    "frame",
    [
        {"op": "x" * 20_000},
        {"op": "subscribe", "stream": "y" * 20_000},
        {"op": "post", "thread": 1, "body": "z", "client_id": "w" * 20_000},
    ],
)
async def test_echoed_refs_are_truncated(frame):
    socket = await connect()
    await socket.send_json_to(frame)
    error = await socket.receive_json_from()
    await socket.disconnect()

    assert error["op"] == "error"
    assert len(str(error.get("ref", ""))) <= 100


def _threads(count):
    community, owner, first = community_with_thread()
    others = [
        thread_services.thread_create(actor=owner, community=community, title=f"Tema {n}", body="Testo")
        for n in range(count - 1)
    ]
    return [first, *others]


async def test_the_subscription_cap_holds_under_back_to_back_frames(settings):
    settings.LIVE_MAX_SUBSCRIPTIONS = 3
    threads = await sync_to_async(_threads)(10)
    socket = await connect()
    for thread in threads:
        await socket.send_json_to({"op": "subscribe", "stream": f"thread:{thread.pk}"})
    received = await frames(socket, quiet=0.5)
    await socket.disconnect()

    assert [f["op"] for f in received].count("subscribed") == 3
    assert [f.get("code") for f in received if f["op"] == "error"] == ["too_many"] * 7


async def test_refused_subscribes_are_rate_limited(settings):
    settings.LIVE_SUBSCRIBE_REFUSALS = 5
    _community, _owner, thread = await sync_to_async(community_with_thread)("private")
    socket = await connect()
    for pk in range(thread.pk + 1, thread.pk + 9):
        await socket.send_json_to({"op": "subscribe", "stream": f"thread:{pk}"})
    received = await frames(socket)
    # Even an existing, readable stream waits for the window to pass.
    public = await sync_to_async(community_with_thread)()
    refused = await subscribe(socket, f"thread:{public[2].pk}")
    await socket.disconnect()

    assert [f["code"] for f in received] == ["not_found"] * 5 + ["rate_limited"] * 3
    assert [f["code"] for f in refused] == ["rate_limited"]


async def test_a_typing_notice_needs_a_subscribed_room():
    community, owner, thread = await sync_to_async(community_with_thread)()
    socket = await connect(owner)
    await subscribe(socket, f"thread:{thread.pk}")  # a discussion, not a room
    await socket.send_json_to({"op": "typing", "thread": thread.pk})
    answer = await socket.receive_json_from()
    await socket.disconnect()

    assert answer["code"] == "not_found"
    # Answered by the thread's id: a stream ref would tell the page its subscription ended.
    assert answer["ref"] == thread.pk


async def test_typing_before_the_subscription_is_confirmed_ends_nothing():
    """A page that types the moment it connects keeps its room: the refusal of the
    early typing notice names the thread, not the stream, and the room stays followed."""
    room = await sync_to_async(ThreadFactory)(kind="room")
    member = await sync_to_async(MembershipFactory)(community=room.community)
    stream = f"thread:{room.pk}"
    socket = await connect(member.user)
    await socket.send_json_to({"op": "subscribe", "stream": stream})
    await socket.send_json_to({"op": "typing", "thread": room.pk})
    received = await frames(socket)
    await socket.send_json_to(
        {"op": "post", "thread": room.pk, "body": "Still here", "client_id": str(uuid.uuid4())}
    )
    answers = await frames(socket)
    await socket.disconnect()

    assert [f for f in received if f.get("ref") == stream] == []
    assert "subscribed" in [f["op"] for f in received]
    acks = [f["post"] for f in answers if f["op"] == "ack"]
    events = [f["data"]["id"] for f in answers if f["op"] == "event"]
    assert len(acks) == 1 and events == acks


# --- the handshake's origin -------------------------------------------------------------


async def _handshake(origin, host, extra=()):
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    socket = WebsocketCommunicator(application, "/ws/", headers=[*headers, *extra])
    connected, _ = await socket.connect()
    if connected:
        await socket.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin, host, accepted",
    [
        ("http://localhost", "localhost", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("HTTP://LOCALHOST:80", "localhost", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", False),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", False),
        ("http://localhost:8000", "127.0.0.1:8000", False),
        ("http://evil.example", "localhost", False),
        ("null", "localhost", False),
        (None, "localhost", False),
        ("http://evil.example", "evil.example", False),  # not an allowed host
        ("http://localhost/path", "localhost", False),
    ],
)
async def test_the_origin_must_be_the_sites_own(origin, host, accepted):
    assert await _handshake(origin, host) is accepted


async def test_extra_origins_come_from_the_setting(settings):
    settings.LIVE_ALLOWED_ORIGINS = ["https://partner.example.org"]
    assert await _handshake("https://partner.example.org", "localhost")
    assert not await _handshake("http://partner.example.org", "localhost")


async def test_behind_a_tls_proxy_the_https_origin_is_the_sites_own(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = [(b"x-forwarded-proto", b"https")]
    assert await _handshake("https://localhost", "localhost", proxied)
    assert not await _handshake("http://localhost", "localhost", proxied)
    assert not await _handshake("https://localhost", "localhost")


async def test_a_member_keeps_working_after_a_storm_of_bad_frames():
    community, owner, thread = await sync_to_async(community_with_thread)()
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    await subscribe(socket, f"thread:{thread.pk}")
    for raw in ("{", "[]", DEEP, json.dumps({"op": None}), "\x00" * 100):
        await socket.send_to(text_data=raw)
    errors = await frames(socket)
    await socket.send_json_to(
        {"op": "post", "thread": thread.pk, "body": "Tutto bene", "client_id": "0b0e4d3c-1a2b-4c5d-8e9f-a0b1c2d3e4f5"}
    )
    answered = await frames(socket)
    await socket.disconnect()

    assert [f["op"] for f in errors] == ["error"] * 5
    assert {f["op"] for f in answered} == {"ack", "event"}


@pytest.mark.parametrize("body", ["ciao \\ud800 mondo", "ciao \\u0000 mondo"])
async def test_a_post_with_characters_that_are_not_text_is_refused_cleanly(body):
    community, owner, thread = await sync_to_async(community_with_thread)()
    socket = await connect(owner)
    await subscribe(socket, f"thread:{thread.pk}")
    client_id = "5d1c3a52-8f7e-4c57-a7a4-0d5c1b6e2f10"
    await socket.send_to(
        text_data=f'{{"op": "post", "thread": {thread.pk}, "body": "{body}", '
        f'"client_id": "{client_id}"}}'
    )
    answer = await socket.receive_json_from()
    await sync_to_async(thread_services.post_reply)(actor=owner, thread=thread, body="Ancora qui")
    after = await frames(socket)
    await socket.disconnect()

    assert (answer["op"], answer["code"], answer["ref"]) == ("error", "invalid", client_id)
    assert [f["type"] for f in after] == ["post.created"]
    assert await sync_to_async(thread.posts.count)() == 2
