"""Accepting one proposal of an anonymous challenge opens a workspace whose pinned
summary names the seeker: that reaches the accepted solver only. The other
shortlisted solver, a stranger, and the accepted solver's unrelated colleague of
another organisation find nothing of it — not the workspace, not its threads, not
in search or in their notifications."""

import pytest
from django.urls import reverse

from community.models import Thread
from innovation.services import proposals
from notifications.models import Notification
from tests.innovation.factories_challenges import ChallengeFactory
from tests.notifications.helpers import sentences
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def test_only_the_accepted_solver_reads_the_deal_summary(client, run):
    challenge = ChallengeFactory(anonymous=True)
    seeker_name = challenge.organisation.name
    seeker = person_of(challenge.organisation, admin=True)
    winner, loser = person_of(), person_of()
    offered = {}
    for solver in (winner, loser):
        offered[solver] = run(
            proposals.proposal_submit,
            actor=solver,
            challenge=challenge,
            title=f"Idea of {solver.organisation.name}",
            summary="Un processo.",
        )
        run(proposals.proposal_shortlist, actor=seeker, proposal=offered[solver])
    run(proposals.proposal_accept, actor=seeker, proposal=offered[winner])
    offered[winner].refresh_from_db()
    workspace = offered[winner].workspace
    summary = Thread.objects.get(
        community=workspace.community, title="What we agreed to work on"
    )

    client.force_login(winner)
    assert seeker_name in client.get(summary.get_absolute_url()).content.decode()

    for person in (loser, person_of()):
        client.force_login(person)
        for url in (workspace.get_absolute_url(), summary.get_absolute_url()):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert seeker_name not in response.content.decode()
        found = client.get(reverse("search:search"), {"q": seeker_name}).content
        assert summary.get_absolute_url().encode() not in found
        assert workspace.get_absolute_url().encode() not in found
        assert not any(seeker_name in s for s in sentences(person))
    assert Notification.objects.filter(recipient=loser).exists()
