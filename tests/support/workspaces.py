"""Workspaces for the tests, made through the services, and the people of the
workspace permission matrix."""

from types import SimpleNamespace

from community.models import Affiliation
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory
from workspaces.models import Participant, Workspace
from workspaces.services import people, workspaces

# Every person a workspace page, action or stream meets (`workspace_roles`).
ROLES = ("stranger", "guest", "member", "lead", "removed", "partner_colleague", "staff")
# Who sees a workspace (everyone else gets 404).
SEES = frozenset({"guest", "member", "lead", "staff"})
# Who uploads, changes tasks (leads and members).
CONTRIBUTES = frozenset({"member", "lead"})
# Who runs the workspace.
LEADS = frozenset({"lead"})


def person_of(organisation=None, *, admin=False, **fields):
    """A verified person with an active affiliation to `organisation` (a new one by
    default), shown as theirs."""
    organisation = organisation or OrganisationFactory()
    person = UserFactory(organisation=organisation, **fields)
    AffiliationFactory(
        user=person,
        organisation=organisation,
        state=Affiliation.State.ACTIVE,
        role=Affiliation.Role.ADMIN if admin else Affiliation.Role.MEMBER,
    )
    return person


def make_workspace(lead=None, **fields):
    """A workspace opened by `lead` (a new admin of a new organisation by default)
    through `workspace_create`."""
    lead = lead or person_of(admin=True)
    fields.setdefault("name", "Progetto Alfa")
    fields.setdefault("collaboration_type", Workspace.CollaborationType.JOINT_VENTURE)
    return workspaces.workspace_create(actor=lead, **fields)


def add_participant(workspace, person, role=Participant.Role.MEMBER, organisation=None):
    """Make `person` a participant (as an accepted invitation would)."""
    return people.participant_add(
        actor=workspace.created_by,
        workspace=workspace,
        user=person,
        organisation=organisation or person.organisation,
        role=role,
    )


class Roles(SimpleNamespace):
    """The people of `workspace_roles`, by attribute (`roles.guest`) or by name
    (`roles["guest"]`, for parametrised tests)."""

    def __getitem__(self, role):
        return getattr(self, role)


def workspace_roles(workspace):
    """People for the permission matrix of `workspace`: `stranger` (verified, no
    link), `guest`, `member`, `lead` (its creator), `removed` (was a member),
    `partner_colleague` (in a partner organisation, not a participant), `staff`."""
    lead = workspace.created_by
    partner_organisation = OrganisationFactory()
    member = person_of(partner_organisation)
    guest = person_of(partner_organisation)
    removed = person_of(partner_organisation)
    add_participant(workspace, member, Participant.Role.MEMBER)
    add_participant(workspace, guest, Participant.Role.GUEST)
    participant = add_participant(workspace, removed, Participant.Role.MEMBER)
    people.participant_remove(actor=lead, participant=participant)
    return Roles(
        stranger=person_of(),
        guest=guest,
        member=member,
        lead=lead,
        removed=removed,
        partner_colleague=person_of(partner_organisation),
        staff=UserFactory(is_staff=True),
    )
