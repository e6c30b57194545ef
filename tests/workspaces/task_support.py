"""Workspaces with people in every role for the task, milestone and export tests.

Temporary: built with the ORM until the core's `tests/support/workspaces.py` is here.
"""

from community.models import Community, Membership
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from workspaces.models import Participant, Partner, Workspace


def make_workspace(lead=None, **fields):
    lead = lead or UserFactory(organisation=OrganisationFactory())
    community = CommunityFactory(
        visibility=Community.Visibility.PRIVATE, kind=Community.Kind.WORKSPACE
    )
    workspace = Workspace.objects.create(
        name=fields.pop("name", "Battery joint venture"),
        collaboration_type=Workspace.CollaborationType.JOINT_VENTURE,
        community=community,
        created_by=lead,
        **fields,
    )
    Partner.objects.create(
        workspace=workspace, organisation=lead.organisation, role=Partner.Role.LEAD
    )
    _join(workspace, lead, Participant.Role.LEAD)
    return workspace


def _join(workspace, user, role):
    Participant.objects.create(
        workspace=workspace, user=user, organisation=user.organisation, role=role
    )
    MembershipFactory(
        user=user,
        community=workspace.community,
        role=Membership.Role.OWNER if role == Participant.Role.LEAD else Membership.Role.MEMBER,
    )


def workspace_roles(workspace):
    lead = workspace.participants.get(role=Participant.Role.LEAD).user
    people = {"lead": lead, "stranger": UserFactory(organisation=OrganisationFactory())}
    for role in ("member", "guest"):
        people[role] = UserFactory(organisation=OrganisationFactory())
        _join(workspace, people[role], role)
    people["removed"] = UserFactory(organisation=lead.organisation)
    people["partner_colleague"] = UserFactory(organisation=lead.organisation)
    AffiliationFactory(user=people["partner_colleague"], organisation=lead.organisation)
    people["staff"] = UserFactory(is_staff=True)
    return people
