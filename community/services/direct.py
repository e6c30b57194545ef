"""Direct messages: open a private conversation (or reopen the one that exists), add
people to it, leave it; block and unblock people; contact an organisation's admins.

A conversation is a private community of kind `direct` whose participants are its
active members and whose one room thread carries the messages, so posting, live
updates, catch-up, typing and presence are the rooms' own (`services.threads`).
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import Block, Community, Membership, Thread
from ..ratelimit import RateLimited, rate_limit_hit, wait_message
from . import memberships

State = Membership.State

# The stored name of every conversation: pages name it after its other people.
DIRECT_NAME = "Direct message"


def _clean_people(actor, people):
    """The distinct people besides `actor`, each one `actor` may write to; raises
    ValidationError (field `people`) for none or too many, PermissionDenied for a
    block or an unverified actor."""
    people = list({person.pk: person for person in people if person.pk != actor.pk}.values())
    if not people:
        raise ValidationError({"people": [_("Choose at least one person to write to.")]})
    if len(people) + 1 > permissions.DIRECT_MAX_PEOPLE:
        raise ValidationError(
            {
                "people": [
                    _("A conversation has at most %(count)d people, you included.")
                    % {"count": permissions.DIRECT_MAX_PEOPLE}
                ]
            }
        )
    for person in people:
        permissions.require_message_person(actor, person)
    return people


def direct_find(people):
    """The conversation whose active participants are exactly `people` (a set of
    ids), with its room, or None: one query."""
    wanted = set(people)
    community = (
        Community.objects.filter(kind=Community.Kind.DIRECT, member_count=len(wanted))
        .annotate(
            matched=Count(
                "memberships",
                filter=Q(memberships__user_id__in=wanted, memberships__state=State.ACTIVE),
            )
        )
        .filter(matched=len(wanted))
        .order_by("pk")
        .first()
    )
    if community is None:
        return None
    return Thread.objects.select_related("community").filter(
        community=community, kind=Thread.Kind.ROOM
    ).order_by("pk").first()


def _stranger_limit(actor, people):
    """Count a new conversation with people `actor` shares nothing with against the
    `direct_stranger` rate limit, with a message saying why."""
    if all(permissions.shares_a_circle(actor, person) for person in people):
        return
    try:
        rate_limit_hit(actor, "direct_stranger")
    except RateLimited as error:
        raise RateLimited(
            _(
                "You have started many conversations with people you share no "
                "community or organisation with."
            )
            + " "
            + wait_message(error.retry_after),
            code="rate_limited",
            retry_after=error.retry_after,
        ) from error


def direct_open(*, actor, people, topic=""):
    """Open a conversation between `actor` and `people` (up to nine others), or
    return the one they already have; return its room thread.

    Verified people may call it, never across a block (PermissionDenied). Raises
    ValidationError for nobody or too many people, RateLimited past the
    `direct_stranger` limit when someone is a stranger to `actor` (no shared
    community, workspace or organisation). `topic` (an organisation's name for
    "Contact this organisation") is kept as the conversation's description.
    Emits `member.joined` on each participant's stream and `thread.created` on the
    conversation's.
    """
    people = _clean_people(actor, people)
    existing = direct_find({actor.pk, *(person.pk for person in people)})
    if existing is not None:
        return existing
    _stranger_limit(actor, people)
    with transaction.atomic():
        community = Community(
            name=DIRECT_NAME,
            slug=f"dm-{secrets.token_hex(8)}",
            description=topic[:5000],
            visibility=Community.Visibility.PRIVATE,
            kind=Community.Kind.DIRECT,
            created_by=actor,
            # No report reaches the threshold by itself: a participant's report goes
            # to staff, who decide.
            report_threshold=50,
        )
        community.full_clean()
        community.save()
        for person in (actor, *people):
            memberships.membership_grant(
                actor=actor, community=community, user=person, role=Membership.Role.MEMBER
            )
        room = Thread.objects.create(
            community=community,
            title=DIRECT_NAME,
            kind=Thread.Kind.ROOM,
            author=actor,
            last_activity_at=timezone.now(),
            post_count=0,
        )
        event_record(
            stream=stream_name("community", community.pk),
            type="thread.created",
            payload=payloads.thread_data(room),
            actor=actor,
        )
    return room


def direct_add(*, actor, community, people):
    """Add `people` to the conversation `community` (ten people at most in all).

    Its participants may call it (PermissionDenied otherwise, or across a block
    between a newcomer and anyone taking part). Raises ValidationError (field
    `people`) for nobody new or too many. Emits `member.joined` for each newcomer.
    """
    permissions.require_add_to_direct(actor, community, ())
    current = permissions.direct_participant_ids(community)
    newcomers = [person for person in _clean_people(actor, people) if person.pk not in current]
    if not newcomers:
        raise ValidationError({"people": [_("They are in this conversation already.")]})
    room_left = permissions.DIRECT_MAX_PEOPLE - len(current)
    if len(newcomers) > room_left:
        raise ValidationError(
            {
                "people": [
                    ngettext(
                        "This conversation has room for %(count)d more person.",
                        "This conversation has room for %(count)d more people.",
                        room_left,
                    )
                    % {"count": room_left}
                    if room_left
                    else _("This conversation has ten people already.")
                ]
            }
        )
    # Nobody joins a conversation with someone they blocked or who blocked them.
    permissions.require_add_to_direct(actor, community, newcomers)
    with transaction.atomic():
        for person in newcomers:
            memberships.membership_grant(
                actor=actor, community=community, user=person, role=Membership.Role.MEMBER
            )
    return newcomers


def direct_leave(*, actor, community):
    """`actor` leaves a group conversation (three people or more; PermissionDenied
    otherwise). Emits `member.left`, which ends their live subscriptions to it."""
    permissions.require_leave_direct(actor, community)
    with transaction.atomic():
        memberships.membership_withdraw(
            actor=actor, community=community, user=actor, type="member.left"
        )


def _record_block(actor, person, type):
    permissions.blocks_changed(actor)
    permissions.blocks_changed(person)
    # On the blocker's own stream: it re-checks their subscriptions, so the
    # conversations now hidden from them stop reaching them at once.
    event_record(
        stream=stream_name("user", actor.pk),
        type=type,
        payload={"blocker": actor.pk, "blocked": person.pk},
        actor=actor,
    )


def person_block(*, actor, person):
    """`actor` blocks `person`: no new conversations either way, conversations with
    them hidden from `actor`. PermissionDenied for oneself or someone already
    blocked. Emits `account.blocked` on `actor`'s stream."""
    permissions.require_block_person(actor, person)
    try:
        with transaction.atomic():
            Block.objects.create(blocker=actor, blocked=person)
            _record_block(actor, person, "account.blocked")
    except IntegrityError:
        pass  # blocked a moment ago from another tab: the block stands


def person_unblock(*, actor, person):
    """Lift `actor`'s block of `person` (PermissionDenied when there is none): their
    conversations show again. Emits `account.unblocked` on `actor`'s stream."""
    permissions.require_unblock_person(actor, person)
    with transaction.atomic():
        Block.objects.filter(blocker=actor, blocked=person).delete()
        _record_block(actor, person, "account.unblocked")


def organisation_contact(*, actor, organisation):
    """Open (or reopen) a conversation with `organisation`'s admins; return its room.

    Verified people who are not its admins may call it (PermissionDenied
    otherwise, or when no admin can be written to); limits as `direct_open`."""
    permissions.require_contact_organisation(actor, organisation)
    return direct_open(
        actor=actor,
        people=permissions.organisation_contacts(actor, organisation),
        topic=organisation.name,
    )
