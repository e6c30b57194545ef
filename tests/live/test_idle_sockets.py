"""An idle socket holds no task of its own: memory per connection is what a
thousand-reader thread costs (bench/idle.py)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import MembershipFactory, ThreadFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _socket_tasks():
    names = [task.get_coro().__qualname__ for task in asyncio.all_tasks() if not task.done()]
    return sorted(name for name in names if name.startswith("LiveConsumer."))


def _running_tasks():
    """Tasks running now, but the process hub's own (started with the first socket)."""
    return len(
        [
            task
            for task in asyncio.all_tasks()
            if not task.done() and not task.get_coro().__qualname__.startswith("Hub.")
        ]
    )


async def test_idle_readers_of_a_discussion_hold_no_task():
    community, owner, thread = await sync_to_async(community_with_thread)()
    readers = [await sync_to_async(member_of)(community) for _ in range(5)]
    sockets = [await connect(reader) for reader in readers]
    for socket in sockets:
        await subscribe(socket, thread.stream)

    idle = _socket_tasks()
    await sync_to_async(thread.posts.first)()  # nothing happens meanwhile
    for socket in sockets:
        await socket.disconnect()

    assert idle == []


async def test_an_open_socket_runs_in_one_task():
    community, _owner, thread = await sync_to_async(community_with_thread)()
    readers = [await sync_to_async(member_of)(community) for _ in range(5)]
    before = _running_tasks()
    sockets = [await connect(reader) for reader in readers]
    for socket in sockets:
        await subscribe(socket, thread.stream)

    # The communicator runs each socket's application in one task: nothing else waits
    # on the socket's behalf (no task reading its messages, no writer, no heartbeat).
    running = _running_tasks() - before
    for socket in sockets:
        await socket.disconnect()

    assert running == len(sockets)


async def test_presence_in_a_room_keeps_one_heartbeat_until_leaving():
    room = await sync_to_async(ThreadFactory)(kind="room")
    member = await sync_to_async(MembershipFactory)(community=room.community)
    socket = await connect(member.user)
    await subscribe(socket, f"thread:{room.pk}")
    present = _socket_tasks()
    await socket.send_json_to({"op": "unsubscribe", "stream": f"thread:{room.pk}"})
    await frames(socket)
    left = _socket_tasks()
    await socket.disconnect()

    assert present == ["LiveConsumer._heartbeat"]
    assert left == []
