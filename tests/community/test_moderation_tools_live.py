"""The moderators' tools, live, against the real socket consumer: open thread pages and
rooms see locks, renames, hides, deletions, moves and merges at once, and neither a
live frame nor a catch-up ever gives a hidden or deleted post's text to readers."""

import json

import pytest
from asgiref.sync import sync_to_async

from community.models import Community, Membership
from community.services import moderation, rooms, thread_tools, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import CommunityFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SECRET = "Numero di brevetto 99-ALFA-7"


def _of(received, type):
    return [frame for frame in received if frame.get("type") == type]


@sync_to_async
def _setup():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    reader = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body=SECRET)
    return community, owner, thread, author, reader, post


async def _watch(user, stream, after=None):
    socket = await connect(user)
    replay = await subscribe(socket, stream, after=after)
    assert replay[0]["op"] == "subscribed", replay
    return socket


async def test_an_open_thread_sees_it_locked_and_a_post_hidden_without_reloading():
    community, owner, thread, author, reader, post = await _setup()
    stream = thread.stream
    reader_socket = await _watch(reader, stream)
    owner_socket = await _watch(owner, stream)

    await sync_to_async(moderation.thread_lock)(actor=owner, thread=thread)
    await sync_to_async(moderation.thread_pin)(actor=owner, thread=thread)
    await sync_to_async(moderation.post_hide)(
        actor=owner, post=post, reason="Riservato"
    )

    seen = {"reader": await frames(reader_socket), "owner": await frames(owner_socket)}
    for received in seen.values():
        assert [f["data"]["is_locked"] for f in _of(received, "thread.locked")] == [
            True
        ]
        assert [f["data"]["is_pinned"] for f in _of(received, "thread.pinned")] == [
            True
        ]
        (hidden,) = _of(received, "post.hidden")
        assert hidden["data"]["is_hidden"] and hidden["data"]["body_html"] == ""
        assert SECRET not in json.dumps(received)
    # Only the moderator's socket is told it may fetch the marked version.
    (hidden,) = _of(seen["owner"], "post.hidden")
    assert "restore" in hidden["viewer"]["actions"]
    (hidden,) = _of(seen["reader"], "post.hidden")
    assert "restore" not in (hidden.get("viewer") or {}).get("actions", [])
    # The lock holds on the socket too: the reader's message is refused.
    answer = await send_post(reader_socket, thread.pk, "Ancora io")
    assert (answer["op"], answer["code"]) == ("error", "forbidden")
    for socket in (reader_socket, owner_socket):
        await socket.disconnect()


@pytest.mark.parametrize("action", ["hide", "remove"])
async def test_catch_up_after_a_hide_or_a_delete_never_returns_the_text(action):
    community, owner, thread, author, reader, post = await _setup()
    if action == "hide":
        await sync_to_async(moderation.post_hide)(actor=owner, post=post, reason="x")
    else:
        await sync_to_async(thread_tools.post_remove)(
            actor=owner, post=post, reason="x"
        )

    for person in (reader, None, author, owner if action == "remove" else reader):
        socket = await connect(person)
        replay = await subscribe(socket, thread.stream, after=0)
        await socket.disconnect()
        assert SECRET not in json.dumps(replay)
        events = [f for f in replay if f.get("data", {}).get("id") == post.pk]
        assert events and all(f["data"]["body_html"] == "" for f in events)
    if action == "remove":
        assert events[-1]["type"] == "post.removed"
        assert events[-1]["data"]["is_removed"]
        html = json.dumps(events[-1]["data"]["html"])
        assert "removed by a moderator" in html


async def test_a_rename_reaches_the_thread_page_and_the_community_list():
    community, owner, thread, author, reader, post = await _setup()
    thread_socket = await _watch(reader, thread.stream)
    community_socket = await _watch(reader, f"community:{community.pk}")

    await sync_to_async(thread_tools.thread_rename)(
        actor=owner, thread=thread, title="Brevetti e sensori"
    )

    for socket in (thread_socket, community_socket):
        (renamed,) = _of(await frames(socket), "thread.renamed")
        assert renamed["data"]["title"] == "Brevetti e sensori"
        # The old title is for the audit log: readers of the streams never get it.
        assert "Sensori per la manifattura" not in json.dumps(renamed)
        await socket.disconnect()


async def test_a_move_to_a_private_community_ends_the_readers_subscription():
    community, owner, thread, author, reader, post = await _setup()

    @sync_to_async
    def target_community():
        target = CommunityFactory(
            visibility=Community.Visibility.PRIVATE, name="Laboratorio riservato"
        )
        Membership.objects.create(
            user=owner, community=target, role=Membership.Role.OWNER
        )
        return target

    target = await target_community()
    reader_socket = await _watch(reader, thread.stream)
    owner_socket = await _watch(owner, thread.stream)
    old_list = await _watch(reader, f"community:{community.pk}")
    new_list = await _watch(owner, f"community:{target.pk}")

    await sync_to_async(thread_tools.thread_move)(
        actor=owner, thread=thread, community=target
    )

    read = await frames(reader_socket)
    assert _of(read, "thread.moved")
    ended = [f for f in read if f.get("op") == "error"]
    assert ended and ended[-1]["ref"] == thread.stream
    # The owner reads both: the subscription goes on, and new posts still arrive.
    kept = await frames(owner_socket)
    assert _of(kept, "thread.moved") and not [f for f in kept if f.get("op") == "error"]
    await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Qui ora")
    assert _of(await frames(owner_socket), "post.created")
    assert not await frames(reader_socket)
    # The old community's list sees it leave, without learning where it went.
    (left,) = _of(await frames(old_list), "thread.moved_out")
    assert left["data"]["id"] == thread.pk
    assert "Laboratorio" not in json.dumps(left) and target.slug not in json.dumps(left)
    (arrived,) = _of(await frames(new_list), "thread.moved_in")
    assert arrived["data"]["id"] == thread.pk
    for socket in (reader_socket, owner_socket, old_list, new_list):
        await socket.disconnect()


async def test_a_merge_sends_the_old_threads_readers_on_and_tells_the_targets():
    community, owner, thread, author, reader, post = await _setup()
    target = await sync_to_async(threads.thread_create)(
        actor=owner, community=community, title="Destinazione", body="Primo"
    )
    old_socket = await _watch(reader, thread.stream)
    target_socket = await _watch(reader, target.stream)
    list_socket = await _watch(reader, f"community:{community.pk}")

    await sync_to_async(thread_tools.thread_merge)(
        actor=owner, thread=thread, target=target
    )

    old = await frames(old_socket)
    (merged,) = _of(old, "thread.merged")
    assert merged["data"] == {"id": thread.pk, "into": target.pk}
    assert [f["ref"] for f in old if f.get("op") == "error"] == [thread.stream]
    (arrived,) = _of(await frames(target_socket), "thread.merged")
    assert arrived["data"] == {"id": target.pk, "from": thread.pk}
    (gone,) = _of(await frames(list_socket), "thread.merged")
    assert gone["data"]["id"] == thread.pk
    for socket in (old_socket, target_socket, list_socket):
        await socket.disconnect()


async def test_a_room_locked_and_a_message_removed_live():
    @sync_to_async
    def room_setup():
        community, owner, _thread = community_with_thread()
        room = rooms.room_create(actor=owner, community=community, name="generale")
        author = member_of(community)
        message = threads.post_reply(actor=author, thread=room, body=SECRET)
        return owner, room, author, message

    owner, room, author, message = await room_setup()
    author_socket = await _watch(author, room.stream)

    await sync_to_async(thread_tools.post_remove)(
        actor=owner, post=message, reason="Spam"
    )
    await sync_to_async(moderation.thread_lock)(actor=owner, thread=room)
    await sync_to_async(thread_tools.thread_rename)(
        actor=owner, thread=room, title="annunci"
    )

    received = await frames(author_socket)
    assert [f["type"] for f in received if f.get("op") == "event"] == [
        "post.removed",
        "thread.locked",
        "thread.renamed",
    ]
    assert SECRET not in json.dumps(received)
    answer = await send_post(author_socket, room.pk, "Posso?")
    assert (answer["op"], answer["code"]) == ("error", "forbidden")
    await author_socket.disconnect()
