"""Write services for expressions of interest: sending one about an offer, withdrawing
it, and the owner's decisions (under review, declined, accepted), each recorded as a
StatusChange with its message; acceptance opens the partners' workspace
(`deals.deal_open`)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from live.events import event_record

from .. import permissions
from ..models import ExpressionOfInterest, StatusChange
from . import deals

__all__ = [
    "interest_accept",
    "interest_decline",
    "interest_review",
    "interest_send",
    "interest_withdraw",
]

EoiStatus = ExpressionOfInterest.Status
MESSAGE_MAX_LENGTH = StatusChange._meta.get_field("message").max_length


def _record(interest, type, actor):
    """An event on the offer's stream: ids and the status only (no answers, no
    message), for the notification subscriber."""
    event_record(
        stream=f"offer:{int(interest.offer_id)}",
        type=type,
        payload={
            "offer": interest.offer_id,
            "interest": interest.pk,
            "organisation": interest.organisation_id,
            "status": interest.status,
        },
        actor=actor,
    )


def _clean_message(message):
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": _("The message is too long: at most %(limit)d characters.")
                % {"limit": MESSAGE_MAX_LENGTH}
            }
        )
    return message


def interest_send(
    *, actor, offer, who_we_are, intended_use, cooperation, collaboration_type
):
    """Send the actor's organisation's interest in a live offer (once per
    organisation): the three partnering questions and a cooperation type. Raises
    PermissionDenied or ValidationError (by field). Emits `interest.sent`."""
    permissions.require_send_interest(actor, offer)
    interest = ExpressionOfInterest(
        offer=offer,
        organisation=permissions.acting_organisation(actor),
        created_by=actor,
        who_we_are=(who_we_are or "").strip(),
        intended_use=(intended_use or "").strip(),
        cooperation=(cooperation or "").strip(),
        collaboration_type=collaboration_type or "",
    )
    interest.full_clean(exclude=["offer", "organisation", "created_by", "workspace"])
    try:
        with transaction.atomic():
            interest.save()
            StatusChange.objects.create(
                interest=interest, status=EoiStatus.SENT, actor=actor
            )
            _record(interest, "interest.sent", actor)
    except IntegrityError:
        # Two people of one organisation sent at once: the first one stands.
        raise ValidationError(
            _("Your organisation has already expressed interest in this offer.")
        ) from None
    return interest


def _move(interest, *, actor, status, message=""):
    interest.status = status
    interest.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        interest=interest, status=status, message=message, actor=actor
    )
    _record(interest, "interest.status", actor)


def interest_withdraw(*, actor, interest):
    """The sender's people withdraw an interest not yet decided."""
    permissions.require_withdraw_interest(actor, interest)
    with transaction.atomic():
        _move(interest, actor=actor, status=EoiStatus.WITHDRAWN)
    return interest


def interest_review(*, actor, interest, message=""):
    """Mark a sent interest as under review (owner organisation admins)."""
    permissions.require_decide_interest(actor, interest)
    message = _clean_message(message)
    if interest.status == EoiStatus.UNDER_REVIEW:
        raise ValidationError(_("This interest is already under review."))
    with transaction.atomic():
        _move(interest, actor=actor, status=EoiStatus.UNDER_REVIEW, message=message)
    return interest


def interest_decline(*, actor, interest, message=""):
    """Decline an interest with a message (owner organisation admins)."""
    permissions.require_decide_interest(actor, interest)
    message = _clean_message(message)
    with transaction.atomic():
        _move(interest, actor=actor, status=EoiStatus.DECLINED, message=message)
    return interest


def interest_accept(*, actor, interest, message=""):
    """Accept an interest with a message (owner organisation admins): the sender's
    organisation reaches the offer's details, and `deals.deal_open` opens the
    workspace of both organisations in the same transaction."""
    permissions.require_decide_interest(actor, interest)
    message = _clean_message(message)
    with transaction.atomic():
        _move(interest, actor=actor, status=EoiStatus.ACCEPTED, message=message)
        deals.deal_open(actor=actor, interest=interest)
    return interest
