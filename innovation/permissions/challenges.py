"""Who may see or do what with challenges, their questions and their proposals.

The same conventions as `community.permissions`: `access_*` return the object or raise
Http404 for missing and invisible alike; `can_*` answer yes or no for a visible object;
`require_*` raise PermissionDenied with the refusal people read; `*_visible_to` give
querysets. A person acts for an organisation they have an active affiliation to;
decisions (accepting a proposal, closing a challenge) are its admins'; site staff see
everything; active facilitators see what the desk needs but never write for an
organisation.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Affiliation
from community.permissions import (
    is_organisation_admin,
    is_organisation_member,
    is_site_staff,
    is_verified,
    remembered,
    require,
    requirement,
)

from ..anonymity import is_active_facilitator
from ..models import Challenge, ConfidentialDocument, Proposal
from .desk import is_assigned_facilitator

Status = Challenge.Status
ProposalStatus = Proposal.Status

# Everyone, visitors included, may read a challenge's public summary in these steps.
PUBLIC_STATUSES = (Status.OPEN, Status.EVALUATING, Status.CLOSED, Status.AWARDED)
# A solver reads the challenge's details once its proposal reached one of these.
DETAILS_STATUSES = (ProposalStatus.SHORTLISTED, ProposalStatus.ACCEPTED)


def is_seeker(user, challenge):
    """An active affiliation to the challenge's organisation."""
    return is_organisation_member(user, challenge.organisation)


def is_seeker_admin(user, challenge):
    return is_organisation_admin(user, challenge.organisation)


def can_see_challenge(user, challenge):
    """May the user know the challenge exists and read its public summary?"""
    if challenge.status in PUBLIC_STATUSES:
        return True
    if not user.is_authenticated:
        return False
    return (
        is_site_staff(user)
        or is_seeker(user, challenge)
        # The facilitator helping the firm draft it.
        or is_assigned_facilitator(user, challenge)
        # The validation queue is every active facilitator's.
        or (challenge.status == Status.IN_VALIDATION and is_active_facilitator(user))
    )


def challenges_visible_to(user, queryset=None):
    """The challenges `user` may see (`can_see_challenge`), as a queryset."""
    queryset = Challenge.objects.all() if queryset is None else queryset
    if is_site_staff(user):
        return queryset
    condition = Q(status__in=PUBLIC_STATUSES)
    if user.is_authenticated:
        condition |= Q(
            organisation__affiliations__user_id=user.pk,
            organisation__affiliations__state=Affiliation.State.ACTIVE,
        )
        if is_active_facilitator(user):
            condition |= Q(facilitator_id=user.pk) | Q(status=Status.IN_VALIDATION)
    return queryset.filter(condition).distinct()


def access_challenge(user, challenge_id):
    """The challenge `challenge_id` if `user` may see it; Http404 otherwise."""
    challenge = (
        Challenge.objects.select_related("organisation", "facilitator", "community")
        .filter(pk=challenge_id)
        .first()
    )
    if challenge is None or not can_see_challenge(user, challenge):
        raise Http404("No such challenge.")
    return challenge


def _proposal_of_viewer(user, challenge):
    """The proposal of one of `user`'s organisations to `challenge`, or None."""
    if not user.is_authenticated:
        return None
    return remembered(
        ("proposal-of", user.pk, challenge.pk),
        lambda: (
            Proposal.objects.filter(
                challenge_id=challenge.pk,
                organisation__affiliations__user_id=user.pk,
                organisation__affiliations__state=Affiliation.State.ACTIVE,
            )
            .order_by("pk")
            .first()
        ),
    )


def viewer_proposal(user, challenge):
    """The proposal the user's organisation sent to `challenge` (for the detail
    page), or None."""
    return _proposal_of_viewer(user, challenge)


def can_read_details(user, challenge):
    """The details (beyond the public summary): the seeker, the desk, staff, and the
    solvers whose proposal was shortlisted or accepted."""
    if not user.is_authenticated or not can_see_challenge(user, challenge):
        return False
    if is_site_staff(user) or is_seeker(user, challenge) or is_active_facilitator(user):
        return True
    proposal = _proposal_of_viewer(user, challenge)
    return bool(proposal and proposal.status in DETAILS_STATUSES)


def can_edit_challenge(user, challenge):
    """Drafts are edited by the seeker's people and by the facilitator assigned to
    help them."""
    if challenge.status != Status.DRAFT or not user.is_authenticated:
        return False
    return is_seeker(user, challenge) or is_assigned_facilitator(user, challenge)


def can_create_challenge(user):
    """Verified people of an organisation (the one shown next to their name)."""
    return bool(
        is_verified(user)
        and user.organisation_id is not None
        and is_organisation_member(user, user.organisation)
    )


def can_submit_for_validation(user, challenge):
    return challenge.status == Status.DRAFT and is_seeker(user, challenge)


def can_decide_challenge(user, challenge):
    """The seeker organisation's admins take its decisions."""
    return is_seeker_admin(user, challenge)


def can_start_evaluating(user, challenge):
    return challenge.status == Status.OPEN and can_decide_challenge(user, challenge)


def can_close_challenge(user, challenge):
    return challenge.status in (
        Status.OPEN,
        Status.EVALUATING,
    ) and can_decide_challenge(user, challenge)


def can_award_challenge(user, challenge):
    return challenge.status in (
        Status.EVALUATING,
        Status.CLOSED,
    ) and can_decide_challenge(user, challenge)


def can_ask_question(user, challenge):
    """Signed-in, verified people other than the seeker's, while the challenge is
    open."""
    return (
        challenge.status == Status.OPEN
        and is_verified(user)
        and not is_seeker(user, challenge)
    )


def can_answer_question(user, challenge):
    return challenge.status in (Status.OPEN, Status.EVALUATING) and is_seeker(
        user, challenge
    )


def is_past_deadline(challenge):
    return challenge.deadline is not None and challenge.deadline < timezone.localdate()


def proposal_refusal(user, challenge):
    """Why `user` may not submit a proposal to `challenge` for their organisation
    (a message), or None when they may."""
    if not user.is_authenticated:
        return _("Log in to submit a proposal.")
    if challenge.status != Status.OPEN:
        return _("This challenge no longer accepts proposals.")
    if is_past_deadline(challenge):
        return _("The deadline for proposals has passed.")
    if user.organisation_id is None or not is_organisation_member(
        user, user.organisation
    ):
        return _("Proposals are sent on behalf of an organisation you belong to.")
    if user.organisation_id == challenge.organisation_id:
        return _("Your organisation posted this challenge.")
    if Proposal.objects.filter(
        challenge_id=challenge.pk, organisation_id=user.organisation_id
    ).exists():
        return _("Your organisation has already sent a proposal to this challenge.")
    return None


def can_submit_proposal(user, challenge):
    return proposal_refusal(user, challenge) is None


def require_submit_proposal(user, challenge):
    refusal = proposal_refusal(user, challenge)
    require(refusal is None, refusal)


def is_solver(user, proposal):
    return is_organisation_member(user, proposal.organisation)


def sees_every_proposal(user, challenge):
    """Does `user` see every proposal made to `challenge` (not only their own
    organisation's)? The seeker's people, the desk's facilitators and staff. The
    proposal pages and the challenge's stream (`challenge_stream_audience`) ask this."""
    if not user.is_authenticated:
        return False
    return is_site_staff(user) or is_seeker(user, challenge) or is_active_facilitator(user)


def can_see_proposal(user, proposal):
    """The two organisations, the desk's facilitators and staff."""
    if not user.is_authenticated:
        return False
    return sees_every_proposal(user, proposal.challenge) or is_solver(user, proposal)


def access_proposal(user, proposal_id):
    """The proposal `proposal_id` if `user` may see it; Http404 otherwise."""
    proposal = (
        Proposal.objects.select_related(
            "challenge__organisation", "organisation", "created_by", "workspace"
        )
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or not can_see_proposal(user, proposal):
        raise Http404("No such proposal.")
    return proposal


def access_proposal_document(user, proposal, document_id):
    """An attachment of `proposal` (already accessed); Http404 otherwise."""
    document = ConfidentialDocument.objects.filter(
        pk=document_id, proposal_id=proposal.pk
    ).first()
    if document is None or not can_see_proposal(user, proposal):
        raise Http404("No such document.")
    return document


def can_evaluate(user, challenge):
    """The seeker's people read the evaluation board, score and take notes."""
    return is_seeker(user, challenge)


def can_see_board(user, challenge):
    """The board (scores, notes): the seeker's people and staff."""
    return is_site_staff(user) or is_seeker(user, challenge)


def can_shortlist_proposal(user, proposal):
    return proposal.status == ProposalStatus.SUBMITTED and can_evaluate(
        user, proposal.challenge
    )


def can_decline_proposal(user, proposal):
    return proposal.status in (
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
    ) and can_evaluate(user, proposal.challenge)


def can_accept_proposal(user, proposal):
    """Accepting opens a workspace: a decision of the seeker's admins."""
    return proposal.status in (
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
    ) and can_decide_challenge(user, proposal.challenge)


def can_reveal_seeker(user, proposal):
    return (
        proposal.challenge.anonymous
        and not proposal.seeker_revealed
        and proposal.status != ProposalStatus.WITHDRAWN
        and can_evaluate(user, proposal.challenge)
    )


def can_withdraw_proposal(user, proposal):
    return proposal.status in (
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
    ) and is_solver(user, proposal)


def proposals_of_solver(user):
    """The proposals of every organisation `user` belongs to."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    return Proposal.objects.filter(
        Exists(
            Affiliation.objects.filter(
                organisation_id=OuterRef("organisation_id"),
                user_id=user.pk,
                state=Affiliation.State.ACTIVE,
            )
        )
    )


require_see_challenge = requirement(can_see_challenge)
require_create_challenge = requirement(
    can_create_challenge,
    _("Challenges are posted by verified people on behalf of their organisation."),
)
require_edit_challenge = requirement(
    can_edit_challenge, _("Only drafts are edited, by the seeker or its facilitator.")
)
require_submit_for_validation = requirement(
    can_submit_for_validation,
    _("Only the seeker's people send a draft for validation."),
)
require_start_evaluating = requirement(
    can_start_evaluating, _("Only the seeker's administrators close an open call.")
)
require_close_challenge = requirement(
    can_close_challenge, _("Only the seeker's administrators close a challenge.")
)
require_award_challenge = requirement(
    can_award_challenge, _("Only the seeker's administrators award a challenge.")
)
require_ask_question = requirement(
    can_ask_question, _("Questions are asked by verified people while it is open.")
)
require_answer_question = requirement(
    can_answer_question, _("Only the seeker's people answer questions.")
)
require_evaluate = requirement(
    can_evaluate, _("Only the seeker's people evaluate proposals.")
)
require_shortlist_proposal = requirement(
    can_shortlist_proposal, _("This proposal cannot be shortlisted.")
)
require_decline_proposal = requirement(
    can_decline_proposal, _("This proposal cannot be declined.")
)
require_accept_proposal = requirement(
    can_accept_proposal,
    _("Only the seeker's administrators accept a proposal still under evaluation."),
)
require_reveal_seeker = requirement(
    can_reveal_seeker, _("The seeker's name cannot be revealed to this solver.")
)
require_withdraw_proposal = requirement(
    can_withdraw_proposal, _("Only the solver withdraws a proposal under evaluation.")
)
