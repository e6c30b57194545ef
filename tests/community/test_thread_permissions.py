"""Who may read and act on threads and posts: every role against every view and visibility.

Invisible objects answer 404, visible but forbidden actions 403, anonymous visitors are
sent to log in for actions that need an account.
"""

import pytest
from django.urls import reverse

from community.models import Community, Post, Thread
from community.services import threads
from tests.community.thread_helpers import (
    community_with_thread,
    login,
    reply_url,
    thread_url,
)
from tests.support.roles import (
    READERS,
    ROLES,
    VISIBILITIES,
    assert_status,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


ACTIONS = {
    # name: (needs login, status when allowed, who is allowed once the gate is passed)
    "read thread": (False, 200, ROLES),
    "open permalink": (False, 302, ROLES),
    "new thread form": (True, 200, READERS),
    "start thread": (True, 302, READERS),
    "reply form": (True, 200, READERS),
    "quote": (True, 200, READERS),
    "reply": (True, 302, READERS),
    "post history": (True, 200, {"member", "moderator", "owner", "staff"}),
    "edit someone's post": (True, 200, set()),
    "delete someone's post": (True, 302, set()),
}


def perform(client, action, thread, post):
    community = thread.community
    match action:
        case "read thread":
            return client.get(thread_url(thread))
        case "open permalink":
            return client.get(reverse("community:post-permalink", args=[post.pk]))
        case "new thread form":
            return client.get(reverse("community:thread-create", args=[community.slug]))
        case "start thread":
            return client.post(
                reverse("community:thread-create", args=[community.slug]),
                {"title": "Nuovo", "body": "Corpo"},
            )
        case "reply form":
            return client.get(reply_url(thread))
        case "quote":
            return client.get(reply_url(thread) + f"?quote={post.pk}")
        case "reply":
            return client.post(reply_url(thread), {"body": "Risposta"})
        case "post history":
            return client.get(reverse("community:post-history", args=[post.pk]))
        case "edit someone's post":
            return client.post(
                reverse("community:post-edit", args=[post.pk]), {"body": "Modifica"}
            )
        case "delete someone's post":
            return client.post(reverse("community:post-delete", args=[post.pk]))


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_thread_permission_matrix(client, role, visibility, action):
    community, owner, thread = community_with_thread(visibility)
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body="Originale")
    person = owner if role == "owner" else person_in(community, role)
    posts_before = Post.objects.count()

    response = perform(login(client, person), action, thread, post)

    status = assert_status(response, ACTIONS[action], visibility, role)
    post.refresh_from_db()
    if status != 302 or action in ("read thread", "open permalink"):
        assert Post.objects.count() == posts_before
        assert Thread.objects.count() == 1
    assert post.body == "Originale" and not post.is_deleted


@pytest.mark.parametrize("role", ["pending", "banned", "outsider"])
def test_non_members_of_a_public_community_read_but_cannot_reply(client, role):
    community, owner, thread = community_with_thread()

    response = login(client, person_in(community, role)).get(thread_url(thread))

    assert response.status_code == 200
    assert 'id="composer"' not in response.content.decode()


def test_the_author_may_edit_and_delete_in_every_visibility(client):
    for visibility in VISIBILITIES:
        community, owner, thread = community_with_thread(visibility)
        post = thread.posts.get()
        login(client, owner)

        assert (
            client.get(reverse("community:post-edit", args=[post.pk])).status_code
            == 200
        )
        deleted = client.post(reverse("community:post-delete", args=[post.pk]))
        assert deleted.status_code == 302
