"""Quoting without leaving the thread: composer.js asks `GET /p/<id>/quote/` for the
Markdown of a quote, `{"markdown": "..."}`, with the checks of the reply page's
`?quote=`: invisible posts answer 404, people who may not reply here 403 (as JSON)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community
from community.services import moderation, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.support.factories import UserFactory
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility
ROLES = ["anonymous", "outsider", "pending", "member", "muted", "banned", "staff"]
VISIBILITIES = [Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE]


def quote_url(post):
    return reverse("community:post-quote", args=[post.pk])


def reply_url(thread):
    return reverse("community:thread-reply", args=[thread.community.slug, thread.pk])


def viewer(community, role):
    """A person in `role` ("muted": an active member muted for a day)."""
    if role != "muted":
        return person_in(community, role)
    person = member_of(community)
    person.memberships.update(muted_until=timezone.now() + timedelta(days=1))
    return person


# --- who may quote ----------------------------------------------------------------------


def expected_status(visibility, role):
    """404 to whoever may not know the community exists, 403 to whoever may not read
    it or may not reply in it, 200 to those who may reply."""
    if visibility == Visibility.PRIVATE and role not in {
        "pending",
        "member",
        "muted",
        "staff",
    }:
        return 404
    return 200 if role in {"member", "staff"} else 403


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_quotes_are_for_whoever_may_reply_in_the_thread(client, role, visibility):
    community, owner, thread = community_with_thread(visibility, body="Riga segreta")
    post = thread.posts.get(number=1)
    person = viewer(community, role)
    login(client, person)

    response = client.get(quote_url(post))

    status = expected_status(visibility, role)
    assert response.status_code == status, (role, visibility)
    assert response["Content-Type"] == "application/json"
    if status == 200:
        assert response.json() == {
            "markdown": f"@{owner.username} wrote:\n\n> Riga segreta\n\n"
        }
        # The reply page's ?quote= gives the same text to the same people.
        page = client.get(reply_url(thread) + f"?quote={post.pk}")
        assert page.context["form"].initial["body"] == response.json()["markdown"]
    else:
        assert set(response.json()) == {"error"}
        assert "Riga segreta" not in response.content.decode()


def test_refusals_say_why_when_the_post_is_visible(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get(number=1)

    anonymous = client.get(quote_url(post))
    login(client, UserFactory())
    outsider = client.get(quote_url(post))

    for response in (anonymous, outsider):
        assert response.status_code == 403
        assert response.json() == {"error": "Only members of this community can reply."}


def test_a_missing_post_and_a_private_one_answer_alike(client):
    community, owner, thread = community_with_thread(Visibility.PRIVATE)
    post = thread.posts.get(number=1)
    login(client, UserFactory())
    missing = reverse("community:post-quote", args=[post.pk + 1000])

    hidden = client.get(quote_url(post))
    absent = client.get(missing)

    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


# --- what it answers --------------------------------------------------------------------


def test_the_quote_credits_its_author_and_quotes_every_line(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get(number=1)
    threads.post_edit(actor=owner, post=first, body="Riga uno\n\nRiga due")
    login(client, member_of(community))

    response = client.get(quote_url(first))

    assert response.json() == {
        "markdown": f"@{owner.username} wrote:\n\n> Riga uno\n>\n> Riga due\n\n"
    }


def test_the_credit_line_speaks_the_readers_language(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get(number=1)
    login(client, member_of(community))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "it"

    markdown = client.get(quote_url(first)).json()["markdown"]

    assert markdown.startswith(f"@{owner.username} ha scritto:\n\n> ")


@pytest.mark.parametrize("change", ["deleted", "hidden"])
def test_removed_posts_cannot_be_quoted(client, change):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    post = threads.post_reply(actor=member, thread=thread, body="Da togliere")
    if change == "deleted":
        threads.post_delete(actor=member, post=post)
    else:
        moderation.post_hide(actor=owner, post=post)
    login(client, member_of(community))

    response = client.get(quote_url(post))

    assert response.status_code == 404
    assert "Da togliere" not in response.content.decode()


def test_in_a_locked_thread_only_moderators_quote(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get(number=1)
    moderation.thread_lock(actor=owner, thread=thread)

    login(client, member_of(community))
    member = client.get(quote_url(post))
    client.logout()
    login(client, owner)
    moderator = client.get(quote_url(post))

    assert member.status_code == 403
    assert member.json() == {"error": "This thread is locked."}
    assert moderator.status_code == 200


def test_quote_links_name_the_endpoint_and_keep_the_page_for_no_javascript(client):
    community, owner, thread = community_with_thread()
    first = thread.posts.get(number=1)
    login(client, member_of(community))

    html = client.get(thread.get_absolute_url()).content.decode()

    assert f'data-quote-url="{quote_url(first)}"' in html
    assert f'href="{reply_url(thread)}?quote={first.pk}#composer"' in html
