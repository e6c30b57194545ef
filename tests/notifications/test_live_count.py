"""The bell follows the person's own stream: a mention reaches their socket as
`notification.created` (ids only), and the count endpoint then says one more."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from community.services import threads
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def _thread_and_member():
    community, owner, thread = community_with_thread()
    return owner, thread, member_of(community)


@sync_to_async
def _count(person):
    client = Client()
    client.force_login(person)
    return client.get(reverse("notifications:count")).json()["unread"]


async def test_a_mention_reaches_the_persons_socket_and_count():
    owner, thread, ada = await _thread_and_member()
    socket = await connect(ada)
    replay = await subscribe(socket, f"user:{ada.pk}")
    assert replay[0]["op"] == "subscribed"
    assert await _count(ada) == 0
    await sync_to_async(threads.post_reply)(
        actor=owner, thread=thread, body=f"Che ne pensi, @{ada.username}?"
    )
    received = [f for f in await frames(socket) if f.get("op") == "event"]
    notification = await sync_to_async(Notification.objects.get)(recipient=ada)
    assert [(f["stream"], f["type"], f["data"]) for f in received] == [
        (
            f"user:{ada.pk}",
            "notification.created",
            {"id": notification.pk, "kind": "mention"},
        )
    ]
    assert await _count(ada) == 1
    await socket.disconnect()


async def test_nobody_else_may_follow_a_persons_notifications():
    owner, _thread, ada = await _thread_and_member()
    socket = await connect(owner)
    replay = await subscribe(socket, f"user:{ada.pk}")
    assert replay[0]["op"] != "subscribed"
    await socket.disconnect()
