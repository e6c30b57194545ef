"""Who hears of new posts and threads, by level: watchers (coalesced), the thread's
author, quotes, mentions, muting; the bell's frames only for new rows; and the
queryset rule deciding readers, checked against the per-person rule."""

import pytest
from django.contrib.auth.models import AnonymousUser

from community import permissions
from community.models import (
    Community,
    Membership,
    NotificationLevel,
    ReadPosition,
    User,
)
from community.queries.threads import post_quote_markdown
from community.services import memberships, threads
from live.models import Event
from notifications.models import Notification
from notifications.services import notification_mark_read
from tests.community.room_helpers import community_with_room
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import UserFactory
from tests.support.roles import member_of, person_in

from .helpers import kinds_of, sentences, shown

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
WATCHING = NotificationLevel.WATCHING
MUTED = NotificationLevel.MUTED


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def watch(person, thread, level=WATCHING):
    ReadPosition.objects.update_or_create(
        user=person, thread=thread, defaults={"level": level}
    )


def community_level(person, community, level):
    Membership.objects.filter(user=person, community=community).update(level=level)


def frames_of(person):
    return Event.objects.filter(
        stream=f"user:{person.pk}", type="notification.created"
    ).count()


def test_five_posts_into_a_watched_thread_make_one_notification_counting_five(run):
    community, owner, thread = community_with_thread()
    ada, bea = member_of(community), member_of(community)
    watch(ada, thread)
    posts = [
        run(threads.post_reply, actor=bea, thread=thread, body=f"Messaggio {n}")
        for n in range(5)
    ]
    (told,) = Notification.objects.filter(recipient=ada)
    # The row starts at the first unseen post; what it stands for is read at display.
    assert (told.kind, told.post, told.actor) == (Kind.WATCHING, posts[0], bea)
    assert shown(ada) == [(Kind.WATCHING, 5, bea, False)]
    assert sentences(ada) == [
        f"5 new posts in “{thread.title}”, the latest by {bea.name}"
    ]
    # Read, the next post starts a new one; the read one keeps its five.
    notification_mark_read(actor=ada, notification=told)
    run(threads.post_reply, actor=bea, thread=thread, body="Ancora")
    assert shown(ada) == [
        (Kind.WATCHING, 1, bea, False),
        (Kind.WATCHING, 5, bea, True),
    ]


def test_a_group_of_posts_counts_up_one_row_per_watcher(run):
    """Several replies committed together (the socket's group commit) add up too."""
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(4)]
    for person in people:
        watch(person, thread)
    with_replies = [
        threads.NewReply(person, thread, f"Insieme {n}")
        for n, person in enumerate(people)
    ]
    run(threads.post_replies, replies=with_replies)
    last = people[-1]
    # Replying reads the thread up to one's own post: each hears of the posts
    # after theirs (three, two, one), the last writer of nothing.
    for person, after in zip(people, (3, 2, 1), strict=False):
        assert shown(person) == [(Kind.WATCHING, after, last, False)]
    assert kinds_of(last) == []
    assert shown(owner) == [(Kind.REPLY_THREAD, 4, last, False)]


def test_tracking_earlier_posters_hear_nothing_but_watchers_do(run):
    community, owner, thread = community_with_thread()
    tracker, watcher, writer = (member_of(community) for _ in range(3))
    # Replying watches a thread unless one chose a level first: the tracker chose.
    watch(tracker, thread, NotificationLevel.TRACKING)
    run(threads.post_reply, actor=tracker, thread=thread, body="Io seguo e basta")
    watch(watcher, thread)
    run(threads.post_reply, actor=writer, thread=thread, body="Novità")
    assert kinds_of(tracker) == []
    assert kinds_of(watcher) == [Kind.WATCHING]


def test_a_replier_watches_the_thread_and_hears_of_later_posts_in_one_row(run):
    community, owner, thread = community_with_thread()
    replier, writer = member_of(community), member_of(community)
    run(threads.post_reply, actor=replier, thread=thread, body="Ci sono")
    for n in range(3):
        run(threads.post_reply, actor=writer, thread=thread, body=f"Novità {n}")
    (told,) = Notification.objects.filter(recipient=replier)
    assert shown(replier) == [(Kind.WATCHING, 3, writer, False)]


def test_in_place_updates_send_no_bell_frame(run):
    community, owner, thread = community_with_thread()
    ada, bea = member_of(community), member_of(community)
    watch(ada, thread)
    for n in range(3):
        run(threads.post_reply, actor=bea, thread=thread, body=f"Messaggio {n}")
    assert frames_of(ada) == 1  # the row's creation only
    run(threads.post_reply, actor=bea, thread=thread, body=f"Ciao @{ada.username}")
    assert frames_of(ada) == 2  # a mention is a new row


def test_a_muted_thread_silences_mentions_too(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    watch(ada, thread, MUTED)
    run(threads.post_reply, actor=owner, thread=thread, body=f"Ehi @{ada.username}")
    assert kinds_of(ada) == []


def test_a_muted_community_silences_threads_without_their_own_level(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    community_level(ada, community, MUTED)
    run(threads.post_reply, actor=owner, thread=thread, body=f"Ehi @{ada.username}")
    assert kinds_of(ada) == []
    # Unless the thread has its own level: watching it speaks again.
    watch(ada, thread)
    run(threads.post_reply, actor=owner, thread=thread, body=f"Ehi @{ada.username}")
    assert kinds_of(ada) == [Kind.MENTION]


def test_a_muting_thread_author_hears_no_replies(run):
    community, owner, thread = community_with_thread()
    watch(owner, thread, MUTED)
    run(threads.post_reply, actor=member_of(community), thread=thread, body="Risposta")
    assert kinds_of(owner) == []


def test_a_quote_tells_the_quoted_author_once_as_a_quote(run):
    community, owner, thread = community_with_thread()
    ada, bea = member_of(community), member_of(community)
    quoted = run(threads.post_reply, actor=ada, thread=thread, body="Una buona idea")
    body = post_quote_markdown(quoted) + "D'accordo."
    reply = run(threads.post_reply, actor=bea, thread=thread, body=body)
    (told,) = Notification.objects.filter(recipient=ada)
    assert (told.kind, told.post) == (Kind.QUOTE, reply)


def test_a_mention_in_a_watched_thread_is_its_own_notification(run):
    community, owner, thread = community_with_thread()
    ada, bea = member_of(community), member_of(community)
    watch(ada, thread)
    run(threads.post_reply, actor=bea, thread=thread, body="Primo")
    mention = run(
        threads.post_reply, actor=bea, thread=thread, body=f"@{ada.username}!"
    )
    run(threads.post_reply, actor=bea, thread=thread, body="Terzo")
    rows = {n.kind: n for n in Notification.objects.filter(recipient=ada)}
    assert set(rows) == {Kind.WATCHING, Kind.MENTION}
    assert rows[Kind.MENTION].post == mention
    watched = [row for row in shown(ada) if row[0] == Kind.WATCHING]
    # The thread's posts since the row began (the mention's among them).
    assert watched == [(Kind.WATCHING, 3, bea, False)]


def test_watchers_who_may_no_longer_read_are_not_told(run):
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    ada, gone = member_of(community), member_of(community)
    watch(ada, thread)
    watch(gone, thread)
    run(memberships.community_leave, actor=gone, community=community)
    run(threads.post_reply, actor=owner, thread=thread, body="Per i membri")
    assert kinds_of(ada) == [Kind.WATCHING]
    assert kinds_of(gone) == []


def test_a_new_thread_tells_the_communitys_watchers(run):
    community, owner, _thread = community_with_thread()
    watcher, tracker, mentioned = (member_of(community) for _ in range(3))
    community_level(watcher, community, WATCHING)
    community_level(mentioned, community, WATCHING)
    thread = run(
        threads.thread_create,
        actor=owner,
        community=community,
        title="Nuova discussione",
        body=f"Cosa ne pensi, @{mentioned.username}?",
    )
    told = Notification.objects.get(recipient=watcher)
    assert (told.kind, told.thread, told.actor) == (Kind.NEW_THREAD, thread, owner)
    assert kinds_of(tracker) == []
    assert kinds_of(mentioned) == [Kind.MENTION]  # not twice
    assert kinds_of(owner) == []


def test_a_new_thread_of_a_private_community_skips_watchers_no_longer_members(run):
    community, owner, _thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    banned = person_in(community, "banned")
    community_level(banned, community, WATCHING)
    run(
        threads.thread_create,
        actor=owner,
        community=community,
        title="Riservata",
        body="Solo membri",
    )
    assert kinds_of(banned) == []


def test_rooms_tell_only_mentions_and_their_watchers(run):
    community, owner, room = community_with_room()
    ada, bea, watcher = (member_of(community) for _ in range(3))
    watch(watcher, room)
    run(threads.post_reply, actor=ada, thread=room, body="Ciao a tutti")
    run(threads.post_reply, actor=bea, thread=room, body=f"Ciao @{ada.username}")
    assert kinds_of(owner) == []  # the room's opener is not told of messages
    assert kinds_of(ada) == [Kind.MENTION]
    assert shown(watcher) == [(Kind.WATCHING, 2, bea, False)]


def test_a_deactivated_watcher_is_not_told(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    watch(ada, thread)
    User.objects.filter(pk=ada.pk).update(is_active=False)
    run(threads.post_reply, actor=owner, thread=thread, body="Ciao")
    assert kinds_of(ada) == []


ROLES = (
    "member",
    "moderator",
    "owner",
    "staff",
    "muted",
    "banned",
    "pending",
    "invited",
)


@pytest.mark.parametrize(
    "visibility",
    [
        Community.Visibility.PUBLIC,
        Community.Visibility.RESTRICTED,
        Community.Visibility.PRIVATE,
    ],
)
def test_thread_readers_agrees_with_can_read_thread(visibility):
    community, owner, thread = community_with_thread(visibility=visibility)
    people = [person_in(community, role) for role in ROLES] + [
        UserFactory(),
        owner,
        moderator_elsewhere(),
    ]
    chosen = User.objects.filter(pk__in=[person.pk for person in people])
    readers = set(
        permissions.thread_readers(thread, chosen).values_list("pk", flat=True)
    )
    expected = {
        person.pk for person in people if permissions.can_read_thread(person, thread)
    }
    assert readers == expected
    assert permissions.can_read_thread(AnonymousUser(), thread) == (
        visibility == Community.Visibility.PUBLIC
    )


def test_the_same_statement_serves_each_thread_with_its_own_people(run):
    """The audience statement compiled once is run with each thread's own ids."""
    first, first_owner, first_thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    second, second_owner, second_thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    ada, bea = member_of(first), member_of(second)
    watch(ada, first_thread)
    watch(bea, second_thread)
    # A watcher of the second thread who is not a member of its community.
    watch(ada, second_thread)
    run(threads.post_reply, actor=first_owner, thread=first_thread, body="Uno")
    run(threads.post_reply, actor=second_owner, thread=second_thread, body="Due")
    assert list(
        Notification.objects.filter(recipient=ada).values_list("thread", flat=True)
    ) == [first_thread.pk]
    assert list(
        Notification.objects.filter(recipient=bea).values_list("thread", flat=True)
    ) == [second_thread.pk]
    # Each thread's author by the thread's own id, too.
    run(threads.post_reply, actor=ada, thread=first_thread, body="Tre")
    assert Notification.objects.get(recipient=first_owner).thread == first_thread
    assert not Notification.objects.filter(recipient=second_owner).exists()


def moderator_elsewhere():
    other, _owner, _thread = community_with_thread()
    return person_in(other, "moderator")


@pytest.mark.parametrize(
    ("role", "told"),
    [
        ("member", True),
        ("moderator", True),
        ("owner", True),
        ("staff", True),
        ("muted", True),  # silenced members still read
        ("banned", False),
        ("pending", False),
        ("invited", False),
        ("elsewhere", False),
        ("outsider", False),
    ],
)
def test_who_watching_a_private_thread_is_told_of_a_post(run, role, told):
    """At creation: a watcher is told only while they may read the thread."""
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    if role == "elsewhere":
        person = moderator_elsewhere()
    elif role == "outsider":
        person = UserFactory()
    else:
        person = person_in(community, role)
    writer = member_of(community)
    watch(person, thread)
    run(
        threads.post_reply, actor=writer, thread=thread, body=f"Ciao @{person.username}"
    )
    assert bool(kinds_of(person)) is told
    assert permissions.can_read_thread(person, thread) is told
