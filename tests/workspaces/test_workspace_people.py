"""People of a workspace: leads change roles and partner roles and remove people;
participants leave; the last lead can neither leave nor be demoted."""

import pytest
from django.urls import reverse

from community.models import Membership
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, person_of
from workspaces.models import Participant, Partner

pytestmark = pytest.mark.django_db


def role_of(workspace, person):
    row = Participant.objects.filter(workspace=workspace, user=person).first()
    return row.role if row else None


def discussion_role(workspace, person):
    row = Membership.objects.filter(community=workspace.community, user=person).first()
    return row.role if row else None


def me(workspace, person):
    return Participant.objects.get(workspace=workspace, user=person)


def test_the_last_lead_cannot_leave(client, workspace):
    lead = workspace.created_by
    client.force_login(lead)

    response = client.post(
        reverse("workspaces:participant-leave", args=[workspace.pk]), follow=True
    )

    assert role_of(workspace, lead) == "lead"
    assert discussion_role(workspace, lead) == "owner"
    page = response.content.decode()
    assert "only lead" in page or "unico lead" in page.lower()


def test_the_last_lead_cannot_step_down(client, workspace):
    lead = workspace.created_by
    client.force_login(lead)

    client.post(
        reverse(
            "workspaces:participant-role", args=[workspace.pk, me(workspace, lead).pk]
        ),
        {"role": "member"},
    )

    assert role_of(workspace, lead) == "lead"


def test_a_lead_steps_down_and_leaves_once_another_lead_remains(client, workspace):
    lead = workspace.created_by
    other = person_of(OrganisationFactory())
    add_participant(workspace, other)
    client.force_login(lead)

    client.post(
        reverse(
            "workspaces:participant-role", args=[workspace.pk, me(workspace, other).pk]
        ),
        {"role": "lead"},
    )
    assert (role_of(workspace, other), discussion_role(workspace, other)) == (
        "lead",
        "owner",
    )
    client.post(
        reverse(
            "workspaces:participant-role", args=[workspace.pk, me(workspace, lead).pk]
        ),
        {"role": "guest"},
    )
    assert (role_of(workspace, lead), discussion_role(workspace, lead)) == (
        "guest",
        "member",
    )

    client.post(reverse("workspaces:participant-leave", args=[workspace.pk]))

    assert role_of(workspace, lead) is None
    assert discussion_role(workspace, lead) is None


def test_a_member_leaves(client, workspace):
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    client.force_login(member)

    response = client.post(reverse("workspaces:participant-leave", args=[workspace.pk]))

    assert response.status_code == 302
    assert role_of(workspace, member) is None
    assert discussion_role(workspace, member) is None
    assert client.get(workspace.get_absolute_url()).status_code == 404


def test_leads_set_partner_roles(client, workspace):
    organisation = OrganisationFactory()
    add_participant(workspace, person_of(organisation))
    partner = Partner.objects.get(workspace=workspace, organisation=organisation)
    client.force_login(workspace.created_by)

    client.post(
        reverse("workspaces:partner-role", args=[workspace.pk, partner.pk]),
        {"role": "advisor"},
    )

    partner.refresh_from_db()
    assert partner.role == "advisor"


def test_members_cannot_set_partner_roles(client, workspace):
    organisation = OrganisationFactory()
    member = person_of(organisation)
    add_participant(workspace, member)
    partner = Partner.objects.get(workspace=workspace, organisation=organisation)
    client.force_login(member)

    response = client.post(
        reverse("workspaces:partner-role", args=[workspace.pk, partner.pk]),
        {"role": "lead"},
    )

    partner.refresh_from_db()
    assert response.status_code == 403
    assert partner.role == "partner"


def test_people_page_shows_controls_to_leads_only(client, workspace):
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)

    client.force_login(workspace.created_by)
    lead_page = client.get(
        reverse("workspaces:people", args=[workspace.pk])
    ).content.decode()
    client.force_login(member)
    member_page = client.get(
        reverse("workspaces:people", args=[workspace.pk])
    ).content.decode()

    remove_url = reverse(
        "workspaces:participant-remove", args=[workspace.pk, me(workspace, member).pk]
    )
    assert remove_url in lead_page and remove_url not in member_page
    invite_url = reverse("workspaces:invitation-create", args=[workspace.pk])
    assert invite_url in lead_page and invite_url not in member_page
    assert reverse("workspaces:participant-leave", args=[workspace.pk]) in member_page


def test_people_page_queries_do_not_grow_with_people(
    client, workspace, django_assert_max_num_queries
):
    client.force_login(workspace.created_by)
    for _ in range(3):
        add_participant(workspace, person_of(OrganisationFactory()))
    client.get(reverse("workspaces:people", args=[workspace.pk]))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("workspaces:people", args=[workspace.pk]))
    for _ in range(10):
        add_participant(workspace, person_of(OrganisationFactory()))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("workspaces:people", args=[workspace.pk]))

    assert response.content.decode().count("data-participant=") == 14
