"""The Unread view, live: a new post in any thread or room of my communities (listed
or not) sends an `activity` notice on the community's stream, and the page's list,
read again, shows the new or updated row; strangers' sockets hear nothing."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from community import live as community_live
from community.models import Community
from community.services import reading, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of, person_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.usefixtures("english"),
]


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch):
    """Each test starts with no notice sent recently in this process."""
    monkeypatch.setattr(community_live, "_activity_sent", {})


def unread_fragment(user):
    client = Client()
    client.force_login(user)
    return json.loads(
        client.get(reverse("community:unread"), headers={"X-Requested-With": "fetch"})
        .content
    )


async def test_a_post_in_an_unlisted_thread_announces_itself_and_its_row_appears():
    community, owner, thread = await sync_to_async(community_with_thread)()
    person = await sync_to_async(member_of)(community)
    await sync_to_async(reading.read_mark)(user=person, thread=thread, number=1)
    before = await sync_to_async(unread_fragment)(person)
    socket = await connect(person)
    try:
        (answer, *_rest) = await subscribe(socket, community.stream)
        assert answer["op"] == "subscribed"

        await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Nuovo")
        received = await frames(socket)
    finally:
        await socket.disconnect()

    assert {"op": "activity", "stream": community.stream} in received
    after = await sync_to_async(unread_fragment)(person)
    assert before["count"] == 0 and "Sensori per la manifattura" not in before["html"]
    assert after["count"] == 1 and "Sensori per la manifattura" in after["html"]


async def test_notices_are_throttled_per_community_and_carry_no_thread():
    community, owner, thread = await sync_to_async(community_with_thread)()
    person = await sync_to_async(member_of)(community)
    writer = await sync_to_async(member_of)(community)
    socket = await connect(person)
    try:
        await subscribe(socket, community.stream)
        await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Uno")
        await sync_to_async(threads.post_reply)(actor=writer, thread=thread, body="Due")
        await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Tre")
        at_once = [f for f in await frames(socket, quiet=0.2) if f["op"] == "activity"]
        later = [f for f in await frames(socket, quiet=1.5) if f["op"] == "activity"]
    finally:
        await socket.disconnect()

    # Three posts within the second: the first announced at once, the other two by
    # one notice at the second's end, so a page that subscribed in between hears of
    # them; neither names the thread.
    assert at_once == [{"op": "activity", "stream": community.stream}]
    assert later == [{"op": "activity", "stream": community.stream}]


async def test_strangers_cannot_follow_a_private_communitys_activity():
    community, owner, thread = await sync_to_async(community_with_thread)(
        Community.Visibility.PRIVATE
    )
    stranger = await sync_to_async(person_in)(community, "outsider")
    socket = await connect(stranger)
    try:
        (answer, *_rest) = await subscribe(socket, community.stream)
        await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body="Segreto")
        received = await frames(socket)
    finally:
        await socket.disconnect()

    assert answer["op"] == "error"
    assert not [frame for frame in received if frame["op"] == "activity"]
