"""A socket's permissions are never stale: each operation decides on current state.

Every case opens a socket and uses it (so anything it could cache, it has cached),
then changes the person's access through the services, then tries again: the socket
must refuse exactly what the pages refuse now.
"""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from community.models import Community, Membership, Post
from community.services import accounts, communities, memberships, moderation, rooms
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

Role = Membership.Role


def _membership(person, community):
    return Membership.objects.select_related("user", "community").get(
        user=person, community=community
    )


def _leave(community, owner, person):
    memberships.community_leave(actor=person, community=community)


def _remove(community, owner, person):
    moderation.membership_remove(actor=owner, membership=_membership(person, community))


def _ban(community, owner, person):
    moderation.membership_ban(actor=owner, membership=_membership(person, community))


def _mute(community, owner, person):
    moderation.membership_mute(
        actor=owner,
        membership=_membership(person, community),
        until=timezone.now() + timedelta(hours=1),
    )


CHANGES = {
    "leave": _leave,
    "removal": _remove,
    "ban": _ban,
    "mute": _mute,
}


def _post_count(thread):
    return Post.objects.filter(thread=thread).count()


@pytest.mark.parametrize("visibility", [Community.Visibility.PUBLIC, Community.Visibility.PRIVATE])
@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_socket_used_before_an_access_change_cannot_post_after_it(change, visibility):
    community, owner, thread = await sync_to_async(community_with_thread)(visibility)
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    assert (await subscribe(socket, f"thread:{thread.pk}"))[0]["op"] == "subscribed"
    assert (await send_post(socket, thread.pk, "Prima risposta"))["op"] == "ack"
    count = await sync_to_async(_post_count)(thread)

    await sync_to_async(CHANGES[change])(community, owner, person)
    answer = await send_post(socket, thread.pk, "Seconda risposta")
    await socket.disconnect()

    assert answer["op"] == "error", answer
    assert answer["code"] in ("forbidden", "not_found")
    assert await sync_to_async(_post_count)(thread) == count


async def test_a_closed_accounts_socket_is_closed_and_posts_nothing():
    community, _owner, thread = await sync_to_async(community_with_thread)()
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    await subscribe(socket, f"thread:{thread.pk}")
    assert (await send_post(socket, thread.pk, "Prima risposta"))["op"] == "ack"

    staff = await sync_to_async(UserFactory)(is_staff=True)
    await sync_to_async(accounts.account_deactivate)(actor=staff, person=person)

    ended = await socket.receive_json_from()
    while ended["op"] == "event":  # the post's own event may come after its ack
        ended = await socket.receive_json_from()
    assert (ended["op"], ended["code"]) == ("error", "session_ended")
    assert (await socket.receive_output())["type"] == "websocket.close"


async def test_a_moderator_demoted_can_no_longer_write_in_a_locked_thread():
    community, owner, thread = await sync_to_async(community_with_thread)()
    moderator = await sync_to_async(member_of)(community, "moderator")
    moderator.language = "en"  # the socket answers in the person's language
    await sync_to_async(moderator.save)()
    await sync_to_async(moderation.thread_lock)(actor=owner, thread=thread)
    socket = await connect(moderator)
    await subscribe(socket, f"thread:{thread.pk}")
    assert (await send_post(socket, thread.pk, "Chiudo io"))["op"] == "ack"

    await sync_to_async(memberships.membership_set_role)(
        actor=owner, membership=await sync_to_async(_membership)(moderator, community),
        role=Role.MEMBER,
    )
    answer = await send_post(socket, thread.pk, "Ancora io")
    await socket.disconnect()

    assert (answer["op"], answer["code"]) == ("error", "forbidden")
    assert answer["message"] == "This thread is locked."


async def test_a_visibility_change_ends_a_readers_subscription_and_catch_up():
    community, owner, thread = await sync_to_async(community_with_thread)()
    reader = await sync_to_async(UserFactory)()
    stream = f"thread:{thread.pk}"
    socket = await connect(reader)
    assert (await subscribe(socket, stream, after=0))[0]["op"] == "subscribed"

    await sync_to_async(communities.community_update)(
        actor=owner, community=community, name=community.name,
        description=community.description, visibility="private", themes=[],
    )
    ended = await frames(socket)
    again = await subscribe(socket, stream, after=0)
    await socket.disconnect()

    assert {"op": "error", "code": "not_found", "ref": stream}.items() <= ended[-1].items()
    assert [f["op"] for f in again] == ["error"]


async def test_a_banned_member_of_a_private_community_loses_its_streams_at_once():
    community, owner, thread = await sync_to_async(community_with_thread)("private")
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    await subscribe(socket, f"thread:{thread.pk}")
    await subscribe(socket, f"community:{community.pk}")

    await sync_to_async(_ban)(community, owner, person)
    received = await frames(socket)
    await socket.disconnect()

    cut = {f["ref"] for f in received if f.get("op") == "error"}
    assert cut == {f"thread:{thread.pk}", f"community:{community.pk}"}


async def test_typing_needs_the_right_to_write_now():
    community, owner, _thread = await sync_to_async(community_with_thread)()
    room = await sync_to_async(rooms.room_create)(actor=owner, community=community, name="Bar")
    stream = f"thread:{room.pk}"
    person = await sync_to_async(member_of)(community)
    outsider = await sync_to_async(UserFactory)()
    watcher = await connect(owner)
    await subscribe(watcher, stream)
    typist = await connect(person)
    await subscribe(typist, stream)
    stranger = await connect(outsider)
    await subscribe(stranger, stream)

    # A reader who is not a member may follow a public room, not type in it.
    await stranger.send_json_to({"op": "typing", "thread": room.pk})
    refused = await frames(stranger)
    assert [(f["op"], f["code"]) for f in refused if f["op"] == "error"] == [("error", "forbidden")]
    await typist.send_json_to({"op": "typing", "thread": room.pk})
    assert [f["user"]["id"] for f in await frames(watcher) if f["op"] == "typing"] == [person.pk]

    await sync_to_async(_mute)(community, owner, person)
    await frames(typist)
    await sync_to_async(_expire_typing_throttle)()
    await typist.send_json_to({"op": "typing", "thread": room.pk})
    after = await frames(typist)
    seen = await frames(watcher)
    for socket in (watcher, typist, stranger):
        await socket.disconnect()

    assert [f["code"] for f in after if f["op"] == "error"] == ["forbidden"]
    assert [f for f in seen if f["op"] == "typing"] == []


def _expire_typing_throttle():
    from django.core.cache import cache

    cache.clear()


async def test_subscribing_after_leaving_a_private_community_is_refused():
    community, _owner, thread = await sync_to_async(community_with_thread)("private")
    person = await sync_to_async(member_of)(community)
    socket = await connect(person)
    assert (await subscribe(socket, f"community:{community.pk}"))[0]["op"] == "subscribed"

    await sync_to_async(memberships.community_leave)(actor=person, community=community)
    await frames(socket)
    answer = await subscribe(socket, f"thread:{thread.pk}", after=0)
    await socket.disconnect()

    assert [(f["op"], f["code"]) for f in answer] == [("error", "not_found")]
