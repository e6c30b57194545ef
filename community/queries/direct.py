"""Reads for direct messages: a person's conversations with their unread counts, the
header's total, and how a conversation is named for the person reading it."""

from django.db.models import F, Func, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Block, Community, Membership, ReadPosition, Thread, User

__all__ = [
    "conversation_context",
    "conversation_name",
    "conversation_names",
    "conversations",
    "unread_figure",
]


def _readable_rooms(person):
    """The rooms of the conversations `person` takes part in and may read now (not
    hidden by their blocks)."""
    return Thread.objects.filter(
        kind=Thread.Kind.ROOM,
        community__in=permissions.communities_readable_by(
            person, Community.objects.filter(kind=Community.Kind.DIRECT)
        ),
    )


def _last_read(person):
    return ReadPosition.objects.filter(user_id=person.pk, thread=OuterRef("pk")).values(
        "last_read_number"
    )[:1]


def unread_figure(person):
    """The header's "Messages" figure: unread messages in all of `person`'s
    conversations, as an integer subquery (`navigation.register_figure`)."""
    rooms = (
        _readable_rooms(person)
        .annotate(unread=F("post_count") - Coalesce(Subquery(_last_read(person)), 0))
        .order_by()
        .values(one=Value(1))
        .annotate(total=Func(F("unread"), function="SUM"))
        .values("total")
    )
    return Subquery(rooms)


def conversation_name(people, viewer=None):
    """A conversation named for `viewer` after its other people ("Ada, Bruno and 2
    others"); the viewer alone when everybody else left. Without a viewer, after
    everybody in it."""
    others = [person.name for person in people if viewer is None or person.pk != viewer.pk]
    if not others:
        return _("Only you")
    if len(others) <= 3:
        return ", ".join(others)
    return _("%(names)s and %(count)d others") % {
        "names": ", ".join(others[:2]),
        "count": len(others) - 2,
    }


def conversation_names(community_ids, viewer=None):
    """{community id: the conversation's name for `viewer`} for these direct
    conversations, in one query (lists that show some among other threads)."""
    people = {}
    if community_ids:
        for membership in (
            Membership.objects.filter(
                community_id__in=community_ids, state=Membership.State.ACTIVE
            )
            .select_related("user")
            .order_by("user__display_name", "user__username")
        ):
            people.setdefault(membership.community_id, []).append(membership.user)
    return {pk: conversation_name(people.get(pk, []), viewer) for pk in community_ids}


def _participants_prefetch():
    return Prefetch(
        "community__memberships",
        queryset=Membership.objects.filter(state=Membership.State.ACTIVE)
        .select_related("user")
        .only(
            "id",
            "community_id",
            "user__id",
            "user__username",
            "user__display_name",
            "user__avatar",
        )
        .order_by("user__display_name", "user__username"),
        to_attr="participants",
    )


def conversations(user, *, latest=None, including=None):
    """`user`'s conversations, latest activity first, each a room thread with
    `name`, `people` (the others), `unread` and `url`: three queries however many.
    `latest` keeps only that many, plus the room `including` when it is older."""
    rooms = (
        _readable_rooms(user)
        .select_related("community")
        .prefetch_related(_participants_prefetch())
        .annotate(unread=F("post_count") - Coalesce(Subquery(_last_read(user)), 0))
        .order_by(F("last_activity_at").desc(nulls_last=True), "-pk")
    )
    if latest is not None:
        wanted = Q(pk__in=Subquery(rooms.values("pk")[:latest]))
        if including is not None:
            wanted |= Q(pk=including.pk)
        rooms = rooms.filter(wanted)
    rooms = list(rooms)
    for room in rooms:
        people = [membership.user for membership in room.community.participants]
        room.people = [person for person in people if person.pk != user.pk]
        room.name = conversation_name(people, user)
        room.unread = max(room.unread or 0, 0)
        room.url = room.get_absolute_url()
    return rooms


def conversation_context(user, thread):
    """What the room page shows of a conversation: `direct_name`, `direct_people`
    (the others), whether `user` may add people or leave, and the people they
    blocked among them (for the block buttons)."""
    people = list(
        User.objects.filter(
            memberships__community_id=thread.community_id,
            memberships__state=Membership.State.ACTIVE,
        ).order_by("display_name", "username")
    )
    others = [person for person in people if person.pk != user.pk]
    blocked = set(
        Block.objects.filter(blocker=user, blocked__in=others).values_list(
            "blocked_id", flat=True
        )
    )
    for person in others:
        person.is_blocked = person.pk in blocked
    community = thread.community
    return {
        "direct": True,
        "direct_name": conversation_name(people, user),
        "direct_people": others,
        "direct_topic": community.description,
        "can_add_people": permissions.can_add_to_direct(user, community),
        "can_leave": permissions.can_leave_direct(user, community),
        "nav_section": "messages",
    }
