"""Thread and post services write their events with the change: gap-free, or not at all."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from community.models import Post
from community.services import threads
from live.events import event_frames, languages
from live.models import Event
from tests.community.thread_helpers import community_with_thread, login, reply_url
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stream_events(stream):
    return list(Event.objects.filter(stream=stream).values_list("seq", "type"))


def test_a_thread_stream_numbers_its_events_one_by_one():
    community, owner, thread = community_with_thread()
    member = member_of(community)
    reply = threads.post_reply(actor=member, thread=thread, body="uno")
    threads.post_edit(actor=member, post=reply, body="uno bis")
    threads.post_reply(actor=owner, thread=thread, body="due")
    threads.post_delete(actor=member, post=reply)

    assert stream_events(thread.stream) == [
        (1, "post.created"),
        (2, "post.created"),
        (3, "post.edited"),
        (4, "post.created"),
        (5, "post.deleted"),
    ]
    assert stream_events(community.stream) == [(1, "thread.created")]


def test_each_thread_has_its_own_sequence():
    community, owner, thread = community_with_thread()
    other = threads.thread_create(
        actor=owner, community=community, title="B", body="b"
    )
    threads.post_reply(actor=owner, thread=other, body="b2")

    assert stream_events(thread.stream) == [(1, "post.created")]
    assert stream_events(other.stream) == [(1, "post.created"), (2, "post.created")]
    assert stream_events(community.stream) == [
        (1, "thread.created"),
        (2, "thread.created"),
    ]


def test_a_refused_reply_writes_no_event_and_leaves_no_gap(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)

    login(client, member).post(reply_url(thread), {"body": "   "})
    with pytest.raises(ValidationError):
        threads.post_reply(actor=member, thread=thread, body="")
    threads.post_reply(actor=member, thread=thread, body="valida")

    assert stream_events(thread.stream) == [(1, "post.created"), (2, "post.created")]


def test_a_rolled_back_reply_takes_its_event_with_it():
    community, owner, thread = community_with_thread()
    member = member_of(community)

    with pytest.raises(RuntimeError), transaction.atomic():
        threads.post_reply(actor=member, thread=thread, body="annullata")
        raise RuntimeError("the caller's transaction failed")
    threads.post_reply(actor=member, thread=thread, body="seconda")

    assert stream_events(thread.stream) == [(1, "post.created"), (2, "post.created")]
    assert list(Post.objects.values_list("number", flat=True)) == [1, 2]


def test_events_are_broadcast_only_after_commit(django_capture_on_commit_callbacks):
    community, owner, thread = community_with_thread()
    member = member_of(community)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        threads.post_reply(actor=member, thread=thread, body="dopo il commit")

    assert len(callbacks) == 1


def test_post_created_payload_describes_the_post_for_live_clients():
    community, owner, thread = community_with_thread()
    member = member_of(community)

    post = threads.post_reply(actor=member, thread=thread, body="**ciao**")

    event = Event.objects.filter(stream=thread.stream).last()
    assert event.actor == member
    assert event.payload["id"] == post.pk
    assert event.payload["number"] == 2
    assert event.payload["author"] == member.pk
    (frame,) = event_frames([event], languages())
    assert frame["data"]["body_html"] == "<p><strong>ciao</strong></p>\n"
    assert frame["data"]["author"]["username"] == member.username
    assert set(frame["data"]["html"]) == {"it", "en"}
    assert frame["data"]["author"]["organisation"] == member.organisation.name
