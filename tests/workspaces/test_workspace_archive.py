"""Archiving: leads archive a workspace, which turns read-only for everyone — its
pages, its forms and its discussion (pages, form posts and the socket refuse with a
clear message) — until a lead restores it."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community.models import Thread
from tests.live.sockets import connect, send_post
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Workspace
from workspaces.services import workspaces

ARCHIVED = "read-only"


def setup_archived():
    workspace = make_workspace(name="Progetto Chiuso")
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    workspaces.workspace_archive(actor=workspace.created_by, workspace=workspace)
    kickoff = Thread.objects.get(community=workspace.community, kind="discussion")
    room = Thread.objects.get(community=workspace.community, kind="room")
    return workspace, member, kickoff, room


@pytest.fixture
def archived(db):
    return setup_archived()


@pytest.mark.django_db
def test_the_dashboard_says_it_is_archived_and_offers_restoring_to_leads(
    client, archived
):
    workspace, member, _kickoff, _room = archived
    client.force_login(workspace.created_by)
    lead_page = client.get(workspace.get_absolute_url()).content.decode()
    client.force_login(member)
    member_page = client.get(workspace.get_absolute_url()).content.decode()

    assert "data-archived-banner" in lead_page and "data-archived-banner" in member_page
    restore = reverse("workspaces:workspace-restore", args=[workspace.pk])
    assert restore in lead_page and restore not in member_page
    assert reverse("workspaces:workspace-stage", args=[workspace.pk]) not in lead_page


@pytest.mark.django_db
def test_forms_are_refused_while_archived(client, archived, english):
    workspace, member, _kickoff, _room = archived
    client.force_login(workspace.created_by)

    stage = client.post(
        reverse("workspaces:workspace-stage", args=[workspace.pk]), {"stage": "closed"}
    )
    invite = client.post(
        reverse("workspaces:invitation-create", args=[workspace.pk]),
        {"who": member.username, "role": "member", "partner_role": "partner"},
    )

    assert stage.status_code == 403 and invite.status_code == 403
    assert Workspace.objects.get(pk=workspace.pk).stage == "exploration"
    assert not workspace.invitations.exists()
    assert "archived" in stage.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["lead", "member"])
def test_the_discussion_is_read_only_with_a_clear_message(
    client, archived, english, who
):
    workspace, member, kickoff, room = archived
    person = workspace.created_by if who == "lead" else member
    client.force_login(person)

    page = client.get(kickoff.get_absolute_url()).content.decode()
    room_page = client.get(room.get_absolute_url()).content.decode()
    reply = client.post(
        reverse("community:thread-reply", args=[workspace.community.slug, kickoff.pk]),
        {
            "body": "Ancora una cosa",
            "client_id": "7d8c4c1e-5bb8-4a4e-9d35-1f5f2e3c9a10",
        },
    )
    new_thread = client.post(
        reverse("community:thread-create", args=[workspace.community.slug]),
        {
            "title": "Nuovo",
            "body": "Testo",
            "client_id": "1d8c4c1e-5bb8-4a4e-9d35-1f5f2e3c9a10",
        },
    )

    assert "data-read-only" in page and ARCHIVED in page
    assert "data-read-only" in room_page
    assert 'name="body"' not in page
    assert reply.status_code == 403 and ARCHIVED in reply.content.decode()
    assert new_thread.status_code == 403
    assert kickoff.posts.count() == 1
    assert Thread.objects.filter(community=workspace.community).count() == 2
    # The breadcrumbs lead back to the workspace.
    assert workspace.get_absolute_url() in page


@pytest.mark.django_db
def test_restoring_makes_it_writable_again(client, archived):
    workspace, member, kickoff, _room = archived
    client.force_login(workspace.created_by)

    client.post(reverse("workspaces:workspace-restore", args=[workspace.pk]))
    client.force_login(member)
    reply = client.post(
        reverse("community:thread-reply", args=[workspace.community.slug, kickoff.pk]),
        {"body": "Si riparte", "client_id": "2d8c4c1e-5bb8-4a4e-9d35-1f5f2e3c9a10"},
    )

    assert not Workspace.objects.get(pk=workspace.pk).is_archived
    assert reply.status_code == 302
    assert kickoff.posts.filter(body="Si riparte").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_socket_refuses_posts_while_archived():
    workspace, member, kickoff, room = await sync_to_async(setup_archived)()
    socket = await connect(member)
    try:
        in_thread = await send_post(socket, kickoff.pk, "Via socket")
        in_room = await send_post(socket, room.pk, "Anche qui")
    finally:
        await socket.disconnect()

    for answer in (in_thread, in_room):
        assert (answer["op"], answer["code"]) == ("error", "forbidden")
        assert "archiv" in answer["message"]
    assert not await sync_to_async(room.posts.filter(body="Anche qui").exists)()
