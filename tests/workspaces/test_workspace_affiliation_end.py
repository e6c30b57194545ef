"""Taking part on an organisation's behalf ends with the affiliation: a person who
leaves a partner organisation (or moves to another) is removed from its workspaces
as a lead removing them would be, except a workspace's last lead, who stays (marked
as no longer with the organisation) so the workspace keeps a lead."""

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from community.models import Membership
from community.services import organisations
from live.models import Event
from tests.live.sockets import connect, frames, subscribe
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Participant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Zeta")


@pytest.fixture
def partner():
    return OrganisationFactory(name="Officine Beta")


@pytest.fixture
def member(workspace, partner):
    person = person_of(partner, display_name="Marta Neri")
    add_participant(workspace, person)
    return person


def takes_part(workspace, person):
    return Participant.objects.filter(workspace=workspace, user=person).exists()


def in_discussion(workspace, person):
    return Membership.objects.filter(
        community=workspace.community, user=person, state="active"
    ).exists()


def test_leaving_the_organisation_ends_taking_part_on_its_behalf(
    client, workspace, partner, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_leave(actor=member, organisation=partner)

    assert not takes_part(workspace, member)
    assert not in_discussion(workspace, member)
    event = Event.objects.filter(stream=workspace.stream).latest("seq")
    assert event.type == "participant.removed"
    assert event.payload["user"] == member.pk
    assert event.payload["reason"] == "affiliation_ended"
    client.force_login(member)
    assert client.get(reverse("workspaces:workspace-detail", args=[workspace.pk])).status_code == 404
    client.force_login(workspace.created_by)
    feed = client.get(reverse("workspaces:workspace-activity", args=[workspace.pk]))
    assert "Marta Neri no longer takes part: they left Officine Beta." in feed.content.decode()


def test_moving_to_another_organisation_ends_it_too(
    workspace, partner, member, django_capture_on_commit_callbacks
):
    other = person_of(OrganisationFactory(), admin=True)
    request = organisations.affiliation_request(
        actor=member, organisation=other.organisation
    )

    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_approve(actor=other, affiliation=request)

    assert not takes_part(workspace, member)
    assert not in_discussion(workspace, member)
    # The other organisation's administrator is no business of the workspace.
    event = Event.objects.filter(stream=workspace.stream).latest("seq")
    assert (event.type, event.actor_id) == ("participant.removed", member.pk)


def test_every_workspace_for_that_organisation_and_only_that_person(
    workspace, partner, member, django_capture_on_commit_callbacks
):
    second = make_workspace(name="Progetto Eta")
    add_participant(second, member)
    colleague = person_of(partner)
    add_participant(workspace, colleague)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_leave(actor=member, organisation=partner)

    assert not takes_part(workspace, member)
    assert not takes_part(second, member)
    assert takes_part(workspace, colleague)


def test_a_pending_request_withdrawn_changes_nothing(
    workspace, partner, member, django_capture_on_commit_callbacks
):
    other = OrganisationFactory()
    organisations.affiliation_request(actor=member, organisation=other)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_leave(actor=member, organisation=other)

    assert takes_part(workspace, member)


def test_the_last_lead_stays_and_is_shown_as_no_longer_with_the_organisation(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Fonderie Alfa")
    lead = person_of(organisation, admin=True, display_name="Luca Bianchi")
    person_of(organisation, admin=True)  # another admin: the lead may leave
    workspace = make_workspace(lead=lead)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_leave(actor=lead, organisation=organisation)

    assert Participant.objects.get(workspace=workspace, user=lead).role == "lead"
    client.force_login(lead)
    page = client.get(reverse("workspaces:people", args=[workspace.pk])).content.decode()
    assert "data-not-affiliated" in page
    assert "no longer with Fonderie Alfa" in page


def test_a_lead_who_is_not_the_last_one_goes(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    workspace = make_workspace()
    second_lead = person_of(organisation)
    add_participant(workspace, second_lead, role=Participant.Role.LEAD)

    with django_capture_on_commit_callbacks(execute=True):
        organisations.affiliation_leave(actor=second_lead, organisation=organisation)

    assert not takes_part(workspace, second_lead)


def _workspace_with_member():
    organisation = OrganisationFactory()
    workspace = make_workspace()
    member = person_of(organisation)
    add_participant(workspace, member)
    return workspace, member, organisation


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_their_sockets_lose_the_workspace_at_once():
    workspace, member, organisation = await sync_to_async(_workspace_with_member)()
    socket = await connect(member)
    try:
        first = (await subscribe(socket, workspace.stream))[0]
        assert first["op"] == "subscribed"
        await sync_to_async(organisations.affiliation_leave)(
            actor=member, organisation=organisation
        )
        cut = await frames(socket)
    finally:
        await socket.disconnect()

    assert ("error", "not_found", workspace.stream) in [
        (f["op"], f.get("code"), f.get("ref")) for f in cut
    ]
