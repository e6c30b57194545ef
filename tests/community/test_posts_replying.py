"""Replying to a thread: the composer, quotes, locked threads, limits and resends."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Post
from community.services import threads
from live.models import Event
from tests.community.thread_helpers import (
    add_replies,
    community_with_thread,
    login,
    reply_url,
    thread_url,
)
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def setting():
    community, owner, thread = community_with_thread()
    return community, owner, thread, member_of(community)


def reply(client, thread, body="Anche noi, a Bergamo.", **extra):
    return client.post(reply_url(thread), {"body": body, **extra})


def test_member_replies_and_sees_the_reply_at_its_anchor(client, setting):
    community, owner, thread, member = setting

    response = reply(login(client, member), thread, body="Anche noi, a **Bergamo**.")

    post = Post.objects.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread) + f"#{post.anchor}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="{post.anchor}"' in page
    assert "Anche noi, a <strong>Bergamo</strong>." in page
    assert "Your reply is online." in page


def test_a_reply_updates_the_thread_and_the_community(client, setting):
    community, owner, thread, member = setting

    reply(login(client, member), thread)

    thread.refresh_from_db()
    community.refresh_from_db()
    post = Post.objects.get(number=2)
    assert thread.post_count == 2 and thread.reply_count == 1
    assert thread.last_poster == member
    assert community.last_activity_at == thread.last_activity_at
    assert post.author == member and post.body_html.startswith("<p>")


def test_the_31st_post_lands_on_page_two(client, setting):
    community, owner, thread, member = setting
    add_replies(thread, 29)

    response = reply(login(client, member), thread)

    post = Post.objects.get(number=31)
    assert response["Location"] == thread_url(thread, page=2) + f"#{post.anchor}"


def test_post_numbers_follow_each_other_without_gaps(setting):
    community, owner, thread, member = setting

    posts = add_replies(thread, 4)
    threads.post_delete(actor=posts[1].author, post=posts[1])
    later = threads.post_reply(actor=member, thread=thread, body="dopo")

    assert [post.number for post in posts] == [2, 3, 4, 5]
    assert later.number == 6
    thread.refresh_from_db()
    assert thread.post_count == 6


def test_quote_opens_the_composer_prefilled_with_the_post_and_its_author(
    client, setting
):
    community, owner, thread, member = setting
    first = thread.posts.get(number=1)
    threads.post_edit(actor=owner, post=first, body="Riga uno\n\nRiga due")

    response = login(client, member).get(reply_url(thread) + f"?quote={first.pk}")

    assert response.status_code == 200
    body = response.context["form"].initial["body"]
    assert body == f"@{owner.username} wrote:\n\n> Riga uno\n>\n> Riga due\n\n"
    assert "&gt; Riga uno" in response.content.decode()


def test_a_quoted_reply_renders_a_blockquote_and_a_mention(client, setting):
    community, owner, thread, member = setting
    first = thread.posts.get(number=1)
    login(client, member)
    quote = client.get(reply_url(thread) + f"?quote={first.pk}").context["form"]
    body = quote.initial["body"] + "Noi sì."

    reply(client, thread, body=body)

    html = Post.objects.get(number=2).body_html
    assert "<blockquote>" in html
    assert reverse("community:profile", args=[owner.username]) in html


def test_quote_buttons_link_to_the_prefilled_composer_without_javascript(
    client, setting
):
    community, owner, thread, member = setting
    first = thread.posts.get(number=1)

    html = login(client, member).get(thread_url(thread)).content.decode()

    assert f'href="{reply_url(thread)}?quote={first.pk}#composer"' in html
    assert f'data-quote="{first.pk}"' in html


@pytest.mark.parametrize("case", ["other-thread", "deleted", "unknown", "garbage"])
def test_quoting_what_cannot_be_quoted_answers_404_or_ignores_it(client, setting, case):
    community, owner, thread, member = setting
    other = threads.thread_create(
        actor=owner, community=community, title="Altro", body="x"
    )
    mine = threads.post_reply(actor=member, thread=thread, body="da cancellare")
    threads.post_delete(actor=member, post=mine)
    quote = {
        "other-thread": other.posts.get().pk,
        "deleted": mine.pk,
        "unknown": mine.pk + 1000,
        "garbage": "abc",
    }[case]

    response = login(client, member).get(reply_url(thread) + f"?quote={quote}")

    if case == "garbage":
        assert response.status_code == 200
        assert not response.context["form"].initial.get("body")
    else:
        assert response.status_code == 404


def test_empty_and_over_long_replies_show_errors_and_write_nothing(
    client, setting, settings
):
    community, owner, thread, member = setting
    settings.POST_BODY_MAX_LENGTH = 10
    login(client, member)

    empty = reply(client, thread, body="")
    blank = reply(client, thread, body=" \n ")
    long = reply(client, thread, body="x" * 11)

    assert empty.status_code == blank.status_code == long.status_code == 200
    assert empty.context["form"].errors["body"]
    assert blank.context["form"].errors["body"]
    assert "at most 10 characters" in long.context["form"].errors["body"][0]
    assert Post.objects.count() == 1
    assert Event.objects.filter(stream=thread.stream).count() == 1


def test_windows_line_endings_count_once_against_the_limit(setting, settings):
    community, owner, thread, member = setting
    settings.POST_BODY_MAX_LENGTH = 5

    post = threads.post_reply(actor=member, thread=thread, body="a\r\nb\r\nc")

    assert post.body == "a\nb\nc"


def test_replying_too_fast_gives_a_form_error(client, setting, settings):
    community, owner, thread, member = setting
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": (2, 60)}
    login(client, member)
    reply(client, thread)
    reply(client, thread)

    response = reply(client, thread)

    # 429 with Retry-After: the form is shown again, saying when to retry.
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "too often" in response.content.decode()
    assert "Try again in" in response.content.decode()
    assert Post.objects.count() == 3


def test_a_resent_reply_is_stored_once(client, setting):
    community, owner, thread, member = setting
    client_id = str(uuid.uuid4())
    login(client, member)

    first = reply(client, thread, client_id=client_id)
    second = reply(client, thread, client_id=client_id)

    assert first["Location"] == second["Location"]
    assert Post.objects.filter(author=member).count() == 1
    assert Event.objects.filter(stream=thread.stream).count() == 2


def test_the_service_returns_the_stored_post_for_a_resend(setting):
    community, owner, thread, member = setting
    client_id = uuid.uuid4()

    first = threads.post_reply(
        actor=member, thread=thread, body="uno", client_id=client_id
    )
    again = threads.post_reply(
        actor=member, thread=thread, body="uno", client_id=client_id
    )

    assert again.pk == first.pk
    thread.refresh_from_db()
    assert thread.post_count == 2


def test_a_client_id_reused_in_another_thread_is_refused(setting):
    community, owner, thread, member = setting
    other = threads.thread_create(
        actor=owner, community=community, title="Altro", body="x"
    )
    client_id = uuid.uuid4()
    threads.post_reply(actor=member, thread=thread, body="uno", client_id=client_id)

    with pytest.raises(ValidationError):
        threads.post_reply(actor=member, thread=other, body="due", client_id=client_id)


def test_locked_threads_refuse_members(client, setting):
    community, owner, thread, member = setting
    thread.is_locked = True
    thread.save()

    response = reply(login(client, member), thread)

    assert response.status_code == 403
    assert Post.objects.count() == 1
    with pytest.raises(PermissionDenied):
        threads.post_reply(actor=member, thread=thread, body="ciao")


@pytest.mark.parametrize("role", ["moderator", "owner", "staff"])
def test_locked_threads_still_take_replies_from_moderators(client, setting, role):
    community, owner, thread, member = setting
    thread.is_locked = True
    thread.save()
    moderator = owner if role == "owner" else member_of(community, role)

    response = reply(login(client, moderator), thread)

    assert response.status_code == 302
    assert Post.objects.filter(author=moderator, number=2).exists()


def test_the_reply_page_offers_the_composer_with_a_fresh_client_id(client, setting):
    community, owner, thread, member = setting
    login(client, member)

    first = client.get(reply_url(thread)).context["form"].initial["client_id"]
    second = client.get(reply_url(thread)).context["form"].initial["client_id"]

    assert first and second and first != second
