"""Reads for topic rooms: the message stream with its grouping, and a community's rooms.

The chat layout rules live here (`room_timeline`) and nowhere else on the server;
`static/js/room.js` applies the same rules to live messages, reading the parameters
from the page's data attributes (`data-group-seconds`, `data-time-zone`).
"""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from live.catchup import stream_head

from .. import badges, permissions
from ..models import Community, Membership, Post, ReadPosition, Thread
from . import direct as direct_queries
from . import reactions
from .posts import ROOM_PAGE_SIZE, attachments_load, url_pattern
from .threads import thread_tools

__all__ = [
    "ROOM_GROUP_SECONDS",
    "RoomSidebarGroup",
    "community_rooms",
    "room_sidebar",
    "room_sidebar_context",
    "post_promotion",
    "room_day_label",
    "room_messages_prepare_for_everyone",
    "room_messages_prepare",
    "room_page",
    "room_timeline",
]

# Consecutive messages of one author closer than this share one header.
ROOM_GROUP_SECONDS = 5 * 60


@dataclass(frozen=True)
class RoomMessageUrls:
    """The links one room message offers."""

    permalink: str
    edit: str
    delete: str
    history: str
    promote: str
    report: str
    moderate: str
    react: str


@dataclass(frozen=True)
class RoomMessageActions:
    """What the viewer may do with one room message."""

    edit: bool = False
    delete: bool = False
    history: bool = False
    promote: bool = False
    report: bool = False
    # Moderators: the message's moderation page, and a hidden message's text shown
    # to them with its mark.
    moderate: bool = False
    marked: bool = False
    react: bool = False


def room_day_label(day, today):
    """The label of a day separator: "Today", "Yesterday" or the date."""
    if day == today:
        return _("Today")
    if (today - day).days == 1:
        return _("Yesterday")
    return date_format(day, "DATE_FORMAT")


def room_timeline(posts, *, today=None):
    """Mark room messages (oldest first) for the chat layout; return them.

    The rules, shared with `static/js/room.js`:
    - days are calendar days in the viewer's time zone (the active one here, the
      page's `data-time-zone` in the browser);
    - a day separator comes before the first message shown and before every message
      whose day differs from the previous message's ("Today", "Yesterday", or the
      date);
    - a message is grouped with the previous one (no repeated avatar and name) when
      both have the same author (not a former member), no day separator comes
      between them, and it was written at most ROOM_GROUP_SECONDS after the
      previous message.
    Sets `room_day`, `room_new_day`, `room_day_label` and `room_grouped`.
    """
    today = today or timezone.localdate()
    previous = None
    for post in posts:
        post.room_day = timezone.localtime(post.created_at).date()
        post.room_new_day = previous is None or previous.room_day != post.room_day
        post.room_day_label = (
            room_day_label(post.room_day, today) if post.room_new_day else ""
        )
        post.room_grouped = bool(
            not post.room_new_day
            and post.author_id is not None
            and post.author_id == previous.author_id
            and (post.created_at - previous.created_at).total_seconds()
            <= ROOM_GROUP_SECONDS
        )
        previous = post
    return posts


def post_promotion(post):
    """The discussion continuing `post`, or None (uses the cache when it is loaded)."""
    related = Post.promoted_to.related
    if related.is_cached(post):
        return related.get_cached_value(post)
    return Thread.objects.select_related("community").filter(promoted_from=post).first()


def _message_urls(thread):
    patterns = {
        name: url_pattern(f"community:post-{name}")
        for name in (
            "permalink",
            "edit",
            "delete",
            "history",
            "promote",
            "report",
            "moderate",
            "react",
        )
    }
    return lambda pk: RoomMessageUrls(
        **{name: pattern.format(pk) for name, pattern in patterns.items()}
    )


def room_messages_prepare(user, thread, posts):
    """Give each message of `thread` its links, the viewer's actions and its
    promotion; no queries when `promoted_to` was selected with the messages."""
    urls = _message_urls(thread)
    badges.author_badges_attach(thread, posts)
    reactions.reactions_load(posts)
    attachments_load(posts)
    viewer_id = user.pk if user.is_authenticated else None
    can_react = permissions.can_reply(user, thread)
    for post in posts:
        post.thread = thread
        post.urls = urls(post.pk)
        post.reactions = reactions.reaction_chips(post, viewer_id)
        post.promotion = post_promotion(post)
        post.actions = RoomMessageActions(
            edit=permissions.can_edit_post(user, post),
            delete=permissions.can_delete_post(user, post),
            history=permissions.can_view_post_history(user, post),
            promote=post.promotion is None and permissions.can_promote_post(user, post),
            report=permissions.can_report_post(user, post),
            moderate=permissions.can_moderate_post(user, post),
            marked=permissions.can_see_hidden_post(user, post),
            react=can_react and post.is_visible_content,
        )
    return posts


def room_messages_prepare_for_everyone(thread, posts):
    """Prepare messages of `thread` for live fragments shared by every viewer (the
    links' patterns built once).

    Every action is rendered (marked with `data-action`); the browser removes those
    the viewer may not take, and the server checks again on use. A live message is
    never grouped: the browser groups it against the message above it.
    """
    urls = _message_urls(thread)
    badges.author_badges_attach(thread, posts)
    reactions.reactions_load(posts)
    attachments_load(posts)
    for post in posts:
        post.urls = urls(post.pk)
        post.promotion = post_promotion(post)
        post.reactions = reactions.reaction_chips(post)
        visible = post.is_visible_content
        post.actions = RoomMessageActions(
            edit=visible,
            delete=not post.is_deleted,
            history=True,
            promote=visible and post.promotion is None,
            report=visible,
            moderate=not post.is_deleted,
            react=visible,
        )
        post.room_grouped = False
        post.room_new_day = False
    return posts


def community_rooms(user, community):
    """The rooms of `community` by name, in one query, with `url` and, for members,
    `unread` (messages after their read position).

    Callers check `permissions.can_read_community` first.
    """
    rooms = Thread.objects.filter(community=community, kind=Thread.Kind.ROOM).only(
        "id", "title", "kind", "post_count", "community_id", "last_activity_at"
    )
    show_unread = user.is_authenticated
    if show_unread:
        last_read = ReadPosition.objects.filter(
            user=user, thread=OuterRef("pk")
        ).values("last_read_number")[:1]
        # Members only, decided in the same query (`permissions.is_member`).
        rooms = rooms.annotate(
            unread=Case(
                When(
                    permissions.is_member_condition(user, community),
                    then=F("post_count") - Coalesce(Subquery(last_read), 0),
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
    url = url_pattern("community:room-detail", community.slug)
    rooms = list(rooms.order_by(Lower("title"), "pk"))
    for room in rooms:
        room.url = url.format(room.pk)
        if not show_unread:
            room.unread = None
    return rooms


@dataclass
class RoomSidebarCommunity:
    """One community in the room sidebar: its rooms, each with `url` and `unread`."""

    community: Community
    rooms: list
    unread: int = 0


@dataclass
class RoomSidebarGroup:
    """The sidebar's communities of one kind (`label`: the kind's display name);
    direct messages are `conversations` instead, named for the reader."""

    kind: str
    label: str
    communities: list
    conversations: list = field(default_factory=list)


# Direct conversations the sidebar lists, latest activity first (all are on /messages/).
SIDEBAR_CONVERSATIONS = 15


def room_sidebar(user, thread):
    """The room page's sidebar for `user` on `thread`: the rooms of every community
    they are an active member of (communities, workspaces...) grouped by kind, then
    community, with unread counts; the room's own community comes first in its kind,
    listed for visitors and non-members too. Their direct conversations come last,
    named after the other people (`queries.direct.conversations`), the latest
    `SIDEBAR_CONVERSATIONS` and the one open.

    One query for the member's rooms (one more for the current community when they
    are not a member of it) and three for the conversations, whatever their number.
    """
    groups = {}
    by_community = {}

    def add(room, community):
        entry = by_community.get(community.pk)
        if entry is None:
            entry = by_community[community.pk] = RoomSidebarCommunity(community, [])
            group = groups.get(community.kind)
            if group is None:
                group = groups[community.kind] = RoomSidebarGroup(
                    community.kind, community.get_kind_display(), []
                )
            group.communities.append(entry)
        room.community = community
        room.url = url_pattern("community:room-detail", community.slug).format(room.pk)
        entry.rooms.append(room)
        entry.unread += room.unread or 0

    current = thread.community
    rooms = []
    if user.is_authenticated:
        rooms = list(
            permissions.threads_visible_to(user)
            .filter(kind=Thread.Kind.ROOM)
            .annotate(
                member=FilteredRelation(
                    "community__memberships",
                    condition=Q(
                        community__memberships__user_id=user.pk,
                        community__memberships__state=Membership.State.ACTIVE,
                    ),
                ),
                mine=FilteredRelation(
                    "read_positions", condition=Q(read_positions__user_id=user.pk)
                ),
            )
            .filter(member__isnull=False)
            .exclude(community__kind=Community.Kind.DIRECT)
            .annotate(
                unread=F("post_count") - Coalesce(F("mine__last_read_number"), 0)
            )
            .select_related("community")
            .only(
                "id",
                "title",
                "kind",
                "post_count",
                "community__id",
                "community__name",
                "community__slug",
                "community__kind",
            )
            .order_by(Lower("community__name"), "community_id", Lower("title"), "pk")
        )
    is_direct = current.kind == Community.Kind.DIRECT
    if not is_direct and not any(room.community_id == current.pk for room in rooms):
        # Visitors, non-members of a public community, staff reading: its rooms.
        for room in community_rooms(user, current):
            add(room, current)
    else:
        for room in rooms:
            if room.community_id == current.pk:
                add(room, room.community)
    for room in rooms:
        if room.community_id != current.pk:
            add(room, room.community)
    # Kinds in the order the model declares them; a kind added later (direct
    # messages) finds its place without a change here.
    order = {kind: index for index, kind in enumerate(Community.Kind.values)}
    ordered = sorted(groups.values(), key=lambda group: order.get(group.kind, len(order)))
    if user.is_authenticated:
        listed = direct_queries.conversations(
            user, latest=SIDEBAR_CONVERSATIONS, including=thread if is_direct else None
        )
        if listed:
            ordered.append(
                RoomSidebarGroup(
                    Community.Kind.DIRECT, Community.Kind.DIRECT.label, [], listed
                )
            )
    return ordered


def room_sidebar_context(user, thread):
    """What the sidebar's template (`includes/room_sidebar.html`) reads for `user` on
    `thread`, for the room page and for the sidebar read again alike: `sidebar`
    (`room_sidebar`) and `can_create_room`, whether it offers "New room" in the
    room's community."""
    return {
        "sidebar": room_sidebar(user, thread),
        "can_create_room": permissions.can_create_room(user, thread.community),
    }


def room_page(user, thread, *, before=None):
    """The room page for `user`: up to 50 messages before post `before` (the latest
    without it), oldest first, grouped by `room_timeline`, with the viewer's actions.

    The query count does not depend on the number of messages shown. Writes nothing:
    read positions come from a separate POST.
    """
    community = thread.community
    # Read the stream head before the messages: a live client subscribing from it
    # then receives everything committed after this render (duplicates are dropped).
    live_seq = stream_head(thread.stream)
    messages = Post.objects.filter(thread=thread)
    if before is not None:
        messages = messages.filter(number__lt=before)
    messages = list(
        messages.select_related("author__organisation", "promoted_to__community")
        .defer(
            "body",
            "author__password",
            "author__bio",
            "author__organisation__description",
        )
        .order_by("-number")[:ROOM_PAGE_SIZE]
    )
    messages.reverse()
    room_timeline(messages)
    room_messages_prepare(user, thread, messages)
    reply_state = permissions.reply_state(user, thread)
    return {
        "thread": thread,
        "community": community,
        "room_messages": messages,
        "older_before": messages[0].number
        if messages and messages[0].number > 1
        else None,
        "is_latest": before is None or before > thread.post_count,
        "last_number": messages[-1].number if messages else 0,
        "live_seq": live_seq,
        "reply_state": reply_state,
        "read_only_notice": permissions.read_only_refusal(thread.community),
        "can_reply": reply_state == permissions.Reply.REPLY,
        "can_mark_read": permissions.can_mark_read(user, thread),
        "group_seconds": ROOM_GROUP_SECONDS,
        "tools": thread_tools(user, thread),
        "nav_section": "communities",
    }
