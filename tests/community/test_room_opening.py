"""Opening rooms: who may, what names they take, the form and the event it announces."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Thread
from community.services import rooms
from tests.community.room_helpers import community_with_room, events, room_url
from tests.community.thread_helpers import community_with_thread, login
from tests.support.roles import person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_owner_opens_a_room_and_the_community_stream_announces_it():
    community, owner, _thread = community_with_thread()

    room = rooms.room_create(actor=owner, community=community, name="  #Idrogeno ")

    assert room.kind == Thread.Kind.ROOM and room.title == "Idrogeno"
    assert room.post_count == 0 and room.author == owner
    created = events(f"community:{community.pk}")[-1]
    assert created.type == "thread.created"
    assert created.payload["id"] == room.pk and created.payload["kind"] == "room"


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_moderators_and_staff_open_rooms(role):
    community, owner, _thread = community_with_thread()

    room = rooms.room_create(
        actor=person_in(community, role), community=community, name="Eventi"
    )

    assert room.kind == Thread.Kind.ROOM


@pytest.mark.parametrize("role", ["member", "outsider", "banned"])
def test_members_cannot_open_rooms(role):
    community, owner, _thread = community_with_thread()

    with pytest.raises(PermissionDenied):
        rooms.room_create(
            actor=person_in(community, role), community=community, name="Eventi"
        )
    assert not Thread.objects.filter(kind=Thread.Kind.ROOM).exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Give the room a name."),
        ("  # ", "Give the room a name."),
        ("x" * 81, "at most 80 characters"),
        ("GENERALE", "already has a room with this name"),
    ],
)
def test_room_names_are_required_short_and_unique_whatever_the_case(name, message):
    community, owner, _room = community_with_room(name="Generale")

    with pytest.raises(ValidationError) as error:
        rooms.room_create(actor=owner, community=community, name=name)

    assert message in " ".join(error.value.message_dict["name"])
    assert Thread.objects.filter(kind=Thread.Kind.ROOM).count() == 1


def test_the_same_name_is_free_in_another_community_and_for_discussions():
    community, owner, room = community_with_room(name="Sensori per la manifattura")
    other, other_owner, _thread = community_with_thread()

    twin = rooms.room_create(actor=other_owner, community=other, name="generale")
    longest = rooms.room_create(actor=owner, community=community, name="y" * 80)

    assert twin.community == other and len(longest.title) == 80


def test_the_new_room_form_opens_the_room(client):
    community, owner, _thread = community_with_thread()
    login(client, owner)
    url = reverse("community:room-create", args=[community.slug])

    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Bandi e finanziamenti"})

    room = Thread.objects.get(kind=Thread.Kind.ROOM)
    assert response.status_code == 302 and response["Location"] == room_url(room)
    again = client.post(url, {"name": "bandi E finanziamenti"})
    assert again.status_code == 200
    assert "already has a room with this name" in again.content.decode()
