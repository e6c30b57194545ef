"""A workspace's discussion is a community of kind workspace: its people come and go
through the workspace only — the community's own join, leave, invite, role, settings
and transfer flows refuse — and it stays out of the community lists."""

import pytest
from django.urls import reverse

from community.models import Community, Membership
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Gamma")


@pytest.fixture
def member(workspace):
    person = person_of(OrganisationFactory())
    add_participant(workspace, person)
    return person


def membership(workspace, person):
    return Membership.objects.filter(community=workspace.community, user=person).first()


def test_members_cannot_leave_the_discussion_directly(client, workspace, member):
    client.force_login(member)

    client.post(reverse("community:community-leave", args=[workspace.community.slug]))

    assert membership(workspace, member).state == "active"


def test_owners_cannot_invite_change_roles_transfer_or_edit(client, workspace, member):
    slug = workspace.community.slug
    outsider = person_of()
    client.force_login(workspace.created_by)

    invite = client.post(
        reverse("community:community-invite", args=[slug]), {"who": outsider.username}
    )
    role = client.post(
        reverse(
            "community:membership-role", args=[slug, membership(workspace, member).pk]
        ),
        {"role": "moderator"},
    )
    transfer = client.post(
        reverse("community:community-transfer", args=[slug]),
        {"username": member.username},
    )
    settings_page = client.post(
        reverse("community:community-edit", args=[slug]),
        {"name": "Pubblica", "visibility": "public", "description": "", "themes": ""},
    )

    assert {r.status_code for r in (invite, role, transfer, settings_page)} <= {
        403,
        302,
    }
    assert membership(workspace, outsider) is None
    assert membership(workspace, member).role == "member"
    assert membership(workspace, workspace.created_by).role == "owner"
    community = Community.objects.get(pk=workspace.community.pk)
    assert (community.visibility, community.name) == ("private", "Progetto Gamma")


def test_nobody_joins_the_discussion_directly(client, workspace):
    colleague = person_of(workspace.created_by.organisation)
    client.force_login(colleague)

    response = client.post(
        reverse("community:community-join", args=[workspace.community.slug])
    )

    assert response.status_code == 404
    assert membership(workspace, colleague) is None


def test_the_discussion_stays_out_of_the_directory_and_my_communities(
    client, workspace, member
):
    client.force_login(member)

    directory = client.get(reverse("community:community-list")).content.decode()
    home = client.get(reverse("community:home")).content.decode()

    assert workspace.community.get_absolute_url() not in directory
    # The sidebar lists it among the workspaces, not the communities.
    assert workspace.get_absolute_url() in home
    assert workspace.community.get_absolute_url() not in home


def test_the_discussion_pages_lead_back_to_the_workspace(client, workspace, member):
    client.force_login(member)

    page = client.get(workspace.community.get_absolute_url()).content.decode()

    assert workspace.get_absolute_url() in page
    assert (
        reverse("community:community-leave", args=[workspace.community.slug])
        not in page
    )
