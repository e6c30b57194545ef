"""seed_demo's workspaces: a joint venture in negotiation and a licence in execution,
between its organisations, with people, a waiting invitation and a discussion."""

from io import StringIO

import pytest
from django.core.management import call_command

from community.models import Membership, Post
from workspaces.models import Invitation, Participant, StageChange, Workspace

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_two_workspaces_with_people_and_discussion():
    out = StringIO()

    call_command("seed_demo", stdout=out)

    venture = Workspace.objects.get(collaboration_type="joint_venture")
    licence = Workspace.objects.get(collaboration_type="licensing")
    assert (venture.stage, licence.stage) == ("negotiation", "execution")
    assert venture.partners.count() == 3 and licence.partners.count() == 2
    assert set(venture.partners.values_list("role", flat=True)) == {
        "lead",
        "partner",
        "advisor",
    }
    for workspace in (venture, licence):
        people = Participant.objects.filter(workspace=workspace)
        # Every participant is a member of the discussion, leads as its owners.
        for participant in people:
            membership = Membership.objects.get(
                community=workspace.community, user=participant.user, state="active"
            )
            assert (membership.role == "owner") == (participant.role == "lead")
        assert Post.objects.filter(thread__community=workspace.community).count() >= 6
        assert StageChange.objects.filter(workspace=workspace).count() >= 3
    assert Invitation.objects.filter(
        workspace=venture, state="pending", invitee_accepted_at__isnull=False
    ).exists()
    assert "Workspace: Manutenzione predittiva" in out.getvalue()
