"""Dismissing a match suggestion ("not relevant") and taking the dismissal back. A
dismissal is the organisation's: the item is suggested to none of its people again,
and items sharing its rare tags rank lower (`innovation.matching`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.models import Organisation

from ..models import Challenge, DismissedSuggestion, FundingCall, TechnologyOffer
from ..permissions import can_dismiss_suggestion, require_suggestions_organisation

Kind = DismissedSuggestion.Kind


def _exists(kind, object_id):
    model = {
        Kind.CHALLENGE: Challenge,
        Kind.OFFER: TechnologyOffer,
        Kind.ORGANISATION: Organisation,
        Kind.FUNDING_CALL: FundingCall,
    }[kind]
    return model.objects.filter(pk=object_id).exists()


def _checked(kind, object_id):
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of suggestion."))
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown suggestion.")) from None
    if object_id <= 0 or not _exists(kind, object_id):
        raise ValidationError(_("This suggestion no longer exists."))
    return kind, object_id


def suggestion_dismiss(*, actor, kind, object_id):
    """Mark a suggestion "not relevant" for the actor's organisation (dismissing it
    twice changes nothing). Returns the dismissal."""
    organisation = require_suggestions_organisation(actor)
    if not can_dismiss_suggestion(actor, organisation):
        raise PermissionDenied(_("You may not do that."))
    kind, object_id = _checked(kind, object_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                dismissal, _created = DismissedSuggestion.objects.get_or_create(
                    organisation=organisation,
                    kind=kind,
                    object_id=object_id,
                    defaults={"dismissed_by": actor},
                )
        except IntegrityError:  # dismissed at the same moment by a colleague
            dismissal = DismissedSuggestion.objects.get(
                organisation=organisation, kind=kind, object_id=object_id
            )
    return dismissal


def suggestion_restore(*, actor, kind, object_id):
    """Take a dismissal back: the item may be suggested again. Returns whether one
    was removed."""
    organisation = require_suggestions_organisation(actor)
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of suggestion."))
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown suggestion.")) from None
    with transaction.atomic():
        deleted, _rows = DismissedSuggestion.objects.filter(
            organisation=organisation, kind=kind, object_id=object_id
        ).delete()
    return bool(deleted)
