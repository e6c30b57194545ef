"""Moderation outcomes (a report reviewed, a post hidden or deleted, a warning, a
silence), what a notification shows once its content is gone, and the page and the
bell's dropdown: filters, mark read, query counts constant in rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Community, Membership, ReadPosition, ReviewItem
from community.services import memberships, moderation, reports, thread_tools, threads
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread, login
from tests.support.roles import member_of

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
LIST = reverse("notifications:list")
LATEST = reverse("notifications:latest")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def outcomes_of(person):
    return sorted(
        Notification.objects.filter(recipient=person, kind=Kind.MODERATION).values_list(
            "event_type", flat=True
        )
    )


def test_a_reviewed_report_tells_each_reporter(client, run):
    community, owner, thread = community_with_thread()
    author, first, second = (member_of(community) for _ in range(3))
    post = run(threads.post_reply, actor=author, thread=thread, body="Spam spam")
    for reporter in (first, second):
        run(reports.post_report, actor=reporter, post=post, reason="spam")
    item = ReviewItem.objects.get(post=post)
    run(
        reports.review_decide,
        actor=owner,
        item=item,
        decision=ReviewItem.Decision.REMOVED,
        reason="Pubblicità",
    )
    assert outcomes_of(first) == ["review.closed"]
    assert outcomes_of(second) == ["review.closed"]
    assert "post.removed" in outcomes_of(author)
    told = Notification.objects.get(recipient=first)
    html = login(client, first).get(LIST).content.decode()
    assert f'data-notification="{told.pk}"' in html  # the post is gone, the outcome not
    opened = client.get(reverse("notifications:open", args=[told.pk]))
    assert opened["Location"] == reverse("community:my-moderation")


def test_a_warning_and_a_deleted_post_tell_the_member(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    post = run(threads.post_reply, actor=ada, thread=thread, body="Fuori luogo")
    run(thread_tools.post_remove, actor=owner, post=post, reason="Offensivo")
    membership = Membership.objects.get(user=ada, community=community)
    run(moderation.membership_warn, actor=owner, membership=membership, reason="Calma")
    assert outcomes_of(ada) == ["member.warned", "post.removed"]


def test_a_mention_in_a_post_deleted_later_drops_out(client, run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    post = run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username}")
    told = Notification.objects.get(recipient=ada)
    run(threads.post_delete, actor=owner, post=post)
    assert (
        f'data-notification="{told.pk}"'
        not in login(client, ada).get(LIST).content.decode()
    )
    assert f'data-notification="{told.pk}"' not in client.get(LATEST).content.decode()
    assert client.get(reverse("notifications:open", args=[told.pk])).status_code == 404


def test_someone_who_left_a_private_community_no_longer_sees_its_news(client, run):
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    ada = member_of(community)
    ReadPosition.objects.create(user=ada, thread=thread, level="watching")
    run(threads.post_reply, actor=owner, thread=thread, body="Solo per noi")
    told = Notification.objects.get(recipient=ada)
    run(memberships.community_leave, actor=ada, community=community)
    login(client, ada)
    assert f'data-notification="{told.pk}"' not in client.get(LIST).content.decode()
    assert client.get(reverse("notifications:open", args=[told.pk])).status_code == 404


def test_marking_one_read_from_its_row(client, run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username} uno")
    run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username} due")
    first, second = Notification.objects.filter(recipient=ada).order_by("pk")
    login(client, ada)
    response = client.post(
        reverse("notifications:read", args=[first.pk]), {"next": LIST + "?show=unread"}
    )
    assert response["Location"] == LIST + "?show=unread"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client.get(reverse("notifications:count")).json()["unread"] == 1
    # Someone else's: 404, nothing changes.
    other = member_of(community)
    login(client, other)
    assert (
        client.post(reverse("notifications:read", args=[second.pk])).status_code == 404
    )
    second.refresh_from_db()
    assert second.read_at is None


def test_the_page_filters_by_group(client, run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    ReadPosition.objects.create(user=ada, thread=thread, level="watching")
    run(threads.post_reply, actor=owner, thread=thread, body="Novità")
    run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username}")
    watched = Notification.objects.get(recipient=ada, kind=Kind.WATCHING)
    mention = Notification.objects.get(recipient=ada, kind=Kind.MENTION)
    login(client, ada)
    replies = client.get(LIST + "?group=replies").content.decode()
    assert f'data-notification="{watched.pk}"' in replies
    assert f'data-notification="{mention.pk}"' not in replies
    mentions = client.get(LIST + "?group=mentions").content.decode()
    assert f'data-notification="{mention.pk}"' in mentions
    assert f'data-notification="{watched.pk}"' not in mentions


def test_the_dropdown_lists_the_latest_with_mark_all_read(client, run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    for n in range(10):
        run(threads.post_reply, actor=owner, thread=thread, body=f"{n} @{ada.username}")
    newest = Notification.objects.filter(recipient=ada).order_by("-pk")
    html = login(client, ada).get(LATEST + "?next=/c/").content.decode()
    assert html.count("data-notification=") == 8
    assert f'data-notification="{newest[0].pk}"' in html
    assert f'data-notification="{newest[9].pk}"' not in html
    assert reverse("notifications:read-all") in html and 'value="/c/"' in html
    assert "<html" not in html  # a fragment
    # Without JavaScript the bell is a link to the page of all.
    page = client.get(reverse("community:home")).content.decode()
    assert f'<a class="notification-bell" href="{LIST}"' in page
    assert f'data-latest-url="{LATEST}"' in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [LIST, LATEST])
def test_page_and_dropdown_cost_the_same_queries_for_few_or_many_kinds(
    client, run, url
):
    """Mentions in several communities, watched news, moderation outcomes: the page
    and the dropdown cost a constant number of queries whatever the rows."""
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    ada = member_of(community)
    run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username}")
    login(client, ada)
    client.get(url)
    few = _queries(client, url)
    for _ in range(3):
        other, other_owner, other_thread = community_with_thread(
            visibility=Community.Visibility.PRIVATE
        )
        Membership.objects.create(user=ada, community=other)
        ReadPosition.objects.create(user=ada, thread=other_thread, level="watching")
        run(threads.post_reply, actor=other_owner, thread=other_thread, body="Nuovo")
        run(
            threads.post_reply,
            actor=other_owner,
            thread=other_thread,
            body=f"@{ada.username}",
        )
    assert Notification.objects.filter(recipient=ada).count() == 7
    assert _queries(client, url) == few
