"""A thread or room asked for under another community's slug moves to its own address,
for readers only: everyone else meets the same 404 as for a missing thread."""

import re

import pytest
from django.urls import reverse

from community.models import Community
from community.services import rooms
from tests.community.thread_helpers import (
    community_with_thread,
    login,
    reply_url,
    thread_url,
)
from tests.support.factories import CommunityFactory
from tests.support.roles import ROLES, VISIBILITIES, member_of, person_in, reads

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


def _page(response):
    """The page without what differs by request: the CSRF token, its own path."""
    text = response.text.replace(response.request["PATH_INFO"], "<path>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def elsewhere(name, thread, *, slug="robotica", query=""):
    """The URL of page `name` for `thread`, written under another community's slug."""
    url = reverse(f"community:{name}", args=[slug, thread.pk])
    return f"{url}?{query}" if query else url


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_a_thread_under_another_slug_redirects_its_readers_only(
    client, role, visibility
):
    community, owner, thread = community_with_thread(visibility)
    CommunityFactory(slug="robotica")
    person = owner if role == "owner" else person_in(community, role)

    response = login(client, person).get(elsewhere("thread-detail", thread))

    if reads(visibility, role):
        assert response.status_code == 302
        assert response["Location"] == thread_url(thread)
    else:
        assert response.status_code == 404


def test_the_redirect_keeps_the_page_asked_for(client):
    community, owner, thread = community_with_thread()

    response = client.get(elsewhere("thread-detail", thread, query="page=2"))

    assert response.status_code == 302
    assert response["Location"] == thread_url(thread, page=2)


def test_a_slug_no_community_has_redirects_too(client):
    community, owner, thread = community_with_thread()

    response = client.get(elsewhere("thread-detail", thread, slug="nowhere"))

    assert response["Location"] == thread_url(thread)


def test_a_missing_thread_answers_404_under_any_slug(client):
    community, owner, thread = community_with_thread()

    url = reverse("community:thread-detail", args=["robotica", thread.pk + 100])

    assert client.get(url).status_code == 404


def test_an_invisible_thread_answers_exactly_like_a_missing_one(client):
    community, owner, thread = community_with_thread(Visibility.PRIVATE)
    stranger = login(client, person_in(community, "outsider"))
    missing = reverse("community:thread-detail", args=["robotica", thread.pk + 100])

    hidden = stranger.get(elsewhere("thread-detail", thread))
    absent = stranger.get(missing)

    assert hidden.status_code == absent.status_code == 404
    assert _page(hidden) == _page(absent)
    assert "Location" not in hidden


def test_the_reply_page_and_its_quote_move_to_the_right_community(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get()
    login(client, member_of(community))

    response = client.get(elsewhere("thread-reply", thread, query=f"quote={first.pk}"))

    assert response.status_code == 302
    assert response["Location"] == f"{reply_url(thread)}?quote={first.pk}"


def test_a_reply_posted_to_the_old_address_is_resent_and_stored_once(client):
    community, owner, thread = community_with_thread()
    login(client, member_of(community))
    form = {"body": "Scritta sotto il vecchio indirizzo"}

    moved = client.post(elsewhere("thread-reply", thread), form)
    followed = client.post(elsewhere("thread-reply", thread), form, follow=True)

    # 307: the browser sends the same form again, to the right address.
    assert moved.status_code == 307
    assert moved["Location"] == reply_url(thread)
    assert followed.status_code == 200
    assert thread.posts.filter(body=form["body"]).count() == 1


def test_a_private_reply_address_stays_404_for_strangers(client):
    community, owner, thread = community_with_thread(Visibility.PRIVATE)
    login(client, person_in(community, "outsider"))

    response = client.post(elsewhere("thread-reply", thread), {"body": "Ciao"})

    assert response.status_code == 404
    assert thread.posts.count() == 1


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ["anonymous", "outsider", "member"])
def test_a_room_under_another_slug_redirects_its_readers_only(
    client, role, visibility
):
    community, owner, thread = community_with_thread(visibility)
    room = rooms.room_create(actor=owner, community=community, name="Caffè")
    login(client, person_in(community, role))

    response = client.get(elsewhere("room-detail", room, query="before=2"))

    if reads(visibility, role):
        assert response.status_code == 302
        assert response["Location"] == room.get_absolute_url() + "?before=2"
    else:
        assert response.status_code == 404


def test_room_messages_and_read_marks_follow_the_room(client):
    community, owner, thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="Caffè")
    login(client, owner)

    sent = client.post(elsewhere("room-post", room), {"body": "Ciao"}, follow=True)
    read = client.post(elsewhere("room-read", room), {"number": 1})

    assert sent.status_code == 200
    assert room.posts.filter(body="Ciao").count() == 1
    assert read.status_code == 307
    assert read["Location"] == reverse(
        "community:room-read", args=[community.slug, room.pk]
    )
