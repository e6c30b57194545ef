"""Live frames carry each post's fragment in the languages its readers read.

A process presents an event in the languages of its own sockets on the stream, not in
every interface language; a process whose sockets read a language the writer did not
present (a writer elsewhere, over the channel layer) presents it itself, from the
current state. Fragments are kept per (post, version, language), so a broadcast and
the catch-ups after it render a post once per language, and a changed post again.
"""

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from community import live as community_live
from community.models import User
from community.services import threads
from live.events import event_frames, group_name
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of


def _speaking(community, language):
    person = member_of(community)
    User.objects.filter(pk=person.pk).update(language=language)
    return User.objects.get(pk=person.pk)


async def _post(socket, thread, body):
    await socket.send_json_to(
        {"op": "post", "thread": thread.pk, "body": body, "client_id": str(uuid.uuid4())}
    )


def _events_of(received, thread):
    return [f for f in received if f.get("op") == "event" and f["stream"] == thread.stream]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_post_reaches_each_reader_in_the_languages_read_here():
    community, owner, thread = await sync_to_async(community_with_thread)()
    english = await sync_to_async(_speaking)(community, "en")
    italian = await sync_to_async(_speaking)(community, "it")
    alone = await connect(english)
    await subscribe(alone, thread.stream)

    await _post(alone, thread, "Only English readers here")
    (first,) = _events_of(await frames(alone), thread)

    both = await connect(italian)
    await subscribe(both, thread.stream, after=first["seq"])
    await _post(alone, thread, "Now an Italian reader too")
    (to_english,) = _events_of(await frames(alone), thread)
    (to_italian,) = _events_of(await frames(both), thread)
    for socket in (alone, both):
        await socket.disconnect()

    assert set(first["data"]["html"]) == {"en"}
    assert ">Quote<" in first["data"]["html"]["en"]
    assert to_english["data"]["html"] == to_italian["data"]["html"]
    assert set(to_italian["data"]["html"]) == {"en", "it"}
    assert ">Cita<" in to_italian["data"]["html"]["it"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_frame_lacking_this_language_is_presented_from_the_current_state():
    community, owner, thread = await sync_to_async(community_with_thread)()
    italian = await sync_to_async(_speaking)(community, "it")
    socket = await connect(italian)
    await subscribe(socket, thread.stream)
    layer = get_channel_layer()
    group = group_name(thread.stream)

    def next_event_elsewhere():
        # Written as another process would: recorded and committed here, but its
        # broadcast is the bare frame below, sent over the layer.
        from django.test.utils import override_settings

        with override_settings(CHANNEL_LAYERS={}):
            post = threads.post_reply(actor=owner, thread=thread, body="Da *lontano*")
        event = Event.objects.filter(stream=thread.stream).last()
        (frame,) = event_frames([event], [])
        return post, frame

    post, frame = await sync_to_async(next_event_elsewhere)()
    await layer.group_send(group, {"type": "live.events", "group": group, "frames": [frame]})
    (received,) = _events_of(await frames(socket), thread)
    await socket.disconnect()

    assert received["data"]["id"] == post.pk
    assert set(received["data"]["html"]) == {"it"}
    assert "<em>lontano</em>" in received["data"]["html"]["it"]
    assert ">Cita<" in received["data"]["html"]["it"]


@pytest.mark.django_db
def test_a_post_is_rendered_once_per_language_and_again_once_changed():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    posts = threads.post_replies(
        [threads.NewReply(author, thread, f"Risposta {n}") for n in range(5)]
    )
    events = list(Event.objects.filter(stream=thread.stream).order_by("seq"))[-5:]
    rendered = []

    def count(sender, template, **kwargs):
        # The post's own template (its reaction bar is an include within it).
        if template.name.startswith("community/includes/") and (
            template.name != "community/includes/reactions.html"
        ):
            rendered.append(template.name)

    community_live.fragments.clear()
    template_rendered.connect(count)
    try:
        with CaptureQueriesContext(connection) as first:
            first_frames = event_frames(events, ["en"])
        renders_first = len(rendered)
        with CaptureQueriesContext(connection) as again:
            again_frames = event_frames(events, ["en"])  # a catch-up after the broadcast
        renders_again = len(rendered) - renders_first
        threads.post_edit(actor=author, post=posts[2], body="Corretta")
        rendered.clear()
        edited = event_frames(events, ["en", "it"])
    finally:
        template_rendered.disconnect(count)

    assert renders_first == 5 and renders_again == 0
    # One query for the posts of the whole batch, however many there are, and one
    # for their reactions.
    assert len(first.captured_queries) == len(again.captured_queries) == 2
    assert [f["data"]["html"] for f in again_frames] == [
        f["data"]["html"] for f in first_frames
    ]
    # Italian was never rendered, and the edited post changed: 5 + 1 renders.
    assert len(rendered) == 6
    assert "Corretta" in edited[2]["data"]["html"]["en"]
    assert "Corretta" in edited[2]["data"]["html"]["it"]
    assert "Risposta 3" in edited[3]["data"]["html"]["en"]


def test_the_fragment_cache_is_bounded():
    cache = community_live.FragmentCache(size=3)
    for n in range(5):
        cache.put((n, b"v", "en"), f"<li>{n}</li>")
    cache.get((2, b"v", "en"))  # recently used: kept
    cache.put((5, b"v", "en"), "<li>5</li>")

    assert len(cache) == 3
    assert cache.get((2, b"v", "en")) == "<li>2</li>"
    assert cache.get((0, b"v", "en")) is None and cache.get((3, b"v", "en")) is None

