"""Write services for workspaces: open one, move it along the stage pipeline, archive
and restore it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Community
from community.services import communities, rooms, threads
from live.catchup import stream_head
from live.events import event_record

from .. import payloads, permissions
from ..models import Participant, Partner, StageChange, Workspace
from .locks import workspace_locked, workspace_locked_for
from .people import participant_add

__all__ = [
    "workspace_archive",
    "workspace_create",
    "workspace_mark_seen",
    "workspace_restore",
    "workspace_set_stage",
]

DEFAULT_ROOM = "general"


def _clean(name, description, collaboration_type, stage):
    errors = {}
    name = " ".join((name or "").split())
    description = (description or "").replace("\r\n", "\n").strip()
    if not name:
        errors["name"] = [_("Give the workspace a name.")]
    elif len(name) > Workspace._meta.get_field("name").max_length:
        errors["name"] = [
            _("The name is too long: at most %(limit)d characters.")
            % {"limit": Workspace._meta.get_field("name").max_length}
        ]
    if len(description) > Workspace._meta.get_field("description").max_length:
        errors["description"] = [
            _("The description is too long: at most %(limit)d characters.")
            % {"limit": Workspace._meta.get_field("description").max_length}
        ]
    if collaboration_type not in Workspace.CollaborationType.values:
        errors["collaboration_type"] = [_("Choose a type of collaboration.")]
    if stage not in Workspace.Stage.values:
        errors["stage"] = [_("Choose a stage.")]
    if errors:
        raise ValidationError(errors)
    return name, description


def workspace_create(
    *,
    actor,
    name,
    description="",
    collaboration_type,
    stage=Workspace.Stage.EXPLORATION,
    kickoff="",
):
    """Open a workspace; return it.

    Verified people with an organisation may call it (`permissions.
    can_create_workspace`), else PermissionDenied; ValidationError per field. Their
    organisation becomes the lead partner and they its first lead. Its discussion
    (a private community of kind workspace, the creator its owner) starts with a
    default room and a "Kick-off" thread. Emits `workspace.created` on the
    workspace's stream (and the discussion's own events).
    """
    permissions.require_create_workspace(actor)
    name, description = _clean(name, description, collaboration_type, stage)
    with transaction.atomic():
        community = communities.community_create(
            actor=actor,
            name=name,
            description=description,
            visibility=Community.Visibility.PRIVATE,
            kind=Community.Kind.WORKSPACE,
        )
        workspace = Workspace.objects.create(
            name=name,
            description=description,
            collaboration_type=collaboration_type,
            stage=stage,
            community=community,
            created_by=actor,
        )
        StageChange.objects.create(
            workspace=workspace, from_stage="", to_stage=stage, changed_by=actor
        )
        event_record(
            stream=workspace.stream,
            type="workspace.created",
            payload=payloads.workspace_data(workspace),
            actor=actor,
        )
        participant_add(
            actor=actor,
            workspace=workspace,
            user=actor,
            organisation=actor.organisation,
            role=permissions.Role.LEAD,
            partner_role=Partner.Role.LEAD,
            announce=False,
        )
        # The creator owns the discussion now (participant_add): they open its room
        # and its first thread through the community's own services.
        rooms.room_create(actor=actor, community=community, name=DEFAULT_ROOM)
        threads.thread_create(
            actor=actor,
            community=community,
            title=_("Kick-off"),
            body=kickoff.strip()
            or _(
                "Welcome to %(name)s. Introduce yourselves and agree on the first "
                "steps here."
            )
            % {"name": name},
        )
    return workspace


def workspace_set_stage(*, actor, workspace, stage):
    """Move the workspace to `stage` (any stage: deals go back too); recorded with
    who and when.

    Leads may call it, not once archived; PermissionDenied otherwise, ValidationError
    for an unknown stage. Emits `workspace.stage_changed` when the stage changes.
    """
    permissions.require_manage_workspace(actor, workspace)
    if stage not in Workspace.Stage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    with transaction.atomic():
        row = workspace_locked_for(actor, workspace, permissions.require_manage_workspace)
        if row.stage == stage:
            return row
        previous = row.stage
        row.stage = stage
        row.save(update_fields=["stage"])
        StageChange.objects.create(
            workspace=row, from_stage=previous, to_stage=stage, changed_by=actor
        )
        event_record(
            stream=row.stream,
            type="workspace.stage_changed",
            payload=payloads.stage_data(row, previous),
            actor=actor,
        )
    workspace.stage = stage
    return row


def workspace_archive(*, actor, workspace):
    """Archive the workspace: read-only for everyone (its discussion too) until a
    lead restores it.

    Leads may call it; PermissionDenied otherwise. Emits `workspace.archived`.
    """
    permissions.require_archive_workspace(actor, workspace)
    return _set_archived(actor, workspace, archived=True)


def workspace_restore(*, actor, workspace):
    """Make an archived workspace writable again.

    Leads may call it; PermissionDenied otherwise. Emits `workspace.restored`.
    """
    permissions.require_restore_workspace(actor, workspace)
    return _set_archived(actor, workspace, archived=False)


def _set_archived(actor, workspace, *, archived):
    with transaction.atomic():
        row = workspace_locked(workspace)
        if row.is_archived == archived:
            raise ValidationError(
                _("This workspace is already archived.")
                if archived
                else _("This workspace is not archived.")
            )
        row.archived_at = timezone.now() if archived else None
        row.archived_by = actor if archived else None
        row.save(update_fields=["archived_at", "archived_by"])
        permissions.workspace_changed(row)
        event_record(
            stream=row.stream,
            type="workspace.archived" if archived else "workspace.restored",
            payload=payloads.workspace_data(row),
            actor=actor,
        )
    workspace.archived_at = row.archived_at
    workspace.archived_by = row.archived_by
    return row


def workspace_mark_seen(*, actor, workspace):
    """Remember that the participant has seen the workspace's activity up to now
    (opening the dashboard is the read position, as opening a room is); nothing for
    people who are not participants (staff)."""
    if not actor.is_authenticated:
        return
    head = stream_head(workspace.stream)
    Participant.objects.filter(
        workspace=workspace, user=actor, last_seen_seq__lt=head
    ).update(last_seen_seq=head)
