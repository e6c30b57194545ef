"""Editing a post in place (community:post-edit-inline) and each message's action
menu: the edit service's history and live event, and exactly the actions each role
is given."""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from community.models import PostRevision
from community.services import threads
from config.asgi import application
from tests.community.room_helpers import community_with_room, room_url, say
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.roles import member_of, person_in


def inline_url(post):
    return reverse("community:post-edit-inline", args=[post.pk])


@pytest.fixture
def reply():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body="Prima *versione*")
    return community, thread, author, post


@pytest.mark.django_db
def test_the_author_gets_the_source_and_saves_a_revision(client, english, reply):
    community, thread, author, post = reply
    login(client, author)

    source = client.get(inline_url(post)).json()
    saved = client.post(inline_url(post), {"body": "Seconda **versione**"})

    assert source["body"] == "Prima *versione*" and source["max_length"] > 0
    assert saved.json() == {"html": "<p>Seconda <strong>versione</strong></p>\n"}
    post.refresh_from_db()
    assert post.body == "Seconda **versione**" and post.edited_at is not None
    assert list(PostRevision.objects.values_list("body", flat=True)) == ["Prima *versione*"]
    # The page shows the new text and the "edited" mark.
    page = client.get(thread_url(thread)).content.decode()
    assert "<strong>versione</strong>" in page and ">edited<" in page


@pytest.mark.django_db
def test_an_empty_edit_is_refused_with_the_reason_and_changes_nothing(client, english, reply):
    _community, _thread, author, post = reply

    response = login(client, author).post(inline_url(post), {"body": "  "})

    assert response.status_code == 400
    assert response.json() == {"error": "Write something first."}
    post.refresh_from_db()
    assert post.body == "Prima *versione*" and not PostRevision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("anonymous", 403), ("member", 403), ("moderator", 403)])
def test_only_the_author_edits_in_place(client, reply, role, status):
    community, _thread, _author, post = reply
    login(client, person_in(community, role))

    assert client.get(inline_url(post)).status_code == status
    assert client.post(inline_url(post), {"body": "Non mio"}).status_code == status
    post.refresh_from_db()
    assert post.body == "Prima *versione*"


@pytest.mark.django_db
def test_a_post_in_a_thread_one_cannot_read_answers_not_found(client, reply):
    from community.models import Community

    community, _owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    post = thread.posts.get()
    login(client, member_of(community_with_thread()[0]))

    assert client.get(inline_url(post)).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_edit_in_place_reaches_another_open_page_live(client):
    community, _owner, room = await sync_to_async(community_with_room)()
    author = await sync_to_async(member_of)(community)
    reader = await sync_to_async(member_of)(community)
    message = await sync_to_async(say)(room, author, "Ciao a tutti")
    socket = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    socket.scope["user"] = reader
    assert (await socket.connect())[0]
    try:
        await socket.send_json_to(
            {"op": "subscribe", "stream": room.stream, "after": await sync_to_async(last_seq)(room)}
        )
        assert (await socket.receive_json_from())["op"] == "subscribed"

        await sync_to_async(client.force_login)(author)
        response = await sync_to_async(client.post)(
            inline_url(message), {"body": "Ciao a **tutti**"}
        )
        assert response.status_code == 200

        frame = await socket.receive_json_from(timeout=5)
        while frame["op"] != "event":  # presence and the like
            frame = await socket.receive_json_from(timeout=5)
        assert (frame["type"], frame["data"]["id"]) == ("post.edited", message.pk)
        shown = next(iter(frame["data"]["html"].values()))
        assert "Ciao a <strong>tutti</strong>" in shown
        # The reader's socket is told the reader may not edit it.
        assert "edit" not in frame["viewer"]["actions"]
    finally:
        await socket.disconnect()


def last_seq(thread):
    from live.models import Event

    return Event.objects.filter(stream=thread.stream).order_by("-seq").values_list(
        "seq", flat=True
    ).first() or 0


# --- the action menu: exactly the actions the server allows ---------------------------


def menu_actions(page, post):
    """The actions in `post`'s menu on `page` (None: the post has no menu)."""
    item = re.search(rf'<li [^>]*data-post="{post.pk}".*?</li>', page, re.S).group(0)
    menu = re.search(r'<div class="message-actions__menu"[^>]*data-menu>(.*?)</div>', item, re.S)
    if menu is None:
        assert "data-menu-toggle" not in item
        return None
    assert 'aria-haspopup="menu"' in item and 'aria-expanded="false"' in item
    return sorted(re.findall(r'data-action="([a-z]+)"', menu.group(1)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, expected",
    [
        ("author", ["delete", "edit", "quote"]),
        ("member", ["quote", "report"]),
        ("moderator", ["moderate", "quote"]),
        ("staff", ["moderate", "quote"]),
        ("anonymous", None),
    ],
)
def test_a_thread_posts_menu_holds_exactly_the_allowed_actions(client, reply, role, expected):
    community, thread, author, post = reply
    login(client, author if role == "author" else person_in(community, role))

    assert menu_actions(client.get(thread_url(thread)).content.decode(), post) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, expected",
    [
        ("author", ["delete", "edit", "promote"]),
        ("member", ["report"]),
        ("moderator", ["moderate", "promote"]),
        ("anonymous", None),
    ],
)
def test_a_room_messages_menu_holds_exactly_the_allowed_actions(client, role, expected):
    community, _owner, room = community_with_room()
    author = member_of(community)
    message = say(room, author, "Un messaggio")
    login(client, author if role == "author" else person_in(community, role))

    assert menu_actions(client.get(room_url(room)).content.decode(), message) == expected
