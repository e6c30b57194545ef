"""Reading a thread: posts in order with anchors, pages of 30, placeholders, composer."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Community, Membership
from community.services import threads
from tests.community.thread_helpers import (
    add_replies,
    community_with_thread,
    login,
    thread_url,
)
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def anchors(response):
    return re.findall(r'<li class="post[^"]*" id="(p\d+)"', response.content.decode())


def test_posts_show_in_order_with_anchor_permalink_author_and_time(client):
    community, owner, thread = community_with_thread()
    replies = add_replies(thread, 2)

    response = client.get(thread_url(thread))

    html = response.content.decode()
    first = thread.posts.get(number=1)
    assert response.status_code == 200
    assert anchors(response) == [first.anchor] + [post.anchor for post in replies]
    assert f'href="{reverse("community:post-permalink", args=[first.pk])}"' in html
    assert owner.name in html and owner.organisation.name in html
    assert '<time datetime="' in html
    assert "Chi lavora su <strong>sensori</strong> a basso costo?" in html
    assert community.name in html and community.get_absolute_url() in html


def test_title_tags_and_badges_are_shown(client):
    community, owner, thread = community_with_thread(tags="Sensori, IoT")
    thread.is_pinned = thread.is_locked = True
    thread.save()

    html = client.get(thread_url(thread)).content.decode()

    assert "<h1>Sensori per la manifattura</h1>" in html
    assert ">sensori</a>" in html and ">iot</a>" in html
    assert "Pinned" in html and "Locked" in html


def test_thirty_posts_a_page_and_the_rest_on_the_next(client):
    community, owner, thread = community_with_thread()
    replies = add_replies(thread, 31)

    first_page = client.get(thread_url(thread))
    second_page = client.get(thread_url(thread, page=2))

    assert len(anchors(first_page)) == 30
    assert anchors(second_page) == [replies[-2].anchor, replies[-1].anchor]
    assert 'rel="next" href="?page=2"' in first_page.content.decode()
    assert 'rel="prev"' in second_page.content.decode()


@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "99999999999999999999"])
def test_pages_that_do_not_exist_answer_404(client, page):
    community, owner, thread = community_with_thread()
    add_replies(thread, 31)

    assert client.get(thread_url(thread, page=page)).status_code == 404


def test_unknown_thread_answers_404(client):
    community, owner, thread = community_with_thread()

    url = reverse("community:thread-detail", args=[community.slug, thread.pk + 100])

    assert client.get(url).status_code == 404


def test_deleted_and_hidden_posts_leave_placeholders(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    gone, hidden, kept = (
        threads.post_reply(actor=member, thread=thread, body=body)
        for body in ("segreto cancellato", "segreto nascosto", "ancora qui")
    )
    threads.post_delete(actor=member, post=gone)
    # Hidden by a moderator (with no moderator, members' reports hid it).
    hidden.is_hidden = True
    hidden.hidden_by = owner
    hidden.save()

    html = client.get(thread_url(thread)).content.decode()

    assert "segreto" not in html
    assert "ancora qui" in html
    assert "This post was deleted by its author." in html
    assert "This post was hidden by a moderator." in html
    assert gone.anchor in html and hidden.anchor in html


def test_members_get_the_composer_and_actions_on_their_posts(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    mine = threads.post_reply(actor=member, thread=thread, body="mia")

    response = login(client, member).get(thread_url(thread))

    html = response.content.decode()
    assert 'id="composer"' in html
    assert (
        f'action="{reverse("community:thread-reply", args=[community.slug, thread.pk])}"'
        in html
    )
    assert reverse("community:post-edit", args=[mine.pk]) in html
    assert reverse("community:post-delete", args=[mine.pk]) in html
    assert "data-confirm=" in html
    # Only the author edits: the owner's first post offers no edit link to others.
    first = thread.posts.get(number=1)
    assert reverse("community:post-edit", args=[first.pk]) not in html
    assert f"?quote={first.pk}" in html
    assert "js/composer.js" in html


def test_anonymous_readers_are_invited_to_log_in_not_shown_a_composer(client):
    community, owner, thread = community_with_thread()

    html = client.get(thread_url(thread)).content.decode()

    assert 'id="composer"' not in html
    assert "Log in to reply" in html
    assert "?quote=" not in html and "/edit/" not in html


def test_non_members_of_a_public_community_are_invited_to_join(client, user):
    community, owner, thread = community_with_thread()

    html = login(client, user).get(thread_url(thread)).content.decode()

    assert 'id="composer"' not in html
    assert "Join this community to reply." in html
    assert reverse("community:community-join", args=[community.slug]) in html


def test_locked_thread_shows_a_notice_to_members_and_the_composer_to_moderators(client):
    community, owner, thread = community_with_thread()
    thread.is_locked = True
    thread.save()
    member = member_of(community)

    member_html = login(client, member).get(thread_url(thread)).content.decode()
    owner_html = login(client, owner).get(thread_url(thread)).content.decode()

    assert "This thread is locked: no new replies." in member_html
    assert 'id="composer"' not in member_html
    assert 'id="composer"' in owner_html
    assert "only moderators can reply" in owner_html


def test_edited_posts_are_marked_and_link_to_their_history_for_members(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get(number=1)
    threads.post_edit(actor=owner, post=first, body="Versione nuova")
    history = reverse("community:post-history", args=[first.pk])

    member_html = login(client, member_of(community)).get(thread_url(thread))
    client.logout()
    anonymous_html = client.get(thread_url(thread))

    assert history in member_html.content.decode()
    assert ">edited</span>" in anonymous_html.content.decode()
    assert history not in anonymous_html.content.decode()


def _thread_of(count):
    community, owner, thread = community_with_thread()
    authors = []
    for _ in range(5):
        author = UserFactory(organisation=OrganisationFactory())
        Membership.objects.create(user=author, community=community)
        authors.append(author)
    add_replies(thread, count - 1, authors=authors)
    threads.post_edit(actor=authors[0], post=thread.posts.get(number=2), body="nuovo")
    return community, thread


@pytest.mark.parametrize("viewer", ["anonymous", "member", "staff"])
def test_the_page_costs_the_same_queries_with_5_and_30_posts(client, viewer):
    counts = []
    for size in (5, 30):
        community, thread = _thread_of(size)
        person = person_in(community, viewer)
        login(client, person)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(thread_url(thread))
        assert response.status_code == 200
        assert len(anchors(response)) == size
        counts.append(len(queries))
        client.logout()

    assert counts[0] == counts[1]


@pytest.mark.parametrize("viewer, bound", [("anonymous", 5), ("member", 10)])
def test_the_page_query_count_is_pinned(
    client, django_assert_max_num_queries, viewer, bound
):
    community, thread = _thread_of(30)
    login(client, person_in(community, viewer))

    with django_assert_max_num_queries(bound):
        response = client.get(thread_url(thread))

    assert len(anchors(response)) == 30


def _writes(queries):
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_reading_a_thread_writes_only_its_view_and_the_readers_position_once(client, viewer):
    community, thread = _thread_of(5)
    login(client, person_in(community, viewer))

    with CaptureQueriesContext(connection) as first:
        client.get(thread_url(thread))
    with CaptureQueriesContext(connection) as again:
        client.get(thread_url(thread))

    # The first visit counts one view (throttled: `services.views_counted`).
    counted, *rest = _writes(first)
    assert "community_thread" in counted and "view_count" in counted
    if viewer == "anonymous":
        assert rest == []
    else:
        # One upsert of the member's read position, up to the last post shown.
        (write,) = rest
        assert "community_readposition" in write
    assert _writes(again) == []  # nothing new to read, counted already: nothing written


def test_a_private_community_thread_is_a_404_for_strangers(client, user):
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)

    assert client.get(thread_url(thread)).status_code == 404
    assert login(client, user).get(thread_url(thread)).status_code == 404
