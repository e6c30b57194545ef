"""Attachments over the socket: a message sent with an image reaches the other
readers with its thumbnail, catch-up replays it, and only the sender's own uploads
may go with it."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from community.models import Attachment
from community.services import attachments, moderation
from tests.community.room_helpers import community_with_room
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of
from tests.workspaces import hostile_files as files

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def setting():
    community, owner, room = community_with_room()
    sender = member_of(community)
    reader = member_of(community)
    for person in (sender, reader):  # refusals in English, the words looked for
        person.language = "en"
        person.save(update_fields=["language"])
    image = attachments.attachment_upload(
        actor=sender,
        thread=room,
        upload=SimpleUploadedFile("grafico.png", files.png_bytes()),
    )
    return community, owner, room, sender, reader, image


def html(frame):
    """A post event's fragment as the socket received it ("" for other frames)."""
    found = (frame.get("data") or {}).get("html") or ""
    return found if isinstance(found, str) else " ".join(found.values())


async def send(socket, thread_id, body, ids):
    client_id = str(uuid.uuid4())
    await socket.send_json_to(
        {
            "op": "post",
            "thread": thread_id,
            "body": body,
            "client_id": client_id,
            "attachments": ids,
        }
    )
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame.get("op") in ("ack", "error") and client_id in (
            frame.get("client_id"),
            frame.get("ref"),
        ):
            return frame


async def test_a_message_with_an_image_reaches_another_socket_with_its_thumbnail():
    community, owner, room, sender, reader, image = await setting()
    theirs = await connect(reader)
    mine = await connect(sender)
    await subscribe(theirs, room.stream)
    await subscribe(mine, room.stream)

    answer = await send(mine, room.pk, "Il grafico di oggi", [image.pk])

    assert answer["op"] == "ack"
    (event,) = [f for f in await frames(theirs) if f.get("op") == "event"]
    assert event["type"] == "post.created"
    assert image.thumbnail_url in html(event)
    assert "Il grafico di oggi" in html(event)
    stored = await sync_to_async(Attachment.objects.get)(pk=image.pk)
    assert stored.post_id == answer["post"]

    # Catch-up: a socket that subscribes later replays the message with its image.
    late = await connect(reader)
    replay = await subscribe(late, room.stream, after=0)
    assert any(image.thumbnail_url in html(f) for f in replay)
    for socket in (theirs, mine, late):
        await socket.disconnect()


async def test_a_hidden_messages_image_is_not_replayed_to_readers():
    community, owner, room, sender, reader, image = await setting()
    mine = await connect(sender)
    await subscribe(mine, room.stream)
    answer = await send(mine, room.pk, "Da nascondere", [image.pk])
    await mine.disconnect()
    post = await sync_to_async(room.posts.get)(pk=answer["post"])
    await sync_to_async(moderation.post_hide)(actor=owner, post=post, reason="Spam")

    late = await connect(reader)
    replay = await subscribe(late, room.stream, after=0)

    shown = [html(f) for f in replay if html(f)]
    assert shown and all("hidden by a moderator" in fragment for fragment in shown)
    assert not any(image.thumbnail_url in fragment for fragment in shown)
    await late.disconnect()


async def test_someone_elses_upload_is_refused_over_the_socket():
    community, owner, room, sender, reader, image = await setting()
    socket = await connect(reader)
    await subscribe(socket, room.stream)

    answer = await send(socket, room.pk, "Non è mio", [image.pk])

    assert answer["op"] == "error" and answer["code"] == "invalid"
    assert "no longer available" in answer["message"]
    assert not await sync_to_async(room.posts.exists)()
    await socket.disconnect()


@pytest.mark.parametrize("ids", ["7", [True], ["7"], list(range(101))])
async def test_malformed_attachment_lists_are_bad_frames(ids):
    community, owner, room, sender, reader, image = await setting()
    socket = await connect(sender)

    answer = await send(socket, room.pk, "Ciao", ids)

    assert answer["op"] == "error" and answer["code"] == "bad_frame"
    await socket.disconnect()
