"""Write services for the people of a workspace: partner organisations, participants
and invitations.

Every participant has an active membership of the workspace's discussion (leads as
its owners), written here through the community's membership services in the same
transaction, so threads and rooms follow the workspace's people.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.models import Membership, Organisation, User
from community.ratelimit import rate_limit_hit
from community.services import memberships
from live.catchup import stream_head

from .. import payloads, permissions
from ..models import Invitation, Participant, Partner, Workspace
from .locks import workspace_event_record, workspace_locked

__all__ = [
    "invitation_accept",
    "invitation_consent",
    "invitation_create",
    "invitation_decline",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_token",
    "participant_add",
    "participant_leave",
    "participant_remove",
    "participant_set_role",
    "partner_set_role",
]

Role = Participant.Role
State = Invitation.State

INVITATION_SALT = "workspaces.invitation"


def _membership_role(role):
    """Leads own the discussion; members and guests are its members."""
    return Membership.Role.OWNER if role == Role.LEAD else Membership.Role.MEMBER


# --- participants ----------------------------------------------------------------------


def participant_add(
    *, actor, workspace, user, organisation, role, partner_role=None, announce=True
):
    """Make `user` a participant of `workspace` on behalf of `organisation` with
    `role`, the organisation a partner (with `partner_role`) if it is not yet one;
    return the participant.

    For the services that decided it (creation, an accepted invitation): no
    permission check here. Must run inside their transaction, which it joins. Emits
    `partner.joined` for a new partner and `participant.joined` (unless `announce`
    is false) on the workspace's stream, and `member.joined` for the discussion.
    """
    if role not in Role.values:
        raise ValueError(f"Unexpected role {role!r}.")
    with transaction.atomic():
        partner = Partner.objects.filter(
            workspace=workspace, organisation=organisation
        ).first()
        if partner is None:
            partner = Partner.objects.create(
                workspace=workspace,
                organisation=organisation,
                role=partner_role or Partner.Role.PARTNER,
            )
            if announce:
                workspace_event_record(
                    workspace, "partner.joined", payloads.partner_data(partner), actor
                )
        if Participant.objects.filter(workspace=workspace, user=user).exists():
            raise ValidationError(
                _("%(name)s already takes part in this workspace.")
                % {"name": user.name}
            )
        participant = Participant.objects.create(
            workspace=workspace,
            user=user,
            organisation=organisation,
            role=role,
            # What happened before they joined is not news to them.
            last_seen_seq=stream_head(workspace.stream),
        )
        permissions.participant_changed(participant)
        memberships.membership_grant(
            actor=actor,
            community=workspace.community,
            user=user,
            role=_membership_role(role),
        )
        if announce:
            workspace_event_record(
                workspace,
                "participant.joined",
                payloads.participant_data(participant),
                actor,
            )
    return participant


def _participant_locked(participant):
    workspace = workspace_locked(participant.workspace)
    row = (
        Participant.objects.select_for_update()
        .filter(pk=participant.pk, workspace=workspace)
        .first()
    )
    if row is None:
        raise ValidationError(_("This person no longer takes part in the workspace."))
    row.workspace = workspace
    return row


def participant_remove(*, actor, participant):
    """Remove another participant from the workspace (and its discussion).

    Leads may call it for someone else (`permissions.can_change_participant`), not
    once the workspace is archived; PermissionDenied otherwise. Emits
    `participant.removed` on the workspace's stream and `member.removed` on the
    person's own stream: their live subscriptions to the workspace and its threads
    and rooms end at once.
    """
    permissions.require_change_participant(actor, participant)
    with transaction.atomic():
        row = _participant_locked(participant)
        with permissions.fresh():
            permissions.require_change_participant(actor, row)
        workspace_event_record(
            row.workspace, "participant.removed", payloads.participant_data(row), actor
        )
        permissions.participant_changed(row)
        row.delete()
        memberships.membership_withdraw(
            actor=actor,
            community=row.workspace.community,
            user=row.user,
            type="member.removed",
        )
    return row


def participant_end_with_affiliation(*, user_id, organisation_id, actor=None):
    """The person's affiliation to the organisation ended (they left it or moved to
    another): end each of their participations on its behalf as a lead removing
    them would (the row goes, the discussion membership is withdrawn, their live
    subscriptions end, `participant.removed` with `"reason": "affiliation_ended"`),
    archived workspaces included. Except where they are the workspace's only lead:
    a workspace keeps its lead (the people page marks them "no longer with" the
    organisation until they name another lead and leave). Returns the participants
    removed.

    Registered with community's affiliation services (`register_affiliation_ended`,
    from `WorkspacesConfig.ready()`), which call it after their commit. The events
    name the person as their actor, not `actor` (who may be an administrator of the
    organisation they moved to: no business of the workspace).
    """
    removed = []
    rows = Participant.objects.filter(
        user_id=user_id, organisation_id=organisation_id
    ).values_list("pk", "workspace_id")
    for pk, workspace_id in list(rows):
        with transaction.atomic():
            workspace = workspace_locked(Workspace(pk=workspace_id))
            row = (
                Participant.objects.select_for_update()
                .select_related("user")
                .filter(pk=pk, workspace=workspace)
                .first()
            )
            if row is None:
                continue
            row.workspace = workspace
            with permissions.fresh():
                if permissions.is_last_lead(row.user, workspace):
                    continue
            workspace_event_record(
                workspace,
                "participant.removed",
                payloads.participant_data(row, reason="affiliation_ended"),
                row.user,
            )
            permissions.participant_changed(row)
            row.delete()
            memberships.membership_withdraw(
                actor=row.user,
                community=workspace.community,
                user=row.user,
                type="member.removed",
            )
            removed.append(row)
    return removed


def participant_leave(*, actor, workspace):
    """Leave the workspace (and its discussion).

    Participants may call it; PermissionDenied for others and while archived, and
    ValidationError for the last lead (decided again under the workspace's lock).
    Emits `participant.left`.
    """
    permissions.require_leave_workspace(actor, workspace)
    with transaction.atomic():
        workspace = workspace_locked(workspace)
        with permissions.fresh():
            permissions.require_leave_workspace(actor, workspace)
        row = (
            Participant.objects.select_for_update()
            .filter(workspace=workspace, user=actor)
            .first()
        )
        workspace_event_record(workspace, "participant.left", payloads.participant_data(row), actor)
        permissions.participant_changed(row)
        row.delete()
        memberships.membership_withdraw(
            actor=actor, community=workspace.community, user=actor, type="member.left"
        )
    return row


def participant_set_role(*, actor, participant, role):
    """Give a participant the role lead, member or guest.

    Leads may call it for others, and for themselves to step down while another
    lead remains (the last lead cannot be demoted: ValidationError); PermissionDenied
    otherwise. ValidationError for an unknown role. Emits `participant.role_changed`
    (and `member.role_changed` when the discussion role changes with it).
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Choose lead, member or guest.")})
    _require_set_role(actor, participant)
    with transaction.atomic():
        row = _participant_locked(participant)
        with permissions.fresh():
            _require_set_role(actor, row)
            if (
                row.role == Role.LEAD
                and role != Role.LEAD
                and permissions.is_last_lead(row.user, row.workspace)
            ):
                raise ValidationError(
                    str(permissions.LAST_LEAD_REFUSAL), code="last_lead"
                )
        if row.role == role:
            return row
        previous = row.role
        row.role = role
        row.save(update_fields=["role"])
        permissions.participant_changed(row)
        memberships.membership_grant(
            actor=actor,
            community=row.workspace.community,
            user=row.user,
            role=_membership_role(role),
        )
        workspace_event_record(
            row.workspace,
            "participant.role_changed",
            payloads.participant_data(row, previous),
            actor,
        )
    return row


def _require_set_role(actor, participant):
    if participant.user_id == actor.pk:
        if permissions.can_manage_workspace(actor, participant.workspace):
            if permissions.is_last_lead(actor, participant.workspace):
                raise ValidationError(
                    str(permissions.LAST_LEAD_REFUSAL), code="last_lead"
                )
            return
    permissions.require_change_participant(actor, participant)


# --- partner organisations -------------------------------------------------------------


def partner_set_role(*, actor, partner, role):
    """Set a partner organisation's role: lead partner, partner or advisor.

    Leads may call it (`permissions.require_manage_workspace`); ValidationError for
    an unknown role. Emits `partner.role_changed`.
    """
    if role not in Partner.Role.values:
        raise ValidationError({"role": _("Choose lead partner, partner or advisor.")})
    permissions.require_manage_workspace(actor, partner.workspace)
    with transaction.atomic():
        workspace = workspace_locked(partner.workspace)
        row = Partner.objects.select_for_update().filter(pk=partner.pk).first()
        if row is None:
            raise ValidationError(_("This organisation is no longer a partner."))
        if row.role == role:
            return row
        previous = row.role
        row.role = role
        row.save(update_fields=["role"])
        workspace_event_record(
            workspace,
            "partner.role_changed",
            payloads.partner_data(row, previous),
            actor,
        )
    return row


# --- invitations -----------------------------------------------------------------------


def invitation_token(invitation):
    """The signed token of an invitation's link (its id, signed with a timestamp)."""
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token):
    """The invitation a token names, or ValidationError for a forged or expired one
    (the signature's age is checked too, whatever the row says)."""
    days = settings.WORKSPACE_INVITATION_DAYS
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=days))
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This invitation has expired."), code="expired"
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            _("This invitation link is not valid."), code="invalid"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    return permissions.invitation_by_id(data["i"])


def _find_organisation(name):
    name = " ".join((name or "").split())
    if not name:
        return None
    organisation = Organisation.objects.filter(
        Q(name__iexact=name) | Q(slug__iexact=name)
    ).first()
    if organisation is None:
        raise ValidationError(
            {"organisation": _("No organisation on Crocevia has that name.")}
        )
    return organisation


def _find_person(who):
    """(user, "") for a username, (None, address) for an e-mail address."""
    who = (who or "").strip().lstrip("@")
    if not who:
        raise ValidationError({"who": _("Enter a username or an e-mail address.")})
    if "@" in who:
        try:
            validate_email(who)
        except ValidationError as error:
            raise ValidationError(
                {"who": _("Enter a valid e-mail address.")}
            ) from error
        return None, who.lower()
    person = (
        User.objects.select_related("organisation")
        .filter(username__iexact=who, is_active=True)
        .first()
    )
    if person is None:
        raise ValidationError({"who": _("Nobody on Crocevia has that username.")})
    return person, ""


def invitation_create(
    *,
    actor,
    workspace,
    who,
    organisation_name="",
    role=Role.MEMBER,
    partner_role=Partner.Role.PARTNER,
    message="",
    site_url="",
):
    """Invite a person, by username or e-mail address, to join on behalf of an
    organisation (the person's own by default); return the invitation.

    Leads may call it (not once archived); PermissionDenied otherwise. ValidationError
    (fields `who`, `organisation`, `role`, `message`) when nobody matches, the person
    already takes part or is already invited, or belongs to another organisation.
    RateLimited past the `invite` budget. An e-mail invitation is sent, with the
    signed link (`site_url` is the site's root), in the invitee's language when the
    address is known. Emits `invitation.created` on the workspace's stream.
    """
    permissions.require_invite(actor, workspace)
    errors = {}
    person = email = organisation = None
    try:
        person, email = _find_person(who)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        organisation = _find_organisation(organisation_name)
    except ValidationError as error:
        errors.update(error.message_dict)
    if role not in Role.values:
        errors["role"] = [_("Choose lead, member or guest.")]
    if partner_role not in Partner.Role.values:
        errors["partner_role"] = [_("Choose lead partner, partner or advisor.")]
    message = (message or "").strip()
    if len(message) > 500:
        errors["message"] = [
            _("The message is too long: at most %(limit)d characters.") % {"limit": 500}
        ]
    if not errors and organisation is None:
        if person is not None and person.organisation_id is not None:
            organisation = person.organisation
        else:
            errors["organisation"] = [
                _("Name the organisation the person will represent.")
            ]
    if not errors and person is not None:
        if Participant.objects.filter(workspace=workspace, user=person).exists():
            errors["who"] = [
                _("%(name)s already takes part in this workspace.")
                % {"name": person.name}
            ]
        elif not permissions.is_organisation_member(person, organisation):
            errors["who"] = [
                _("%(name)s does not belong to %(organisation)s.")
                % {"name": person.name, "organisation": organisation.name}
            ]
    if not errors:
        waiting = Invitation.objects.filter(
            workspace=workspace, state=State.PENDING, expires_at__gt=timezone.now()
        )
        waiting = (
            waiting.filter(invitee=person)
            if person is not None
            else waiting.filter(email__iexact=email)
        )
        if waiting.exists():
            errors["who"] = [_("This person already has an invitation waiting.")]
    if errors:
        raise ValidationError(errors)
    rate_limit_hit(actor, "invite")
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=workspace,
            organisation=organisation,
            invitee=person,
            email=email or "",
            role=role,
            partner_role=partner_role,
            message=message,
            invited_by=actor,
            expires_at=now + timedelta(days=settings.WORKSPACE_INVITATION_DAYS),
        )
        workspace_event_record(
            workspace,
            "invitation.created",
            {"id": invitation.pk, "organisation": organisation.pk, "role": role},
            actor,
        )
        if email:
            transaction.on_commit(
                lambda: _send_invitation_email(invitation, site_url), robust=True
            )
    return invitation


def _send_invitation_email(invitation, site_url):
    """The e-mail of an invitation by address, in the invitee's language if known."""
    known = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    language = (
        getattr(known, "language", "")
        or getattr(invitation.invited_by, "language", "")
        or settings.LANGUAGE_CODE
    )
    path = reverse("workspaces:invitation-detail", args=[invitation_token(invitation)])
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "link": site_url.rstrip("/") + path,
        "days": settings.WORKSPACE_INVITATION_DAYS,
    }
    with translation.override(language):
        subject = render_to_string("workspaces/email/invitation_subject.txt", context)
        body = render_to_string("workspaces/email/invitation_message.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])


def _invitation_locked(invitation):
    row = (
        Invitation.objects.select_for_update()
        .select_related("organisation", "invitee", "workspace__community")
        .filter(pk=invitation.pk)
        .first()
    )
    if row is None or row.state != State.PENDING:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    if row.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired."), code="expired")
    return row


def _complete(row, actor, person):
    """Both sides said yes: the person joins on behalf of the organisation."""
    now = timezone.now()
    participant = participant_add(
        actor=actor,
        workspace=row.workspace,
        user=person,
        organisation=row.organisation,
        role=row.role,
        partner_role=row.partner_role,
    )
    row.state = State.ACCEPTED
    row.decided_at = now
    row.decided_by = actor
    row.save(update_fields=["state", "decided_at", "decided_by"])
    return participant


def invitation_accept(*, actor, invitation):
    """The invitee accepts; return the new participant, or None while the invited
    organisation's consent is still missing.

    The invitee (by account, or by a verified address) may call it while the
    invitation is open (PermissionDenied otherwise); they must belong to the invited
    organisation (ValidationError). When the organisation is not yet a partner, an
    admin of it must accept for it too (`invitation_consent`): an invitee who is its
    admin gives that consent by accepting. Emits `partner.joined` and
    `participant.joined` once both sides said yes.
    """
    _check_open(invitation)
    permissions.require_answer_invitation(actor, invitation)
    if not permissions.is_organisation_member(actor, invitation.organisation):
        raise ValidationError(
            _(
                "Join %(organisation)s on Crocevia before accepting: the invitation is "
                "on its behalf."
            )
            % {"organisation": invitation.organisation.name}
        )
    with transaction.atomic():
        workspace_locked(invitation.workspace)
        row = _invitation_locked(invitation)
        now = timezone.now()
        if row.invitee_id is None:
            row.invitee = actor
        if permissions.needs_organisation_consent(row):
            if permissions.is_organisation_admin(actor, row.organisation):
                row.organisation_accepted_by = actor
                row.organisation_accepted_at = now
            else:
                row.invitee_accepted_at = now
                row.save(update_fields=["invitee", "invitee_accepted_at"])
                workspace_event_record(
                    row.workspace,
                    "invitation.accepted_by_invitee",
                    {"id": row.pk, "organisation": row.organisation_id},
                    actor,
                )
                return None
        row.invitee_accepted_at = now
        row.save(
            update_fields=[
                "invitee",
                "invitee_accepted_at",
                "organisation_accepted_by",
                "organisation_accepted_at",
            ]
        )
        return _complete(row, actor, actor)


def invitation_consent(*, actor, invitation):
    """An admin of the invited organisation accepts for it; return the participant
    if the invitee had already accepted (they join now), else None.

    Admins of the organisation may call it while the invitation is open and the
    organisation is not yet a partner; PermissionDenied otherwise.
    """
    _check_open(invitation)
    permissions.require_consent_for_organisation(actor, invitation)
    with transaction.atomic():
        workspace_locked(invitation.workspace)
        row = _invitation_locked(invitation)
        row.organisation_accepted_by = actor
        row.organisation_accepted_at = timezone.now()
        row.save(update_fields=["organisation_accepted_by", "organisation_accepted_at"])
        workspace_event_record(
            row.workspace,
            "invitation.organisation_accepted",
            {"id": row.pk, "organisation": row.organisation_id},
            actor,
        )
        if row.invitee_accepted_at is None:
            return None
        person = row.invitee
        if not permissions.is_organisation_member(person, row.organisation):
            raise ValidationError(
                _("%(name)s no longer belongs to %(organisation)s.")
                % {"name": person.name, "organisation": row.organisation.name}
            )
        return _complete(row, actor, person)


def _check_open(invitation):
    """A clear notice (not a refusal) for invitations that are over."""
    if invitation.state != State.PENDING:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired."), code="expired")
    if invitation.workspace.is_archived:
        raise ValidationError(str(permissions.ARCHIVED_REFUSAL), code="archived")


def invitation_decline(*, actor, invitation):
    """The invitee declines, or an admin of the invited organisation refuses for it.

    PermissionDenied for anyone else. Emits `invitation.declined`.
    """
    _check_open(invitation)
    if not permissions.can_answer_invitation(actor, invitation):
        permissions.require_consent_for_organisation(actor, invitation)
    return _close(invitation, actor, State.DECLINED, "invitation.declined")


def invitation_revoke(*, actor, invitation):
    """A lead withdraws an invitation still waiting; its link stops working.

    PermissionDenied for others. Emits `invitation.revoked`.
    """
    permissions.require_revoke_invitation(actor, invitation)
    return _close(invitation, actor, State.REVOKED, "invitation.revoked")


def _close(invitation, actor, state, type):
    with transaction.atomic():
        row = (
            Invitation.objects.select_for_update()
            .select_related("workspace")
            .filter(pk=invitation.pk, state=State.PENDING)
            .first()
        )
        if row is None:
            raise ValidationError(
                _("This invitation is no longer open."), code="closed"
            )
        row.state = state
        row.decided_at = timezone.now()
        row.decided_by = actor
        row.save(update_fields=["state", "decided_at", "decided_by"])
        workspace_event_record(
            row.workspace,
            type,
            {"id": row.pk, "organisation": row.organisation_id},
            actor,
        )
    return row
