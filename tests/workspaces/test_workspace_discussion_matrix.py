"""The workspace discussion's own URLs (its community page, a thread, the room, a post
permalink, the socket) over the roles of `workspace_roles`: outsiders get 404 or
"not found", participants read and write, site staff read and moderate but write
nothing (they are not participants); and nobody promotes a room message while the
workspace is archived."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community import permissions as community_permissions
from community.models import Post, Thread
from community.services import moderation
from community.services import threads as thread_services
from tests.live.sockets import connect, send_post, subscribe
from tests.support.workspaces import (
    ROLES,
    SEES,
    add_participant,
    make_workspace,
    person_of,
    workspace_roles,
)
from workspaces.services import workspaces

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Who writes in the discussion: its participants (site staff only read it).
WRITES = frozenset({"guest", "member", "lead"})


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Epsilon")


@pytest.fixture
def kickoff(workspace):
    return Thread.objects.get(community=workspace.community, kind="discussion")


@pytest.fixture
def room(workspace):
    return Thread.objects.get(community=workspace.community, kind="room")


@pytest.fixture
def message(workspace, room):
    return thread_services.post_reply(
        actor=workspace.created_by, thread=room, body="Benvenuti nella stanza"
    )


def _pages(workspace, kickoff, room, message):
    slug = workspace.community.slug
    return {
        "community": reverse("community:community-detail", args=[slug]),
        "thread": kickoff.get_absolute_url(),
        "room": room.get_absolute_url(),
        "permalink": reverse("community:post-permalink", args=[message.pk]),
    }


@pytest.mark.parametrize("page", ("community", "thread", "room", "permalink"))
@pytest.mark.parametrize("role", ROLES)
def test_the_discussion_pages_follow_the_workspace(
    client, workspace, roles, kickoff, room, message, role, page
):
    client.force_login(roles[role])

    response = client.get(_pages(workspace, kickoff, room, message)[page])

    if role in SEES:
        assert response.status_code == (302 if page == "permalink" else 200)
    else:
        assert response.status_code == 404
        assert "Progetto Epsilon" not in response.content.decode()
        assert "Benvenuti" not in response.content.decode()


# The discussion's first thread takes replies, its room takes messages: one rule.
WRITING = {
    "reply": ("community:thread-reply", "kickoff", "Risposta"),
    "room message": ("community:room-post", "room", "Messaggio"),
}


@pytest.mark.parametrize("writing", WRITING)
@pytest.mark.parametrize("role", ROLES)
def test_only_participants_reply_and_write_in_the_room(
    request, client, workspace, roles, role, writing
):
    url_name, thread_fixture, words = WRITING[writing]
    thread = request.getfixturevalue(thread_fixture)
    client.force_login(roles[role])
    url = reverse(url_name, args=[workspace.community.slug, thread.pk])

    response = client.post(url, {"body": f"{words} di {role}"})

    written = thread.posts.filter(body=f"{words} di {role}").exists()
    assert written == (role in WRITES)
    if role == "staff":
        assert response.status_code == 403
    elif role not in SEES:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_participants_start_threads(client, workspace, roles, role):
    client.force_login(roles[role])
    url = reverse("community:thread-create", args=[workspace.community.slug])

    response = client.post(url, {"title": f"Tema di {role}", "body": "Proposta"})

    started = Thread.objects.filter(
        community=workspace.community, title=f"Tema di {role}"
    ).exists()
    assert started == (role in WRITES)
    if role == "staff":
        assert response.status_code == 403
    elif role not in SEES:
        assert response.status_code == 404


def test_staff_read_without_a_composer_nor_a_new_room(client, workspace, roles, kickoff):
    client.force_login(roles.staff)
    slug = workspace.community.slug

    thread_page = client.get(kickoff.get_absolute_url()).content.decode()
    community_page = client.get(reverse("community:community-detail", args=[slug]))
    room_create = client.post(
        reverse("community:room-create", args=[slug]), {"name": "supporto"}
    )

    assert "data-staff-reader" in thread_page
    assert 'name="body"' not in thread_page
    assert reverse("community:thread-create", args=[slug]) not in (
        community_page.content.decode()
    )
    assert room_create.status_code == 403
    assert not Thread.objects.filter(
        community=workspace.community, title="supporto"
    ).exists()


def test_staff_still_moderate(workspace, roles, kickoff):
    post = thread_services.post_reply(
        actor=roles.member, thread=kickoff, body="Fuori tema"
    )

    moderation.post_hide(actor=roles.staff, post=post, reason="off topic")

    assert Post.objects.get(pk=post.pk).is_hidden


def test_staff_who_take_part_write_like_participants(workspace, kickoff):
    """The rule is about not taking part: a member of the discussion writes."""
    staff_member = person_of(is_staff=True)
    add_participant(workspace, staff_member)

    post = thread_services.post_reply(
        actor=staff_member, thread=kickoff, body="Scrivo da partecipante"
    )

    assert post.pk is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("role", ROLES)
async def test_the_socket_follows_the_same_rules(role):
    workspace = await sync_to_async(make_workspace)()
    roles = await sync_to_async(workspace_roles)(workspace)
    kickoff = await sync_to_async(Thread.objects.get)(
        community=workspace.community_id, kind="discussion"
    )
    socket = await connect(roles[role])
    try:
        first = (await subscribe(socket, kickoff.stream))[0]
        answer = await send_post(socket, kickoff.pk, f"Dal socket: {role}")
    finally:
        await socket.disconnect()

    written = await sync_to_async(
        kickoff.posts.filter(body=f"Dal socket: {role}").exists
    )()
    if role in SEES:
        assert first["op"] == "subscribed"
    else:
        assert (first["op"], first["code"]) == ("error", "not_found")
    assert written == (role in WRITES)
    assert answer["op"] == ("ack" if role in WRITES else "error")


def test_no_promotion_from_an_archived_workspaces_room(
    client, workspace, roles, room, message
):
    workspaces.workspace_archive(actor=roles.lead, workspace=workspace)
    client.force_login(roles.lead)

    page = client.get(room.get_absolute_url()).content.decode()
    response = client.post(
        reverse("community:post-promote", args=[message.pk]),
        {"title": "Dalla stanza", "body": ""},
    )

    assert "Benvenuti nella stanza" in page
    assert 'data-action="promote"' not in page
    assert response.status_code == 403
    assert not Thread.objects.filter(title="Dalla stanza").exists()
    message.thread = room
    assert not community_permissions.can_promote_post(roles.lead, message)
