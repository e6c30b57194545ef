"""Reading notifications: a person's unread count (a navigation figure and the bell's
JSON), and their list as a page shows it."""

from django.db.models import F, Func, Subquery, Value

from workspaces.models import Workspace

from .models import Notification
from .visibility import can_see


def unread_count_expression(person):
    """The unread count of `person` as a subquery, for the navigation's one statement
    (`community.queries.navigation.register_figure`)."""
    return Subquery(
        Notification.objects.filter(recipient_id=person.pk, read_at__isnull=True)
        .order_by()
        .values(one=Value(1))
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )


def unread_count(person):
    return Notification.objects.filter(
        recipient_id=person.pk, read_at__isnull=True
    ).count()


def notifications_of(person, *, unread_only=False, kind=None):
    """`person`'s notifications, newest first, with what each is about loaded."""
    rows = Notification.objects.filter(recipient_id=person.pk).select_related(
        "actor", "community", "thread", "post__thread__community"
    )
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-pk")


def visible(person, notifications):
    """Those of `notifications` `person` may still see now (permissions checked at
    display: a post since hidden, deleted or in a community they were banned from
    drops out)."""
    notifications = list(notifications)
    ids = {n.workspace_id_ref for n in notifications if n.workspace_id_ref is not None}
    workspaces = Workspace.objects.in_bulk(ids) if ids else {}
    for n in notifications:
        n.workspace = workspaces.get(n.workspace_id_ref)
    return [n for n in notifications if can_see(person, n)]


def notification_for(person, pk):
    """`person`'s notification `pk` if they may see it now, else None."""
    found = notifications_of(person).filter(pk=pk).first()
    return next(iter(visible(person, [found] if found is not None else [])), None)
