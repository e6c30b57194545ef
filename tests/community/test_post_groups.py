"""Group commit: replies that arrive together are written in one transaction, each by
the rules of a single reply, and refusing one refuses no other."""

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community import live as community_live
from community import permissions
from community.models import Membership, Post, User
from community.services import moderation, threads
from live import events as live_events
from live.events import event_frames
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import ROLES, VISIBILITIES, member_of, person_in

pytestmark = pytest.mark.django_db


def _reply(actor, thread, body, client_id=None, language=None):
    return threads.NewReply(actor, thread, body, client_id, language)


def test_a_group_gets_consecutive_numbers_and_events():
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(4)]
    before = Event.objects.filter(stream=thread.stream).count()

    outcomes = threads.post_replies(
        [_reply(person, thread, f"Risposta di {person.username}") for person in people]
    )

    assert [post.number for post in outcomes] == [2, 3, 4, 5]
    assert [post.author for post in outcomes] == people
    events = list(Event.objects.filter(stream=thread.stream).order_by("seq"))[before:]
    assert [event.payload["id"] for event in events] == [post.pk for post in outcomes]
    assert [event.seq for event in events] == list(
        range(events[0].seq, events[0].seq + len(people))
    )
    thread.refresh_from_db()
    assert thread.post_count == 5 and thread.last_poster == people[-1]


def test_one_refused_reply_refuses_no_other():
    community, owner, thread = community_with_thread()
    writer, muted = member_of(community), member_of(community)
    moderation.membership_mute(
        actor=owner,
        membership=Membership.objects.get(user=muted, community=community),
        until=timezone.now() + timedelta(days=1),
    )

    first, refused, empty, last = threads.post_replies(
        [
            _reply(writer, thread, "Prima"),
            _reply(muted, thread, "Zitto io?"),
            _reply(writer, thread, "   "),
            _reply(owner, thread, "Ultima"),
        ]
    )

    assert isinstance(refused, PermissionDenied)
    assert isinstance(empty, ValidationError)
    assert (first.number, last.number) == (2, 3)
    assert list(thread.posts.order_by("number").values_list("body", flat=True)) == [
        "Chi lavora su **sensori** a basso costo?",
        "Prima",
        "Ultima",
    ]


def test_a_resent_post_is_stored_once_inside_and_across_groups():
    community, owner, thread = community_with_thread()
    writer = member_of(community)
    client_id = uuid.uuid4()
    (stored,) = threads.post_replies([_reply(writer, thread, "Una volta", client_id)])
    events = Event.objects.count()

    again, twin = threads.post_replies(
        [
            _reply(writer, thread, "Una volta", client_id),
            _reply(writer, thread, "Una volta", client_id),
        ]
    )
    other = uuid.uuid4()
    first, second = threads.post_replies(
        [_reply(writer, thread, "Due", other), _reply(writer, thread, "Due", other)]
    )

    assert again.pk == twin.pk == stored.pk
    assert first.pk == second.pk
    assert Post.objects.filter(author=writer, client_id=other).count() == 1
    assert Event.objects.count() == events + 1


def test_a_resend_past_the_post_budget_is_still_acknowledged(settings):
    """A client resending after a reconnect gets its stored post back, even when the
    person has meanwhile used up the budget; a new post is refused."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": (2, 60)}
    community, owner, thread = community_with_thread()
    writer = member_of(community)
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    first, second = threads.post_replies(
        [_reply(writer, thread, "Uno", first_id), _reply(writer, thread, "Due", second_id)]
    )

    resent, refused = threads.post_replies(
        [_reply(writer, thread, "Uno", first_id), _reply(writer, thread, "Tre", uuid.uuid4())]
    )

    assert resent.pk == first.pk
    assert isinstance(refused, ValidationError) and refused.code == "rate_limited"
    assert list(thread.posts.values_list("body", flat=True).order_by("number"))[1:] == [
        "Uno",
        "Due",
    ]


def test_a_reply_is_numbered_by_the_threads_counter_without_looking_anything_up():
    """Resends are caught by the unique constraint, and the post number comes back from
    the counter's update: a reply reads nothing from the posts table."""
    community, owner, thread = community_with_thread()
    writer = member_of(community)
    threads.post_replies([_reply(writer, thread, "Prima", uuid.uuid4())])

    with CaptureQueriesContext(connection) as queries:
        (post,) = threads.post_replies([_reply(writer, thread, "Seconda", uuid.uuid4())])

    assert post.number == 3
    assert not [
        q for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "community_post" in q["sql"]
    ]


def test_refusals_are_told_in_each_persons_language():
    community, owner, thread = community_with_thread()
    english, italian = member_of(community), member_of(community)

    told_en, told_it = threads.post_replies(
        [_reply(english, thread, "", language="en"), _reply(italian, thread, "", language="it")]
    )

    assert told_en.messages == ["Write something first."]
    assert told_it.messages == ["Scrivi prima qualcosa."]


def test_a_group_costs_a_few_queries_more_than_one_reply():
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(10)]
    with CaptureQueriesContext(connection) as one:
        threads.post_replies([_reply(people[0], thread, "Sola")])
    with CaptureQueriesContext(connection) as ten:
        threads.post_replies([_reply(person, thread, "Insieme") for person in people])

    # The permission decisions are per person; the writes are per group.
    inserts = [
        q["sql"].split('"')[1] for q in ten.captured_queries if q["sql"].startswith("INSERT")
    ]
    # One INSERT of the ten posts, one sequence allocation, one INSERT of their events,
    # one upsert of the posters' read positions (and auto-watch) for the whole group.
    assert inserts == [
        "community_post", "live_streamcursor", "live_event", "community_readposition"
    ]
    assert len(ten.captured_queries) <= len(one.captured_queries) + 9 * 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_posts_sent_together_over_sockets_are_all_acknowledged_once():
    community, owner, thread = await sync_to_async(community_with_thread)()
    people = [await sync_to_async(member_of)(community) for _ in range(6)]
    sockets = [await connect(person) for person in people]
    for socket in sockets:
        await subscribe(socket, thread.stream)
    sent = []
    for index, socket in enumerate(sockets):
        client_id = str(uuid.uuid4())
        sent.append(client_id)
        await socket.send_json_to(
            {"op": "post", "thread": thread.pk, "body": f"Insieme {index}", "client_id": client_id}
        )
    received = [await frames(socket) for socket in sockets]
    for socket in sockets:
        await socket.disconnect()

    acks = {f["client_id"]: f["post"] for got in received for f in got if f["op"] == "ack"}
    assert sorted(acks) == sorted(sent)
    numbers = await sync_to_async(
        lambda: sorted(Post.objects.filter(pk__in=acks.values()).values_list("number", flat=True))
    )()
    assert numbers == [2, 3, 4, 5, 6, 7]
    for got in received:
        assert sorted(f["data"]["id"] for f in got if f["op"] == "event") == sorted(
            acks.values()
        )


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_group_decides_each_person_as_a_single_post_would(visibility):
    """Every role in one group of socket posts: each answered as `access_thread` and
    `can_reply` answer for that person alone (the one rule, read in batch)."""
    community, owner, thread = community_with_thread(visibility=visibility)
    people = {role: person_in(community, role) or AnonymousUser() for role in ROLES}
    people["muted"] = member_of(community)
    moderation.membership_mute(
        actor=owner,
        membership=Membership.objects.get(user=people["muted"], community=community),
        until=timezone.now() + timedelta(days=1),
    )
    people["closed"] = member_of(community)
    User.objects.filter(pk=people["closed"].pk).update(is_active=False)

    expected = {}
    for role, person in people.items():
        with permissions.operation():
            current = permissions.current_user(person)
            try:
                alone = permissions.access_thread(current, thread.pk)
            except (Http404, PermissionDenied) as error:
                expected[role] = "not_found" if isinstance(error, Http404) else "forbidden"
                continue
            expected[role] = "ok" if permissions.can_reply(current, alone) else "forbidden"
    answers = community_live._post_group(
        [(person, "en", thread.pk, f"Da {role}", uuid.uuid4()) for role, person in people.items()]
    )

    got = {
        role: "ok" if post_id is not None else code
        for role, (post_id, code, _message, _extra) in zip(people, answers, strict=True)
    }
    assert got == expected
    assert {role for role, answer in got.items() if answer == "ok"} >= {"member", "owner"}
    assert thread.posts.count() == 1 + list(got.values()).count("ok")


def test_a_socket_group_reads_people_and_memberships_once():
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(12)]

    def group(persons):
        return [(person, "it", thread.pk, "Ciao", uuid.uuid4()) for person in persons]

    with CaptureQueriesContext(connection) as two:
        community_live._post_group(group(people[:2]))
    with CaptureQueriesContext(connection) as twelve:
        community_live._post_group(group(people[2:]))

    # Only what each post needs of its own: the rate limit and Markdown (no mentions
    # here) ask nothing of the database; people, memberships and the thread are read
    # once per group.
    assert len(twelve.captured_queries) == len(two.captured_queries)


def test_readers_with_the_same_rights_share_one_actions_table():
    """A thousand sockets on one thread hold a few action tables, not a thousand."""
    community, owner, thread = community_with_thread()
    first, second, muted = (member_of(community) for _ in range(3))
    moderation.membership_mute(
        actor=owner,
        membership=Membership.objects.get(user=muted, community=community),
        until=timezone.now() + timedelta(days=1),
    )

    member_table = community_live.PostViewer(first, thread).actions
    assert community_live.PostViewer(second, thread).actions is member_table
    assert community_live.PostViewer(muted, thread).actions is not member_table
    own_post = {"type": "post.created", "data": {"id": 1, "author": second.pk}}
    viewer = community_live.PostViewer(second, thread)
    assert "edit" in viewer.annotate(own_post)["actions"]
    assert "edit" not in community_live.PostViewer(first, thread).annotate(own_post)["actions"]


def test_readers_of_one_event_share_what_it_says_but_not_each_others_actions():
    """The post's facts are read once per event for every socket; each reader still
    gets their own actions (edit for its author only), whoever asks first."""
    community, _owner, thread = community_with_thread()
    author, reader = member_of(community), member_of(community)
    event = {"type": "post.created", "data": {"id": 7, "author": {"id": author.pk}}}
    for order in ((author, reader), (reader, author)):
        memo = {}
        fields = {
            person: community_live.PostViewer(person, thread).annotate(event, memo)
            for person in order
        }
        assert "edit" in fields[author]["actions"]
        assert "edit" not in fields[reader]["actions"]
    not_a_post = {"type": "thread.locked", "data": {"id": thread.pk}}
    assert community_live.PostViewer(author, thread).annotate(not_a_post, {}) is None


def test_a_socket_group_is_presented_without_reading_its_posts_again(
    django_capture_on_commit_callbacks, monkeypatch
):
    """The group's posts go to the presenter as written: broadcasting them (every
    language, Markdown and author included) reads nothing from the database. (The
    after-commit subscribers, notifications among them, do their own reads: not
    counted here.)"""
    monkeypatch.setattr(live_events, "_subscribers", [])
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(8)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = community_live._post_group(
            [(person, "it", thread.pk, f"Ciao **{n}**", uuid.uuid4()) for n, person in enumerate(people)]
        )
    community_live.fragments.clear()
    # Only the broadcast: the after-commit subscribers (search's index) write rows of
    # their own, tested with their apps.
    monkeypatch.setattr(live_events, "_subscribers", [])
    with CaptureQueriesContext(connection) as presenting:
        for callback in callbacks:
            callback()

    assert all(post_id is not None for post_id, _code, _message, _extra in answers)
    assert presenting.captured_queries == []
    # What the frames say is what a page would show of those posts now.
    event = Event.objects.filter(stream=thread.stream).order_by("seq").last()
    (frame,) = event_frames([event], ["it"])
    assert frame["data"]["author"]["username"] == people[-1].username
    assert "<strong>7</strong>" in frame["data"]["body_html"]
    assert frame["data"]["promoted_to"] is None
