"""Reads for challenge pages: the open list with its filters, an organisation's own
challenges, the public questions, a solver's view of its proposal and the seeker's
evaluation board."""

from django.db.models import Count, Prefetch, Q

from community.models import Affiliation, Community
from community.permissions import communities_visible_to

from .. import permissions
from ..anonymity import seekers_shown
from ..models import (
    Challenge,
    ChallengeQuestion,
    Proposal,
    ProposalNote,
    ProposalScore,
    Sector,
    StatusChange,
)

Status = Challenge.Status
# The board's columns, in the funnel's order.
BOARD_COLUMNS = (
    Proposal.Status.SUBMITTED,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.ACCEPTED,
    Proposal.Status.DECLINED,
    Proposal.Status.WITHDRAWN,
)


def open_challenges(
    *, q="", sector="", challenge_type="", collaboration="", tag="", community=None
):
    """Open challenges, newest first, filtered; the organisation loaded and the
    proposals counted (for the list's cards)."""
    queryset = (
        Challenge.objects.filter(status=Status.OPEN)
        .select_related("organisation")
        .prefetch_related("tags")
        .annotate(proposal_count=Count("proposals", distinct=True))
    )
    if q:
        # Title and public summary only: the details never answer a search.
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if sector:
        queryset = queryset.filter(sectors__contains=f",{sector},")
    if challenge_type:
        queryset = queryset.filter(challenge_type=challenge_type)
    if collaboration:
        queryset = queryset.filter(collaboration_types__contains=f",{collaboration},")
    if tag:
        queryset = queryset.filter(Q(tags__slug=tag) | Q(tags__name__iexact=tag))
    if community:
        queryset = queryset.filter(community=community)
    return queryset.order_by("-published_at", "-pk").distinct()


def community_open_challenges(community):
    """The open challenges tied to `community`, newest first (its page's panel)."""
    return (
        Challenge.objects.filter(status=Status.OPEN, community=community)
        .select_related("organisation")
        .order_by("-published_at", "-pk")
    )


def challenge_community(challenge, user):
    """The community `challenge` is tied to, when `user` may know of it; else None."""
    if challenge.community_id is None:
        return None
    return communities_visible_to(
        user, Community.objects.filter(pk=challenge.community_id)
    ).first()


def challenge_communities(user):
    """The communities `user` may know of that hold an open challenge (the list's
    filter): a challenge never names a community its reader may not see."""
    return communities_visible_to(
        user, Community.objects.filter(challenges__status=Status.OPEN).distinct()
    ).order_by("name")


def with_seekers(challenges, viewer):
    """Set `seeker_shown` on each challenge of a page (constant queries)."""
    challenges = list(challenges)
    shown = seekers_shown(challenges, viewer)
    for challenge in challenges:
        challenge.seeker_shown = shown[challenge.pk]
    return challenges


def organisation_challenges(user):
    """The challenges of every organisation `user` belongs to, every status."""
    if not user.is_authenticated:
        return Challenge.objects.none()
    return (
        Challenge.objects.filter(
            organisation__affiliations__user_id=user.pk,
            organisation__affiliations__state=Affiliation.State.ACTIVE,
        )
        .select_related("organisation")
        .annotate(proposal_count=Count("proposals", distinct=True))
        .order_by("-updated_at")
        .distinct()
    )


def solver_proposals(user):
    """The proposals `user`'s organisations sent, with their challenges."""
    return (
        permissions.proposals_of_solver(user)
        .select_related("challenge__organisation", "organisation")
        .order_by("-updated_at")
    )


def questions(challenge):
    """The public questions in the order they were asked."""
    return ChallengeQuestion.objects.filter(challenge=challenge).select_related(
        "asked_by", "answered_by"
    )


def status_history(proposal):
    """A proposal's steps, each with its label (`label`) and message."""
    changes = list(
        StatusChange.objects.filter(proposal=proposal).select_related("actor")
    )
    for change in changes:
        change.label = Proposal.Status(change.status).label
    return changes


def sector_labels(challenge):
    return [Sector(code).label for code in challenge.sectors if code in Sector.values]


def weighted_total(criteria, scores):
    """The weighted average of `scores` ({criterion id: score}) over `criteria`, on
    0-5 with one decimal, or None when nothing is scored."""
    weight = sum(c.weight for c in criteria if c.pk in scores)
    if not weight:
        return None
    total = sum(c.weight * scores[c.pk] for c in criteria if c.pk in scores)
    return round(total / weight, 1)


def board(challenge):
    """The evaluation board: the criteria and, per column, its proposals, each with
    its scores ({criterion id: score}), weighted total, notes and attachments."""
    criteria = list(challenge.criteria.all())
    proposals = list(
        Proposal.objects.filter(challenge=challenge)
        .select_related("organisation", "created_by", "workspace")
        .prefetch_related(
            Prefetch("scores", queryset=ProposalScore.objects.all()),
            Prefetch("notes", queryset=ProposalNote.objects.select_related("author")),
            "attachments",
        )
        .order_by("created_at")
    )
    for proposal in proposals:
        proposal.score_map = {
            score.criterion_id: score.score for score in proposal.scores.all()
        }
        proposal.weighted = weighted_total(criteria, proposal.score_map)
    columns = [
        {
            "status": status,
            "label": Proposal.Status(status).label,
            "proposals": sorted(
                (p for p in proposals if p.status == status),
                key=lambda p: (p.weighted is None, -(p.weighted or 0)),
            ),
        }
        for status in BOARD_COLUMNS
    ]
    return criteria, columns
