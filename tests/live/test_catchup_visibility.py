"""Catch-up never reveals what the page hides: a replayed post is the post as it is now.

The log keeps ids, not texts: posts are presented at delivery as they are now, so
neither a replay from `after: 0`, nor a resync, nor a gap repair hands out an old
text, to anyone (anonymous readers, outsiders, members).
"""

import json

import pytest
from asgiref.sync import sync_to_async

from community.models import Thread
from community.services import moderation, rooms, threads
from live.events import event_frames, languages
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SECRET = "Il nostro prezzo riservato: 4.200 euro"


def _thread_with_a_reply(kind=Thread.Kind.DISCUSSION):
    community, owner, thread = community_with_thread()
    if kind == Thread.Kind.ROOM:
        thread = rooms.room_create(actor=owner, community=community, name="Caffè")
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body=SECRET)
    return community, owner, thread, author, post


def _edit(post, author, owner):
    threads.post_edit(actor=author, post=post, body="Prezzo su richiesta.")


def _delete(post, author, owner):
    threads.post_delete(actor=author, post=post)


def _hide(post, author, owner):
    moderation.post_hide(actor=owner, post=post, reason="Dati riservati")


CHANGES = {"edited": _edit, "deleted": _delete, "hidden": _hide}


async def _reader(kind):
    if kind == "anonymous":
        return None
    return await sync_to_async(UserFactory)()


def _leaks(received):
    return [frame for frame in received if SECRET in json.dumps(frame, ensure_ascii=False)]


@pytest.mark.parametrize("reader", ["anonymous", "outsider"])
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("kind", [Thread.Kind.DISCUSSION, Thread.Kind.ROOM])
async def test_replay_from_the_start_shows_the_post_as_it_is_now(reader, change, kind):
    _community, owner, thread, author, post = await sync_to_async(_thread_with_a_reply)(kind)
    await sync_to_async(CHANGES[change])(post, author, owner)

    socket = await connect(await _reader(reader))
    received = await subscribe(socket, f"thread:{thread.pk}", after=0)
    await socket.disconnect()

    assert received[0]["op"] == "subscribed"
    assert _leaks(received) == []
    replayed = [f["data"] for f in received if f.get("op") == "event" and f["data"].get("id") == post.pk]
    assert replayed, "the post's events are replayed"
    for data in replayed:
        if change == "edited":
            assert "Prezzo su richiesta." in data["body_html"]
            assert "Prezzo su richiesta." in data["html"]["it"]
        else:
            assert data["body_html"] == ""
            assert data["is_deleted" if change == "deleted" else "is_hidden"] is True


async def test_the_log_keeps_no_text_and_every_reader_of_it_presents_the_current_one():
    """Whatever reads the log (replay, resync, gap repair, the sweep) presents this."""
    _community, owner, thread, author, post = await sync_to_async(_thread_with_a_reply)()
    await sync_to_async(_edit)(post, author, owner)
    await sync_to_async(threads.post_edit)(actor=author, post=post, body="Terza versione.")

    logged = await sync_to_async(list)(
        Event.objects.filter(stream=f"thread:{thread.pk}", type__startswith="post.")
        .filter(payload__id=post.pk)
        .order_by("seq")
    )
    presented = await sync_to_async(event_frames)(logged, languages())

    assert [event.type for event in logged] == ["post.created", "post.edited", "post.edited"]
    assert SECRET not in json.dumps([e.payload for e in logged], ensure_ascii=False)
    assert "Terza versione." not in json.dumps([e.payload for e in logged])
    assert all("Terza versione." in f["data"]["body_html"] for f in presented)
    assert SECRET not in json.dumps(presented, ensure_ascii=False)


async def test_a_gap_repaired_from_the_log_carries_the_current_text(monkeypatch):
    from live import events as events_module

    _community, owner, thread, author, _post = await sync_to_async(_thread_with_a_reply)()
    stream = f"thread:{thread.pk}"
    member = await sync_to_async(member_of)(thread.community)
    socket = await connect(member)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"
    real_broadcast = events_module.events_broadcast
    monkeypatch.setattr(
        events_module,
        "events_broadcast",
        lambda events: real_broadcast([e for e in events if e.type != "post.created"]),
    )

    # The layer loses the new post; its edit arrives and the client repairs the gap.
    post = await sync_to_async(threads.post_reply)(actor=author, thread=thread, body=SECRET)
    await sync_to_async(_edit)(post, author, owner)
    received = await frames(socket)
    await socket.disconnect()

    assert [f["type"] for f in received] == ["post.created", "post.edited"]
    assert _leaks(received) == []
    assert "Prezzo su richiesta." in received[0]["data"]["body_html"]


async def test_a_shown_again_post_replays_its_text_to_readers_again():
    _community, owner, thread, _author, post = await sync_to_async(_thread_with_a_reply)()
    await sync_to_async(_hide)(post, None, owner)
    await sync_to_async(moderation.post_unhide)(actor=owner, post=post)

    socket = await connect()
    received = await subscribe(socket, f"thread:{thread.pk}", after=0)
    await socket.disconnect()

    mine = [f for f in received if f.get("op") == "event" and f["data"].get("id") == post.pk]
    assert [f["type"] for f in mine] == ["post.created", "post.hidden", "post.unhidden"]
    assert all(SECRET in f["data"]["body_html"] for f in mine)
