"""Whom a composer may mention: people whose username or name starts with what was
typed after "@", among those who may read the thread (or community) being written
in (`community.permissions.readers_of`)."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from community import permissions

LIMIT = 8
PREFIX_MAX = 60


def candidates(community, prefix, *, thread=None, exclude=None):
    """At most `LIMIT` people who may read `community` (and `thread`, when given: a
    thread a rule hides, as a deleted document's, is decided person by person) whose
    username, name or a word of their name starts with `prefix`, usernames first, in
    one query for an ordinary thread (the avatar needs no other)."""
    prefix = prefix.strip().lstrip("@")[:PREFIX_MAX]
    if not prefix:
        return []
    people = permissions.readers_of(community, get_user_model().objects.all())
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    people = people.filter(
        Q(username__istartswith=prefix)
        | Q(display_name__istartswith=prefix)
        | Q(display_name__icontains=f" {prefix}")
    )
    if thread is not None:
        people = permissions.thread_readers(thread, people)
    return list(
        people.only("pk", "username", "display_name", "avatar").order_by("username")[
            :LIMIT
        ]
    )
