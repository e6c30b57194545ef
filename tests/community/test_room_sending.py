"""Sending to a room without JavaScript, once per client id, and the live fragments of
its messages; editing and deleting a message come back to the room.
"""

import pytest
from django.urls import reverse

from community.models import ReadPosition, Thread
from community.services import threads
from tests.community.room_helpers import (
    community_with_room,
    events,
    post_url,
    presented,
    room_url,
    say,
)
from tests.community.thread_helpers import login
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_sending_without_javascript_posts_and_comes_back_to_the_room(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    login(client, member)

    response = client.post(post_url(room), {"body": "Ciao a tutti"})

    post = room.posts.get()
    assert response.status_code == 302
    assert response["Location"] == room_url(room) + "#composer"
    assert post.author == member and post.number == 1
    assert events(room.stream)[-1].type == "post.created"
    # Whoever wrote has read the room up to their own message.
    assert ReadPosition.objects.get(user=member, thread=room).last_read_number == 1
    page = client.get(room_url(room)).content.decode()
    assert "Ciao a tutti" in page


def test_an_empty_message_shows_the_error_in_the_room(client):
    community, owner, room = community_with_room()
    login(client, member_of(community))

    response = client.post(post_url(room), {"body": "   "})

    assert response.status_code == 200
    assert "Write something first." in response.content.decode()
    assert not room.posts.exists()


def test_a_resent_message_is_stored_once(client):
    community, owner, room = community_with_room()
    login(client, member_of(community))
    form = {
        "body": "Una volta sola",
        "client_id": "3f0b1c2e-5d6a-4b7c-8d9e-0f1a2b3c4d5e",
    }

    client.post(post_url(room), form)
    client.post(post_url(room), form)

    assert room.posts.count() == 1


def test_live_fragments_of_room_messages_use_the_chat_layout():
    community, owner, room = community_with_room()
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)

    message = say(room, owner, "In diretta")
    reply = threads.post_reply(actor=owner, thread=discussion, body="Risposta")

    room_html = presented(events(room.stream)[-1])["html"]
    thread_html = presented(events(discussion.stream)[-1])["html"]
    assert set(room_html) == {"it", "en"}
    assert room_html["en"].startswith('<li class="room-message"')
    assert f'data-post="{message.pk}"' in room_html["en"]
    for action in ("edit", "delete", "promote"):
        assert f'data-action="{action}"' in room_html["en"]
    assert 'class="post' in thread_html["en"]
    assert f'data-post="{reply.pk}"' in thread_html["en"]


def test_editing_and_deleting_a_room_message_come_back_to_the_room(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    post = say(room, member, "Refuso")
    login(client, member)

    edited = client.post(
        reverse("community:post-edit", args=[post.pk]), {"body": "Fix"}
    )
    deleted = client.post(reverse("community:post-delete", args=[post.pk]))

    assert edited["Location"] == room_url(room) + f"#p{post.pk}"
    assert deleted["Location"] == room_url(room) + f"#p{post.pk}"
    html = client.get(room_url(room)).content.decode()
    assert "This message was deleted by its author." in html
