"""The server decides which actions each viewer gets on live content: every post
event a socket receives carries `viewer.actions`, from the same rule the pages use."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from community.models import Membership
from community.services import moderation, rooms, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _actions(received, post_id):
    return [
        f["viewer"]["actions"]
        for f in received
        if f.get("op") == "event" and f["data"].get("id") == post_id
    ]


async def _watch(person, stream):
    socket = await connect(person)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"
    return socket


async def test_each_viewer_gets_their_own_actions_on_a_live_post():
    community, owner, thread = await sync_to_async(community_with_thread)()
    author = await sync_to_async(member_of)(community)
    other = await sync_to_async(member_of)(community)
    staff = await sync_to_async(UserFactory)(is_staff=True)
    stream = f"thread:{thread.pk}"
    sockets = {
        "author": await _watch(author, stream),
        "other": await _watch(other, stream),
        "anonymous": await _watch(None, stream),
        "staff": await _watch(staff, stream),
    }

    post = await sync_to_async(threads.post_reply)(actor=author, thread=thread, body="Ciao")
    seen = {name: _actions(await frames(socket), post.pk) for name, socket in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()

    assert seen == {
        "author": [["delete", "edit", "history", "quote", "react"]],
        # Members report the others' posts; staff moderate them instead.
        "other": [["history", "quote", "react", "report"]],
        "anonymous": [[]],
        "staff": [["history", "moderate", "quote", "react"]],
    }


async def test_a_muted_author_is_not_offered_edit_on_their_own_live_post():
    community, owner, thread = await sync_to_async(community_with_thread)()
    author = await sync_to_async(member_of)(community)
    stream = f"thread:{thread.pk}"
    socket = await _watch(author, stream)
    post = await sync_to_async(threads.post_reply)(actor=author, thread=thread, body="Prima")
    before = _actions(await frames(socket), post.pk)

    membership = await sync_to_async(
        Membership.objects.select_related("user", "community").get
    )(user=author, community=community)
    await sync_to_async(moderation.membership_mute)(
        actor=owner, membership=membership, until=timezone.now() + timedelta(hours=1)
    )
    await frames(socket)  # the mute reaches the person's own stream: a re-check
    # A moderator hides the post and shows it again: two live events about it.
    await sync_to_async(moderation.post_hide)(actor=owner, post=post)
    await sync_to_async(moderation.post_unhide)(actor=owner, post=post)
    live = _actions(await frames(socket), post.pk)
    replay = _actions(await subscribe(socket, stream, after=0), post.pk)
    await socket.disconnect()

    assert before == [["delete", "edit", "history", "quote", "react"]]
    # Muted: no edit, no quote, no reaction (no replying); deleting their own post stays possible.
    assert live == [["delete", "history"], ["delete", "history"]]
    assert replay == [["delete", "history"]] * 3


async def test_a_lock_changes_the_actions_of_the_next_events():
    community, owner, thread = await sync_to_async(community_with_thread)()
    member = await sync_to_async(member_of)(community)
    stream = f"thread:{thread.pk}"
    socket = await _watch(member, stream)

    await sync_to_async(moderation.thread_lock)(actor=owner, thread=thread)
    post = await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Chiuso")
    received = await frames(socket)
    await socket.disconnect()

    # A lock stops replies, not reports.
    assert _actions(received, post.pk) == [["history", "report"]]


async def test_replayed_posts_carry_the_viewers_actions_too():
    community, owner, thread = await sync_to_async(community_with_thread)()
    member = await sync_to_async(member_of)(community)
    post = await sync_to_async(threads.post_reply)(actor=member, thread=thread, body="Io")

    socket = await connect(member)
    received = await subscribe(socket, f"thread:{thread.pk}", after=0)
    await socket.disconnect()

    assert _actions(received, post.pk) == [["delete", "edit", "history", "quote", "react"]]


async def test_room_messages_offer_promotion_by_the_same_rule_as_the_room_page():
    community, owner, _thread = await sync_to_async(community_with_thread)()
    room = await sync_to_async(rooms.room_create)(actor=owner, community=community, name="Bar")
    author = await sync_to_async(member_of)(community)
    other = await sync_to_async(member_of)(community)
    stream = f"thread:{room.pk}"
    sockets = {
        "author": await _watch(author, stream),
        "other": await _watch(other, stream),
        "owner": await _watch(owner, stream),
    }

    message = await sync_to_async(threads.post_reply)(actor=author, thread=room, body="Idea")
    seen = {name: _actions(await frames(socket), message.pk) for name, socket in sockets.items()}
    for socket in sockets.values():
        await socket.disconnect()

    assert seen == {
        "author": [["delete", "edit", "history", "promote", "react"]],
        "other": [["history", "react", "report"]],
        "owner": [["history", "moderate", "promote", "react"]],
    }
