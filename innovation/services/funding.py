"""Funding calls: the desk publishes, edits and withdraws them; the ranking of the calls
that fit an organisation ("suggested for your organisation")."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record

from .. import permissions
from ..models import FundingCall

FIELDS = ("title", "body", "deadline", "eligible_kinds", "sectors", "link")


def _stream(call):
    return f"fundingcall:{call.pk}"


def _save(call, data, tags):
    for name in FIELDS:
        setattr(call, name, data[name])
    try:
        call.full_clean(exclude=["published_by"])  # kept when its author is gone
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    call.save()
    call.tags.set(list(tags or ()), clear=True)


def funding_call_publish(*, actor, data, tags=()):
    """Publish a funding call from `data` (title, body, deadline, eligible_kinds,
    sectors, link) and `tags`; return it. Facilitators only (PermissionDenied);
    ValidationError per field. Emits `fundingcall.published`."""
    permissions.require_facilitator(actor)
    with transaction.atomic():
        call = FundingCall(published_by=actor)
        _save(call, data, tags)
        event_record(
            stream=_stream(call),
            type="fundingcall.published",
            payload={"id": call.pk},
            actor=actor,
        )
    return call


def funding_call_update(*, actor, call, data, tags=()):
    """Edit a funding call. Facilitators only. Emits `fundingcall.updated`."""
    permissions.require_facilitator(actor)
    with transaction.atomic():
        call = FundingCall.objects.select_for_update().get(pk=call.pk)
        _save(call, data, tags)
        event_record(
            stream=_stream(call),
            type="fundingcall.updated",
            payload={"id": call.pk},
            actor=actor,
        )
    return call


def funding_call_withdraw(*, actor, call):
    """Withdraw a funding call (gone from the public list and search). Facilitators
    only. Emits `fundingcall.withdrawn`."""
    permissions.require_facilitator(actor)
    with transaction.atomic():
        call = FundingCall.objects.select_for_update().get(pk=call.pk)
        if call.status == FundingCall.Status.WITHDRAWN:
            raise ValidationError(_("This call is already withdrawn."))
        call.status = FundingCall.Status.WITHDRAWN
        call.save(update_fields=["status", "updated_at"])
        event_record(
            stream=_stream(call),
            type="fundingcall.withdrawn",
            payload={"id": call.pk},
            actor=actor,
        )
    return call


# --- suggestions ---------------------------------------------------------------------------


@dataclass
class Suggestion:
    call: FundingCall
    score: int
    sectors: list  # the shared sector labels
    tags: list  # the shared tag names

    @property
    def reasons(self):
        return self.sectors + self.tags


def _organisation_terms(organisation):
    names = {t.name.lower() for t in organisation.competences.all()}
    names |= {t.name.lower() for t in organisation.interests.all()}
    sector = (organisation.sector or "").lower()
    return names, sector


def funding_calls_suggested(organisation, *, limit=5, today=None):
    """The open published calls whose eligible kinds include `organisation`'s kind,
    ranked by shared sectors (a sector label or code in the organisation's sector
    field, or a sector named among its tags) and shared tags with its competences and
    interests; each with its reasons. Calls sharing nothing are left out. Used by the
    funding-call list and by the match suggestions."""
    from ..models import DismissedSuggestion, Sector

    today = today or timezone.localdate()
    names, sector_text = _organisation_terms(organisation)
    dismissed = DismissedSuggestion.objects.filter(
        organisation=organisation, kind=DismissedSuggestion.Kind.FUNDING_CALL
    ).values_list("object_id", flat=True)
    calls = (
        FundingCall.objects.filter(
            status=FundingCall.Status.PUBLISHED,
            deadline__gte=today,
            eligible_kinds__contains=f",{organisation.kind},",
        )
        .exclude(pk__in=dismissed)
        .prefetch_related("tags")
    )
    labels = dict(Sector.choices)
    # A code names the sector only as a whole word ("ict", not "district").
    sector_words = set(re.split(r"[^a-z_]+", sector_text))
    suggestions = []
    for call in calls:
        shared_sectors = [
            str(labels[code])
            for code in call.sectors
            if code in labels
            and (
                code in sector_words
                or str(labels[code]).lower() in sector_text
                or str(labels[code]).lower() in names
            )
        ]
        shared_tags = [tag.name for tag in call.tags.all() if tag.name.lower() in names]
        score = 2 * len(shared_sectors) + len(shared_tags)
        if score:
            suggestions.append(Suggestion(call, score, shared_sectors, shared_tags))
    suggestions.sort(key=lambda s: (-s.score, s.call.deadline, s.call.pk))
    return suggestions[:limit]
