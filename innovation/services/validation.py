"""The desk's validation of challenges and technology offers: publish or refuse with a
reason (the two transitions out of `in_validation`, for both models)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record

from .. import permissions
from ..models import Challenge
from .desk import _kind, _locked, _tell_organisation

DEFAULT_OFFER_LIFETIME_DAYS = 365


def _published_status(item):
    return (
        Challenge.Status.OPEN if isinstance(item, Challenge) else item.Status.PUBLISHED
    )


def _copy(row, item, fields):
    """The caller's object shows the change too (as the other services' objects do)."""
    for field in fields:
        setattr(item, field, getattr(row, field))


def item_publish(*, actor, item):
    """Approve a challenge or an offer waiting for validation: it is published (a
    challenge opens; an offer lives `settings.OFFER_LIFETIME_DAYS` days, 365 by
    default). Facilitators only, only `in_validation` (PermissionDenied). Emits
    `desk.approved` for the firm's people and `<kind>.published` on its stream."""
    permissions.require_validate(actor, item)
    with transaction.atomic():
        row = _locked(item)
        permissions.require_validate(actor, row)
        now = timezone.now()
        row.status = _published_status(row)
        row.published_at = now
        row.validated_by = actor
        row.refusal_reason = ""
        fields = [
            "status",
            "published_at",
            "validated_by",
            "refusal_reason",
            "updated_at",
        ]
        if not isinstance(row, Challenge):
            days = getattr(settings, "OFFER_LIFETIME_DAYS", DEFAULT_OFFER_LIFETIME_DAYS)
            row.expires_at = now + timedelta(days=days)
            fields.append("expires_at")
        row.save(update_fields=fields)
        _copy(row, item, fields)
        event_record(
            stream=row.stream,
            type=f"{_kind(row)}.published",
            payload={"id": row.pk},
            actor=actor,
        )
        _tell_organisation(row, "desk.approved", actor)
    return row


def item_refuse(*, actor, item, reason):
    """Send a challenge or an offer waiting for validation back to draft with
    `reason`, shown to the firm on its draft page. Facilitators only, only
    `in_validation` (PermissionDenied); ValidationError without a reason. Emits
    `desk.refused` for the firm's people and `<kind>.refused` on its stream."""
    permissions.require_validate(actor, item)
    reason = (reason or "").strip()
    limit = type(item)._meta.get_field("refusal_reason").max_length
    if not reason:
        raise ValidationError(
            {"reason": _("Say why it is refused: the firm reads it.")}
        )
    if len(reason) > limit:
        raise ValidationError(
            {
                "reason": _("The reason is too long: at most %(limit)d characters.")
                % {"limit": limit}
            }
        )
    with transaction.atomic():
        row = _locked(item)
        permissions.require_validate(actor, row)
        row.status = row.Status.DRAFT
        row.refusal_reason = reason
        row.validated_by = actor
        fields = ["status", "refusal_reason", "validated_by", "updated_at"]
        row.save(update_fields=fields)
        _copy(row, item, fields)
        # On its stream too: back to draft, it leaves the queue's readers' sight.
        event_record(
            stream=row.stream,
            type=f"{_kind(row)}.refused",
            payload={"id": row.pk, "status": row.status},
            actor=actor,
        )
        _tell_organisation(row, "desk.refused", actor)
    return row
