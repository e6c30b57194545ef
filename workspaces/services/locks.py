"""What the workspace write services share: the workspace row lock and recording an
event on the workspace's stream."""

from live.events import event_record

from .. import permissions
from ..models import Workspace


def workspace_locked(workspace):
    """Lock the workspace's row for this transaction and return it as committed now.

    Every change that depends on the workspace's state takes it first: two leads
    stepping down at once cannot leave it without one, concurrent task moves
    renumber one at a time, and an archive waits for the writes in flight (or they
    wait for it, then see it archived)."""
    return Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def workspace_locked_for(actor, workspace, require):
    """Lock the workspace's row and check `require(actor, row)` again on the rows as
    the database has them now (`permissions.fresh()`): a workspace archived, or a
    participant removed, after the view loaded them refuses here. Return the row."""
    row = workspace_locked(workspace)
    with permissions.fresh():
        require(actor, row)
    return row


def workspace_event_record(workspace, type, payload, actor):
    """Record `type` on the workspace's stream, inside the writing transaction."""
    event_record(stream=workspace.stream, type=type, payload=payload, actor=actor)
