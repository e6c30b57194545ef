"""Permalinks `/p/<id>/` lead to the page of the thread showing the post, at its anchor."""

import pytest
from django.urls import reverse

from community.models import Community
from tests.community.thread_helpers import (
    add_replies,
    community_with_thread,
    login,
    thread_url,
)
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def permalink(post):
    return reverse("community:post-permalink", args=[post.pk])


def test_a_post_on_the_first_page_links_to_the_thread_and_its_anchor(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get()

    response = client.get(permalink(first))

    assert response.status_code == 302
    assert response["Location"] == thread_url(thread) + f"#p{first.pk}"


@pytest.mark.parametrize("number, page", [(30, None), (31, 2), (60, 2), (61, 3)])
def test_later_posts_link_to_their_page(client, number, page):
    community, owner, thread = community_with_thread()
    posts = add_replies(thread, number - 1)
    post = posts[-1]
    assert post.number == number

    response = client.get(permalink(post))

    query = {"page": page} if page else {}
    assert response["Location"] == thread_url(thread, **query) + f"#{post.anchor}"
    followed = client.get(response["Location"]).content.decode()
    assert f'id="{post.anchor}"' in followed


def test_the_page_size_comes_from_settings(client, settings):
    settings.POSTS_PER_PAGE = 2
    community, owner, thread = community_with_thread()
    posts = add_replies(thread, 2)

    response = client.get(permalink(posts[-1]))

    assert response["Location"] == thread_url(thread, page=2) + f"#{posts[-1].anchor}"
    page = client.get(response["Location"]).content.decode()
    assert page.count('<li class="post') == 1


def test_a_post_in_a_private_community_is_a_404_for_strangers(client, user):
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    post = thread.posts.get()

    assert client.get(permalink(post)).status_code == 404
    assert login(client, user).get(permalink(post)).status_code == 404
    client.force_login(member_of(community))
    assert client.get(permalink(post)).status_code == 302


def test_unknown_posts_answer_404(client):
    assert (
        client.get(reverse("community:post-permalink", args=[987654])).status_code
        == 404
    )
