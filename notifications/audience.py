"""Who hears of a thread, community or workspace, and how closely each follows it:
one statement per thread (or community) for a whole group of posts, whatever the crowd.

Levels (`community.models.NotificationLevel`) are read, never written here: a thread's
own level (`ReadPosition.level`) decides; blank follows the community's (or the
workspace's) membership level, where only "muted" carries over (else tracking).
Who may read is `community.permissions.thread_readers`, the queryset form of
`can_read_thread`."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery

from community import permissions
from community.models import (
    Community,
    Membership,
    NotificationLevel,
    Post,
    ReadPosition,
    Thread,
    User,
)
from workspaces import permissions as workspace_permissions

from .models import Notification

WATCHING = NotificationLevel.WATCHING
TRACKING = NotificationLevel.TRACKING
MUTED = NotificationLevel.MUTED


def effective_level(thread_level, community_level):
    """A person's level for a thread from its own level and their community's."""
    if thread_level:
        return thread_level
    return MUTED if community_level == MUTED else TRACKING


def _audience_query(thread, named):
    watchers = ReadPosition.objects.filter(thread_id=thread.pk, level=WATCHING).values(
        "user_id"
    )
    people = User.objects.filter(Q(pk__in=watchers) | Q(pk__in=named))
    return (
        permissions.thread_readers(thread, people)
        .annotate(
            thread_level=Subquery(
                ReadPosition.objects.filter(
                    user=OuterRef("pk"), thread_id=thread.pk
                ).values("level")[:1]
            ),
            community_level=Subquery(
                Membership.objects.filter(
                    user=OuterRef("pk"), community_id=thread.community_id
                ).values("level")[:1]
            ),
            read_upto=Subquery(
                ReadPosition.objects.filter(
                    user=OuterRef("pk"), thread_id=thread.pk
                ).values("last_read_number")[:1]
            ),
            # The post number of their unread coalesced row of the thread, if any.
            open_from=Subquery(
                Notification.objects.filter(
                    recipient=OuterRef("pk"),
                    unread_key=thread_key(thread.pk),
                    read_at__isnull=True,
                ).values("post__number")[:1]
            ),
            # Whether the last post they read is their own: caught up by replying.
            read_own=Exists(
                Post.objects.filter(
                    thread_id=thread.pk,
                    author_id=OuterRef("pk"),
                    number=Subquery(
                        ReadPosition.objects.filter(
                            user_id=OuterRef(OuterRef("pk")), thread_id=thread.pk
                        ).values("last_read_number")[:1]
                    ),
                )
            ),
        )
        .order_by()
        .values_list(
            "pk",
            "thread_level",
            "community_level",
            "read_upto",
            "open_from",
            "read_own",
        )
    )


def thread_key(thread_id):
    """The `unread_key` of a person's coalesced row of a thread."""
    return f"thread:{thread_id}"


@dataclass(frozen=True, slots=True)
class Reader:
    """One person of a thread's audience: their level, how far they read it (and
    whether the last post read is their own), and where their unread coalesced row of
    it begins (None: they have none)."""

    level: str
    read_upto: int
    open_from: int | None
    read_own: bool


# The common statement (a thread's watchers and its author, nobody else named) is
# compiled once per database, community visibility and kind, for stand-in ids these
# sentinels, then run with the thread's own: building it with the ORM for every group
# commit cost more than running it.
_THREAD, _COMMUNITY, _AUTHOR = -70001, -70002, -70003
_compiled = {}


def _compiled_audience(thread):
    community = thread.community
    key = (connections_key(), community.visibility, community.kind)
    statement = _compiled.get(key)
    if statement is None:
        stand_in = Thread(pk=_THREAD, kind=thread.kind, community_id=_COMMUNITY)
        stand_in.community = Community(
            pk=_COMMUNITY, visibility=community.visibility, kind=community.kind
        )
        query = _audience_query(stand_in, [_AUTHOR]).query
        statement = _compiled[key] = query.sql_with_params()
    return statement


def connections_key():
    return connection.alias, connection.vendor, connection.settings_dict["NAME"]


def thread_audience(thread, named):
    """{person id: Reader} for the people who may read `thread` now and are either
    among `named` (mentioned, quoted, its author) or watching it: one query."""
    named = set(named)
    author = thread.author_id
    if named - {author} or permissions.hides_threads(thread.community.kind):
        rows = _audience_query(thread, named)
    else:
        sql, params = _compiled_audience(thread)
        ids = {_THREAD: thread.pk, _COMMUNITY: thread.community_id}
        ids[_AUTHOR] = author if author in named else 0
        ids[thread_key(_THREAD)] = thread_key(thread.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [ids.get(p, p) if type(p) in (int, str) else p for p in params]
            )
            rows = cursor.fetchall()
    return {
        pk: Reader(effective_level(own, shared), read or 0, open_from, bool(mine))
        for pk, own, shared, read, open_from, mine in rows
    }


def community_watchers(thread):
    """(id, username) of the active members watching `thread`'s community (or
    workspace) who may read the thread: told of it as a new thread. One query."""
    watching = User.objects.filter(
        Exists(
            Membership.objects.filter(
                user=OuterRef("pk"),
                community_id=thread.community_id,
                state=Membership.State.ACTIVE,
                level=WATCHING,
            )
        )
    )
    return list(
        permissions.thread_readers(thread, watching)
        .order_by("pk")
        .values_list("pk", "username")
    )


def workspace_followers(workspace):
    """Ids of the active people taking part in `workspace` who have not muted it (its discussion's membership level): told of its documents. One query."""
    people = workspace_permissions.participants_among(
        workspace, User.objects.filter(is_active=True)
    ).exclude(
        Exists(
            Membership.objects.filter(
                user=OuterRef("pk"), community_id=workspace.community_id, level=MUTED
            )
        )
    )
    return list(people.order_by("pk").values_list("pk", flat=True))
