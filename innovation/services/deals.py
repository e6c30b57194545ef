"""Opening the partners' workspace when an interest is accepted (minimal stand-in:
helper C's `deals` module replaces this one at the merge)."""

from django.db import transaction

from workspaces.models import Workspace
from workspaces.services import workspaces as workspace_services

# The offer's cooperation types as a workspace's collaboration type.
_WORKSPACE_TYPES = {
    "licence": Workspace.CollaborationType.LICENSING,
    "joint_development": Workspace.CollaborationType.RD_CONTRACT,
    "rd_contract": Workspace.CollaborationType.RD_CONTRACT,
    "spin_off": Workspace.CollaborationType.SPIN_OFF,
    "supply": Workspace.CollaborationType.CONSORTIUM,
    "joint_venture": Workspace.CollaborationType.JOINT_VENTURE,
}


def deal_open(*, actor, interest):
    """Open the workspace of an accepted interest, led by the offer's organisation,
    and link it to the interest; return it."""
    with transaction.atomic():
        workspace = workspace_services.workspace_create(
            actor=actor,
            name=str(interest.offer.title)[:120],
            collaboration_type=_WORKSPACE_TYPES.get(
                interest.collaboration_type, Workspace.CollaborationType.LICENSING
            ),
        )
        interest.workspace = workspace
        interest.save(update_fields=["workspace", "updated_at"])
    return workspace
