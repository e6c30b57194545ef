"""Watched news and replies in one's thread cost one insert per person, however many
posts follow: the row's count and latest poster are read from the thread when shown,
reading the thread to its end settles it, and the next post after that is news again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import NotificationLevel, ReadPosition, User
from community.services import threads
from live.models import Event
from notifications import mail, queries
from notifications.email_models import NotificationEmail
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.roles import member_of

from .email_helpers import due
from .helpers import sentences, shown

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
TABLE = Notification._meta.db_table


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def frames_of(person):
    return Event.objects.filter(
        stream=f"user:{person.pk}", type="notification.created"
    ).count()


def writes_to_notifications(captured):
    return [
        q["sql"].split(None, 1)[0].upper()
        for q in captured
        if TABLE in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def bell(person):
    """The navigation's figure (the subquery joined into its one statement)."""
    return (
        User.objects.filter(pk=person.pk)
        .annotate(unread=queries.unread_count_expression(person))
        .values_list("unread", flat=True)
        .get()
    )


def test_fifty_watchers_and_five_groups_write_each_row_once(run):
    community, owner, thread = community_with_thread()
    watchers = [member_of(community) for _ in range(50)]
    ReadPosition.objects.bulk_create(
        ReadPosition(user=p, thread=thread, level=NotificationLevel.WATCHING)
        for p in watchers
    )
    writers = [member_of(community) for _ in range(2)]
    ReadPosition.objects.bulk_create(
        ReadPosition(user=p, thread=thread, level=NotificationLevel.TRACKING)
        for p in writers
    )
    writes, statements = [], []
    for group in range(5):
        replies = [
            threads.NewReply(writers[n % 2], thread, f"Gruppo {group}, post {n}")
            for n in range(3)
        ]
        with CaptureQueriesContext(connection) as captured:
            run(threads.post_replies, replies=replies)
        writes.append(writes_to_notifications(captured.captured_queries))
        statements.append(len(captured.captured_queries))
    # The first group inserts every watcher's row (and the owner's) in one statement;
    # the next four write nothing to the table, and cost the same as each other.
    assert writes[0] == ["INSERT"]
    assert writes[1:] == [[], [], [], []]
    assert len(set(statements[1:])) == 1
    assert Notification.objects.filter(recipient__in=watchers).count() == 50
    for person in watchers[:3]:
        assert shown(person) == [(Kind.WATCHING, 15, writers[0], False)]
        assert frames_of(person) == 1
    assert shown(owner) == [(Kind.REPLY_THREAD, 15, writers[0], False)]


def test_reading_the_thread_to_its_end_settles_the_notification(run, client):
    community, owner, thread = community_with_thread()
    ada, bea = member_of(community), member_of(community)
    ReadPosition.objects.create(
        user=ada, thread=thread, level=NotificationLevel.WATCHING
    )
    for n in range(3):
        run(threads.post_reply, actor=bea, thread=thread, body=f"Novità {n}")
    client.force_login(ada)
    assert bell(ada) == 1
    assert client.get(reverse("notifications:count")).json()["unread"] == 1
    assert (
        "notification--new"
        in client.get(reverse("notifications:latest")).content.decode()
    )
    with CaptureQueriesContext(connection) as captured:
        assert client.get(thread.get_absolute_url()).status_code == 200
    # The thread page wrote no notification: its read position settles it.
    assert writes_to_notifications(captured.captured_queries) == []
    assert ReadPosition.objects.get(user=ada, thread=thread).last_read_number == 4
    assert bell(ada) == 0
    assert client.get(reverse("notifications:count")).json()["unread"] == 0
    latest = client.get(reverse("notifications:latest")).content.decode()
    assert "data-notification=" in latest and "notification--new" not in latest
    page = client.get(reverse("notifications:list")).content.decode()
    assert "data-notification=" in page and "notification--new" not in page
    assert (
        client.get(reverse("notifications:list") + "?show=unread").context[
            "notifications"
        ]
        == []
    )
    assert shown(ada) == [(Kind.WATCHING, 3, bea, True)]
    assert sentences(ada) == [
        f"3 new posts in “{thread.title}”, the latest by {bea.name}"
    ]


def test_a_post_after_catching_up_is_news_again(run, client):
    community, owner, thread = community_with_thread()
    ada, bea, cleo = (member_of(community) for _ in range(3))
    ReadPosition.objects.create(
        user=ada, thread=thread, level=NotificationLevel.WATCHING
    )
    run(threads.post_reply, actor=bea, thread=thread, body="Prima")
    run(threads.post_reply, actor=bea, thread=thread, body="Seconda")
    client.force_login(ada)
    client.get(thread.get_absolute_url())  # caught up
    assert bell(ada) == 0 and frames_of(ada) == 1
    run(threads.post_reply, actor=cleo, thread=thread, body="Terza")
    # A new unread row (and a bell frame); the settled one is closed as read.
    assert bell(ada) == 1 and frames_of(ada) == 2
    assert shown(ada) == [
        (Kind.WATCHING, 1, cleo, False),
        (Kind.WATCHING, 2, bea, True),
    ]
    assert sentences(ada)[0] == f"{cleo.name} posted in “{thread.title}”"
    # Half-read: the next post joins the unread row, nothing is written for it.
    run(threads.post_reply, actor=bea, thread=thread, body="Quarta")
    assert bell(ada) == 1 and frames_of(ada) == 2
    assert shown(ada)[0] == (Kind.WATCHING, 2, bea, False)


def test_a_reply_read_in_the_thread_meanwhile_is_not_emailed(run, client):
    community, owner, thread = community_with_thread()
    bea = member_of(community)
    run(threads.post_reply, actor=bea, thread=thread, body="Una risposta")
    notification = Notification.objects.get(recipient=owner, kind=Kind.REPLY_THREAD)
    client.force_login(owner)
    client.get(thread.get_absolute_url())
    assert mail.deliver_due(now=due(notification, 1)) == 0
    assert (
        NotificationEmail.objects.get(notification=notification).outcome
        == NotificationEmail.Outcome.READ
    )


def test_an_unread_reply_is_still_emailed_with_what_it_stands_for_now(run):
    from django.core import mail as outbox

    community, owner, thread = community_with_thread()
    bea, cleo = member_of(community), member_of(community)
    run(threads.post_reply, actor=bea, thread=thread, body="Una risposta")
    run(threads.post_reply, actor=cleo, thread=thread, body="Un'altra")
    notification = Notification.objects.get(recipient=owner, kind=Kind.REPLY_THREAD)
    assert mail.deliver_due(now=due(notification, 1)) == 1
    [message] = outbox.outbox
    assert cleo.name in message.subject


def test_a_digest_leaves_out_news_read_in_the_thread(run, client):
    from datetime import timedelta

    from django.utils import timezone

    from notifications import digests

    community, owner, thread = community_with_thread()
    bea = member_of(community)
    run(threads.post_reply, actor=bea, thread=thread, body="Una risposta")
    later = timezone.now() + timedelta(minutes=1)
    assert len(digests.digest_items(owner, None, later)) == 1
    client.force_login(owner)
    client.get(thread.get_absolute_url())
    assert digests.digest_items(owner, None, later) == []


def test_a_writer_caught_up_by_replying_keeps_one_row_that_counts_what_follows(run):
    community, owner, thread = community_with_thread()
    ada, bea, cleo = (member_of(community) for _ in range(3))
    ReadPosition.objects.create(
        user=ada, thread=thread, level=NotificationLevel.WATCHING
    )
    run(threads.post_reply, actor=bea, thread=thread, body="Prima")
    run(threads.post_reply, actor=ada, thread=thread, body="La mia risposta")
    # Her reply read the thread: the notification is settled.
    assert bell(ada) == 0
    assert shown(ada) == [(Kind.WATCHING, 2, ada, True)]
    with CaptureQueriesContext(connection) as captured:
        run(threads.post_reply, actor=cleo, thread=thread, body="Dopo di lei")
    run(threads.post_reply, actor=bea, thread=thread, body="E ancora")
    # The same row counts the posts after hers, unread again; nothing was written.
    assert writes_to_notifications(captured.captured_queries) == []
    assert Notification.objects.filter(recipient=ada).count() == 1
    assert bell(ada) == 1 and frames_of(ada) == 1
    assert shown(ada) == [(Kind.WATCHING, 2, bea, False)]
