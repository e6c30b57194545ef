"""Who may do what in rooms: every role against every room page and action, in every
visibility, like the thread matrix; and the actions each viewer is offered.
"""

import re

import pytest
from django.urls import reverse

from community.models import Post, ReadPosition, Thread
from tests.community.room_helpers import (
    community_with_room,
    post_url,
    promote_url,
    read_url,
    room_url,
    say,
)
from tests.community.thread_helpers import login
from tests.support.roles import (
    MODERATORS,
    READERS,
    ROLES,
    VISIBILITIES,
    assert_status,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


ACTIONS = {
    # name: (needs login, status when allowed, who is allowed once past the gate)
    "read room": (False, 200, set(ROLES)),
    "read older messages": (False, 200, set(ROLES)),
    "open message permalink": (False, 302, set(ROLES)),
    "new room form": (True, 200, MODERATORS),
    "open room": (True, 302, MODERATORS),
    "send message": (True, 302, READERS),
    "mark as read": (True, 302, set(ROLES)),
    "promote form for someone's message": (True, 200, MODERATORS),
    "promote someone's message": (True, 302, MODERATORS),
    "edit someone's message": (True, 200, set()),
    "delete someone's message": (True, 302, set()),
}


def perform(client, action, room, post):
    community = room.community
    match action:
        case "read room":
            return client.get(room_url(room))
        case "read older messages":
            return client.get(room_url(room, before=post.number))
        case "open message permalink":
            return client.get(reverse("community:post-permalink", args=[post.pk]))
        case "new room form":
            return client.get(reverse("community:room-create", args=[community.slug]))
        case "open room":
            return client.post(
                reverse("community:room-create", args=[community.slug]),
                {"name": "Nuova stanza"},
            )
        case "send message":
            return client.post(post_url(room), {"body": "Ciao"})
        case "mark as read":
            return client.post(read_url(room), {"number": post.number})
        case "promote form for someone's message":
            return client.get(promote_url(post))
        case "promote someone's message":
            return client.post(promote_url(post), {"title": "Continua qui"})
        case "edit someone's message":
            return client.post(
                reverse("community:post-edit", args=[post.pk]), {"body": "Modifica"}
            )
        case "delete someone's message":
            return client.post(reverse("community:post-delete", args=[post.pk]))


def _positions():
    return list(
        ReadPosition.objects.order_by("pk").values_list(
            "user_id", "thread_id", "last_read_number", "level"
        )
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_room_permission_matrix(client, role, visibility, action):
    community, owner, room = community_with_room(visibility)
    author = member_of(community)
    post = say(room, author, "Originale")
    person = owner if role == "owner" else person_in(community, role)
    threads_before = Thread.objects.count()
    posts_before = Post.objects.count()
    positions_before = _positions()

    response = perform(login(client, person), action, room, post)

    status = assert_status(response, ACTIONS[action], visibility, role)
    writes = {"open room", "send message", "promote someone's message"}
    if status != 302 or action not in writes:
        assert Thread.objects.count() == threads_before
        assert Post.objects.count() == posts_before
    # Read positions (the author's, the owner's of the thread they started) change
    # only by reading, writing or starting a thread (which watches it).
    if status != 302 or action not in {
        "mark as read", "send message", "promote someone's message"
    }:
        assert _positions() == positions_before
    post.refresh_from_db()
    assert post.body == "Originale" and not post.is_deleted


def test_the_room_page_offers_each_viewer_only_their_actions(client):
    community, owner, room = community_with_room()
    author, other = member_of(community), member_of(community)
    post = say(room, author, "Mio")

    def actions(user):
        login(client, user)
        html = client.get(room_url(room)).content.decode()
        item = html.split(f'data-post="{post.pk}"')[1].split("</li>")[0]
        return set(re.findall(r'data-action="(\w+)"', item))

    assert actions(author) == {"edit", "delete", "promote", "react"}
    assert actions(other) == {"report", "react"}
    assert actions(owner) == {"promote", "moderate", "react"}
