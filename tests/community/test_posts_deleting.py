"""Deleting your own post: a placeholder keeps the thread readable, the body is never shown."""

import pytest
from django.urls import reverse

from community.models import Post, Thread
from community.services import threads
from live.events import event_frames, languages
from live.models import Event
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setting():
    community, owner, thread = community_with_thread()
    member = member_of(community)
    post = threads.post_reply(actor=member, thread=thread, body="Dato riservato 42")
    return community, owner, thread, member, post


def delete_url(post):
    return reverse("community:post-delete", args=[post.pk])


def test_the_author_deletes_a_post_and_sees_a_placeholder(client, setting):
    community, owner, thread, member, post = setting

    response = login(client, member).post(delete_url(post))

    assert response.status_code == 302
    assert response["Location"] == thread_url(thread) + f"#{post.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert "Dato riservato 42" not in page
    assert "This post was deleted by its author." in page
    assert f'id="{post.anchor}"' in page
    assert "Your post was deleted." in page
    stored = Post.objects.get(pk=post.pk)
    assert stored.is_deleted and stored.deleted_at is not None
    assert stored.body == "Dato riservato 42"


def test_deleting_records_an_event_without_the_body(setting):
    community, owner, thread, member, post = setting

    threads.post_delete(actor=member, post=post)

    event = Event.objects.filter(stream=thread.stream).last()
    assert event.type == "post.deleted"
    assert "Dato riservato" not in str(event.payload)
    (frame,) = event_frames([event], languages())
    assert frame["data"]["is_deleted"] is True
    assert frame["data"]["body_html"] == ""
    assert "Dato riservato" not in str(frame)


def test_deleting_the_first_post_keeps_the_thread(client, setting):
    community, owner, thread, member, post = setting
    first = thread.posts.get(number=1)

    login(client, owner).post(delete_url(first))

    assert Thread.objects.filter(pk=thread.pk).exists()
    page = client.get(thread_url(thread)).content.decode()
    assert "Sensori per la manifattura" in page
    assert "This post was deleted by its author." in page
    assert "Dato riservato 42" in page


@pytest.mark.parametrize("role", ["member", "moderator", "owner", "staff"])
def test_nobody_else_may_delete_a_post(client, setting, role):
    community, owner, thread, member, post = setting
    other = owner if role == "owner" else member_of(community, role)

    response = login(client, other).post(delete_url(post))

    assert response.status_code == 403
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_deleting_needs_a_post_request(client, setting):
    community, owner, thread, member, post = setting

    response = login(client, member).get(delete_url(post))

    assert response.status_code == 405
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_deleting_twice_is_refused(client, setting):
    community, owner, thread, member, post = setting
    login(client, member).post(delete_url(post))

    assert client.post(delete_url(post)).status_code == 403
    assert Event.objects.filter(type="post.deleted").count() == 1


def test_deleted_posts_offer_no_quote_edit_or_delete(client, setting):
    community, owner, thread, member, post = setting
    threads.post_delete(actor=member, post=post)

    html = login(client, member).get(thread_url(thread)).content.decode()

    assert f"?quote={post.pk}" not in html
    assert reverse("community:post-edit", args=[post.pk]) not in html
    assert delete_url(post) not in html


def test_unknown_posts_answer_404(client, setting):
    community, owner, thread, member, post = setting

    assert (
        login(client, member).post(delete_url(Post(pk=post.pk + 99))).status_code == 404
    )
