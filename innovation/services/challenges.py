"""Write services for challenges: drafting, validation, publication, the call's end,
and the public clarification questions and answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Community
from community.permissions import can_see_community
from live.events import event_record

from .. import permissions
from ..models import Challenge, ChallengeQuestion, EvaluationCriterion
from . import disclosure

__all__ = [
    "challenge_award",
    "challenge_close",
    "challenge_create",
    "challenge_start_evaluating",
    "challenge_submit_for_validation",
    "challenge_update",
    "question_answer",
    "question_ask",
]

Status = Challenge.Status

# The fields a draft's author fills in (besides tags, criteria and community).
EDITABLE = (
    "title",
    "summary",
    "details",
    "challenge_type",
    "collaboration_types",
    "sectors",
    "deadline",
    "award",
    "anonymous",
    "nda_text",
)


def _record(challenge, type, actor, **extra):
    """A fact of the challenge's life on its stream (ids only: no names, so no
    anonymous seeker travels in a frame)."""
    event_record(
        stream=challenge.stream,
        type=type,
        payload={"id": challenge.pk, "status": challenge.status, **extra},
        actor=actor,
    )


def _clean_criteria(criteria):
    """[(name, weight)] with names stripped, once each; ValidationError otherwise."""
    cleaned, seen = [], set()
    for name, weight in criteria:
        name = (name or "").strip()
        if not name:
            continue
        if name.lower() in seen:
            raise ValidationError(
                {
                    "criteria": _("The criterion %(name)s appears twice.")
                    % {"name": name}
                }
            )
        if not 1 <= int(weight) <= 10:
            raise ValidationError(
                {"criteria": _("A criterion's weight is between 1 and 10.")}
            )
        seen.add(name.lower())
        cleaned.append((name, int(weight)))
    return cleaned


def _check_community(actor, community):
    """A thematic community the actor may see (not a workspace's or an introduction's)."""
    if community is None:
        return
    if community.kind != Community.Kind.COMMUNITY or not can_see_community(
        actor, community
    ):
        raise ValidationError({"community": _("Choose a community you can see.")})


def _apply(challenge, actor, fields, tags, criteria, community):
    for name in EDITABLE:
        if name in fields:
            setattr(challenge, name, fields[name])
    for name in ("title", "summary", "details", "award", "nda_text"):
        setattr(challenge, name, (getattr(challenge, name) or "").strip())
    _check_community(actor, community)
    challenge.community = community
    challenge.full_clean(exclude=["organisation", "created_by"])
    if challenge.deadline and challenge.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    return _clean_criteria(criteria or [])


def _save_related(challenge, tags, criteria):
    challenge.tags.set([tag.strip() for tag in tags or [] if tag.strip()])
    kept = []
    for position, (name, weight) in enumerate(criteria):
        criterion, _created = EvaluationCriterion.objects.update_or_create(
            challenge=challenge,
            name=name,
            defaults={"weight": weight, "position": position},
        )
        kept.append(criterion.pk)
    challenge.criteria.exclude(pk__in=kept).delete()


def challenge_create(*, actor, tags=(), criteria=(), community=None, **fields):
    """Draft a challenge for the actor's organisation (the one shown next to their
    name); return it.

    `fields` are among EDITABLE; `criteria` is [(name, weight 1-10)]; `tags` names.
    PermissionDenied unless `permissions.can_create_challenge`; ValidationError per
    field. Emits `challenge.drafted` on the challenge's stream.
    """
    permissions.require_create_challenge(actor)
    challenge = Challenge(organisation=actor.organisation, created_by=actor)
    criteria = _apply(challenge, actor, fields, tags, criteria, community)
    with transaction.atomic():
        challenge.save()
        _save_related(challenge, tags, criteria)
        _record(challenge, "challenge.drafted", actor)
    return challenge


def challenge_update(
    *, actor, challenge, tags=(), criteria=(), community=None, **fields
):
    """Change a draft (its seeker's people or its facilitator); ValidationError per
    field. Emits `challenge.updated`."""
    permissions.require_edit_challenge(actor, challenge)
    # As stored: a model form has set the instance's fields already.
    stored = Challenge.objects.filter(pk=challenge.pk).values("anonymous").first()
    if fields.get("anonymous") and stored is not None and not stored["anonymous"]:
        _require_documents_anonymous(challenge, actor)
    criteria = _apply(challenge, actor, fields, tags, criteria, community)
    with transaction.atomic():
        challenge.save()
        _save_related(challenge, tags, criteria)
        _record(challenge, "challenge.updated", actor)
    return challenge


def _require_documents_anonymous(challenge, actor):
    """Making a challenge anonymous keeps its confidential documents, which were
    checked as a named challenge's: refuse (nothing changed) while any of them names
    the seeker in its name, title or properties, or cannot be checked, listing them
    to remove or replace."""
    naming, unchecked = disclosure.documents_naming_seeker(challenge, actor=actor)
    problems = []
    if naming:
        problems.append(
            _(
                "This challenge cannot become anonymous yet: these confidential "
                "documents name your organisation or its people (in their name, "
                "title or properties such as author and company): %(documents)s. "
                "Delete them (and upload versions without those details), then "
                "make it anonymous."
            )
            % {"documents": ", ".join(f"“{title}”" for title in naming)}
        )
    if unchecked:
        problems.append(
            _(
                "This challenge cannot become anonymous yet: the properties of these "
                "confidential documents cannot be checked (they are damaged, too "
                "large or in a form this site cannot read), so they might name your "
                "organisation: %(documents)s. Delete them (and upload versions that "
                "open correctly), then make it anonymous."
            )
            % {"documents": ", ".join(f"“{title}”" for title in unchecked)}
        )
    if problems:
        raise ValidationError({"anonymous": problems})


def _set_status(challenge, status, actor, type, **extra):
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != challenge.status:
            raise ValidationError(
                _("This challenge changed meanwhile; reload the page.")
            )
        challenge.status = status
        for name, value in extra.items():
            setattr(challenge, name, value)
        challenge.save(update_fields=["status", "updated_at", *extra])
        _record(challenge, type, actor)
    return challenge


def challenge_submit_for_validation(*, actor, challenge):
    """Send a draft to the innovation desk (status in_validation); the seeker's
    people only. ValidationError when its deadline has already passed."""
    permissions.require_submit_for_validation(actor, challenge)
    if permissions.is_past_deadline(challenge):
        raise ValidationError(_("Move the deadline forward before sending it."))
    return _set_status(
        challenge,
        Status.IN_VALIDATION,
        actor,
        "challenge.submitted",
        refusal_reason="",
    )


def challenge_start_evaluating(*, actor, challenge):
    """Stop taking proposals and evaluate them (the seeker's admins)."""
    permissions.require_start_evaluating(actor, challenge)
    return _set_status(challenge, Status.EVALUATING, actor, "challenge.evaluating")


def challenge_close(*, actor, challenge):
    """Close the challenge without (or before) an award (the seeker's admins)."""
    permissions.require_close_challenge(actor, challenge)
    return _set_status(challenge, Status.CLOSED, actor, "challenge.closed")


def challenge_award(*, actor, challenge):
    """Mark the challenge awarded (the seeker's admins), after evaluation."""
    permissions.require_award_challenge(actor, challenge)
    return _set_status(challenge, Status.AWARDED, actor, "challenge.awarded")


def question_ask(*, actor, challenge, question):
    """Ask a public clarification question on an open challenge; return it.
    Emits `question.asked` (the seeker's people are told)."""
    if not permissions.can_see_challenge(actor, challenge):
        raise PermissionDenied(_("You cannot see this challenge."))
    permissions.require_ask_question(actor, challenge)
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write your question.")})
    item = ChallengeQuestion(challenge=challenge, asked_by=actor, question=question)
    item.full_clean()
    with transaction.atomic():
        item.save()
        _record(challenge, "question.asked", actor, question=item.pk)
    return item


def question_answer(*, actor, question, answer):
    """Answer a question (the seeker's people); the answer is public. Emits
    `question.answered` (the asker is told)."""
    challenge = question.challenge
    permissions.require_answer_question(actor, challenge)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    question.answer = answer
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.full_clean()
    with transaction.atomic():
        question.save()
        _record(
            challenge,
            "question.answered",
            actor,
            question=question.pk,
            asker=question.asked_by_id,
        )
    return question
