"""Who hears of a thread, community or workspace, and how closely each follows it:
one statement per thread (or community) for a whole group of posts, whatever the crowd.

Levels (`community.models.NotificationLevel`) are read, never written here: a thread's
own level (`ReadPosition.level`) decides; blank follows the community's (or the
workspace's) membership level, where only "muted" carries over (else tracking).
Who may read is `community.permissions.thread_readers`, the queryset form of
`can_read_thread`."""

from django.db.models import Exists, OuterRef, Q, Subquery

from community import permissions
from community.models import Membership, NotificationLevel, ReadPosition, User
from workspaces import permissions as workspace_permissions

WATCHING = NotificationLevel.WATCHING
TRACKING = NotificationLevel.TRACKING
MUTED = NotificationLevel.MUTED


def effective_level(thread_level, community_level):
    """A person's level for a thread from its own level and their community's."""
    if thread_level:
        return thread_level
    return MUTED if community_level == MUTED else TRACKING


def thread_audience(thread, named):
    """{person id: level} for the people who may read `thread` now and are either
    among `named` (mentioned, quoted, its author) or watching it: one query."""
    watchers = ReadPosition.objects.filter(thread_id=thread.pk, level=WATCHING).values(
        "user_id"
    )
    people = User.objects.filter(Q(pk__in=watchers) | Q(pk__in=set(named)))
    rows = (
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
        )
        .order_by()
        .values_list("pk", "thread_level", "community_level")
    )
    return {pk: effective_level(own, shared) for pk, own, shared in rows}


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
