"""Who sees the funnel's figures and who records a deal's outcome."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from community import permissions as community_permissions
from workspaces import permissions as workspace_permissions

from ..models import ExpressionOfInterest, Facilitator, Outcome, Proposal


def is_desk(user):
    """Site staff and active facilitators of the innovation desk."""
    if not user.is_authenticated:
        return False
    if community_permissions.is_site_staff(user):
        return True
    return Facilitator.objects.filter(person=user, is_active=True).exists()


def can_see_regional_dashboard(user):
    return is_desk(user)


def require_regional_dashboard(user):
    if not can_see_regional_dashboard(user):
        raise PermissionDenied(
            _("The regional dashboard is for the innovation desk and site staff.")
        )


def acting_organisation(user):
    """The organisation `user` acts for (an active affiliation), or None."""
    if not user.is_authenticated or user.organisation_id is None:
        return None
    if not community_permissions.is_organisation_member(user, user.organisation):
        return None
    return user.organisation


def funnel_origin(workspace):
    """The accepted proposal or expression of interest `workspace` was opened for, or
    None for a workspace opened by hand."""
    proposal = Proposal.objects.filter(workspace=workspace).first()
    if proposal is not None:
        return proposal
    return ExpressionOfInterest.objects.filter(workspace=workspace).first()


def can_record_outcome(user, workspace):
    """A lead of a workspace born from the funnel, once (the outcome is final)."""
    return (
        workspace_permissions.is_lead(user, workspace)
        and funnel_origin(workspace) is not None
        and not Outcome.objects.filter(workspace=workspace).exists()
    )


def require_record_outcome(user, workspace):
    if not workspace_permissions.is_lead(user, workspace):
        raise PermissionDenied(_("Only the workspace's leads record its outcome."))
    if funnel_origin(workspace) is None:
        raise PermissionDenied(
            _("This workspace was not opened from a challenge or a technology offer.")
        )
    if Outcome.objects.filter(workspace=workspace).exists():
        raise PermissionDenied(_("The outcome of this workspace is already recorded."))
