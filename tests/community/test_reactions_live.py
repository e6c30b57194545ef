"""Reactions live: everyone reading the thread or room sees the counts change, each
socket is told whether its person may react, and catch-up replays the counts as
they are now (none for a post hidden since)."""

import pytest
from asgiref.sync import sync_to_async

from community.services import moderation, reactions, rooms, threads
from live.catchup import stream_head
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

THUMBS = "👍"


def _reaction_frames(received):
    return [
        frame
        for frame in received
        if frame.get("op") == "event" and frame["type"].startswith("reaction.")
    ]


def _any_language(html):
    """The fragment in English when there (replays carry every language), else in
    the one language the test's sockets read (live frames)."""
    return html["en"] if "en" in html else next(iter(html.values()))


async def _watch(person, stream, after=None):
    socket = await connect(person)
    replay = await subscribe(socket, stream, after=after)
    assert replay[0]["op"] == "subscribed"
    return socket, replay


def _setup(room=False):
    community, owner, thread = community_with_thread()
    if room:
        thread = rooms.room_create(actor=owner, community=community, name="Caffè")
        threads.post_reply(actor=owner, thread=thread, body="Buongiorno")
    post = thread.posts.select_related("thread__community").get()
    reactor = member_of(community)
    reactor.display_name = "Ada"
    reactor.save(update_fields=["display_name"])
    return community, owner, thread, post, reactor


@pytest.mark.parametrize("room", [False, True], ids=["thread", "room"])
async def test_a_reaction_reaches_every_reader_with_their_own_rights(room):
    community, owner, thread, post, reactor = await sync_to_async(_setup)(room)
    member = await sync_to_async(member_of)(community)
    reader = await sync_to_async(person_in)(community, "outsider")
    stream = thread.stream
    sockets = {
        "member": (await _watch(member, stream))[0],
        "reader": (await _watch(reader, stream))[0],
        "anonymous": (await _watch(None, stream))[0],
    }

    await sync_to_async(reactions.reaction_toggle)(
        actor=reactor, post=post, emoji=THUMBS
    )
    seen = {name: _reaction_frames(await frames(s)) for name, s in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()

    for name, received in seen.items():
        assert [frame["type"] for frame in received] == ["reaction.added"], name
        data = received[0]["data"]
        assert data["id"] == post.pk
        assert data["reactions"] == [
            {"emoji": THUMBS, "count": 1, "users": [reactor.pk]}
        ]
        bar = _any_language(data["reactions_html"])
        assert 'aria-label="👍 1: Ada"' in bar
        # The bar only: the post's own fragment and text are not sent again.
        assert "html" not in data and "body_html" not in data
    assert "react" in seen["member"][0]["viewer"]["actions"]
    assert "react" not in seen["reader"][0]["viewer"]["actions"]
    assert seen["anonymous"][0]["viewer"]["actions"] == []


async def test_catch_up_replays_the_counts_as_they_are_now():
    community, owner, thread, post, reactor = await sync_to_async(_setup)()
    before = await sync_to_async(stream_head)(thread.stream)
    await sync_to_async(reactions.reaction_toggle)(
        actor=reactor, post=post, emoji=THUMBS
    )
    await sync_to_async(reactions.reaction_toggle)(actor=owner, post=post, emoji=THUMBS)

    socket, replay = await _watch(reactor, thread.stream, after=before)
    replayed = _reaction_frames(replay)
    assert [frame["seq"] for frame in replayed] == [before + 1, before + 2]
    # Both replay the post's counts now: two people, the reactor among them.
    for frame in replayed:
        assert frame["data"]["reactions"] == [
            {"emoji": THUMBS, "count": 2, "users": [reactor.pk, owner.pk]}
        ]
        assert "👍 2: Ada " in _any_language(frame["data"]["reactions_html"])

    await sync_to_async(moderation.post_hide)(actor=owner, post=post)
    await frames(socket)
    await socket.disconnect()
    socket, replay = await _watch(reactor, thread.stream, after=before)
    await socket.disconnect()
    replayed = _reaction_frames(replay)
    # Hidden since: its reactions are gone from every replay, and so is who
    # reacted with what (stored for the author's notification only).
    assert replayed and all(f["data"]["reactions"] == [] for f in replayed)
    assert all("user" not in f["data"] and "emoji" not in f["data"] for f in replayed)
    assert all("reaction" not in f["data"]["reactions_html"]["en"] for f in replayed)


async def test_a_post_frame_carries_who_reacted_so_the_page_keeps_mine_pressed():
    community, owner, thread, post, reactor = await sync_to_async(_setup)()
    await sync_to_async(reactions.reaction_toggle)(
        actor=reactor, post=post, emoji=THUMBS
    )
    socket, _replay = await _watch(reactor, thread.stream)

    await sync_to_async(threads.post_edit)(actor=owner, post=post, body="Modificato")
    received = [f for f in await frames(socket) if f.get("type") == "post.edited"]
    await socket.disconnect()

    assert received[0]["data"]["reactions"] == [
        {"emoji": THUMBS, "count": 1, "users": [reactor.pk]}
    ]
    assert 'aria-label="👍 1: Ada"' in _any_language(received[0]["data"]["html"])
