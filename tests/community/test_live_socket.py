"""The /ws/ socket: authorised subscriptions, replay from the log, live events, bad frames."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction

from config.asgi import application
from live.events import event_record
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(user=None):
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    if user is not None:
        communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def record(stream, type_, n=1):
    with transaction.atomic():
        for i in range(n):
            event_record(stream=stream, type=type_, payload={"i": i})


async def test_subscribe_replays_events_after_the_given_seq_then_live_ones():
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    await sync_to_async(record)(stream, "post.created", 3)
    ws = await connect()
    await ws.send_json_to({"op": "subscribe", "stream": stream, "after": 1})
    assert await ws.receive_json_from() == {"op": "subscribed", "stream": stream, "seq": 1}
    assert [(await ws.receive_json_from())["seq"] for _ in range(2)] == [2, 3]
    await sync_to_async(record)(stream, "post.edited")
    live = await ws.receive_json_from()
    assert (live["seq"], live["type"]) == (4, "post.edited")
    assert await ws.receive_nothing()
    await ws.disconnect()


async def test_stranger_gets_the_same_error_for_private_and_missing_threads():
    private = await sync_to_async(CommunityFactory)(visibility="private")
    thread = await sync_to_async(ThreadFactory)(community=private)
    stranger = await sync_to_async(UserFactory)()
    ws = await connect(stranger)
    await ws.send_json_to({"op": "subscribe", "stream": f"thread:{thread.pk}"})
    forbidden = await ws.receive_json_from()
    await ws.send_json_to({"op": "subscribe", "stream": "thread:999999"})
    missing = await ws.receive_json_from()
    assert forbidden["code"] == missing["code"] == "not_found"
    assert forbidden["message"] == missing["message"]
    await ws.disconnect()


async def test_member_may_follow_a_private_thread():
    private = await sync_to_async(CommunityFactory)(visibility="private")
    membership = await sync_to_async(MembershipFactory)(community=private)
    thread = await sync_to_async(ThreadFactory)(community=private)
    ws = await connect(membership.user)
    await ws.send_json_to({"op": "subscribe", "stream": f"thread:{thread.pk}"})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    await ws.disconnect()


@pytest.mark.parametrize(
    "raw, code",
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"op": "dance"}', "unknown_op"),
        ('{"op": "subscribe"}', "bad_frame"),
        ('{"op": "subscribe", "stream": "thread:1", "after": -4}', "bad_frame"),
        ('{"op": "subscribe", "stream": "nonsense:1"}', "not_found"),
        ('{"op": "post", "thread": "x", "body": 1}', "bad_frame"),
        (
            json.dumps(
                {"op": "post", "thread": 1, "body": "x" * settings.LIVE_MAX_FRAME_BYTES}
            ),
            "too_large",
        ),
    ],
)
async def test_bad_frames_get_an_error_and_keep_the_socket_working(raw, code):
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    ws = await connect()
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    await ws.send_to(text_data=raw)
    error = await ws.receive_json_from()
    assert (error["op"], error["code"]) == ("error", code)
    await sync_to_async(record)(stream, "post.created")
    assert (await ws.receive_json_from())["seq"] == 1
    await ws.disconnect()


async def test_events_the_layer_dropped_are_filled_in_from_the_log(monkeypatch):
    from live import events as events_module

    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    ws = await connect()
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["seq"] == 0
    real_broadcast = events_module.events_broadcast
    dropped = []

    def lossy_broadcast(events):
        dropped.extend(e.seq for e in events if e.seq in (2, 3))  # the layer lost them
        real_broadcast([e for e in events if e.seq not in (2, 3)])

    monkeypatch.setattr(events_module, "events_broadcast", lossy_broadcast)
    for _ in range(4):
        await sync_to_async(record)(stream, "post.created")
    assert [(await ws.receive_json_from())["seq"] for _ in range(4)] == [1, 2, 3, 4]
    assert dropped == [2, 3]
    assert await ws.receive_nothing()
    await ws.disconnect()


async def test_replay_past_the_bound_asks_the_client_to_resync(settings):
    settings.LIVE_REPLAY_LIMIT = 5
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    await sync_to_async(record)(stream, "post.created", 8)
    ws = await connect()
    await ws.send_json_to({"op": "subscribe", "stream": stream, "after": 0})
    assert await ws.receive_json_from() == {"op": "resync", "stream": stream, "seq": 8}
    await sync_to_async(record)(stream, "post.created")
    assert (await ws.receive_json_from())["seq"] == 9
    await ws.disconnect()


def remove_member(membership):
    """A removal as the services record it: on the person's own stream."""
    with transaction.atomic():
        membership.delete()
        event_record(
            stream=f"user:{membership.user_id}",
            type="member.removed",
            payload={"user": {"id": membership.user_id}},
        )


async def test_member_removed_while_subscribed_receives_nothing_more():
    private = await sync_to_async(CommunityFactory)(visibility="private")
    membership = await sync_to_async(MembershipFactory)(community=private)
    thread = await sync_to_async(ThreadFactory)(community=private)
    stream = f"thread:{thread.pk}"
    ws = await connect(membership.user)
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    await sync_to_async(remove_member)(membership)
    ended = await ws.receive_json_from()
    assert (ended["op"], ended["code"], ended["ref"]) == ("error", "not_found", stream)
    await sync_to_async(record)(stream, "post.created")
    assert await ws.receive_nothing()
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["code"] == "not_found"
    await ws.disconnect()


async def test_another_members_departure_does_not_disturb_a_subscription():
    private = await sync_to_async(CommunityFactory)(visibility="private")
    staying = await sync_to_async(MembershipFactory)(community=private)
    leaving = await sync_to_async(MembershipFactory)(community=private)
    thread = await sync_to_async(ThreadFactory)(community=private)
    stream = f"thread:{thread.pk}"
    ws = await connect(staying.user)
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    await sync_to_async(remove_member)(leaving)
    await sync_to_async(record)(stream, "post.created")
    assert (await ws.receive_json_from())["seq"] == 1
    await ws.disconnect()


async def test_the_same_post_sent_three_times_is_stored_once_and_acknowledged_three_times():
    from community.models import Post

    membership = await sync_to_async(MembershipFactory)()
    thread = await sync_to_async(ThreadFactory)(community=membership.community)
    ws = await connect(membership.user)
    await ws.send_json_to({"op": "subscribe", "stream": f"thread:{thread.pk}"})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    client_id = "6f1c3a52-8f7e-4c57-a7a4-0d5c1b6e2f10"
    frame = {"op": "post", "thread": thread.pk, "body": "Ciao a tutti", "client_id": client_id}
    acks, events = [], []
    for _ in range(3):
        await ws.send_json_to(frame)
    while len(acks) < 3:
        received = await ws.receive_json_from()
        (acks if received["op"] == "ack" else events).append(received)
    assert await ws.receive_nothing()
    posts = await sync_to_async(list)(Post.objects.filter(thread=thread))
    assert len(posts) == 1
    assert {ack["post"] for ack in acks} == {posts[0].pk}
    assert [event["type"] for event in events] == ["post.created"]
    data = events[0]["data"]
    assert data["client_id"] == client_id
    # One fragment in the socket's language (the only one read here), rendered once
    # for every viewer, actions marked.
    assert set(data["html"]) == {"it"}
    assert "Ciao a tutti" in data["html"]["it"] and 'data-action="edit"' in data["html"]["it"]
    await ws.disconnect()


async def test_posting_over_the_socket_obeys_the_same_rules_as_the_form():
    thread = await sync_to_async(ThreadFactory)()
    outsider = await sync_to_async(UserFactory)()
    ws = await connect(outsider)
    frame = {
        "op": "post",
        "thread": thread.pk,
        "body": "Posso?",
        "client_id": "0e8400e2-9b1d-41d4-a716-446655440000",
    }
    await ws.send_json_to(frame)
    refused = await ws.receive_json_from()
    assert (refused["op"], refused["ref"]) == ("error", frame["client_id"])
    await ws.send_json_to({**frame, "body": "   "})
    assert (await ws.receive_json_from())["op"] == "error"
    await ws.disconnect()


async def test_socket_posts_are_rate_limited_like_form_posts(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": (2, 60)}
    membership = await sync_to_async(MembershipFactory)()
    thread = await sync_to_async(ThreadFactory)(community=membership.community)
    ws = await connect(membership.user)
    replies = []
    for n in range(3):
        await ws.send_json_to(
            {
                "op": "post",
                "thread": thread.pk,
                "body": f"messaggio {n}",
                "client_id": f"00000000-0000-4000-8000-00000000000{n}",
            }
        )
        replies.append(await ws.receive_json_from())
    assert [r["op"] for r in replies] == ["ack", "ack", "error"]
    assert replies[2]["code"] == "rate_limited"
    # The frame says how long to wait, within the limit's period.
    assert 0 < replies[2]["retry_after"] <= 60
    assert replies[2]["message"]
    await ws.disconnect()


async def connect_with_session(session_key):
    communicator = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[
            (b"origin", b"http://localhost"),
            (b"host", b"localhost"),
            (b"cookie", f"sessionid={session_key}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def logged_in_session(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client, client.session.session_key


async def test_logging_out_closes_that_sessions_socket_only():
    user = await sync_to_async(UserFactory)()
    client, session_key = await sync_to_async(logged_in_session)(user)
    _, other_key = await sync_to_async(logged_in_session)(user)
    leaving = await connect_with_session(session_key)
    staying = await connect_with_session(other_key)
    await sync_to_async(client.post)("/accounts/logout/")
    ended = await leaving.receive_json_from()
    assert (ended["op"], ended["code"]) == ("error", "session_ended")
    assert (await leaving.receive_output())["type"] == "websocket.close"
    assert await staying.receive_nothing()
    await staying.disconnect()


async def test_changing_the_password_closes_the_other_sessions_sockets():
    from community.services import accounts

    user = await sync_to_async(UserFactory)()
    _, current = await sync_to_async(logged_in_session)(user)
    _, elsewhere = await sync_to_async(logged_in_session)(user)
    mine = await connect_with_session(current)
    other = await connect_with_session(elsewhere)
    await sync_to_async(accounts.sessions_end)(user=user, keep_session_key=current)
    assert (await other.receive_json_from())["code"] == "session_ended"
    assert await mine.receive_nothing()
    await mine.disconnect()


async def next_of(ws, op):
    """The next frame with `op`, skipping others (e.g. the subscribed frame)."""
    while True:
        frame = await ws.receive_json_from()
        if frame["op"] == op:
            return frame


async def test_room_presence_and_typing_reach_the_others():
    room = await sync_to_async(ThreadFactory)(kind="room")
    giulia = await sync_to_async(MembershipFactory)(
        community=room.community, user__display_name="Giulia Rossi"
    )
    marco = await sync_to_async(MembershipFactory)(
        community=room.community, user__display_name="Marco Bianchi"
    )
    stream = f"thread:{room.pk}"
    first = await connect(giulia.user)
    await first.send_json_to({"op": "subscribe", "stream": stream})
    assert [u["name"] for u in (await next_of(first, "presence"))["users"]] == ["Giulia Rossi"]
    second = await connect(marco.user)
    await second.send_json_to({"op": "subscribe", "stream": stream})
    both = ["Giulia Rossi", "Marco Bianchi"]
    assert [u["name"] for u in (await next_of(second, "presence"))["users"]] == both
    assert [u["name"] for u in (await next_of(first, "presence"))["users"]] == both

    await second.send_json_to({"op": "typing", "thread": room.pk})
    typing = await next_of(first, "typing")
    assert (typing["stream"], typing["user"]["name"]) == (stream, "Marco Bianchi")
    await second.send_json_to({"op": "typing", "thread": room.pk})  # throttled
    await second.disconnect()
    left = await next_of(first, "presence")
    assert [u["name"] for u in left["users"]] == ["Giulia Rossi"]
    assert await first.receive_nothing()
    await first.disconnect()


async def test_typing_needs_a_room_subscription():
    room = await sync_to_async(ThreadFactory)(kind="room")
    member = await sync_to_async(MembershipFactory)(community=room.community)
    ws = await connect(member.user)
    await ws.send_json_to({"op": "typing", "thread": room.pk})
    assert (await ws.receive_json_from())["code"] == "not_found"
    await ws.disconnect()


async def test_discussion_threads_do_not_track_presence():
    thread = await sync_to_async(ThreadFactory)()
    member = await sync_to_async(MembershipFactory)(community=thread.community)
    ws = await connect(member.user)
    await ws.send_json_to({"op": "subscribe", "stream": f"thread:{thread.pk}"})
    assert (await ws.receive_json_from())["op"] == "subscribed"
    assert await ws.receive_nothing()
    await ws.disconnect()


async def test_a_dropped_last_event_still_arrives(monkeypatch, settings):
    from live import events as events_module

    settings.LIVE_SWEEP_SECONDS = 0.2
    thread = await sync_to_async(ThreadFactory)()
    stream = f"thread:{thread.pk}"
    ws = await connect()
    await ws.send_json_to({"op": "subscribe", "stream": stream})
    assert (await ws.receive_json_from())["seq"] == 0
    # The layer loses the only event of the burst: no later event reveals the gap.
    monkeypatch.setattr(events_module, "events_broadcast", lambda events: None)
    await sync_to_async(record)(stream, "post.created")
    frame = await ws.receive_json_from(timeout=3)
    assert (frame["op"], frame["seq"]) == ("event", 1)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_making_a_community_private_cuts_off_strangers_at_once():
    from community.models import Membership
    from community.services import communities

    owner = await sync_to_async(MembershipFactory)(role=Membership.Role.OWNER)
    community = owner.community
    thread = await sync_to_async(ThreadFactory)(community=community)
    stream = f"thread:{thread.pk}"
    stranger = await sync_to_async(UserFactory)()
    watcher, member = await connect(stranger), await connect(owner.user)
    for ws in (watcher, member):
        await ws.send_json_to({"op": "subscribe", "stream": stream})
        assert (await ws.receive_json_from())["op"] == "subscribed"
    await sync_to_async(communities.community_update)(
        actor=owner.user,
        community=community,
        name=community.name,
        description=community.description,
        visibility="private",
        themes=[],
    )
    cut = await watcher.receive_json_from()
    assert (cut["op"], cut["code"], cut["ref"]) == ("error", "not_found", stream)
    await sync_to_async(record)(stream, "post.created")
    assert (await member.receive_json_from())["seq"] == 1
    assert await watcher.receive_nothing()
    for ws in (watcher, member):
        await ws.disconnect()
