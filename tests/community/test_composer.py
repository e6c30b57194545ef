"""The composer's server side: the Markdown preview (the posts' own renderer and
refusals) and drafts kept per person and thread (saved, given back, cleared by
sending over HTTP or the socket, never shown to anyone else or past lost access)."""

import html
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from community.models import Community, Draft, Membership, WatchedWord
from community.services import threads
from config.asgi import application
from tests.community.room_helpers import community_with_room, post_url, room_url
from tests.community.thread_helpers import (
    community_with_thread,
    login,
    reply_url,
    thread_url,
    watch_words,
)
from tests.support.roles import member_of

PREVIEW = "/compose/preview/"

# A body with everything the renderer does: marks, a link, a list, code, a quote,
# raw HTML (shown as text) and a mention.
RICH = (
    "**Grassetto** e *corsivo*, [sito](https://example.org) e `codice`\n\n"
    "- uno\n- due\n\n> citazione\n\n<script>alert(1)</script> ciao @{username}"
)


def preview(client, body, **where):
    return client.post(reverse("community:composer-preview"), {"body": body, **where})


def draft_url(thread):
    return reverse("community:thread-draft", args=[thread.pk])


def composer_text(page):
    """The text in the page's composer (the form with id="composer")."""
    form = re.search(r'<form[^>]*id="composer".*?</form>', page, re.S).group(0)
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1)
    # HTML drops a textarea's first line break: Django writes one before the text.
    return html.unescape(text.removeprefix("\n"))


# --- preview -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_is_exactly_the_html_the_post_gets(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    body = RICH.format(username=owner.username)

    shown = preview(login(client, member), body, thread=thread.pk)
    post = threads.post_reply(actor=member, thread=thread, body=body)

    assert shown.status_code == 200
    assert shown.json()["html"] == post.body_html
    assert "<script>" not in post.body_html and 'class="mention"' in post.body_html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, refusal",
    [
        ("   \n ", "Write something first."),
        ("x" * 20_001, "The message is too long"),
        ("un vaffa qui", "does not allow “vaffa”"),
    ],
)
def test_the_preview_refuses_what_posting_refuses(client, english, settings, body, refusal):
    settings.POST_BODY_MAX_LENGTH = 20_000
    community, owner, thread = community_with_thread()
    watch_words(community, owner, ("vaffa", WatchedWord.Action.BLOCK, ""))
    member = member_of(community)

    shown = preview(login(client, member), body, thread=thread.pk)
    posted = login(client, member).post(reply_url(thread), {"body": body})

    assert shown.status_code == 400
    assert refusal in shown.json()["error"]
    assert refusal in html.unescape(posted.content.decode())
    assert thread.posts.count() == 1


@pytest.mark.django_db
def test_the_preview_censors_what_the_community_replaces(client):
    community, owner, thread = community_with_thread()
    watch_words(community, owner, ("accidenti", WatchedWord.Action.REPLACE, "ops"))

    shown = preview(login(client, member_of(community)), "Ah, accidenti!", thread=thread.pk)

    assert shown.json()["html"] == "<p>Ah, ops!</p>\n"


@pytest.mark.django_db
def test_the_preview_is_for_signed_in_people_and_hides_private_threads(client):
    community, _owner, thread = community_with_thread(Community.Visibility.PRIVATE)

    assert preview(client, "ciao").status_code == 403
    stranger = member_of(community_with_thread()[0])
    assert preview(login(client, stranger), "ciao", thread=thread.pk).status_code == 404
    assert preview(client, "ciao", community=community.slug).status_code == 404
    assert preview(client, "ciao").status_code == 200
    assert client.get(reverse("community:composer-preview")).status_code == 405


@pytest.mark.django_db
def test_the_preview_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": (2, 60)}
    login(client, member_of(community_with_thread()[0]))

    statuses = [preview(client, "ciao").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


# --- drafts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_comes_back_in_the_thread_composer_for_its_author_only(client):
    community, _owner, thread = community_with_thread()
    author, other = member_of(community), member_of(community)

    saved = login(client, author).post(draft_url(thread), {"body": "Una bozza <b>lunga</b>"})

    assert saved.status_code == 200
    assert composer_text(client.get(thread_url(thread)).content.decode()) == (
        "Una bozza <b>lunga</b>"
    )
    assert client.get(draft_url(thread)).json() == {"body": "Una bozza <b>lunga</b>"}
    # On the reply page too, unless it quotes a post.
    assert "Una bozza &lt;b&gt;lunga&lt;/b&gt;" in client.get(reply_url(thread)).content.decode()
    login(client, other)
    assert composer_text(client.get(thread_url(thread)).content.decode()) == ""
    assert client.get(draft_url(thread)).json() == {"body": ""}


@pytest.mark.django_db
def test_saving_again_replaces_the_draft_and_blank_text_removes_it(client):
    community, _owner, thread = community_with_thread()
    author = member_of(community)
    login(client, author)

    client.post(draft_url(thread), {"body": "prima"})
    client.post(draft_url(thread), {"body": "seconda"})
    assert list(Draft.objects.values_list("body", flat=True)) == ["seconda"]
    client.post(draft_url(thread), {"body": "  \n"})
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_the_room_composer_gives_the_draft_back_and_sending_clears_it(client):
    community, _owner, room = community_with_room()
    author = member_of(community)
    login(client, author).post(draft_url(room), {"body": "Ciao stanza"})

    assert composer_text(client.get(room_url(room)).content.decode()) == "Ciao stanza"
    client.post(post_url(room), {"body": "Ciao stanza"})

    assert not Draft.objects.exists()
    assert composer_text(client.get(room_url(room)).content.decode()) == ""


@pytest.mark.django_db
def test_a_reply_sent_by_the_form_clears_only_that_draft(client):
    community, _owner, thread = community_with_thread()
    _c, _o, other_thread = community_with_thread()
    author, other = member_of(community), member_of(community)
    Membership.objects.create(user=author, community=other_thread.community)
    login(client, other).post(draft_url(thread), {"body": "la bozza di un altro"})
    login(client, author).post(draft_url(thread), {"body": "la mia"})
    client.post(draft_url(other_thread), {"body": "altrove"})

    client.post(reply_url(thread), {"body": "la mia"})

    assert sorted(Draft.objects.values_list("body", flat=True)) == [
        "altrove",
        "la bozza di un altro",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_message_sent_over_the_socket_clears_the_draft():
    community, _owner, room = await sync_to_async(community_with_room)()
    author = await sync_to_async(member_of)(community)
    await sync_to_async(Draft.objects.create)(author=author, thread=room, body="Quasi")
    socket = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    socket.scope["user"] = author
    assert (await socket.connect())[0]
    try:
        await socket.send_json_to(
            {
                "op": "post",
                "thread": room.pk,
                "body": "Quasi pronto",
                "client_id": "2b1f0c8e-4a57-4c1b-9d62-0f7a3e5b9c11",
            }
        )
        assert (await socket.receive_json_from())["op"] == "ack"
    finally:
        await socket.disconnect()
    assert not await sync_to_async(Draft.objects.exists)()


@pytest.mark.django_db
def test_a_draft_is_not_served_once_its_author_may_no_longer_read_the_thread(client):
    community, _owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    author = member_of(community)
    login(client, author).post(draft_url(thread), {"body": "segreto"})
    assert client.get(draft_url(thread)).json() == {"body": "segreto"}

    Membership.objects.filter(user=author, community=community).update(
        state=Membership.State.BANNED
    )

    assert client.get(draft_url(thread)).status_code == 404
    assert client.get(thread_url(thread)).status_code in (403, 404)
    assert client.post(draft_url(thread), {"body": "ancora"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [("anonymous", 403), ("outsider", 403)])
def test_only_people_who_may_write_keep_drafts(client, role, status):
    community, _owner, thread = community_with_thread()
    if role == "outsider":
        login(client, member_of(community_with_thread()[0]))

    response = client.post(draft_url(thread), {"body": "io no"})

    assert response.status_code == status
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_a_draft_past_the_length_limit_is_refused_with_a_reason(client, english, settings):
    settings.POST_BODY_MAX_LENGTH = 50
    community, _owner, thread = community_with_thread()

    response = login(client, member_of(community)).post(draft_url(thread), {"body": "x" * 51})

    assert response.status_code == 400
    assert "at most 50 characters" in response.json()["error"]
    assert not Draft.objects.exists()
