"""Reads for moderators (the audit log, the review queue) and for the members they
tell (reports' outcomes, notices)."""

from django.db.models import Count, Exists, F, Func, Subquery, Value

from .. import permissions
from ..models import AuditEntry, ModerationNotice, Post, Report, ReviewItem, User
from . import prepared

__all__ = [
    "audit_entries",
    "audit_people",
    "my_notices",
    "my_reports",
    "nav_count_columns",
    "nav_moderation_figures",
    "nav_moderation",
    "open_review_count",
    "review_item_context",
    "review_items",
]


def audit_entries(community, *, actor=None, action="", member=None):
    """Entries of `community`, newest first, with the people they name loaded."""
    entries = AuditEntry.objects.filter(community=community).select_related(
        "actor", "member"
    )
    if actor is not None:
        entries = entries.filter(actor=actor)
    if action:
        entries = entries.filter(action=action)
    if member is not None:
        entries = entries.filter(member=member)
    return entries.order_by("-created_at", "-pk")


def audit_people(community, field):
    """The people who appear as `field` ("actor" or "member") in the community's log,
    for the filter's choices."""
    ids = (
        AuditEntry.objects.filter(community=community, **{f"{field}__isnull": False})
        .values_list(field, flat=True)
        .distinct()
    )
    return User.objects.filter(pk__in=ids).order_by("display_name", "username")


# --- the review queue --------------------------------------------------------------------


def review_items(user, community=None, *, status=ReviewItem.Status.OPEN):
    """Review items of `community` (or, without one, of every community `user`
    moderates: the combined queue), oldest first, each with `report_count`."""
    items = ReviewItem.objects.filter(status=status)
    if community is not None:
        items = items.filter(community=community)
    else:
        items = items.filter(permissions.review_communities_condition(user))
    order = (
        ("created_at", "pk")
        if status == ReviewItem.Status.OPEN
        else ("-decided_at", "-pk")
    )
    return (
        items.select_related(
            "community",
            "post__thread__community",
            "post__author",
            "claimed_by",
            "decided_by",
        )
        .annotate(report_count=Count("reports"))
        .order_by(*order)
    )


def open_review_count(community):
    return ReviewItem.objects.filter(
        community=community, status=ReviewItem.Status.OPEN
    ).count()


def review_item_context(item, *, around=2, history=10):
    """What a moderator needs to decide `item`: its reports with their reporters, the
    posts around it in its thread, and its author's latest posts in the community."""
    post = item.post
    reports = list(item.reports.select_related("reporter").order_by("created_at", "pk"))
    nearby = list(
        Post.objects.filter(
            thread_id=post.thread_id,
            number__gte=post.number - around,
            number__lte=post.number + around,
        )
        .select_related("author")
        .order_by("number")
    )
    recent = []
    if post.author_id is not None:
        recent = list(
            Post.objects.filter(
                author_id=post.author_id, thread__community_id=item.community_id
            )
            .exclude(pk=post.pk)
            .select_related("thread")
            .order_by("-created_at", "-pk")[:history]
        )
    return {"reports": reports, "nearby_posts": nearby, "author_recent_posts": recent}


# --- what a member is told ---------------------------------------------------------------


def my_reports(user):
    """The posts `user` reported, newest first, with their review item's outcome."""
    return (
        Report.objects.filter(reporter=user)
        .select_related("item__decided_by", "post__thread__community")
        .order_by("-created_at", "-pk")
    )


def my_notices(user):
    """Moderation notices to `user` (warnings, hidden posts, silences, outcomes)."""
    return ModerationNotice.objects.filter(user=user).select_related("community")


def nav_count_columns(user):
    """The navigation's moderation figures for `user` as columns of any one-row
    statement: open review items of the communities they moderate, their unread
    notices, and whether they moderate anything."""
    open_items = (
        ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
        .filter(permissions.review_communities_condition(user))
        .order_by()  # no default ordering inside the aggregate (PostgreSQL refuses it)
        .values(one=Value(1))
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    unread = (
        ModerationNotice.objects.filter(user=user, read_at__isnull=True)
        .order_by()
        .values(one=Value(1))
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return {
        "review_open": Subquery(open_items),
        "notices_unread": Subquery(unread),
        "moderates": Exists(permissions.communities_moderated_by(user)),
    }


def nav_moderation_figures(row):
    """The template's `nav_moderation` from the three `nav_count_columns` values."""
    review_open, notices_unread, moderates = row or (0, 0, False)
    return {
        "moderates": bool(moderates),
        "review_open": review_open or 0,
        "notices_unread": notices_unread or 0,
    }


def _nav_counts(user):
    columns = nav_count_columns(user)
    return User.objects.filter(pk=user.pk).annotate(**columns).values_list(*columns)[:1]


def nav_moderation(user):
    """For the navigation, in one query: whether `user` moderates anything, the open
    review items of the communities they moderate, and their unread notices (the
    statement compiled once, `prepared.person_values`)."""
    counts = prepared.person_values(
        "nav_moderation", _nav_counts, user, staff=permissions.is_site_staff(user)
    )
    return nav_moderation_figures(counts)
