"""A workspace's discussion obeys the live rules of every community: its catch-up
shows posts as they are now, and a socket used before an access change (archive,
removal, a lead stepping down) decides on the state after it."""

import json

import pytest
from asgiref.sync import sync_to_async

from community.models import Thread
from community.services import moderation, threads
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant
from workspaces.services import people, workspaces

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SECRET = "Royalty concordata: 3,5% sul fatturato"


def _workspace(role=Participant.Role.MEMBER):
    workspace = make_workspace()
    person = person_of(OrganisationFactory())
    add_participant(workspace, person, role=role)
    kickoff = Thread.objects.get(community=workspace.community, kind="discussion")
    room = Thread.objects.get(community=workspace.community, kind="room")
    return workspace, person, kickoff, room


def _edit(post, lead):
    threads.post_edit(actor=post.author, post=post, body="Royalty da definire.")


def _delete(post, lead):
    threads.post_delete(actor=post.author, post=post)


def _hide(post, lead):
    moderation.post_hide(actor=lead, post=post, reason="Riservato")


CHANGES = {"edited": _edit, "deleted": _delete, "hidden": _hide}


@pytest.mark.parametrize("reader", ["guest", "staff"])
@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("kind", ["discussion", "room"])
async def test_a_discussion_replay_shows_the_post_as_it_is_now(reader, change, kind):
    @sync_to_async
    def setup():
        workspace, member, kickoff, room = _workspace()
        thread = kickoff if kind == "discussion" else room
        post = threads.post_reply(actor=member, thread=thread, body=SECRET)
        CHANGES[change](post, workspace.created_by)
        if reader == "staff":
            person = UserFactory(is_staff=True)
        else:
            person = person_of(OrganisationFactory())
            add_participant(workspace, person, role=Participant.Role.GUEST)
        return thread, post, person

    thread, post, person = await setup()
    socket = await connect(person)
    received = await subscribe(socket, thread.stream, after=0)
    await socket.disconnect()

    assert received[0]["op"] == "subscribed"
    assert SECRET not in json.dumps(received, ensure_ascii=False)
    mine = [f["data"] for f in received if f.get("op") == "event" and f["data"].get("id") == post.pk]
    assert mine, "the post's events are replayed"
    if change == "edited":
        assert all("Royalty da definire." in data["body_html"] for data in mine)
    else:
        assert all(data["body_html"] == "" for data in mine)


async def test_a_socket_used_before_the_archive_can_neither_post_nor_type_after_it():
    workspace, member, kickoff, room = await sync_to_async(_workspace)()
    socket = await connect(member)
    await subscribe(socket, room.stream)
    assert (await send_post(socket, kickoff.pk, "Prima dell'archivio"))["op"] == "ack"

    await sync_to_async(workspaces.workspace_archive)(
        actor=workspace.created_by, workspace=workspace
    )
    await frames(socket)
    answer = await send_post(socket, room.pk, SECRET)
    await socket.send_json_to({"op": "typing", "thread": room.pk})
    typing = await frames(socket)
    await socket.disconnect()

    assert (answer["op"], answer["code"]) == ("error", "forbidden")
    assert [f["code"] for f in typing if f["op"] == "error"] == ["forbidden"]
    assert not await sync_to_async(room.posts.filter(body=SECRET).exists)()


async def test_a_lead_who_steps_down_loses_the_discussions_moderation_stream_at_once():
    workspace, second_lead, _kickoff, _room = await sync_to_async(_workspace)(
        Participant.Role.LEAD
    )
    stream = f"moderation:{workspace.community_id}"
    socket = await connect(second_lead)
    assert (await subscribe(socket, stream))[0]["op"] == "subscribed"

    participant = await sync_to_async(Participant.objects.get)(
        workspace=workspace, user=second_lead
    )
    await sync_to_async(people.participant_set_role)(
        actor=workspace.created_by, participant=participant, role=Participant.Role.MEMBER
    )
    received = await frames(socket)
    again = await subscribe(socket, stream)
    await socket.disconnect()

    assert {"op": "error", "code": "not_found", "ref": stream}.items() <= received[-1].items()
    assert again[0]["code"] == "not_found"


async def test_a_removed_participants_socket_can_no_longer_type_in_the_room():
    workspace, member, _kickoff, room = await sync_to_async(_workspace)()
    socket = await connect(member)
    await subscribe(socket, room.stream)

    participant = await sync_to_async(Participant.objects.get)(
        workspace=workspace, user=member
    )
    await sync_to_async(people.participant_remove)(
        actor=workspace.created_by, participant=participant
    )
    cut = await frames(socket)
    await socket.send_json_to({"op": "typing", "thread": room.pk})
    typing = await frames(socket)
    await socket.disconnect()

    assert room.stream in {f.get("ref") for f in cut if f["op"] == "error"}
    assert [f["op"] for f in typing] == ["error"]


# --- what the workspace's stream tells whom ------------------------------------------------


def _leads_facts():
    """A workspace with a guest, a member, a second lead and staff, where a lead
    invites an organisation and asks for an export."""
    from workspaces.services import exports

    workspace, member, _kickoff, _room = _workspace()
    guest = person_of(OrganisationFactory())
    add_participant(workspace, guest, role=Participant.Role.GUEST)
    second_lead = person_of(OrganisationFactory())
    add_participant(workspace, second_lead, role=Participant.Role.LEAD)
    outsider = person_of(OrganisationFactory(name="Valvole Segrete Srl"), admin=True)
    people.invitation_create(
        actor=workspace.created_by,
        workspace=workspace,
        who=outsider.username,
        role=Participant.Role.MEMBER,
        site_url="http://testserver/",
    )
    exports.export_request(actor=workspace.created_by, workspace=workspace)
    readers = {
        "guest": guest,
        "member": member,
        "staff": UserFactory(is_staff=True),
        "lead": second_lead,
    }
    return workspace, readers


LEADS_FACTS = {"invitation.created", "export.requested"}


@pytest.mark.parametrize("reader", ["guest", "member", "staff", "lead"])
async def test_invitations_and_export_requests_reach_the_leads_only(reader):
    workspace, readers = await sync_to_async(_leads_facts)()
    socket = await connect(readers[reader])
    received = await subscribe(socket, workspace.stream, after=0)
    await socket.disconnect()

    events = [f for f in received if f.get("op") == "event"]
    seqs = [f["seq"] for f in events]
    assert seqs == list(range(1, len(seqs) + 1)), "the stream stays gap-free"
    types = {f["type"] for f in events}
    if reader == "lead":
        assert LEADS_FACTS <= types
    else:
        assert not LEADS_FACTS & types
        unseen = [f for f in events if f["type"] == "unseen"]
        assert len(unseen) == 2 and all("data" not in f for f in unseen)


async def test_a_member_made_lead_receives_the_leads_facts_from_then_on():
    from workspaces.services import exports

    workspace, member, _kickoff, _room = await sync_to_async(_workspace)()
    lead = await sync_to_async(lambda: workspace.created_by)()
    socket = await connect(member)
    await subscribe(socket, workspace.stream)
    await sync_to_async(exports.export_request)(actor=lead, workspace=workspace)
    before = await frames(socket)
    participant = await sync_to_async(Participant.objects.get)(
        workspace=workspace, user=member
    )
    await sync_to_async(people.participant_set_role)(
        actor=lead, participant=participant, role=Participant.Role.LEAD
    )
    await frames(socket)
    outsider = await sync_to_async(lambda: person_of(OrganisationFactory(), admin=True))()
    await sync_to_async(people.invitation_create)(
        actor=lead,
        workspace=workspace,
        who=outsider.username,
        role=Participant.Role.MEMBER,
        site_url="http://testserver/",
    )
    after = await frames(socket)
    await socket.disconnect()

    assert [f["type"] for f in before] == ["unseen"]
    assert [f["type"] for f in after] == ["invitation.created"]
