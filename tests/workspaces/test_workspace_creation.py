"""Opening a workspace: its discussion, room and kick-off thread, lead partner and
first lead; "My workspaces" with unread counts."""

import pytest
from django.urls import reverse

from community.models import Community, Membership, Thread
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant, Partner, StageChange, Workspace

pytestmark = pytest.mark.django_db


def test_creating_a_workspace_opens_its_discussion_room_and_kickoff(client):
    lead = person_of(admin=True)
    client.force_login(lead)

    response = client.post(
        reverse("workspaces:workspace-create"),
        {
            "name": "Sensori per vigneti",
            "description": "Una joint venture.",
            "collaboration_type": "joint_venture",
            "stage": "negotiation",
        },
    )

    workspace = Workspace.objects.get()
    assert response.status_code == 302
    assert response["Location"] == workspace.get_absolute_url()
    community = workspace.community
    assert community.kind == Community.Kind.WORKSPACE
    assert community.visibility == Community.Visibility.PRIVATE
    assert Membership.objects.get(community=community, user=lead).role == "owner"
    kinds = sorted(
        Thread.objects.filter(community=community).values_list("kind", "title")
    )
    assert kinds == [("discussion", "Kick-off"), ("room", "general")]
    partner = Partner.objects.get(workspace=workspace)
    assert (partner.organisation, partner.role) == (lead.organisation, "lead")
    assert Participant.objects.get(workspace=workspace).role == "lead"
    assert StageChange.objects.get(workspace=workspace).to_stage == "negotiation"
    page = client.get(workspace.get_absolute_url())
    assert page.status_code == 200
    assert "Sensori per vigneti" in page.content.decode()


def test_people_without_an_organisation_cannot_create(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(
        reverse("workspaces:workspace-create"),
        {"name": "X", "collaboration_type": "licensing", "stage": "nda"},
    )

    assert response.status_code == 403
    assert not Workspace.objects.exists()


def test_invalid_form_shows_errors(client):
    client.force_login(person_of())

    response = client.post(
        reverse("workspaces:workspace-create"),
        {"name": "", "collaboration_type": "nonsense", "stage": "nda"},
    )

    assert response.status_code == 200
    assert not Workspace.objects.exists()
    assert "field--error" in response.content.decode()


def test_my_workspaces_counts_what_others_did_since_my_last_visit(client, english):
    workspace = make_workspace()
    member = person_of(OrganisationFactory())
    add_participant(workspace, member)
    client.force_login(member)
    client.get(workspace.get_absolute_url())  # seen everything so far

    other = person_of(member.organisation)
    add_participant(workspace, other)  # participant.joined by the lead

    page = client.get(reverse("workspaces:workspace-list")).content.decode()
    assert " data-unread>" in page  # the badge, not the header link
    assert "1 new" in page
    client.get(workspace.get_absolute_url())
    page = client.get(reverse("workspaces:workspace-list")).content.decode()
    assert " data-unread>" not in page


def test_staff_see_every_workspace_page_by_page(client, monkeypatch):
    from workspaces.views import workspaces as views

    monkeypatch.setattr(views, "STAFF_PAGE", 2)
    lead = person_of(admin=True)
    for name in ("Alfa", "Beta", "Gamma"):
        make_workspace(lead=lead, name=name)
    client.force_login(UserFactory(is_staff=True))

    first = client.get(reverse("workspaces:workspace-list")).content.decode()
    second = client.get(
        reverse("workspaces:workspace-list") + "?page=2"
    ).content.decode()

    assert "Alfa" in first and "Beta" in first and "Gamma" not in first
    assert "Gamma" in second


def test_my_workspaces_queries_do_not_grow_with_workspaces(
    client, django_assert_max_num_queries
):
    lead = person_of(admin=True)
    make_workspace(lead=lead, name="Primo")
    client.force_login(lead)
    client.get(reverse("workspaces:workspace-list"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("workspaces:workspace-list"))
    for number in range(4):
        make_workspace(lead=lead, name=f"Altro {number}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("workspaces:workspace-list")).content.decode()

    assert page.count("data-workspace-row=") == 5
