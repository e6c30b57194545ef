"""A database that fails under a socket (PostgreSQL restarting) answers `unavailable`
error frames and keeps the socket: nothing is acknowledged that was not stored, and
the same frame sent again once the database is back does what it would have done.

The failure is injected where the database is called (the post service, the replay's
read, the session's read), with the OperationalError a restarting server raises;
tests/faults/test_database_restart.py restarts a real PostgreSQL server.
"""

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from community.models import Post
from community.services import threads as thread_services
from config.asgi import application
from live import catchup, handshake
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import SITE, connect, frames, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def failing_once(monkeypatch, owner, name):
    """Make `owner.name` raise a restarting server's OperationalError on its next
    call only; returns how many calls failed so far (a list, for the test to read)."""
    real = getattr(owner, name)
    failed = []

    def fail_then_work(*args, **kwargs):
        if not failed:
            failed.append(name)
            raise OperationalError("the database system is shutting down")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, fail_then_work)
    return failed


async def test_a_post_the_database_failed_gets_unavailable_and_is_stored_once_resent(
    monkeypatch,
):
    community, owner, thread = await sync_to_async(community_with_thread)()
    stream = f"thread:{thread.pk}"
    socket = await connect(owner)
    (subscribed,) = await subscribe(socket, stream)
    failed = failing_once(monkeypatch, thread_services, "post_replies")
    post = {"op": "post", "thread": thread.pk, "body": "Ciao", "client_id": str(uuid.uuid4())}

    await socket.send_json_to(post)
    (refused,) = await frames(socket)
    assert failed and refused["op"] == "error"
    assert refused["code"] == "unavailable" and refused["ref"] == post["client_id"]
    assert not await sync_to_async(Post.objects.filter(client_id=post["client_id"]).exists)()

    # The same post again, on the same socket, which stayed open and subscribed.
    await socket.send_json_to(post)
    answers = await frames(socket)
    acks = [frame for frame in answers if frame["op"] == "ack"]
    events = [frame for frame in answers if frame["op"] == "event"]
    stored = await sync_to_async(Post.objects.get)(client_id=post["client_id"])
    assert [ack["post"] for ack in acks] == [stored.pk]
    assert [event["seq"] for event in events] == [subscribed["seq"] + 1]
    await socket.disconnect()


async def test_a_replay_the_database_failed_ends_the_subscription_until_asked_again(
    monkeypatch,
):
    community, owner, thread = await sync_to_async(community_with_thread)()
    stream = f"thread:{thread.pk}"
    socket = await connect(owner)
    failed = failing_once(monkeypatch, catchup, "events_after")

    (refused,) = await subscribe(socket, stream, after=0)
    assert failed
    assert (refused["op"], refused["code"], refused["ref"]) == ("error", "unavailable", stream)
    # Ended: a post made meanwhile is not delivered to it.
    await sync_to_async(thread_services.post_reply)(actor=owner, thread=thread, body="Uno")
    assert await frames(socket) == []

    # Asked again from the last seq the page holds: everything since is replayed.
    replay = await subscribe(socket, stream, after=0)
    assert replay[0]["op"] == "subscribed"
    assert [frame["seq"] for frame in replay[1:]] == list(range(1, len(replay)))
    assert replay[-1]["type"] == "post.created"
    await socket.disconnect()


async def test_a_handshake_whose_session_cannot_be_read_is_refused(monkeypatch):
    async def no_database(scope):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(handshake, "signed_in", no_database)
    socket = WebsocketCommunicator(application, "/ws/", headers=SITE)

    connected, _code = await socket.connect()

    assert not connected
    await socket.disconnect()

