"""Write services for proposals: a solver submits (with inspected attachments) or
withdraws one; the seeker shortlists, declines or accepts it with a message, reveals
its name to the solver, scores it on its criteria and keeps private notes."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from live.events import event_record
from workspaces import storage

from .. import permissions
from ..models import (
    ConfidentialDocument,
    Proposal,
    ProposalNote,
    ProposalScore,
    StatusChange,
)
from . import deals

__all__ = [
    "note_add",
    "proposal_accept",
    "proposal_decline",
    "proposal_reveal_seeker",
    "proposal_shortlist",
    "proposal_submit",
    "proposal_withdraw",
    "scores_set",
]

Status = Proposal.Status
# At most this many attachments per proposal.
MAX_ATTACHMENTS = 5


def _record(proposal, type, actor, **extra):
    """A proposal's step on its challenge's stream; ids only (no names, no texts)."""
    event_record(
        stream=proposal.challenge.stream,
        type=type,
        payload={
            "id": proposal.pk,
            "challenge": proposal.challenge_id,
            "organisation": proposal.organisation_id,
            "status": proposal.status,
            **extra,
        },
        actor=actor,
    )


def _inspected(uploads):
    """[(display name, inspection, upload)] or ValidationError naming each refusal."""
    uploads = [upload for upload in uploads or () if upload]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("Attach at most %(count)d files.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    items, errors = [], []
    for upload in uploads:
        name = storage.display_name_clean(getattr(upload, "name", ""))
        if upload.size > storage.upload_max_bytes():
            errors.append(storage.too_large_message(name))
            continue
        try:
            items.append((name, storage.file_inspect(upload, name), upload))
        except ValidationError as error:
            errors.extend(
                _("“%(name)s”: %(reason)s") % {"name": name, "reason": message}
                for message in error.messages
            )
    if errors:
        raise ValidationError({"attachments": errors})
    return items


def proposal_submit(*, actor, challenge, title, summary, attachments=()):
    """Send the actor's organisation's proposal to an open challenge; return it.

    PermissionDenied with the reason unless `permissions.can_submit_proposal`;
    ValidationError per field (attachments inspected by `workspaces.storage`).
    Records the first status change and emits `proposal.submitted` (the seeker's
    people are told).
    """
    permissions.require_submit_proposal(actor, challenge)
    proposal = Proposal(
        challenge=challenge,
        organisation=actor.organisation,
        created_by=actor,
        title=(title or "").strip(),
        summary=(summary or "").strip(),
    )
    proposal.full_clean(exclude=["challenge", "organisation", "created_by"])
    items = _inspected(attachments)
    stored = []
    try:
        with transaction.atomic():
            proposal.save()
            for name, inspection, upload in items:
                stored_name = storage.file_save(
                    f"innovation/proposals/{proposal.pk}/{uuid.uuid4().hex}", upload
                )
                stored.append(stored_name)
                ConfidentialDocument.objects.create(
                    proposal=proposal,
                    title=name,
                    file=stored_name,
                    original_name=name,
                    kind=inspection.kind,
                    size=upload.size,
                    sha256=storage.file_sha256(upload),
                    uploaded_by=actor,
                )
            StatusChange.objects.create(
                proposal=proposal, status=Status.SUBMITTED, actor=actor
            )
            _record(proposal, "proposal.submitted", actor)
    except Exception:
        for name in stored:
            storage.file_delete(name)
        raise
    return proposal


def _step(proposal, status, actor, message, type):
    message = (message or "").strip()
    if len(message) > 3000:
        raise ValidationError(
            {"message": _("Keep the message under 3,000 characters.")}
        )
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != proposal.status:
            raise ValidationError(
                _("This proposal changed meanwhile; reload the page.")
            )
        proposal.status = status
        proposal.save(update_fields=["status", "updated_at"])
        StatusChange.objects.create(
            proposal=proposal, status=status, message=message, actor=actor
        )
        _record(proposal, type, actor)
    return proposal


def proposal_withdraw(*, actor, proposal, message=""):
    """The solver withdraws its proposal while it is under evaluation."""
    permissions.require_withdraw_proposal(actor, proposal)
    return _step(proposal, Status.WITHDRAWN, actor, message, "proposal.withdrawn")


def proposal_shortlist(*, actor, proposal, message=""):
    """Shortlist a proposal (the seeker's people): the solver now reads the details.
    Emits `proposal.status_changed` (the solver's people are told)."""
    permissions.require_shortlist_proposal(actor, proposal)
    return _step(
        proposal, Status.SHORTLISTED, actor, message, "proposal.status_changed"
    )


def proposal_decline(*, actor, proposal, message=""):
    """Decline a proposal (the seeker's people), with a message for the solver."""
    permissions.require_decline_proposal(actor, proposal)
    return _step(proposal, Status.DECLINED, actor, message, "proposal.status_changed")


def proposal_accept(*, actor, proposal, message=""):
    """Accept a proposal (the seeker's admins): a workspace opens for both
    organisations (`deals.deal_open`), in the same transaction."""
    permissions.require_accept_proposal(actor, proposal)
    with transaction.atomic():
        _step(proposal, Status.ACCEPTED, actor, message, "proposal.status_changed")
        deals.deal_open(actor=actor, proposal=proposal)
    return proposal


def proposal_reveal_seeker(*, actor, proposal):
    """Show the seeker's name to this solver (the seeker's people)."""
    permissions.require_reveal_seeker(actor, proposal)
    with transaction.atomic():
        proposal.seeker_revealed = True
        proposal.save(update_fields=["seeker_revealed", "updated_at"])
        _record(proposal, "proposal.seeker_revealed", actor)
    return proposal


def note_add(*, actor, proposal, body):
    """A private note of the seeker's people on a proposal; return it."""
    permissions.require_evaluate(actor, proposal.challenge)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    note = ProposalNote(proposal=proposal, author=actor, body=body)
    note.full_clean()
    note.save()
    return note


def scores_set(*, actor, proposal, scores):
    """Score a proposal on its challenge's criteria: `scores` {criterion id: 0-5 or
    None to clear}. The seeker's people; ValidationError for an unknown criterion or
    a score outside 0-5."""
    permissions.require_evaluate(actor, proposal.challenge)
    criteria = {c.pk: c for c in proposal.challenge.criteria.all()}
    cleaned = {}
    for pk, value in scores.items():
        if int(pk) not in criteria:
            raise ValidationError(_("Unknown criterion."))
        if value in (None, ""):
            cleaned[int(pk)] = None
            continue
        value = int(value)
        if not 0 <= value <= 5:
            raise ValidationError(_("Scores go from 0 to 5."))
        cleaned[int(pk)] = value
    with transaction.atomic():
        for pk, value in cleaned.items():
            if value is None:
                ProposalScore.objects.filter(
                    proposal=proposal, criterion_id=pk
                ).delete()
            else:
                ProposalScore.objects.update_or_create(
                    proposal=proposal,
                    criterion_id=pk,
                    defaults={"score": value, "scored_by": actor},
                )
    return proposal
