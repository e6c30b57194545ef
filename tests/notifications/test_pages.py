"""The notifications page, opening one, marking all read, the bell and its count."""

import pytest
from django.urls import reverse

from community.models import Community, Membership
from community.services import moderation, threads
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread, login
from tests.support.factories import UserFactory
from tests.support.roles import member_of, person_in

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
COUNT = reverse("notifications:count")
READ_ALL = reverse("notifications:read-all")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


@pytest.fixture
def mentioned(run):
    """A member of a private community mentioned in a reply: (community, owner, ada,
    the post, the notification)."""
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    ada = member_of(community)
    post = run(
        threads.post_reply, actor=owner, thread=thread, body=f"Idee, @{ada.username}?"
    )
    return community, owner, ada, post, Notification.objects.get(recipient=ada)


def test_the_page_lists_mine_newest_first_linking_to_the_post(client, run, mentioned):
    community, owner, ada, post, notification = mentioned
    later = run(
        threads.post_reply,
        actor=owner,
        thread=post.thread,
        body=f"Ancora @{ada.username}",
    )
    page = login(client, ada).get(LIST)
    html = page.content.decode()
    newer = Notification.objects.get(post=later)
    assert html.index(f'data-notification="{newer.pk}"') < html.index(
        f'data-notification="{notification.pk}"'
    )
    assert reverse("notifications:open", args=[notification.pk]) in html
    assert "Sensori per la manifattura" in html


def test_opening_one_marks_it_read_and_leads_to_the_exact_post(client, mentioned):
    _community, _owner, ada, post, notification = mentioned
    response = login(client, ada).get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_or_marks_someone_elses(client, mentioned):
    _community, owner, _ada, _post, notification = mentioned
    response = login(client, owner).get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_mine_only(client, run, mentioned):
    community, owner, ada, post, notification = mentioned
    run(
        threads.post_reply,
        actor=ada,
        thread=post.thread,
        body=f"Certo @{owner.username}",
    )
    response = login(client, ada).post(READ_ALL)
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=ada, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert login(client, ada).get(READ_ALL).status_code == 405


def test_filters_unread_and_kind_and_empty_states(client, mentioned):
    _community, _owner, ada, _post, notification = mentioned
    login(client, ada)
    assert (
        f'data-notification="{notification.pk}"'
        in client.get(LIST + "?group=mentions").content.decode()
    )
    assert (
        f'data-notification="{notification.pk}"'
        not in client.get(LIST + "?group=membership").content.decode()
    )
    Notification.objects.filter(pk=notification.pk).update(read_at="2026-01-01T00:00Z")
    unread = client.get(LIST + "?show=unread").content.decode()
    assert "data-notification=" not in unread
    assert (
        "No unread notifications." in unread or "Nessuna notifica da leggere." in unread
    )


def test_a_banned_member_no_longer_sees_the_notification_about_a_private_post(
    client, run, mentioned
):
    community, owner, ada, _post, notification = mentioned
    login(client, ada)
    assert f'data-notification="{notification.pk}"' in client.get(LIST).content.decode()
    membership = Membership.objects.get(user=ada, community=community)
    run(moderation.membership_ban, actor=owner, membership=membership, reason="Spam")
    assert (
        f'data-notification="{notification.pk}"'
        not in client.get(LIST).content.decode()
    )
    assert (
        client.get(reverse("notifications:open", args=[notification.pk])).status_code
        == 404
    )


def test_a_hidden_post_drops_out_for_the_person_mentioned(client, run, mentioned):
    _community, owner, ada, post, notification = mentioned
    run(moderation.post_hide, actor=owner, post=post, reason="Fuori tema")
    assert (
        f'data-notification="{notification.pk}"'
        not in login(client, ada).get(LIST).content.decode()
    )


def test_the_bell_shows_the_unread_count_and_its_json(client, mentioned):
    _community, _owner, ada, _post, _notification = mentioned
    login(client, ada)
    page = client.get(reverse("community:home")).content.decode()
    assert "data-notifications-unread>1<" in page
    assert client.get(COUNT).json() == {"unread": 1, "stream": f"user:{ada.pk}"}
    client.post(READ_ALL)
    assert client.get(COUNT).json()["unread"] == 0
    assert (
        "data-notifications-unread hidden>0<"
        in client.get(reverse("community:home")).content.decode()
    )


@pytest.mark.parametrize("url", [LIST, COUNT])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_cannot_mark_anything_read(client, mentioned):
    *_rest, notification = mentioned
    client.post(READ_ALL)
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("member", True),
        ("moderator", True),
        ("owner", True),
        ("staff", True),
        ("muted", True),
        ("banned", False),
        ("outsider", False),
    ],
)
def test_who_keeps_seeing_a_notification_about_a_private_post(client, run, role, shown):
    """The same notification, for a recipient who now holds `role` in the community:
    shown only while they may read the thread."""
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    person = person_in(community, role) if role != "outsider" else UserFactory()
    post = run(threads.post_reply, actor=owner, thread=thread, body="Una risposta")
    notification = Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.MENTION,
        actor=owner,
        post=post,
        thread=thread,
        community=community,
    )
    html = login(client, person).get(LIST).content.decode()
    assert (f'data-notification="{notification.pk}"' in html) is shown
    opened = client.get(reverse("notifications:open", args=[notification.pk]))
    assert opened.status_code == (302 if shown else 404)


def test_the_page_costs_the_same_queries_for_three_or_twenty(
    client, run, django_assert_max_num_queries
):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    for index in range(3):
        run(
            threads.post_reply,
            actor=owner,
            thread=thread,
            body=f"{index} @{ada.username}",
        )
    login(client, ada)
    client.get(LIST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    other = member_of(community)
    for index in range(20):
        run(
            threads.post_reply,
            actor=other,
            thread=thread,
            body=f"{index} @{ada.username}",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:150] for q in many.captured_queries
    ]
