"""seed_demo's innovation part: challenges at every status, offers, the funnel with
its steps, NDA acceptances and funding calls, added once."""

import io

import pytest
from django.core.management import call_command

from innovation.models import (
    Challenge,
    ExpressionOfInterest,
    FundingCall,
    NdaAcceptance,
    Proposal,
    StatusChange,
    TechnologyOffer,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_innovation_network_once():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Open innovation: 13 challenges" in out.getvalue()
    # The logins name who to sign in as to see the desk and both sides of the funnel.
    assert "federica@demo.crocevia.it        facilitator of the innovation desk" in out.getvalue()
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Challenge.Status}
    assert Challenge.objects.filter(anonymous=True, status="open").exists()
    assert TechnologyOffer.objects.filter(status="published").count() == 12
    assert set(Proposal.objects.values_list("status", flat=True)) == {
        s.value for s in Proposal.Status
    }
    assert set(ExpressionOfInterest.objects.values_list("status", flat=True)) == {
        s.value for s in ExpressionOfInterest.Status
    }
    # Every step has its status change, ending at the current status.
    for proposal in Proposal.objects.all():
        assert list(proposal.status_changes.values_list("status", flat=True))[-1] == proposal.status
    for interest in ExpressionOfInterest.objects.all():
        assert list(interest.status_changes.values_list("status", flat=True))[-1] == interest.status
    # Accepted steps are tied to the demo's workspaces.
    assert not Proposal.objects.filter(status="accepted", workspace=None).exists()
    assert not ExpressionOfInterest.objects.filter(status="accepted", workspace=None).exists()
    assert NdaAcceptance.objects.count() == 4
    assert all(nda.text for nda in NdaAcceptance.objects.all())
    assert FundingCall.objects.count() == 3
    # Each step of the disclosure ladder has something to show: details behind a
    # shortlisting or an accepted interest, and confidential documents behind an NDA.
    from innovation.models import ConfidentialDocument

    assert all(
        proposal.challenge.details
        for proposal in Proposal.objects.filter(status="shortlisted")
    )
    assert all(
        interest.offer.details
        for interest in ExpressionOfInterest.objects.filter(status="accepted")
    )
    assert ConfidentialDocument.objects.count() == 2
    from innovation import permissions

    for nda in NdaAcceptance.objects.select_related("person", "challenge", "offer"):
        subject = nda.challenge or nda.offer
        assert permissions.has_reached_details(nda.person, subject)
        assert permissions.can_read_documents(nda.person, subject)
    # Seekers scored and noted proposals on their own criteria.
    from innovation.models import ProposalNote, ProposalScore

    assert ProposalScore.objects.count() == 12
    assert ProposalNote.objects.count() == 4
    # The funnel spreads over the year, so the dashboard's months tell a story.
    from innovation.queries import dashboard

    found = dashboard.steps()
    assert len({(step.day.year, step.day.month) for step in found}) >= 6
    assert {step.stage for step in found} == {"contact", "interest", "workspace", "agreement"}
    # The desk has a firm's draft asking for help.
    assert Challenge.objects.filter(status="draft", help_requested_at__isnull=False).exists()
    counts = (Challenge.objects.count(), StatusChange.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Challenge.objects.count(), StatusChange.objects.count()) == counts
