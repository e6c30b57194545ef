"""Promoting a room message to a discussion thread: backlinks both ways, one thread
per message, the quote cut to the length limit, and who may promote.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Thread
from community.services import rooms, threads
from live.models import Event
from tests.community.room_helpers import (
    community_with_room,
    events,
    presented,
    promote_url,
    room_url,
    say,
)
from tests.community.thread_helpers import login, thread_url
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_promoted_message_becomes_a_thread_with_backlinks_both_ways(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    message = say(room, member, "Serve un partner per un bando **Horizon**.")
    stream_before = len(events(f"community:{community.pk}"))

    thread = rooms.post_promote(
        actor=member, post=message, title="Partner per Horizon", body="Chi c'è?"
    )

    thread.refresh_from_db()
    message.refresh_from_db()
    assert thread.kind == Thread.Kind.DISCUSSION and thread.community == community
    assert thread.promoted_from == message and message.promoted_to == thread
    first = thread.posts.get()
    permalink = reverse("community:post-permalink", args=[message.pk])
    assert first.author == member
    assert f"@{member.username} wrote in [#Generale]({permalink}):" in first.body
    assert "> Serve un partner per un bando **Horizon**." in first.body
    assert first.body.endswith("Chi c'è?")
    assert (
        f'href="{permalink}"' in first.body_html and "<blockquote>" in first.body_html
    )

    community_events = events(f"community:{community.pk}")[stream_before:]
    assert [e.type for e in community_events] == ["thread.created"]
    assert community_events[0].payload["id"] == thread.pk
    assert [e.type for e in events(thread.stream)] == ["post.created"]
    promoted = events(room.stream)[-1]
    assert promoted.type == "post.promoted"
    assert promoted.payload["id"] == message.pk
    assert promoted.payload["promoted_to"] == thread.pk
    assert presented(promoted)["promoted_to"] == {
        "id": thread.pk,
        "title": "Partner per Horizon",
        "url": thread_url(thread),
    }
    assert "continued in" in presented(promoted)["html"]["en"]
    assert thread_url(thread) in presented(promoted)["html"]["en"]

    # The room shows where the conversation went; the thread links back to the room.
    room_html = client.get(room_url(room)).content.decode()
    assert f'continued in <a href="{thread_url(thread)}">Partner per Horizon</a>' in (
        room_html
    )
    assert client.get(thread_url(thread)).status_code == 200
    back = client.get(permalink)
    assert back["Location"] == room_url(room) + f"#p{message.pk}"


def test_a_message_continues_in_one_thread_only(client):
    community, owner, room = community_with_room()
    message = say(room, owner, "Idea")
    thread = rooms.post_promote(actor=owner, post=message, title="Idea")

    with pytest.raises(ValidationError):
        rooms.post_promote(actor=owner, post=message, title="Di nuovo")
    login(client, owner)
    response = client.get(promote_url(message))
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    assert Thread.objects.filter(promoted_from=message).count() == 1
    html = client.get(room_url(room)).content.decode()
    assert f'href="{promote_url(message)}"' not in html


def test_a_bad_title_creates_nothing():
    community, owner, room = community_with_room()
    message = say(room, owner, "Idea")
    before = Event.objects.count()

    with pytest.raises(ValidationError) as error:
        rooms.post_promote(actor=owner, post=message, title="   ")

    assert "title" in error.value.message_dict
    assert Event.objects.count() == before
    assert not Thread.objects.filter(promoted_from=message).exists()


def test_a_long_many_lined_message_promotes_with_part_of_it_quoted(settings):
    """Every quoted line gains "> ": the quote is cut to the limit, not the thread refused."""
    settings.POST_BODY_MAX_LENGTH = 300
    community, owner, room = community_with_room()
    message = say(room, owner, "riga\n" * 60)

    thread = rooms.post_promote(actor=owner, post=message, title="Continua")

    first = thread.posts.get()
    assert len(first.body) == 300
    assert first.body.endswith("…")
    assert first.body.count("> riga") > 30


def test_a_note_at_its_limit_is_kept_whole_and_the_quote_shortened(settings):
    settings.POST_BODY_MAX_LENGTH = 300
    community, owner, room = community_with_room()
    message = say(room, owner, "riga\n" * 60)
    limit = rooms.promotion_note_max_length(message)
    assert 200 < limit < 300

    thread = rooms.post_promote(
        actor=owner, post=message, title="Continua", body="n" * limit
    )

    first = thread.posts.get()
    assert len(first.body) == 300
    assert first.body.endswith("\n\n> …\n\n" + "n" * limit)
    with pytest.raises(ValidationError) as error:
        rooms.post_promote(
            actor=owner, post=say(room, owner, "altro"), title="Ancora", body="n" * 300
        )
    assert "The note is too long" in error.value.message_dict["body"][0]


def test_only_the_author_or_a_moderator_promotes_and_only_room_messages():
    community, owner, room = community_with_room()
    author, other = member_of(community), member_of(community)
    message = say(room, author, "Mio")

    with pytest.raises(PermissionDenied):
        rooms.post_promote(actor=other, post=message, title="Non mio")
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)
    with pytest.raises(PermissionDenied):
        rooms.post_promote(actor=owner, post=discussion.posts.get(), title="No")
    threads.post_delete(actor=author, post=message)
    with pytest.raises(PermissionDenied):
        rooms.post_promote(actor=author, post=message, title="Cancellato")


def test_the_promote_form_suggests_a_title_and_starts_the_thread(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    message = say(room, member, "Qualcuno conosce  un laboratorio\nper prove EMC?")
    login(client, member)

    form = client.get(promote_url(message)).content.decode()
    assert 'value="Qualcuno conosce un laboratorio per prove EMC?"' in form
    assert "prove EMC?" in form

    empty = client.post(promote_url(message), {"title": ""})
    assert empty.status_code == 200
    assert not Thread.objects.filter(promoted_from=message).exists()
    response = client.post(promote_url(message), {"title": "Laboratori EMC"})
    thread = Thread.objects.get(promoted_from=message)
    assert response.status_code == 302 and response["Location"] == thread_url(thread)


def test_authors_promote_their_own_messages_but_muted_ones_cannot(client):
    community, owner, room = community_with_room()
    author = member_of(community)
    post = say(room, author, "Mio")
    login(client, author)

    assert client.get(promote_url(post)).status_code == 200
    author.memberships.update(muted_until=timezone.now() + timedelta(days=1))
    assert client.get(promote_url(post)).status_code == 403
