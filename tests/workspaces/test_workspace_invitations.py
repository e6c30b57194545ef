"""Invitations: by username or e-mail, on behalf of a partner organisation, with a
signed, expiring link; accepted, declined or revoked; a new partner organisation
joins only with its own consent (an admin's), the only admin's acceptance counting
for both sides."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.models import Affiliation, Membership
from live.models import Event
from tests.support.factories import OrganisationFactory, UserFactory
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.models import Invitation, Participant, Partner
from workspaces.services import people

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return make_workspace(name="Progetto Beta")


def invite(workspace, who, **fields):
    return people.invitation_create(
        actor=workspace.created_by, workspace=workspace, who=who, **fields
    )


def link(invitation):
    return reverse(
        "workspaces:invitation-detail", args=[people.invitation_token(invitation)]
    )


def action(invitation, name):
    return reverse(
        f"workspaces:invitation-{name}", args=[people.invitation_token(invitation)]
    )


def joined(workspace, person):
    return Participant.objects.filter(workspace=workspace, user=person).first()


def test_a_colleague_of_a_partner_joins_on_accepting(client, workspace):
    partner_org = OrganisationFactory()
    add_participant(workspace, person_of(partner_org))
    colleague = person_of(partner_org)
    invitation = invite(workspace, colleague.username, role="guest")
    client.force_login(colleague)

    page = client.get(link(invitation))
    response = client.post(action(invitation, "accept"))

    assert "Progetto Beta" in page.content.decode()
    assert response.status_code == 302
    participant = joined(workspace, colleague)
    assert (participant.role, participant.organisation) == ("guest", partner_org)
    assert (
        Membership.objects.get(community=workspace.community, user=colleague).state
        == "active"
    )
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert Event.objects.filter(
        stream=workspace.stream, type="participant.joined"
    ).exists()


def test_new_organisation_needs_its_admin_after_the_invitee(client, workspace):
    organisation = OrganisationFactory()
    admin = person_of(organisation, admin=True)
    invitee = person_of(organisation)
    invitation = invite(workspace, invitee.username, partner_role="advisor")

    client.force_login(invitee)
    client.post(action(invitation, "accept"))

    assert joined(workspace, invitee) is None
    assert not Partner.objects.filter(
        workspace=workspace, organisation=organisation
    ).exists()
    invitation.refresh_from_db()
    assert invitation.invitee_accepted_at is not None and invitation.state == "pending"

    client.force_login(admin)
    listing = client.get(reverse("workspaces:invitation-list")).content.decode()
    assert "Progetto Beta" in listing
    client.post(action(invitation, "consent"))

    assert joined(workspace, invitee) is not None
    assert joined(workspace, admin) is None  # consenting is not joining
    partner = Partner.objects.get(workspace=workspace, organisation=organisation)
    assert partner.role == "advisor"
    invitation.refresh_from_db()
    assert (invitation.state, invitation.organisation_accepted_by) == (
        "accepted",
        admin,
    )


def test_new_organisation_consents_first_then_the_invitee_joins(client, workspace):
    organisation = OrganisationFactory()
    admin = person_of(organisation, admin=True)
    invitee = person_of(organisation)
    invitation = invite(workspace, invitee.username)

    client.force_login(admin)
    client.post(action(invitation, "consent"))
    assert joined(workspace, invitee) is None

    client.force_login(invitee)
    client.post(action(invitation, "accept"))

    assert joined(workspace, invitee).organisation == organisation
    assert Partner.objects.filter(
        workspace=workspace, organisation=organisation
    ).exists()


def test_the_only_admin_accepts_for_both_sides_at_once(client, workspace):
    organisation = OrganisationFactory()
    only_admin = person_of(organisation, admin=True)
    invitation = invite(workspace, only_admin.username, role="member")
    client.force_login(only_admin)

    page = client.get(link(invitation)).content.decode()
    client.post(action(invitation, "accept"))

    assert organisation.name in page
    assert joined(workspace, only_admin) is not None
    partner = Partner.objects.get(workspace=workspace, organisation=organisation)
    assert partner.role == "partner"
    assert (
        Event.objects.filter(stream=workspace.stream, type="partner.joined").count()
        == 1
    )


def test_a_plain_member_cannot_consent_for_the_organisation(client, workspace):
    organisation = OrganisationFactory()
    person_of(organisation, admin=True)
    invitee = person_of(organisation)
    colleague = person_of(organisation)
    invitation = invite(workspace, invitee.username)
    client.force_login(invitee)
    client.post(action(invitation, "accept"))

    client.force_login(colleague)
    client.post(action(invitation, "consent"))

    assert joined(workspace, invitee) is None
    invitation.refresh_from_db()
    assert invitation.organisation_accepted_at is None


def test_an_expired_invitation_cannot_be_accepted(client, workspace):
    partner_org = OrganisationFactory()
    add_participant(workspace, person_of(partner_org))
    colleague = person_of(partner_org)
    invitation = invite(workspace, colleague.username)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(colleague)

    page = client.get(link(invitation))
    client.post(action(invitation, "accept"), follow=True)

    assert page.status_code == 410
    assert joined(workspace, colleague) is None


def test_a_forged_link_is_refused(client, workspace):
    client.force_login(person_of())

    response = client.get(
        reverse("workspaces:invitation-detail", args=["not-a-signed-token"])
    )

    assert response.status_code == 404


def test_a_revoked_invitation_stops_working(client, workspace):
    partner_org = OrganisationFactory()
    add_participant(workspace, person_of(partner_org))
    colleague = person_of(partner_org)
    invitation = invite(workspace, colleague.username)
    client.force_login(workspace.created_by)

    client.post(
        reverse("workspaces:invitation-revoke", args=[workspace.pk, invitation.pk])
    )
    client.force_login(colleague)
    page = client.get(link(invitation))
    client.post(action(invitation, "accept"))

    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert page.status_code == 410
    assert (
        "revoked" in page.content.decode().lower()
        or "revocato" in page.content.decode().lower()
    )
    assert joined(workspace, colleague) is None


def test_someone_else_with_the_link_learns_nothing_and_cannot_accept(client, workspace):
    partner_org = OrganisationFactory()
    add_participant(workspace, person_of(partner_org))
    invitee = person_of(partner_org)
    other = person_of(partner_org)
    invitation = invite(workspace, invitee.username)
    client.force_login(other)

    page = client.get(link(invitation))
    client.post(action(invitation, "accept"))

    assert page.status_code == 403
    assert "Progetto Beta" not in page.content.decode()
    assert joined(workspace, other) is None and joined(workspace, invitee) is None


def test_the_invitee_declines(client, workspace):
    invitee = person_of(admin=True)
    invitation = invite(workspace, invitee.username)
    client.force_login(invitee)

    client.post(action(invitation, "decline"))

    invitation.refresh_from_db()
    assert invitation.state == "declined"
    assert joined(workspace, invitee) is None


def test_an_invitee_outside_the_organisation_is_refused_with_a_clear_message(
    client, workspace
):
    organisation = OrganisationFactory()
    outsider = person_of()
    client.force_login(workspace.created_by)

    response = client.post(
        reverse("workspaces:invitation-create", args=[workspace.pk]),
        {
            "who": outsider.username,
            "organisation": organisation.name,
            "role": "member",
            "partner_role": "partner",
        },
    )

    assert response.status_code == 400
    assert outsider.name in response.content.decode()
    assert not Invitation.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize(
    "language, words", [("en", "Invitation to the workspace"), ("it", "Invito")]
)
def test_an_invitation_by_email_sends_the_signed_link_in_the_invitees_language(
    client, workspace, language, words, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    person = person_of(organisation, admin=True, language=language)
    client.force_login(workspace.created_by)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("workspaces:invitation-create", args=[workspace.pk]),
            {
                "who": person.email.upper(),
                "organisation": organisation.name,
                "role": "member",
                "partner_role": "partner",
            },
        )

    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.invitee is None and invitation.email == person.email
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert words in message.subject
    path = link(invitation)
    assert path in message.body
    client.force_login(person)
    client.post(path + "accept/")
    assert joined(workspace, person) is not None


def test_inviting_is_rate_limited(
    client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invite": (2, 3600)}
    organisation = OrganisationFactory()
    client.force_login(workspace.created_by)
    with django_capture_on_commit_callbacks(execute=True):
        responses = [
            client.post(
                reverse("workspaces:invitation-create", args=[workspace.pk]),
                {
                    "who": f"someone{number}@example.org",
                    "organisation": organisation.name,
                    "role": "member",
                    "partner_role": "partner",
                },
            )
            for number in range(3)
        ]

    assert [response.status_code for response in responses] == [302, 302, 400]
    assert Invitation.objects.filter(workspace=workspace).count() == 2
    assert len(mail.outbox) == 2


def test_an_unverified_address_does_not_accept_an_email_invitation(client, workspace):
    organisation = OrganisationFactory()
    person = UserFactory(organisation=organisation, verified=False)
    Affiliation.objects.create(
        user=person, organisation=organisation, state="active", role="admin"
    )
    invitation = invite(workspace, person.email, organisation_name=organisation.name)
    client.force_login(person)

    client.post(action(invitation, "accept"))

    assert joined(workspace, person) is None
