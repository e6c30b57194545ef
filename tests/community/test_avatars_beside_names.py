"""Avatars beside people's names in lists and cards: the notification list, thread
rows ("Started by"), a workspace's participants and documents, the moderators'
member list; the uploaded picture where there is one, initials otherwise."""

import pytest
from django.urls import reverse

from community.services import threads
from notifications.models import Notification
from tests.community.room_helpers import community_with_room
from tests.community.test_avatar_sizes import sized_url, with_avatar
from tests.community.thread_helpers import community_with_thread, login
from tests.support.roles import member_of
from tests.support.workspaces import add_participant, make_workspace, person_of
from tests.workspaces.document_helpers import post_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def small_picture(person):
    """The 20 px avatar (`xs`: 32 px, 64 for sharp screens) of `person`."""
    return (
        f'<img class="avatar avatar--xs" src="{sized_url(person, 32)}" '
        f'srcset="{sized_url(person, 64)} 2x"'
    )


def initials(person, size="xs"):
    return (
        f'<span class="avatar avatar--{size} avatar--initials" aria-hidden="true">'
        f"{person.initials}</span>"
    )


def test_thread_rows_show_who_started_the_thread_with_their_avatar(client):
    community, owner, _thread = community_with_thread(title="Senza foto")
    pictured = with_avatar(member_of(community))
    threads.thread_create(
        actor=pictured, community=community, title="Con foto", body="Ciao"
    )

    page = client.get(community.get_absolute_url()).content.decode()

    started = [part[:400] for part in page.split("Started by <span")[1:]]
    assert any(small_picture(pictured) in name for name in started)
    assert any(initials(owner) in name for name in started)


def test_the_notification_list_shows_the_actor_s_avatar(
    client, django_capture_on_commit_callbacks
):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    plain = member_of(community)
    with_avatar(owner)
    with django_capture_on_commit_callbacks(execute=True):
        threads.post_reply(actor=owner, thread=thread, body=f"Idee, @{ada.username}?")
        threads.post_reply(actor=plain, thread=thread, body=f"Anche @{ada.username}")
    assert Notification.objects.filter(recipient=ada).count() == 2

    page = login(client, ada).get(reverse("notifications:list")).content.decode()
    latest = login(client, ada).get(reverse("notifications:latest")).content.decode()

    for html in (page, latest):
        picture = (
            f'<img class="avatar avatar--sm" src="{sized_url(owner, 32)}" '
            f'srcset="{sized_url(owner, 64)} 2x"'
        )
        assert picture in html
        assert initials(plain, "sm") in html


def test_workspace_participants_and_document_uploaders_show_avatars(client):
    workspace = make_workspace(name="Progetto Delta")
    lead = workspace.created_by
    pictured = with_avatar(person_of(display_name="Marta Neri"))
    add_participant(workspace, pictured)
    login(client, pictured)
    assert post_files(client, workspace, {"notes.txt": b"minutes\n"}).status_code < 400

    dashboard = client.get(workspace.get_absolute_url()).content.decode()
    people = client.get(
        reverse("workspaces:people", args=[workspace.pk])
    ).content.decode()
    documents = client.get(
        reverse("workspaces:document-list", args=[workspace.pk])
    ).content.decode()

    assert small_picture(pictured) in dashboard
    assert initials(lead) in dashboard
    assert sized_url(pictured, 32) in people
    assert f">{lead.initials}</span>" in people
    assert small_picture(pictured) in documents


def test_the_moderators_member_list_shows_pictures_and_initials(client):
    community, owner, _room = community_with_room()
    pictured = with_avatar(member_of(community))
    plain = member_of(community)
    client.force_login(owner)

    page = client.get(
        reverse("community:moderation-members", args=[community.slug])
    ).content.decode()

    assert f'src="{sized_url(pictured, 32)}"' in page
    assert initials(plain, "sm") in page
