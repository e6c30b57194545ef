"""An accepted expression of interest opens its workspace the same way as a proposal
(`deal_open` is shared with the offers); and the rules around the funnel's steps:
who edits a draft, who accepts, the deadline, withdrawing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community.models import Post
from innovation import permissions
from innovation.models import (
    Challenge,
    ExpressionOfInterest,
    NdaAcceptance,
    Proposal,
    TechnologyOffer,
)
from innovation.services import challenges, deals, proposals
from tests.innovation.factories_challenges import (
    ChallengeFactory,
    ProposalFactory,
    facilitator,
)
from tests.support.workspaces import person_of
from workspaces.models import Partner

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_accepted_interest_opens_a_workspace_with_the_nda_record(monkeypatch):
    # The offer's page belongs to the offers' area; its address is all we need here.
    monkeypatch.setattr(
        TechnologyOffer,
        "get_absolute_url",
        lambda self: f"/innovation/offers/{self.pk}/",
    )
    owner = person_of(admin=True)
    offer = TechnologyOffer.objects.create(
        organisation=owner.organisation,
        title="Sensore ottico",
        summary="Un sensore brevettato.",
        trl=6,
        ip_status=TechnologyOffer.IpStatus.GRANTED_PATENT,
    )
    sender = person_of()
    interest = ExpressionOfInterest.objects.create(
        offer=offer,
        organisation=sender.organisation,
        created_by=sender,
        who_we_are="Una PMI.",
        intended_use="Integrarlo nelle nostre linee.",
        cooperation="Licenza esclusiva.",
        collaboration_type="licence",
    )
    NdaAcceptance.objects.create(
        offer=offer, person=sender, organisation=sender.organisation, text="NDA"
    )
    workspace = deals.deal_open(actor=owner, interest=interest)
    interest.refresh_from_db()
    assert interest.workspace == workspace
    assert workspace.collaboration_type == "licensing"
    assert set(
        Partner.objects.filter(workspace=workspace).values_list(
            "organisation", flat=True
        )
    ) == {owner.organisation_id, sender.organisation_id}
    pinned = Post.objects.get(
        thread__community=workspace.community, thread__is_pinned=True
    )
    assert "Integrarlo nelle nostre linee." in pinned.body
    assert f"accepted by {sender.name} for {sender.organisation.name}" in pinned.body


def test_deal_open_needs_exactly_one_subject():
    with pytest.raises(ValueError):
        deals.deal_open(actor=person_of())


def test_a_draft_is_edited_by_its_seeker_and_its_assigned_facilitator_only():
    helper = facilitator()
    challenge = ChallengeFactory(status=Challenge.Status.DRAFT, facilitator=helper)
    seeker = person_of(challenge.organisation)
    for person, allowed in (
        (seeker, True),
        (helper, True),
        (facilitator(), False),
        (person_of(), False),
    ):
        assert permissions.can_edit_challenge(person, challenge) == allowed
    challenges.challenge_update(
        actor=helper, challenge=challenge, title="Nuovo titolo", summary="S"
    )
    assert Challenge.objects.get().title == "Nuovo titolo"
    challenge.status = Challenge.Status.OPEN
    assert not permissions.can_edit_challenge(seeker, challenge)


def test_only_the_seekers_admins_accept_and_nothing_changes_otherwise():
    proposal = ProposalFactory()
    member = person_of(proposal.challenge.organisation)
    with pytest.raises(PermissionDenied):
        proposals.proposal_accept(actor=member, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.workspace is None
    assert not proposal.status_changes.exists()


def test_no_proposal_after_the_deadline_and_the_solver_may_withdraw():
    late = ChallengeFactory(deadline=timezone.localdate() - datetime.timedelta(days=1))
    solver = person_of()
    assert permissions.proposal_refusal(solver, late) == (
        "The deadline for proposals has passed."
    )
    with pytest.raises(PermissionDenied):
        proposals.proposal_submit(actor=solver, challenge=late, title="T", summary="S")
    challenge = ChallengeFactory()
    proposal = proposals.proposal_submit(
        actor=solver, challenge=challenge, title="T", summary="S"
    )
    with pytest.raises(PermissionDenied):
        proposals.proposal_withdraw(actor=person_of(), proposal=proposal)
    proposals.proposal_withdraw(
        actor=solver, proposal=proposal, message="Ci ritiriamo."
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN
    assert proposal.status_changes.last().message == "Ci ritiriamo."
    assert not permissions.can_shortlist_proposal(
        person_of(challenge.organisation), proposal
    )
