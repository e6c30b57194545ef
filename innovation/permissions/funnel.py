"""Who sees the funnel's figures and who records a deal's outcome."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from community import permissions as community_permissions
from community.models import Affiliation
from workspaces import permissions as workspace_permissions

from ..models import ExpressionOfInterest, Outcome, Proposal
from .desk import is_facilitator


def can_see_regional_dashboard(user):
    return is_facilitator(user)


def require_regional_dashboard(user):
    if not can_see_regional_dashboard(user):
        raise PermissionDenied(
            _("The regional dashboard is for the innovation desk and site staff.")
        )


def acting_organisation(user):
    """The organisation `user` acts for (their one active affiliation) or None; read
    once per request or socket operation (community's decision scope)."""
    if not user.is_authenticated:
        return None

    def load():
        affiliation = (
            Affiliation.objects.select_related("organisation")
            .filter(user_id=user.pk, state=Affiliation.State.ACTIVE)
            .first()
        )
        return affiliation.organisation if affiliation else None

    return community_permissions._remembered(("innovation-organisation", user.pk), load)


def funnel_origin(workspace):
    """The accepted proposal or expression of interest `workspace` was opened for, or
    None for a workspace opened by hand."""
    proposal = Proposal.objects.filter(workspace=workspace).first()
    if proposal is not None:
        return proposal
    return ExpressionOfInterest.objects.filter(workspace=workspace).first()


def may_record_outcome(user, workspace, *, from_funnel, recorded):
    """The rule, for a caller that already knows whether `workspace` was opened by
    the funnel and whether its outcome is recorded: its leads, once."""
    return from_funnel and not recorded and workspace_permissions.is_lead(user, workspace)


def require_record_outcome(user, workspace):
    if not workspace_permissions.is_lead(user, workspace):
        raise PermissionDenied(_("Only the workspace's leads record its outcome."))
    if funnel_origin(workspace) is None:
        raise PermissionDenied(
            _("This workspace was not opened from a challenge or a technology offer.")
        )
    if Outcome.objects.filter(workspace=workspace).exists():
        raise PermissionDenied(_("The outcome of this workspace is already recorded."))
