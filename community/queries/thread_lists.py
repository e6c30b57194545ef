"""Reads for thread lists' density (Discourse-like rows): each listed thread's most
recent participants, fetched for a whole page at once."""

from django.contrib.auth import get_user_model
from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber

from ..models import Post

__all__ = ["PARTICIPANTS_SHOWN", "participants_attach"]

# Avatars on a thread's row: its most recent posters, the latest first.
PARTICIPANTS_SHOWN = 5


def participants_attach(threads):
    """Give each of `threads` `participants`: up to PARTICIPANTS_SHOWN people who
    wrote visible posts in it, the most recent poster first (each a `User` with what
    an avatar shows: username, display name, avatar). One query for any number of
    threads and posts (a window ranks each thread's posters in SQL); none for an
    empty list. Returns `threads` as a list."""
    threads = list(threads)
    if not threads:
        return threads
    User = get_user_model()
    ranked = (
        Post.objects.filter(
            thread_id__in=[thread.pk for thread in threads],
            author__isnull=False,
            is_deleted=False,
            is_hidden=False,
        )
        .values(
            "thread_id",
            "author_id",
            "author__username",
            "author__display_name",
            "author__avatar",
        )
        .annotate(latest=Max("number"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("thread_id")],
                order_by=F("latest").desc(),
            )
        )
        .filter(rank__lte=PARTICIPANTS_SHOWN)
        .values_list(
            "thread_id",
            "rank",
            "author_id",
            "author__username",
            "author__display_name",
            "author__avatar",
        )
    )
    by_thread = {}
    people = {}
    for thread_id, rank, pk, username, display_name, avatar in ranked:
        person = people.get(pk)
        if person is None:
            person = people[pk] = User(
                pk=pk, username=username, display_name=display_name, avatar=avatar
            )
        by_thread.setdefault(thread_id, []).append((rank, person))
    for thread in threads:
        thread.participants = [
            person for _, person in sorted(by_thread.get(thread.pk, ()), key=_rank)
        ]
    return threads


def _rank(pair):
    return pair[0]
