"""Every rule about who may see or do what in workspaces.

The same conventions as `community.permissions` (which it builds on, and whose
per-request or per-socket-operation cache it shares): `access_*` return the object or
raise `Http404` for missing and invisible alike (a stranger never learns that a
workspace exists); `can_*` answer yes/no for a visible object; `require_*` raise
`PermissionDenied` with the refusal people read; `*_visible_to` give querysets.

Who is in a workspace is its `Participant` rows (lead, member, guest). Site staff see
every workspace read-only (support and moderation of its discussion) and are never
participants: they cannot upload, change tasks or invite.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from community import permissions as community_permissions
from community.models import Affiliation
from community.permissions import (
    is_organisation_admin,
    is_organisation_member,
    is_site_staff,
    is_verified,
    remembered,
)

from .models import Invitation, Participant, Partner, Workspace

Role = Participant.Role
# Decide on the rows as the database has them now (services, under their locks).
fresh = community_permissions.fresh


def participant_of(user, workspace):
    """The user's `Participant` row in `workspace`, or None (cached for the scope)."""
    if not user.is_authenticated:
        return None

    def load():
        return Participant.objects.filter(user=user, workspace=workspace).first()

    return remembered(("participant", user.pk, workspace.pk), load)


def participant_changed(participant):
    """Forget what the scope knows about `participant`'s person in its workspace;
    the services call it for every participant row they write or delete."""
    community_permissions.forget(
        ("participant", participant.user_id, participant.workspace_id),
        ("leads", participant.workspace_id),
    )


def is_participant(user, workspace):
    return participant_of(user, workspace) is not None


def is_lead(user, workspace):
    participant = participant_of(user, workspace)
    return participant is not None and participant.role == Role.LEAD


def can_see_workspace(user, workspace):
    """May the user know the workspace exists and read it (dashboard, documents,
    tasks, discussion)? Its participants, and site staff."""
    return is_site_staff(user) or is_participant(user, workspace)


def can_contribute(user, workspace):
    """May the user upload documents and change tasks? Leads and members of a
    workspace that is not archived (guests read, download and comment only)."""
    participant = participant_of(user, workspace)
    return (
        participant is not None
        and participant.role in (Role.LEAD, Role.MEMBER)
        and not workspace.is_archived
    )


def can_manage_workspace(user, workspace):
    """Leads invite, remove people, change roles and stages (not once archived)."""
    return is_lead(user, workspace) and not workspace.is_archived


def workspaces_visible_to(user, queryset=None):
    """Workspaces the user may see: their own (staff: all)."""
    queryset = Workspace.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    return workspaces_participated_by(user, queryset)


def access_workspace(user, workspace_id):
    """Return a workspace the user may see (with its community) or raise Http404."""
    workspace = (
        Workspace.objects.select_related("community").filter(pk=workspace_id).first()
    )
    if workspace is None or not can_see_workspace(user, workspace):
        raise Http404("No such workspace.")
    return workspace


require_contribute = community_permissions.requirement(
    can_contribute,
    gettext_lazy(
        "Only the workspace's leads and members can do this, and not once it is archived."
    ),
)
require_manage_workspace = community_permissions.requirement(
    can_manage_workspace,
    gettext_lazy(
        "Only the workspace's leads can do this, and not once it is archived."
    ),
)


# --- documents ---


def can_upload_document(user, workspace):
    """Leads and members upload documents and new versions (guests and staff read
    and download only); not once the workspace is archived."""
    return can_contribute(user, workspace)


def can_download_document(user, document):
    """Everyone who sees the workspace downloads its documents' versions (staff too:
    their downloads are logged like anyone's). Asked at every request, so a removed
    participant's old links stop working."""
    return can_see_workspace(user, document.workspace)


def can_version_document(user, document):
    """A new version of a document that is not deleted: whoever may upload."""
    return document.deleted_at is None and can_upload_document(user, document.workspace)


def can_delete_document(user, document):
    """Leads delete documents (softly: they stay restorable)."""
    return document.deleted_at is None and can_manage_workspace(
        user, document.workspace
    )


def can_restore_document(user, document):
    """Leads restore deleted documents."""
    return document.deleted_at is not None and can_manage_workspace(
        user, document.workspace
    )


def can_see_deleted_documents(user, workspace):
    """Leads see the deleted documents (to restore them); nobody else knows of them."""
    return is_lead(user, workspace)


def can_see_document_downloads(user, workspace):
    """The download log (who downloaded which version when) is for leads."""
    return is_lead(user, workspace)


def can_comment_document(user, document):
    """Participants (guests too) discuss a document in its thread, while it is not
    deleted and the workspace is not archived; the thread then follows the community's
    own rules (muted members, locked threads)."""
    workspace = document.workspace
    return (
        document.deleted_at is None
        and is_participant(user, workspace)
        and not workspace.is_archived
        and community_permissions.can_create_thread(user, workspace.community)
    )


def documents_named_to(user, workspace):
    """The documents whose titles the user may read (the activity feed names them):
    the current ones, and the deleted ones for leads only. Everyone else reads "a
    document" where a deleted one is meant."""
    from .models import Document

    documents = Document.objects.filter(workspace=workspace)
    if can_see_deleted_documents(user, workspace):
        return documents
    return documents.filter(deleted_at__isnull=True)


def document_threads_hidden_from(user):
    """The threads of workspace discussions hidden from `user` (a condition on
    community's Thread, registered with community permissions): the discussion thread
    of a deleted document is titled like it, so while the document is deleted only
    the workspace's leads (who may restore it) find the thread; everyone else,
    staff included, finds it again once it is restored."""
    from .models import Document

    deleted = Document.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=False)
    if user.is_authenticated:
        led = Participant.objects.filter(user=user, role=Role.LEAD).values(
            "workspace_id"
        )
        deleted = deleted.exclude(workspace_id__in=led)
    return Q(Exists(deleted))


def documents_visible_to(user, workspace, *, deleted=False):
    """The documents of a workspace the user may see: those not deleted, or with
    `deleted` the deleted ones (leads only; empty for anyone else)."""
    from .models import Document

    documents = Document.objects.filter(workspace=workspace)
    if deleted:
        if not can_see_deleted_documents(user, workspace):
            return documents.none()
        return documents.filter(deleted_at__isnull=False)
    return documents.filter(deleted_at__isnull=True)


def access_document(user, workspace, document_id):
    """Return a document of `workspace` (seen through `access_workspace`) the user may
    see, with its workspace set, or raise Http404: missing, of another workspace, or
    deleted (leads still reach a deleted one, to restore it)."""
    from .models import Document

    document = Document.objects.filter(pk=document_id, workspace=workspace).first()
    if document is None:
        raise Http404("No such document.")
    if document.deleted_at is not None and not can_see_deleted_documents(
        user, workspace
    ):
        raise Http404("No such document.")
    document.workspace = workspace
    return document


def access_document_version(user, document, number):
    """Return version `number` of a document the user may see, or raise Http404."""
    from .models import DocumentVersion

    version = DocumentVersion.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.document = document
    return version


require_upload_document = community_permissions.requirement(
    can_upload_document,
    gettext_lazy(
        "Only the workspace's leads and members can upload documents, and not once "
        "it is archived."
    ),
)
require_download_document = community_permissions.requirement(
    can_download_document,
    gettext_lazy("You may not download this document."),
)
require_version_document = community_permissions.requirement(
    can_version_document,
    gettext_lazy(
        "Only the workspace's leads and members can upload new versions, and not of "
        "a deleted document or once the workspace is archived."
    ),
)
require_delete_document = community_permissions.requirement(
    can_delete_document,
    gettext_lazy("Only the workspace's leads can delete documents."),
)
require_restore_document = community_permissions.requirement(
    can_restore_document,
    gettext_lazy("Only the workspace's leads can restore deleted documents."),
)
require_see_document_downloads = community_permissions.requirement(
    can_see_document_downloads,
    gettext_lazy("Only the workspace's leads can see who downloaded its documents."),
)
require_comment_document = community_permissions.requirement(
    can_comment_document,
    gettext_lazy(
        "Only the workspace's participants can discuss its documents, and not once "
        "it is archived."
    ),
)


# --- workspaces, people and invitations -------------------------------------------------

ARCHIVED_REFUSAL = gettext_lazy(
    "This workspace is archived: it is read-only until a lead restores it."
)
LAST_LEAD_REFUSAL = gettext_lazy(
    "You are the workspace's only lead: make another participant a lead first."
)


def can_create_workspace(user):
    """Verified people who belong to an organisation (an active affiliation with the
    organisation shown next to their name) open workspaces; it becomes the lead
    partner."""
    return bool(
        is_verified(user)
        and user.organisation_id is not None
        and is_organisation_member(user, user.organisation)
    )


def _lead_count(workspace):
    return remembered(
        ("leads", workspace.pk),
        lambda: Participant.objects.filter(
            workspace_id=workspace.pk, role=Role.LEAD
        ).count(),
    )


def is_last_lead(user, workspace):
    """The one last-lead rule: the only lead can neither leave nor be demoted."""
    return is_lead(user, workspace) and _lead_count(workspace) <= 1


def can_leave_workspace(user, workspace):
    """Participants leave (not the last lead, not while archived)."""
    return (
        is_participant(user, workspace)
        and not workspace.is_archived
        and not is_last_lead(user, workspace)
    )


def must_name_lead_before_leaving(user, workspace):
    """The only lead of a workspace that is not archived is told to name another lead
    before leaving."""
    return not workspace.is_archived and is_last_lead(user, workspace)


def can_archive_workspace(user, workspace):
    return can_manage_workspace(user, workspace)


def can_restore_workspace(user, workspace):
    """Leads restore an archived workspace."""
    return is_lead(user, workspace) and workspace.is_archived


def can_change_participant(user, participant):
    """Leads change the role of, or remove, another participant (themselves: leave)."""
    return (
        can_manage_workspace(user, participant.workspace)
        and participant.user_id != user.pk
    )


def can_change_own_role(user, participant):
    """A lead may step down to member or guest while another lead remains."""
    return (
        participant.user_id == user.pk
        and can_manage_workspace(user, participant.workspace)
        and not is_last_lead(user, participant.workspace)
    )


def can_invite(user, workspace):
    return can_manage_workspace(user, workspace)


def _invitation_open(invitation):
    return (
        invitation.state == Invitation.State.PENDING
        and invitation.expires_at > timezone.now()
        and not invitation.workspace.is_archived
    )


def is_invitee(user, invitation):
    """The person an invitation names: by account, or by a verified e-mail address."""
    if not user.is_authenticated:
        return False
    if invitation.invitee_id is not None:
        return invitation.invitee_id == user.pk

    def load():
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(
            user=user, email__iexact=invitation.email, verified=True
        ).exists()

    return remembered(("invited_address", user.pk, invitation.pk), load)


def _organisation_is_partner(invitation):
    return Partner.objects.filter(
        workspace_id=invitation.workspace_id, organisation_id=invitation.organisation_id
    ).exists()


def needs_organisation_consent(invitation):
    """A new partner organisation joins only with its own consent (an admin's)."""
    return invitation.organisation_accepted_at is None and not _organisation_is_partner(
        invitation
    )


def can_answer_invitation(user, invitation):
    """The invitee accepts or declines an open invitation."""
    return _invitation_open(invitation) and is_invitee(user, invitation)


def can_consent_for_organisation(user, invitation):
    """An admin of the invited organisation accepts (or refuses) for it while the
    invitation is open and the organisation is not yet a partner."""
    return (
        _invitation_open(invitation)
        and is_organisation_admin(user, invitation.organisation)
        and needs_organisation_consent(invitation)
    )


def can_revoke_invitation(user, invitation):
    return invitation.state == Invitation.State.PENDING and can_manage_workspace(
        user, invitation.workspace
    )


def access_participant(user, workspace, participant_id):
    """A participant of `workspace` (visible to the user), or Http404."""
    participant = (
        Participant.objects.select_related("user__organisation", "organisation")
        .filter(pk=participant_id, workspace=workspace)
        .first()
    )
    if participant is None:
        raise Http404("No such participant.")
    participant.workspace = workspace
    return participant


def access_partner(user, workspace, partner_id):
    partner = (
        Partner.objects.select_related("organisation")
        .filter(pk=partner_id, workspace=workspace)
        .first()
    )
    if partner is None:
        raise Http404("No such partner.")
    partner.workspace = workspace
    return partner


def access_invitation(user, workspace, invitation_id):
    """An invitation of `workspace` for its leads (Http404 for everyone else)."""
    if not is_lead(user, workspace):
        raise Http404("No such invitation.")
    invitation = (
        Invitation.objects.select_related("organisation", "invitee")
        .filter(pk=invitation_id, workspace=workspace)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    invitation.workspace = workspace
    return invitation


def invitation_by_id(invitation_id):
    """The invitation a verified token names (the token is the proof), or Http404."""
    invitation = (
        Invitation.objects.select_related(
            "workspace", "organisation", "invitee", "invited_by"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def invitations_for_consent(user, queryset=None):
    """Open invitations the user may accept for their organisation (they are its
    admin) whose organisation is not yet a partner."""
    queryset = Invitation.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    administered = Affiliation.objects.filter(
        user=user, role=Affiliation.Role.ADMIN, state=Affiliation.State.ACTIVE
    ).values("organisation_id")
    partner = Partner.objects.filter(
        workspace=OuterRef("workspace"), organisation=OuterRef("organisation")
    )
    return queryset.filter(
        organisation_id__in=administered,
        state=Invitation.State.PENDING,
        expires_at__gt=timezone.now(),
        workspace__archived_at__isnull=True,
        organisation_accepted_at__isnull=True,
    ).exclude(Exists(partner))


require_create_workspace = community_permissions.requirement(
    can_create_workspace,
    gettext_lazy(
        "Confirm your e-mail address and join an organisation before opening a workspace."
    ),
)
require_invite = require_manage_workspace
require_change_participant = community_permissions.requirement(
    can_change_participant,
    gettext_lazy("Only the workspace's leads change other people's roles."),
)
require_archive_workspace = community_permissions.requirement(
    can_archive_workspace,
    gettext_lazy("Only the workspace's leads archive it."),
)
require_restore_workspace = community_permissions.requirement(
    can_restore_workspace,
    gettext_lazy("Only the workspace's leads restore it, once archived."),
)
require_answer_invitation = community_permissions.requirement(
    can_answer_invitation,
    gettext_lazy("This invitation was sent to someone else, or is no longer open."),
)
require_consent_for_organisation = community_permissions.requirement(
    can_consent_for_organisation,
    gettext_lazy(
        "Only an administrator of the invited organisation can accept for it, "
        "while the invitation is open."
    ),
)
require_revoke_invitation = community_permissions.requirement(
    can_revoke_invitation,
    gettext_lazy("Only the workspace's leads revoke invitations still waiting."),
)


def require_leave_workspace(user, workspace):
    """PermissionDenied for people who are not participants or an archived
    workspace; ValidationError for the last lead (they can name another lead)."""
    community_permissions.require(
        is_participant(user, workspace),
        gettext_lazy("You are not a participant of this workspace."),
    )
    community_permissions.require(not workspace.is_archived, ARCHIVED_REFUSAL)
    if is_last_lead(user, workspace):
        raise ValidationError(str(LAST_LEAD_REFUSAL), code="last_lead")


# --- the discussion: read-only while archived -------------------------------------------


def discussion_read_only_refusal(community):
    """Registered with community permissions for communities of kind workspace: the
    refusal while the community's workspace is archived, else None."""

    def load():
        return Workspace.objects.filter(
            community_id=community.pk, archived_at__isnull=False
        ).exists()

    archived = remembered(("workspace_archived", community.pk), load)
    return str(ARCHIVED_REFUSAL) if archived else None


def workspace_changed(workspace):
    """Forget what the scope knows of `workspace`'s state (archived or not)."""
    community_permissions.forget(("workspace_archived", workspace.community_id))


# --- tasks and milestones ---------------------------------------------------------------
# Leads and members change tasks and milestones (`require_contribute`); guests and
# staff read them.


def workspaces_participated_by(user, queryset=None):
    """Workspaces the user takes part in now (staff's view of every workspace aside):
    "My workspaces" and "my tasks" list only these."""
    queryset = Workspace.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(participants__user=user)


def access_task(user, workspace, task_id):
    """Return a task of `workspace` (which the caller already accessed) or raise
    Http404: a task id of another workspace is as missing as one that never was."""
    from .models import Task

    task = (
        Task.objects.select_related("assignee", "milestone", "thread__community")
        .filter(pk=task_id, workspace=workspace)
        .first()
    )
    if task is None or not can_see_workspace(user, workspace):
        raise Http404("No such task.")
    return task


def access_milestone(user, workspace, milestone_id):
    """Return a milestone of `workspace` or raise Http404."""
    from .models import Milestone

    milestone = Milestone.objects.filter(pk=milestone_id, workspace=workspace).first()
    if milestone is None or not can_see_workspace(user, workspace):
        raise Http404("No such milestone.")
    return milestone


def can_be_assigned(user, workspace):
    """Only the workspace's participants can be given its tasks."""
    return user is not None and is_participant(user, workspace)


def can_discuss_task(user, workspace):
    """May the user open a task's discussion thread? Every participant (guests
    comment too) of a workspace that is not archived; staff read only."""
    return is_participant(user, workspace) and not workspace.is_archived


require_discuss_task = community_permissions.requirement(
    can_discuss_task,
    gettext_lazy(
        "Only the workspace's participants can discuss its tasks, and not once it is "
        "archived."
    ),
)


# --- export ---------------------------------------------------------------------------


def can_export_workspace(user, workspace):
    """Leads export a workspace, archived ones included (that is when it matters)."""
    return is_lead(user, workspace)


require_export_workspace = community_permissions.requirement(
    can_export_workspace,
    gettext_lazy("Only the workspace's leads can export it and download its exports."),
)


def access_export(user, workspace, export_id):
    """Return an export of `workspace` for one of its leads; Http404 when missing,
    PermissionDenied for the other people who see the workspace."""
    from .models import WorkspaceExport

    export = WorkspaceExport.objects.filter(pk=export_id, workspace=workspace).first()
    if export is None or not can_see_workspace(user, workspace):
        raise Http404("No such export.")
    require_export_workspace(user, workspace)
    return export


# --- activity -------------------------------------------------------------------------

# Events of the workspace stream the activity feed never shows (their pages refresh
# on them: invitations being answered, a preview drawn).
ACTIVITY_HIDDEN_FROM_EVERYONE = frozenset(
    {
        "invitation.created",
        "invitation.accepted_by_invitee",
        "invitation.organisation_accepted",
        "invitation.declined",
        "invitation.revoked",
        "document.preview_ready",
    }
)
# Events only the leads' feed shows (what only leads may do).
ACTIVITY_FOR_LEADS = frozenset({"export.requested"})


def is_leads_fact(event_type):
    """Is an event of the workspace's stream a fact only its leads see on a page?
    Invitations (the People page lists pending ones to leads only) and export
    requests (the leads' activity only)."""
    return event_type.startswith("invitation.") or event_type in ACTIVITY_FOR_LEADS


def sees_leads_facts(user, workspace):
    """May the user receive the leads-only events of the workspace's stream
    (`is_leads_fact`)? Its leads; staff and everyone else get their place only."""
    return is_lead(user, workspace)


def activity_hidden_from(user, workspace):
    """The event types the user's activity feed of `workspace` leaves out."""
    if is_lead(user, workspace):
        return ACTIVITY_HIDDEN_FROM_EVERYONE
    return ACTIVITY_HIDDEN_FROM_EVERYONE | ACTIVITY_FOR_LEADS
