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

from django.http import Http404
from django.utils.translation import gettext_lazy

from community import permissions as community_permissions
from community.permissions import is_site_staff, remembered

from .models import Participant, Workspace

Role = Participant.Role


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
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(participants__user=user)


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
    gettext_lazy("Only the workspace's leads can do this, and not once it is archived."),
)


# --- tasks and milestones ---------------------------------------------------------------
# Leads and members change tasks and milestones (`require_contribute`); guests and
# staff read them.


def workspaces_participated_by(user, queryset=None):
    """Workspaces the user takes part in now (staff's view of every workspace aside):
    "my tasks" lists only these."""
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
