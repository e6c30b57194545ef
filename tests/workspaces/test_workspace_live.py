"""The live side: events of the workspace stream reach participants; a removed
participant's sockets stop receiving at once, on the workspace stream and on the
discussion's threads and rooms; posts in the discussion reach the activity feed."""

import pytest
from asgiref.sync import sync_to_async

from community.models import Thread
from community.services import threads as thread_services
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant
from workspaces.services import people, workspaces

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def setup_workspace():
    workspace = make_workspace()
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    kickoff = Thread.objects.get(community=workspace.community, kind="discussion")
    room = Thread.objects.get(community=workspace.community, kind="room")
    return workspace, member, kickoff, room


def remove(workspace, person):
    participant = Participant.objects.get(workspace=workspace, user=person)
    people.participant_remove(actor=workspace.created_by, participant=participant)


async def test_participants_receive_the_workspace_events_live():
    workspace, member, _kickoff, _room = await sync_to_async(setup_workspace)()
    socket = await connect(member)
    try:
        await subscribe(socket, workspace.stream)
        await sync_to_async(workspaces.workspace_set_stage)(
            actor=workspace.created_by, workspace=workspace, stage="agreement"
        )
        received = await frames(socket)
    finally:
        await socket.disconnect()

    assert [(f["op"], f["type"]) for f in received] == [
        ("event", "workspace.stage_changed")
    ]
    assert received[0]["data"] == {
        "id": workspace.pk,
        "from": "exploration",
        "to": "agreement",
    }


async def test_a_removed_participant_stops_receiving_at_once_everywhere():
    workspace, member, kickoff, room = await sync_to_async(setup_workspace)()
    socket = await connect(member)
    try:
        for stream in (workspace.stream, kickoff.stream, room.stream):
            first = (await subscribe(socket, stream))[0]
            assert first["op"] == "subscribed", first

        await sync_to_async(remove)(workspace, member)
        cut = await frames(socket)
        await sync_to_async(thread_services.post_reply)(
            actor=workspace.created_by, thread=kickoff, body="Dopo la rimozione"
        )
        await sync_to_async(thread_services.post_reply)(
            actor=workspace.created_by, thread=room, body="Anche qui"
        )
        await sync_to_async(workspaces.workspace_set_stage)(
            actor=workspace.created_by, workspace=workspace, stage="nda"
        )
        after = await frames(socket)
        again = (await subscribe(socket, workspace.stream))[0]
    finally:
        await socket.disconnect()

    ended = {f["ref"] for f in cut if f["op"] == "error" and f["code"] == "not_found"}
    assert ended == {workspace.stream, kickoff.stream, room.stream}
    assert not [f for f in after if f["op"] == "event"]
    assert (again["op"], again["code"]) == ("error", "not_found")


async def test_a_removed_participants_socket_cannot_post_in_the_discussion():
    workspace, member, kickoff, _room = await sync_to_async(setup_workspace)()
    socket = await connect(member)
    try:
        await sync_to_async(remove)(workspace, member)
        answer = await send_post(socket, kickoff.pk, "Ci sono ancora?")
    finally:
        await socket.disconnect()

    assert answer["op"] == "error"
    assert not await sync_to_async(
        kickoff.posts.filter(body="Ci sono ancora?").exists
    )()


async def test_a_post_in_the_discussion_reaches_the_activity_feed():
    workspace, member, kickoff, _room = await sync_to_async(setup_workspace)()
    lead_socket = await connect(workspace.created_by)
    member_socket = await connect(member)
    try:
        await subscribe(lead_socket, workspace.stream)
        answer = await send_post(member_socket, kickoff.pk, "Proposta per la riunione")
        received = await frames(lead_socket)
    finally:
        await lead_socket.disconnect()
        await member_socket.disconnect()

    assert answer["op"] == "ack"
    comments = [f for f in received if f.get("type") == "comment.posted"]
    assert len(comments) == 1
    assert comments[0]["data"] == {
        "post": answer["post"],
        "thread": kickoff.pk,
        "number": 2,
    }
