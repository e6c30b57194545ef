"""Write services for technology offers: drafts, edits, validation, publication,
renewal, withdrawal and the expiry notices.

Events go to the offer's stream (`offer:<id>`) with ids and plain facts only (no title,
summary or details): the notification subscriber tells the people concerned."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record
from live.models import Event

from .. import permissions
from ..models import TechnologyOffer

__all__ = [
    "EXPIRY_NOTICE_DAYS",
    "offer_create",
    "offer_edit",
    "offer_lifetime",
    "offer_renew",
    "offer_submit",
    "offer_withdraw",
    "offers_expiry_notify",
]

Status = TechnologyOffer.Status
IpStatus = TechnologyOffer.IpStatus

# Owners are told this many days before their offer expires (and once it expired).
EXPIRY_NOTICE_DAYS = 14
# The fields a draft's form edits.
EDITABLE = (
    "title",
    "summary",
    "details",
    "trl",
    "ip_status",
    "patent_number",
    "licensing_terms",
    "collaboration_types",
    "sectors",
    "nda_text",
)
# IP statuses that name a patent or an application by its number.
NUMBERED_IP = (IpStatus.GRANTED_PATENT, IpStatus.PENDING_APPLICATION)


def offer_lifetime():
    """How long a published or renewed offer stays listed (setting
    `OFFER_LIFETIME_DAYS`, default 365)."""
    return timedelta(days=settings.OFFER_LIFETIME_DAYS)


def _stream(offer):
    return f"offer:{int(offer.pk)}"


def _record(offer, type, actor, **facts):
    event_record(
        stream=_stream(offer),
        type=type,
        payload={"offer": offer.pk, "organisation": offer.organisation_id, **facts},
        actor=actor,
    )


def _clean(offer):
    """Validate the offer's fields; a granted patent or a pending application needs
    its number, other statuses keep none."""
    offer.title = (offer.title or "").strip()
    offer.summary = (offer.summary or "").strip()
    offer.patent_number = (offer.patent_number or "").strip()
    errors = {}
    if offer.ip_status in NUMBERED_IP and not offer.patent_number:
        errors["patent_number"] = [
            _(
                "Give the patent or application number of a patent or a pending application."
            )
        ]
    if offer.ip_status not in NUMBERED_IP:
        offer.patent_number = ""
    try:
        offer.full_clean(
            exclude=["organisation", "created_by", "facilitator", "validated_by"]
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def offer_create(*, actor, tags=(), **fields):
    """Create a draft offer for the actor's organisation (they must act for one).
    Raises PermissionDenied or ValidationError (by field)."""
    permissions.require_create_offer(actor)
    offer = TechnologyOffer(
        organisation=permissions.acting_organisation(actor),
        created_by=actor,
        status=Status.DRAFT,
        **{name: value for name, value in fields.items() if name in EDITABLE},
    )
    _clean(offer)
    with transaction.atomic():
        offer.save()
        offer.tags.set(list(tags))
        _record(offer, "offer.created", actor)
    return offer


def offer_edit(*, actor, offer, tags=None, **fields):
    """Change a draft's fields (the owner's people; its facilitator). Raises
    PermissionDenied or ValidationError."""
    permissions.require_edit_offer(actor, offer)
    for name, value in fields.items():
        if name in EDITABLE:
            setattr(offer, name, value)
    _clean(offer)
    with transaction.atomic():
        offer.save()
        if tags is not None:
            offer.tags.set(list(tags))
    return offer


def offer_submit(*, actor, offer):
    """Send a draft to the innovation desk's validation queue (the owner's people)."""
    permissions.require_submit_offer(actor, offer)
    with transaction.atomic():
        offer.status = Status.IN_VALIDATION
        offer.refusal_reason = ""
        offer.save(update_fields=["status", "refusal_reason", "updated_at"])
        _record(offer, "offer.submitted", actor)
    return offer


def offer_renew(*, actor, offer):
    """Move a published offer's expiry to now + `OFFER_LIFETIME_DAYS` (the owner's
    people, once expired or within 30 days of expiry): it is listed again."""
    permissions.require_renew_offer(actor, offer)
    with transaction.atomic():
        offer.expires_at = timezone.now() + offer_lifetime()
        offer.save(update_fields=["expires_at", "updated_at"])
        _record(offer, "offer.renewed", actor, expires_at=offer.expires_at.isoformat())
    return offer


def offer_withdraw(*, actor, offer):
    """Take an offer off the site for good (the owner's people)."""
    permissions.require_withdraw_offer(actor, offer)
    with transaction.atomic():
        offer.status = Status.WITHDRAWN
        offer.save(update_fields=["status", "updated_at"])
        _record(offer, "offer.withdrawn", actor)
    return offer


def offers_expiry_notify(*, now=None):
    """Record `offer.expiring` for each published offer expiring within
    EXPIRY_NOTICE_DAYS and `offer.expired` for each expired one, once per offer and
    expiry date (a renewed offer is told again at its new date). The notification
    subscriber tells the owner's people. Returns how many events were recorded."""
    now = now or timezone.now()
    offers = TechnologyOffer.objects.filter(
        status=Status.PUBLISHED,
        expires_at__isnull=False,
        expires_at__lte=now + timedelta(days=EXPIRY_NOTICE_DAYS),
    ).order_by("pk")
    due = []
    for offer in offers:
        type = "offer.expired" if offer.expires_at <= now else "offer.expiring"
        due.append((offer, type, offer.expires_at.isoformat()))
    if not due:
        return 0
    told = {
        (stream, type, (payload or {}).get("expires_at"))
        for stream, type, payload in Event.objects.filter(
            stream__in=[_stream(offer) for offer, _t, _e in due],
            type__in=("offer.expiring", "offer.expired"),
        ).values_list("stream", "type", "payload")
    }
    recorded = 0
    for offer, type, expires in due:
        if (_stream(offer), type, expires) in told:
            continue
        with transaction.atomic():
            _record(offer, type, None, expires_at=expires)
        recorded += 1
    return recorded
