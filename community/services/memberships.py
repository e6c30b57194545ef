"""Write services for memberships: joining, requests, invitations, leaving, roles.

Each membership change is recorded for every audience that may know of it
(`record_membership_event`): the person, the community's moderators, and the readers
of its member list.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import payloads, permissions
from ..models import AuditEntry, Community, Membership, User
from ..ratelimit import rate_limit_hit
from .audit import audit_record

__all__ = [
    "community_enter",
    "community_exit",
    "community_join",
    "community_leave",
    "community_request_join",
    "community_transfer_ownership",
    "membership_approve",
    "membership_decline",
    "membership_grant",
    "membership_withdraw",
    "membership_invitation_decline",
    "membership_invite",
    "membership_request_cancel",
    "membership_set_role",
]

Role = Membership.Role
State = Membership.State

REQUEST_MESSAGE_MAX_LENGTH = 500


def _clean_message(message):
    message = (message or "").strip()
    if len(message) > REQUEST_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": _("The message is too long: at most %(limit)d characters.")
                % {"limit": REQUEST_MESSAGE_MAX_LENGTH}
            },
            code="max_length",
        )
    return message


# --- events ----------------------------------------------------------------------------


# What readers of a community learn from a membership change: its member list (who
# is in it, with which role). Requests, invitations, declines and sanctions are for
# the person and the community's moderators only.
_LISTED_EVENTS = {
    "member.joined": "member.joined",
    "member.approved": "member.joined",
    "member.left": "member.left",
    "member.removed": "member.left",
    "member.banned": "member.left",
    "member.role_changed": "member.role_changed",
}


def record_membership_event(membership, type, actor, *, listed=True):
    """Record a membership change for each audience that may know of it.

    The person's own stream and the community's moderation stream get `type` with the
    whole membership; the community's stream, which every reader may follow, gets the
    change to the member list only (`listed=False` when the person was not listed,
    e.g. an invitee who gets banned). Every membership change passes here, so this is
    also where the permission cache of the request or socket operation forgets the row.
    """
    permissions.membership_changed(membership)
    data = payloads.membership_data(membership)
    event_record(
        stream=stream_name("user", membership.user_id), type=type, payload=data, actor=actor
    )
    event_record(
        stream=stream_name("moderation", membership.community_id),
        type=type,
        payload=data,
        actor=actor,
    )
    if listed and type in _LISTED_EVENTS:
        event_record(
            stream=stream_name("community", membership.community_id),
            type=_LISTED_EVENTS[type],
            payload=payloads.member_listing_data(
                membership, listed=_LISTED_EVENTS[type] != "member.left"
            ),
            actor=actor,
        )


def members_recount(community):
    """Recount the active members into the denormalised `member_count`.

    Callers hold the community's row lock (`membership_locked` takes it), so
    concurrent joins and leaves are counted one after the other.
    """
    count = Membership.objects.filter(community=community, state=State.ACTIVE).count()
    Community.objects.filter(pk=community.pk).update(member_count=count)
    community.member_count = count


def community_locked(community):
    """Lock the community's row for this transaction.

    Every change of memberships takes it first (always in that order: community, then
    membership rows, so writers queue up instead of deadlocking). It serialises member
    counts and keeps the last owner: whoever holds it sees the owners as they are.
    """
    list(Community.objects.select_for_update().filter(pk=community.pk).values("pk"))


def membership_locked(user, community):
    """The user's membership row in `community`, locked for this transaction, or None
    (after the community's row, `community_locked`)."""
    community_locked(community)
    return (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
        Membership.objects.select_for_update(of=("self",))
        .select_related("user__organisation")
        .filter(user=user, community=community)
        .first()
    )


# --- joining ---------------------------------------------------------------------------


def community_join(*, actor, community):
    """Join a public community at once, or accept an invitation to any community.

    Verified users may call it. Raises PermissionDenied when they may not join
    (banned, restricted or private without an invitation, unverified), ValidationError
    when they already belong, RateLimited past the `join` budget. Emits `member.joined`
    on the community's and the person's streams.
    """
    if permissions.is_member(actor, community):
        raise ValidationError(_("You are already a member of this community."))
    permissions.require_join_community(actor, community)
    rate_limit_hit(actor, "join")
    try:
        with transaction.atomic():
            membership = membership_locked(actor, community)
            if membership is None:
                membership = Membership.objects.create(
                    user=actor,
                    community=community,
                    role=Role.MEMBER,
                    state=State.ACTIVE,
                )
            elif membership.state in (State.INVITED, State.PENDING):
                membership.state = State.ACTIVE
                membership.role = Role.MEMBER
                membership.save(update_fields=["state", "role", "updated_at"])
            else:
                raise ValidationError(_("You are already a member of this community."))
            members_recount(community)
            record_membership_event(membership, "member.joined", actor)
    except IntegrityError as exc:
        # Two joins raced; the other one won.
        raise ValidationError(_("You are already a member of this community.")) from exc
    return membership


def community_request_join(*, actor, community, message=""):
    """Ask to join a restricted community; owners and moderators decide.

    Verified users without a membership may call it. Raises PermissionDenied for
    others (banned people included), ValidationError when a request already waits or
    the message is too long, RateLimited past the `join` budget. Emits
    `member.requested` on the community's and the person's streams.
    """
    if permissions.is_pending(actor, community):
        raise ValidationError(
            _("Your request to join is already waiting for approval.")
        )
    if permissions.is_member(actor, community):
        raise ValidationError(_("You are already a member of this community."))
    permissions.require_request_to_join(actor, community)
    message = _clean_message(message)
    rate_limit_hit(actor, "join")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=actor,
                community=community,
                role=Role.MEMBER,
                state=State.PENDING,
                message=message,
            )
            membership.user = actor
            record_membership_event(membership, "member.requested", actor)
    except IntegrityError as exc:
        raise ValidationError(
            _("Your request to join is already waiting for approval.")
        ) from exc
    return membership


def community_enter(*, actor, community, message=""):
    """The "join" button: accept an invitation, join a public community or ask to join
    a restricted one. Same permissions, errors and events as the service it picks."""
    invited = permissions.is_invited(actor, community)
    if community.visibility == Community.Visibility.RESTRICTED and not invited:
        return community_request_join(actor=actor, community=community, message=message)
    return community_join(actor=actor, community=community)


# --- leaving ---------------------------------------------------------------------------


def community_leave(*, actor, community):
    """Leave a community (the membership row goes; the person may come back).

    Active members may call it (`permissions.require_leave_community`): others get
    PermissionDenied (banned people cannot clear their ban by leaving), the last owner
    a ValidationError (they must transfer ownership first), decided again under the
    community's row lock so that two owners leaving at once cannot both go.
    Emits `member.left`.
    """
    permissions.require_leave_community(actor, community)
    _membership_withdraw(actor, community, State.ACTIVE, "member.left")


def membership_request_cancel(*, actor, community):
    """Withdraw one's own pending request to join.

    The requester may call it; PermissionDenied otherwise. Emits
    `member.request_cancelled`.
    """
    permissions.require_cancel_request(actor, community)
    _membership_withdraw(actor, community, State.PENDING, "member.request_cancelled")


def membership_invitation_decline(*, actor, community):
    """Turn down an invitation.

    The invitee may call it; PermissionDenied otherwise. Emits
    `member.invitation_declined`.
    """
    permissions.require_decline_invitation(actor, community)
    _membership_withdraw(
        actor, community, State.INVITED, "member.invitation_declined"
    )


# The rule each withdrawal is checked against again, on the locked rows.
_WITHDRAWALS = {
    State.ACTIVE: permissions.require_leave_community,
    State.PENDING: permissions.require_cancel_request,
    State.INVITED: permissions.require_decline_invitation,
}


def _membership_withdraw(actor, community, state, event_type):
    """Delete the actor's own membership row in `state`, so they may come back later."""
    with transaction.atomic():
        membership = membership_locked(actor, community)
        # Decided again on the rows as they are now, with the community locked: another
        # owner may have left (or this one been promoted) since the first check.
        try:
            with permissions.fresh():
                _WITHDRAWALS[state](actor, community)
        except PermissionDenied as error:
            # The row changed meanwhile (approved, removed...): a notice, not a 403.
            raise ValidationError(str(error)) from error
        record_membership_event(membership, event_type, actor)
        membership.delete()
        if state == State.ACTIVE:
            members_recount(community)


def community_exit(*, actor, community):
    """The "leave" button: leave, withdraw a request or decline an invitation,
    whichever applies. Returns the state the person left; same rules as the service
    it picks."""
    membership = permissions.membership_of(actor, community)
    state = membership.state if membership is not None else None
    if state == State.PENDING:
        membership_request_cancel(actor=actor, community=community)
    elif state == State.INVITED:
        membership_invitation_decline(actor=actor, community=community)
    else:
        community_leave(actor=actor, community=community)
    return state


def _find_person(who):
    """The active user named by a username (with or without @) or an email address."""
    who = (who or "").strip().lstrip("@")
    if not who:
        raise ValidationError({"who": _("Enter a username or an email address.")})
    lookup = Q(email__iexact=who) if "@" in who else Q(username__iexact=who)
    person = (
        User.objects.select_related("organisation")
        .filter(lookup, is_active=True)
        .first()
    )
    if person is None:
        raise ValidationError(
            {"who": _("Nobody on Crocevia has that username or email address.")}
        )
    return person


# --- decisions by owners and moderators ------------------------------------------------


def _audit(actor, community, membership, action):
    """The audit entry of a decision about `membership`'s person (same transaction)."""
    audit_record(
        actor=actor,
        community=community,
        action=action,
        member=membership.user,
    )


def membership_approve(*, actor, membership):
    """Accept a pending request to join; the requester becomes a member.

    Owners, moderators and site staff may call it (PermissionDenied otherwise);
    ValidationError when the request is no longer pending. Emits `member.approved`.
    """
    community = membership.community
    permissions.require_decide_join_requests(actor, community)
    with transaction.atomic():
        membership = membership_locked(membership.user, community)
        if membership is None or membership.state != State.PENDING:
            raise ValidationError(
                _("This request is no longer waiting for a decision.")
            )
        membership.state = State.ACTIVE
        membership.role = Role.MEMBER
        membership.save(update_fields=["state", "role", "updated_at"])
        members_recount(community)
        record_membership_event(membership, "member.approved", actor)
        _audit(actor, community, membership, AuditEntry.Action.MEMBER_APPROVED)
    return membership


def membership_decline(*, actor, membership):
    """Decline a pending request, or withdraw an invitation not yet answered.

    Owners, moderators and site staff may call it (PermissionDenied otherwise);
    ValidationError when there is nothing left to decide. The person may ask or be
    invited again later. Emits `member.declined` or `member.invitation_withdrawn`.
    """
    community = membership.community
    permissions.require_decide_join_requests(actor, community)
    with transaction.atomic():
        membership = membership_locked(membership.user, community)
        if membership is None or membership.state not in (State.PENDING, State.INVITED):
            raise ValidationError(
                _("This request is no longer waiting for a decision.")
            )
        pending = membership.state == State.PENDING
        event_type = "member.declined" if pending else "member.invitation_withdrawn"
        record_membership_event(membership, event_type, actor)
        _audit(
            actor,
            community,
            membership,
            AuditEntry.Action.MEMBER_DECLINED
            if pending
            else AuditEntry.Action.INVITATION_WITHDRAWN,
        )
        membership.delete()
    return membership


def membership_invite(*, actor, community, invitee=None, who="", message=""):
    """Invite an existing user into the community: `invitee`, or `who` (a username or
    an email address, as typed in the invitation form).

    Owners, moderators and site staff may call it; PermissionDenied otherwise, and for
    moderators re-inviting a banned person (only owners and staff lift a ban this
    way). ValidationError (field `who`) when nobody matches, the person already
    belongs, is already invited or has asked to join. RateLimited past the `invite`
    budget. Emits `member.invited` on the community's and the invitee's streams.
    """
    permissions.require_invite_to_community(actor, community)
    if invitee is None:
        invitee = _find_person(who)
    message = _clean_message(message)
    existing = (
        Membership.objects.filter(user=invitee, community=community)
        .only("state")
        .first()
    )
    if existing is not None:
        if existing.state == State.ACTIVE:
            raise ValidationError(
                {"who": _("%(name)s is already a member.") % {"name": invitee.name}}
            )
        if existing.state == State.INVITED:
            raise ValidationError(
                {"who": _("%(name)s is already invited.") % {"name": invitee.name}}
            )
        if existing.state == State.PENDING:
            raise ValidationError(
                {
                    "who": _("%(name)s has asked to join: approve the request instead.")
                    % {"name": invitee.name}
                }
            )
        permissions.require_reinvite_banned(actor, community, invitee=invitee)
    rate_limit_hit(actor, "invite")
    try:
        with transaction.atomic():
            membership = membership_locked(invitee, community)
            if membership is None:
                membership = Membership.objects.create(
                    user=invitee,
                    community=community,
                    role=Role.MEMBER,
                    state=State.INVITED,
                    invited_by=actor,
                    message=message,
                )
                membership.user = invitee
            elif membership.state == State.BANNED:
                membership.state = State.INVITED
                membership.role = Role.MEMBER
                membership.invited_by = actor
                membership.message = message
                membership.save(
                    update_fields=[
                        "state",
                        "role",
                        "invited_by",
                        "message",
                        "updated_at",
                    ]
                )
            else:
                raise ValidationError(
                    {"who": _("%(name)s is already invited.") % {"name": invitee.name}}
                )
            record_membership_event(membership, "member.invited", actor)
            _audit(actor, community, membership, AuditEntry.Action.MEMBER_INVITED)
    except IntegrityError as exc:
        raise ValidationError(
            {"who": _("%(name)s is already invited.") % {"name": invitee.name}}
        ) from exc
    return membership


def membership_set_role(*, actor, membership, role):
    """Make an active member a moderator, or a moderator a plain member again.

    Owners and site staff may call it; PermissionDenied otherwise and for owners'
    own rows (ownership changes hands only by transfer). ValidationError for an
    unknown role. Emits `member.role_changed` when the role changes.
    """
    community = membership.community
    permissions.require_manage_roles(actor, community)
    if role not in (Role.MODERATOR, Role.MEMBER):
        raise ValidationError({"role": _("Choose moderator or member.")})
    with transaction.atomic():
        membership = membership_locked(membership.user, community)
        if membership is None or membership.state != State.ACTIVE:
            raise ValidationError(_("This person is no longer a member."))
        # Checked on the locked rows: the caller's copy may predate an approval or a
        # transfer, and the actor may have handed over meanwhile.
        membership.community = community
        with permissions.fresh():
            permissions.require_change_role(actor, membership)
        if membership.role != role:
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
            record_membership_event(membership, "member.role_changed", actor)
            _audit(
                actor,
                community,
                membership,
                AuditEntry.Action.MEMBER_PROMOTED
                if role == Role.MODERATOR
                else AuditEntry.Action.MEMBER_DEMOTED,
            )
    return membership


def community_transfer_ownership(*, actor, community, username):
    """Hand the community over to another active member, named by username.

    An owner may call it (and site staff, for abandoned communities);
    PermissionDenied otherwise. The new owner gets the owner role; the owner who
    handed over (every current owner when staff acts) becomes a moderator.
    ValidationError when the person is not an active member or already owns it.
    Emits `member.role_changed` for each person whose role changed.
    """
    permissions.require_transfer_ownership(actor, community)
    username = (username or "").strip().lstrip("@")
    with transaction.atomic():
        community_locked(community)
        # The actor may have handed over (or left) since the first check.
        with permissions.fresh():
            permissions.require_transfer_ownership(actor, community)
            actor_is_owner = permissions.is_owner(actor, community)
        target = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user__organisation")
            .filter(
                community=community,
                user__username__iexact=username,
                user__is_active=True,
                state=State.ACTIVE,
            )
            .first()
        )
        if not username or target is None:
            raise ValidationError(
                {"username": _("Name an active member of this community.")}
            )
        if target.role == Role.OWNER:
            raise ValidationError(
                {
                    "username": _("%(name)s already owns this community.")
                    % {"name": target.user.name}
                }
            )
        if actor_is_owner:
            handing_over = community.memberships.filter(user=actor)
        else:
            handing_over = community.memberships.filter(
                role=Role.OWNER, state=State.ACTIVE
            )
        previous = list(
            handing_over.select_for_update(of=("self",)).select_related(
                "user__organisation"
            )
        )
        for membership in previous:
            membership.role = Role.MODERATOR
            membership.save(update_fields=["role", "updated_at"])
            record_membership_event(membership, "member.role_changed", actor)
        target.role = Role.OWNER
        target.save(update_fields=["role", "updated_at"])
        record_membership_event(target, "member.role_changed", actor)
        # One entry names the new owner; the previous owners stay moderators.
        _audit(actor, community, target, AuditEntry.Action.OWNERSHIP_TRANSFERRED)
    return target


# --- communities run by another app (workspace discussions) ----------------------------


def _require_managed_elsewhere(community):
    if not permissions.is_managed_elsewhere(community):
        raise ValueError("Only the discussions of workspaces take memberships this way.")


def membership_grant(*, actor, community, user, role):
    """Make `user` an active member of a workspace's discussion with `role` (owner or
    member), or give them that role; return the membership.

    For the services of the app that runs the community (`permissions.
    is_managed_elsewhere`), which decided who may, inside their own transaction: the
    community's people follow the workspace's, never the community's own flows.
    Emits `member.joined` for a newcomer, `member.role_changed` for a new role.
    """
    _require_managed_elsewhere(community)
    if role not in (Role.OWNER, Role.MEMBER):
        raise ValueError(f"Unexpected role {role!r}.")
    with transaction.atomic():
        membership = membership_locked(user, community)
        if membership is None:
            membership = Membership.objects.create(
                user=user, community=community, role=role, state=State.ACTIVE
            )
            membership.user = user
            members_recount(community)
            record_membership_event(membership, "member.joined", actor)
        elif membership.state != State.ACTIVE or membership.role != role:
            joined = membership.state != State.ACTIVE
            membership.state = State.ACTIVE
            membership.role = role
            membership.save(update_fields=["state", "role", "updated_at"])
            if joined:
                members_recount(community)
            record_membership_event(
                membership, "member.joined" if joined else "member.role_changed", actor
            )
    return membership


def membership_withdraw(*, actor, community, user, type="member.removed"):
    """End `user`'s membership of a workspace's discussion (`type`: `member.left`
    when they left, `member.removed` when a lead removed them).

    For the workspace services, inside their transaction, like `membership_grant`.
    The event on the person's own stream ends their live subscriptions to the
    discussion's threads and rooms at once.
    """
    _require_managed_elsewhere(community)
    if type not in ("member.left", "member.removed"):
        raise ValueError(f"Unexpected event type {type!r}.")
    with transaction.atomic():
        membership = membership_locked(user, community)
        if membership is None:
            return None
        record_membership_event(membership, type, actor)
        membership.delete()
        members_recount(community)
    return membership
