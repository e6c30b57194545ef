"""Recording how a deal born from the funnel ended."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from workspaces.services import workspaces as workspace_services

from .. import permissions
from ..models import Outcome


def outcome_record(*, actor, workspace, result, value_band=""):
    """Record the result of a workspace opened from a challenge or an offer, and
    archive it (if a lead has not already). Leads only, once; raises PermissionDenied
    otherwise and ValidationError for a result or value outside the lists."""
    permissions.require_record_outcome(actor, workspace)
    if result not in Outcome.Result.values:
        raise ValidationError({"result": _("Choose one of the results listed.")})
    if value_band not in Outcome.ValueBand.values:
        raise ValidationError({"value_band": _("Choose one of the values listed.")})
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                workspace=workspace,
                result=result,
                value_band=value_band if result != Outcome.Result.NO_AGREEMENT else "",
                recorded_by=actor,
            )
            if not workspace.is_archived:
                workspace_services.workspace_archive(actor=actor, workspace=workspace)
    except IntegrityError as error:
        raise ValidationError(
            _("The outcome of this workspace was just recorded by another lead.")
        ) from error
    return outcome
