"""A direct conversation over the socket: only its participants subscribe, catch up,
post and type; a block ends the blocker's subscription at once; staff read nothing,
not even after a participant reported a message."""

import json

import pytest
from asgiref.sync import sync_to_async

from community.services import direct, reports, threads
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SECRET = "La formula segreta del composito"


def _pair():
    ada, bruno = UserFactory(), UserFactory()
    room = direct.direct_open(actor=ada, people=[bruno])
    post = threads.post_reply(actor=ada, thread=room, body=SECRET)
    return ada, bruno, room, post


def _person(role, ada, bruno, post):
    if role == "participant":
        return bruno
    if role == "blocker":
        direct.person_block(actor=bruno, person=ada)
        return bruno
    if role == "stranger":
        return UserFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)
    if role == "staff_after_report":
        reports.post_report(actor=bruno, post=post, reason="spam")
    return staff


ROLES = {
    "participant": True,
    "blocker": False,
    "stranger": False,
    "staff": False,
    "staff_after_report": False,
}


def _leaks(received):
    return SECRET in json.dumps(received, ensure_ascii=False)


@pytest.mark.parametrize("role", ROLES)
async def test_only_participants_subscribe_and_catch_up(role):
    ada, bruno, room, post = await sync_to_async(_pair)()
    person = await sync_to_async(_person)(role, ada, bruno, post)
    socket = await connect(person)
    received = await subscribe(socket, room.stream, after=0)
    await socket.disconnect()
    if ROLES[role]:
        assert received[0]["op"] == "subscribed"
        assert _leaks(received)
    else:
        assert [frame["op"] for frame in received] == ["error"]
        assert received[0]["code"] == "not_found"
        assert not _leaks(received)


@pytest.mark.parametrize("role", ROLES)
async def test_only_participants_post_and_type(role):
    ada, bruno, room, post = await sync_to_async(_pair)()
    person = await sync_to_async(_person)(role, ada, bruno, post)
    socket = await connect(person)
    answer = await send_post(socket, room.pk, "Eccomi")
    await subscribe(socket, room.stream)  # typing goes to the rooms one follows
    await socket.send_json_to({"op": "typing", "thread": room.pk})
    typing = await frames(socket)
    await socket.disconnect()
    if ROLES[role]:
        assert answer["op"] == "ack"
        assert not [f for f in typing if f.get("op") == "error"]
    else:
        assert answer["op"] == "error"
        assert [f["op"] for f in typing] == ["error"]


async def test_a_message_reaches_the_other_participant_live():
    ada, bruno, room, _post = await sync_to_async(_pair)()
    listener = await connect(bruno)
    assert (await subscribe(listener, room.stream))[0]["op"] == "subscribed"
    writer = await connect(ada)
    assert (await send_post(writer, room.pk, "Ci vediamo alle tre"))["op"] == "ack"
    received = await frames(listener)
    await listener.disconnect()
    await writer.disconnect()
    created = [f for f in received if f.get("type") == "post.created"]
    assert len(created) == 1
    assert "Ci vediamo alle tre" in created[0]["data"]["body_html"]


def _group():
    ada, bruno, carla = UserFactory(), UserFactory(), UserFactory()
    return ada, bruno, direct.direct_open(actor=carla, people=[ada, bruno])


async def test_blocking_ends_the_blockers_subscription_at_once():
    ada, bruno, room = await sync_to_async(_group)()
    socket = await connect(bruno)
    assert (await subscribe(socket, room.stream))[0]["op"] == "subscribed"
    await sync_to_async(direct.person_block)(actor=bruno, person=ada)
    ended = await frames(socket)
    # In a group Ada still writes, but nothing of it reaches Bruno.
    await sync_to_async(threads.post_reply)(actor=ada, thread=room, body="Mi senti?")
    after = await frames(socket)
    await socket.disconnect()
    assert any(
        {"op": "error", "code": "not_found", "ref": room.stream}.items() <= frame.items()
        for frame in ended
    )
    assert not [f for f in after if f.get("type") == "post.created"]


async def test_a_blocked_person_cannot_write_in_a_conversation_of_two():
    ada, bruno, room, _post = await sync_to_async(_pair)()
    await sync_to_async(direct.person_block)(actor=bruno, person=ada)
    socket = await connect(ada)
    answer = await send_post(socket, room.pk, "Perché?")
    await socket.disconnect()
    assert (answer["op"], answer["code"]) == ("error", "forbidden")
    # In the person's language (Italian by default).
    assert answer["message"] == "Non puoi inviare messaggi a questa persona."
