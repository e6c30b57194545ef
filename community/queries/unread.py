"""Reads for unread tracking: the Unread view, and what the thread and room pages show
of the reader's position and level.

The rules (Discourse's "Unread" and "New", Slack's rooms):
- a thread or room is *followed* when the person chose watching or tracking for it,
  or chose nothing and is an active member of its community whose level there is
  watching or tracking: a muted thread, or a thread left to a muted community,
  is never listed;
- it is *unread* when it has posts after the person's read position;
- a discussion the person never opened is listed as *new* only when it was started
  after they joined the community and within NEW_DAYS; a room never opened counts
  every message, as the room list's badges do;
- everything is filtered by `permissions.threads_visible_to`: a private community
  the person left, a workspace they were removed from, a thread hidden from them
  disappear at once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Community, Membership, NotificationLevel, Post, Thread
from . import direct
from .thread_lists import participants_attach

__all__ = [
    "NEW_DAYS",
    "UNREAD_PAGE_SIZE",
    "LevelChoice",
    "LevelSelector",
    "level_selector",
    "level_choices",
    "level_message",
    "post_numbered",
    "thread_reading",
    "unread_page",
    "unread_threads",
]

# A discussion started this recently, and after the person joined, is "new" to them.
NEW_DAYS = 14

FOLLOWING = (NotificationLevel.WATCHING, NotificationLevel.TRACKING)

UNREAD_PAGE_SIZE = 30
# The community streams the Unread view follows live, at most (the socket's
# subscription cap is LIVE_MAX_SUBSCRIPTIONS): the most recently active first.
UNREAD_STREAMS_MAX = 60

# What each level means, said in one line under each choice of the selector.
_MEANINGS = {
    "thread": {
        "watching": _("You are told of every new post."),
        "tracking": _(
            "Unread posts are counted; you are told when someone mentions you or "
            "replies to you."
        ),
        "muted": _("You are never told, and it stays out of Unread."),
    },
    "room": {
        "watching": _("You are told of every new message."),
        "tracking": _("Unread messages are counted; you are told when mentioned."),
        "muted": _("You are never told, and it stays out of Unread."),
    },
    "community": {
        "watching": _("You are told of every new thread."),
        "tracking": _(
            "Unread posts are counted; you are told of mentions and replies to you."
        ),
        "muted": _(
            "Its threads and rooms stay out of Unread and tell you nothing, except "
            "those you follow yourself."
        ),
    },
}


@dataclass(frozen=True)
class LevelChoice:
    """One choice of the level selector."""

    value: str
    label: str
    meaning: str
    checked: bool


def level_choices(target, current):
    """The selector's choices for a "thread", "room" or "community" (workspaces
    too), `current` checked."""
    return [
        LevelChoice(level.value, level.label, _MEANINGS[target][level.value],
                    level.value == current)
        for level in NotificationLevel
    ]


def level_message(level):
    """What the person is told after choosing `level`."""
    return {
        "watching": _("You are watching it now."),
        "tracking": _("You are tracking it now."),
        "muted": _("It is muted now."),
    }[level]


@dataclass(frozen=True)
class LevelSelector:
    """What a level selector shows: its choices, the one in force, and whether it is
    inherited (a thread left to its community's level)."""

    choices: list
    inherited: bool = False

    @property
    def current(self):
        return next(choice for choice in self.choices if choice.checked)


def level_selector(target, level, *, inherited=False):
    """The selector for a "thread", "room" or "community" at `level`."""
    return LevelSelector(level_choices(target, level), inherited)


@dataclass(frozen=True)
class Reading:
    """What a thread or room page shows of the reader's reading: the level selector
    and where their first unread post is."""

    level: str  # the level in force: their choice, else the community's
    selector: LevelSelector  # `inherited`: the thread follows the community's level
    can_set: bool
    last_read: int  # before this visit; 0: never opened
    first_unread_url: str | None


def thread_reading(user, thread, last_read):
    """The reader's `Reading` of `thread` (no queries: their position and membership
    come with the thread's row, `permissions.access_thread`). `last_read` is their
    position before this visit: the "jump to first unread" link leads to the post
    after it, when there is one and they had read part of the thread."""
    position = getattr(thread, "reader_position", None)
    own = position.level if position is not None else ""
    membership = permissions.membership_of(user, thread.community)
    community_level = (
        membership.level
        if membership is not None and membership.state == Membership.State.ACTIVE
        else NotificationLevel.TRACKING
    )
    if own:
        level = own
    elif community_level == NotificationLevel.MUTED:
        level = NotificationLevel.MUTED
    else:
        level = NotificationLevel.TRACKING
    first_unread_url = None
    if thread.kind == Thread.Kind.DISCUSSION and 0 < last_read < thread.post_count:
        first_unread_url = reverse(
            "community:thread-post-number",
            args=[thread.community.slug, thread.pk, last_read + 1],
        )
    target = "room" if thread.kind == Thread.Kind.ROOM else "thread"
    return Reading(
        level=level,
        selector=level_selector(target, level, inherited=not own),
        can_set=permissions.can_set_thread_level(user, thread),
        last_read=last_read,
        first_unread_url=first_unread_url,
    )


def _annotated(user, queryset):
    """`queryset` with the person's read position (`mine`) and active membership
    (`member`) joined, and `read`: the last post they read (0: never opened)."""
    return queryset.annotate(
        mine=FilteredRelation(
            "read_positions", condition=Q(read_positions__user_id=user.pk)
        ),
        member=FilteredRelation(
            "community__memberships",
            condition=Q(
                community__memberships__user_id=user.pk,
                community__memberships__state=Membership.State.ACTIVE,
            ),
        ),
        read=Coalesce(F("mine__last_read_number"), 0),
    )


def unread_threads(user):
    """The threads and rooms `user` follows with posts they have not read, newest
    activity first, each with `unread` (posts after the position), `read` (0: never
    opened, shown as new) and `community` and `last_poster` joined.

    One statement for any number of rows; callers paginate it.
    """
    if not user.is_authenticated:
        return Thread.objects.none()
    cutoff = timezone.now() - timedelta(days=NEW_DAYS)
    chosen = Q(mine__level__in=FOLLOWING)
    left_to_community = Q(mine__id__isnull=True) | Q(mine__level="")
    followed = chosen | (left_to_community & Q(member__level__in=FOLLOWING))
    opened = Q(mine__last_read_number__gt=0)
    # Never opened: a room counts every message; a discussion only when it is new.
    new = Q(
        kind=Thread.Kind.DISCUSSION,
        created_at__gte=cutoff,
        created_at__gt=F("member__created_at"),
    )
    return (
        _annotated(user, permissions.threads_visible_to(user))
        .filter(followed, post_count__gt=F("read"))
        .filter(opened | Q(kind=Thread.Kind.ROOM) | new)
        .annotate(unread=F("post_count") - F("read"))
        .select_related("community", "last_poster__organisation")
        .only(
            "id",
            "title",
            "kind",
            "post_count",
            "last_activity_at",
            "created_at",
            "view_count",
            "is_question",
            "accepted_answer_id",
            "community__id",
            "community__name",
            "community__slug",
            "community__kind",
            "last_poster__id",
            "last_poster__username",
            "last_poster__display_name",
            "last_poster__avatar",
            "last_poster__is_active",
            "last_poster__organisation_id",
            "last_poster__organisation__slug",
            "last_poster__organisation__name",
        )
        .order_by("-last_activity_at", "-pk")
    )


def unread_page(user, page_number=1):
    """The Unread view for `user`: a page of `unread_threads` (30 a page), each row
    with its `url` (a discussion at its first unread post, a room at its page),
    and the community streams the page follows live. Two statements (the count
    and the rows) plus one for the streams and one for the rows' recent
    participants (and one for the names of direct conversations listed), whatever
    the number of rows. Raises
    `django.core.paginator.InvalidPage` for a page that does not exist."""
    paginator = Paginator(unread_threads(user), UNREAD_PAGE_SIZE)
    page_obj = paginator.page(page_number)
    rows = participants_attach(page_obj.object_list)
    names = direct.conversation_names(
        {row.community_id for row in rows if row.community.kind == Community.Kind.DIRECT},
        user,
    )
    for row in rows:
        # A direct conversation is named after its people, as on /messages/.
        row.direct_name = names.get(row.community_id)
        slug = row.community.slug
        if row.kind == Thread.Kind.ROOM:
            row.url = reverse("community:room-detail", args=[slug, row.pk])
        elif row.read:
            row.url = reverse(
                "community:thread-post-number", args=[slug, row.pk, row.read + 1]
            )
        else:
            row.url = reverse("community:thread-detail", args=[slug, row.pk])
        row.is_new = row.read == 0 and row.kind == Thread.Kind.DISCUSSION
    page_obj.object_list = rows
    return {"page_obj": page_obj, "rows": rows, "streams": _streams(user)}


def _streams(user):
    """The streams of the communities `user` is an active member of (the most
    recently active first, at most UNREAD_STREAMS_MAX): a new post in any of their
    threads and rooms announces itself there (`community.live`'s activity notice),
    listed or not."""
    ids = (
        Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
        .order_by("-community__last_activity_at")
        .values_list("community_id", flat=True)[:UNREAD_STREAMS_MAX]
    )
    return [f"community:{pk}" for pk in ids]


def post_numbered(thread, number):
    """The post of `thread` numbered `number` (the last one for a number past the
    end), or None for a thread without posts."""
    number = min(number, thread.post_count)
    if number < 1:
        return None
    return Post.objects.filter(thread=thread, number=number).only("id", "number").first()
