"""Shared set-up for the thread and post tests: threads with posts, their addresses."""

from django.urls import reverse

from community.models import Community
from community.services import rules, threads
from tests.support.factories import CommunityFactory
from tests.support.roles import member_of, person_in


def community_with_thread(visibility=Community.Visibility.PUBLIC, **thread_kwargs):
    """A community, its owner, and a thread the owner started through the service."""
    community = CommunityFactory(visibility=visibility)
    owner = person_in(community, "owner")
    thread = threads.thread_create(
        actor=owner,
        community=community,
        title=thread_kwargs.pop("title", "Sensori per la manifattura"),
        body=thread_kwargs.pop("body", "Chi lavora su **sensori** a basso costo?"),
        **thread_kwargs,
    )
    return community, owner, thread


def watch_words(community, owner, *words):
    """Add `(word, action, replacement)` rules to `community` through the service, as
    `owner`, and refresh `community` so it sees them."""
    for word, action, replacement in words:
        rules.watched_word_add(
            actor=owner,
            community=community,
            word=word,
            action=action,
            replacement=replacement,
        )
    community.refresh_from_db()


def add_replies(thread, count, authors=None):
    """`count` replies through the service, cycling over `authors` (members).

    By default a few members share the replies, staying under the posting rate limit.
    """
    authors = authors or [member_of(thread.community) for _ in range(count // 25 + 1)]
    posts = []
    for index in range(count):
        posts.append(
            threads.post_reply(
                actor=authors[index % len(authors)],
                thread=thread,
                body=f"Risposta numero {index + 2}",
            )
        )
    return posts


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def thread_url(thread, **query):
    url = reverse("community:thread-detail", args=[thread.community.slug, thread.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def reply_url(thread):
    return reverse("community:thread-reply", args=[thread.community.slug, thread.pk])
