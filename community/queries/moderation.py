"""Reads for moderators (the audit log, the review queue) and for the members they
tell (reports' outcomes, notices)."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import permissions
from ..models import (
    AuditEntry,
    HeldPost,
    Membership,
    ModerationNotice,
    Post,
    Report,
    ReviewItem,
    Thread,
    User,
    WatchedWord,
)
from . import prepared

__all__ = [
    "MEMBER_STATES",
    "audit_entries",
    "author_membership",
    "moderation_members",
    "held_communities",
    "held_posts",
    "held_posts_of",
    "silence_of",
    "watched_words",
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


def _hidden_threads(user):
    """The threads hidden from `user` by their community kind's rule (a deleted
    document's discussion), as a queryset of ids, or None when none can be."""
    hidden = permissions.hidden_threads_condition(user)
    if hidden is None:
        return None
    return Thread.objects.filter(hidden).values("pk")


def audit_entries(community, *, actor=None, action="", member=None, viewer=None):
    """Entries of `community`, newest first, with the people they name loaded. With
    `viewer`, each has `target_hidden`: its thread is hidden from them now, so its
    label (a thread's title) is not shown."""
    entries = AuditEntry.objects.filter(community=community).select_related(
        "actor", "member"
    )
    hidden = _hidden_threads(viewer) if viewer is not None else None
    if hidden is not None:
        entries = entries.annotate(
            target_hidden=Exists(hidden.filter(pk=OuterRef("thread_id_ref")))
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


# --- the moderators' member list ---------------------------------------------------------

# The states the member list filters by: a membership's state, and "silenced" (active
# and muted now).
MEMBER_STATES = ("active", "silenced", "banned", "pending", "invited")


def moderation_members(community, *, search="", role="", state=""):
    """Every membership of `community` (active, silenced, banned, pending, invited)
    with its person and organisation and `post_count` (their posts there, deleted
    ones left out), owners and moderators first, then by name; filtered by `search`
    (name or username), `role` and `state` (`MEMBER_STATES`)."""
    rows = community.memberships.all()
    search = (search or "").strip().lstrip("@")
    if search:
        rows = rows.filter(
            Q(user__username__icontains=search)
            | Q(user__display_name__icontains=search)
        )
    if role in Membership.Role.values:
        rows = rows.filter(role=role)
    now = timezone.now()
    if state == "silenced":
        rows = rows.filter(state=Membership.State.ACTIVE, muted_until__gt=now)
    elif state in Membership.State.values:
        rows = rows.filter(state=state)
    posts = (
        Post.objects.filter(
            author_id=OuterRef("user_id"),
            thread__community_id=community.pk,
            is_deleted=False,
        )
        .order_by()
        .values("author_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    order = Case(
        When(role=Membership.Role.OWNER, then=0),
        When(role=Membership.Role.MODERATOR, then=1),
        default=2,
        output_field=IntegerField(),
    )
    return (
        rows.select_related("user__organisation")
        .annotate(post_count=Coalesce(Subquery(posts), 0))
        .order_by(order, "user__display_name", "user__username", "pk")
    )


# --- the review queue --------------------------------------------------------------------


def review_items(user, community=None, *, status=ReviewItem.Status.OPEN):
    """Review items of `community` (or, without one, of every community `user`
    moderates: the combined queue), oldest first, each with `report_count`."""
    items = ReviewItem.objects.filter(status=status)
    hidden = _hidden_threads(user)
    if hidden is not None:
        items = items.exclude(post__thread__in=hidden)
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


def author_membership(item):
    """The membership row of `item`'s post's author in its community (any state), or
    None; what the decision form needs to offer silences and bans."""
    if item.post.author_id is None:
        return None
    membership = (
        Membership.objects.filter(user_id=item.post.author_id, community=item.community)
        .select_related("user")
        .first()
    )
    if membership is not None:
        membership.community = item.community
    return membership


def open_review_count(community, viewer=None):
    """The open items of `community` (with `viewer`: those its queue lists them,
    not in threads hidden from them)."""
    items = ReviewItem.objects.filter(community=community, status=ReviewItem.Status.OPEN)
    hidden = _hidden_threads(viewer) if viewer is not None else None
    if hidden is not None:
        items = items.exclude(post__thread__in=hidden)
    return items.count()


def review_item_context(item, *, viewer, around=2, history=10):
    """What a moderator needs to decide `item`: its reports with their reporters, the
    posts around it in its thread, and its author's latest posts in the community
    (in the threads `viewer` may see)."""
    post = item.post
    reports = list(item.reports.select_related("reporter").order_by("created_at", "pk"))
    if permissions.is_direct(item.community):
        # A direct conversation shows staff the reported message only.
        return {"reports": reports, "nearby_posts": [post], "author_recent_posts": []}
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
        recent = (
            Post.objects.filter(
                author_id=post.author_id, thread__community_id=item.community_id
            )
            .exclude(pk=post.pk)
            .select_related("thread")
            .order_by("-created_at", "-pk")
        )
        hidden = _hidden_threads(viewer)
        if hidden is not None:
            recent = recent.exclude(thread__in=hidden)
        recent = list(recent[:history])
    return {"reports": reports, "nearby_posts": nearby, "author_recent_posts": recent}


# --- what a member is told ---------------------------------------------------------------


def my_reports(user):
    """The posts `user` reported, newest first, with their review item's outcome and
    `readable`: whether they may still read the post's thread now (a ban from a
    private community, a deleted document's discussion): if not, its title and
    community are not shown."""
    readable = permissions.posts_visible_to(
        user, Post.objects.filter(pk=OuterRef("post_id"))
    )
    return (
        Report.objects.filter(reporter=user)
        .select_related("item__decided_by", "post__thread__community")
        .annotate(readable=Exists(readable))
        .order_by("-created_at", "-pk")
    )


def my_notices(user):
    """Moderation notices to `user` (warnings, hidden posts, silences, outcomes):
    the unread ones first, then the rest, newest first in each."""
    return (
        ModerationNotice.objects.filter(user=user)
        .select_related("community")
        .order_by(
            Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)),
            "-created_at",
            "-pk",
        )
    )


def nav_count_columns(user):
    """The navigation's moderation figures for `user` as columns of any one-row
    statement: open review items of the communities they moderate (those the queues
    list: not in threads hidden from them), their unread notices, and whether they
    moderate anything."""
    open_items = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN).filter(
        permissions.review_communities_condition(user)
    )
    hidden = _hidden_threads(user)
    if hidden is not None:
        # As the queues count them: not items in threads hidden from `user`.
        open_items = open_items.exclude(post__thread__in=hidden)
    open_items = (
        open_items.order_by()  # no default ordering inside the aggregate (PostgreSQL refuses it)
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
    moderating = permissions.communities_moderated_by(user)
    held = (
        moderating.order_by()
        .values(one=Value(1))
        .annotate(total=Func(F("held_open_count"), function="SUM"))
        .values("total")
    )
    return {
        "review_open": Subquery(open_items),
        "notices_unread": Subquery(unread),
        "moderates": Exists(moderating),
        "held_open": Subquery(held),
    }


def nav_moderation_figures(row):
    """The template's `nav_moderation` from the four `nav_count_columns` values."""
    review_open, notices_unread, moderates, held_open = row or (0, 0, False, 0)
    return {
        "moderates": bool(moderates),
        "review_open": review_open or 0,
        "held_open": held_open or 0,
        # Everything waiting for a moderator: reported posts and held posts.
        "pending": (review_open or 0) + (held_open or 0),
        "notices_unread": notices_unread or 0,
    }


def _nav_counts(user):
    columns = nav_count_columns(user)
    return User.objects.filter(pk=user.pk).annotate(**columns).values_list(*columns)[:1]


def nav_moderation(user):
    """For the navigation, in one query: whether `user` moderates anything, the open
    review items and held posts of the communities they moderate, and their unread
    notices (the statement compiled once, `prepared.person_values`)."""
    counts = prepared.person_values(
        "nav_moderation", _nav_counts, user, staff=permissions.is_site_staff(user)
    )
    return nav_moderation_figures(counts)


def held_communities(user):
    """The communities `user` moderates with posts awaiting approval, by name (the
    combined queue links their held posts)."""
    return (
        permissions.communities_moderated_by(user)
        .filter(held_open_count__gt=0)
        .order_by("name")
    )


# --- posting rules (issue 10, R) ---------------------------------------------------------


def held_posts(community, *, status=HeldPost.Status.HELD):
    """Held posts of `community` for its moderators, oldest first (decided ones
    newest first), with their author and thread loaded."""
    order = ("created_at", "pk") if status == HeldPost.Status.HELD else ("-decided_at", "-pk")
    return (
        HeldPost.objects.filter(community=community, status=status)
        .select_related("author__organisation", "thread__community", "decided_by")
        .order_by(*order)
    )


def held_posts_of(user, thread):
    """`user`'s own posts waiting for approval in `thread` (shown to them only,
    marked as waiting). No query when the community has nothing waiting."""
    if not user.is_authenticated or not thread.community.held_open_count:
        return []
    return list(
        HeldPost.objects.filter(
            author=user, thread=thread, status=HeldPost.Status.HELD
        ).order_by("created_at", "pk")
    )


def silence_of(user, community):
    """Until when and why `user` is silenced in `community`: {"until", "reason"}
    (the reason of the latest silence in the audit log), or None."""
    until = permissions.muted_until(user, community)
    if until is None:
        return None
    latest = (
        AuditEntry.objects.filter(
            community=community,
            member=user,
            action=AuditEntry.Action.MEMBER_SILENCED,
        )
        .order_by("-created_at", "-pk")
        .values_list("reason", flat=True)
        .first()
    )
    return {"until": until, "reason": latest or ""}


def watched_words(community):
    """The community's watched words, alphabetically (by their folded form)."""
    return WatchedWord.objects.filter(community=community).select_related("created_by")
