"""People in every role a community knows, and which roles may see and read it.

The permission matrices of communities, threads and rooms parametrise over these roles;
`person_in` makes the person who holds one, `gate` says what a role meets before any
rule of its own.
"""

from django.urls import reverse
from django.utils import timezone

from community.models import Community, Membership
from tests.support.factories import MembershipFactory, OrganisationFactory, UserFactory

Role = Membership.Role
State = Membership.State
Visibility = Community.Visibility

# Everyone a page or a stream may meet, from a visitor to site staff.
ROLES = (
    "anonymous",
    "outsider",
    "pending",
    "invited",
    "member",
    "moderator",
    "owner",
    "banned",
    "staff",
)
# The membership (role, state) of each role that has one in the community.
MEMBERSHIP_OF_ROLE = {
    "pending": (Role.MEMBER, State.PENDING),
    "invited": (Role.MEMBER, State.INVITED),
    "member": (Role.MEMBER, State.ACTIVE),
    "moderator": (Role.MODERATOR, State.ACTIVE),
    "owner": (Role.OWNER, State.ACTIVE),
    "banned": (Role.MEMBER, State.BANNED),
}
VISIBILITIES = (Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE)

# Who reads a community's content whatever its visibility, and who runs it.
READERS = frozenset({"member", "moderator", "owner", "staff"})
MODERATORS = frozenset({"moderator", "owner", "staff"})
# The people a moderation tool meets, and whether each may use it: its moderators only.
MODERATION_TOOL_ROLES = tuple(
    (role, role in MODERATORS)
    for role in ("owner", "moderator", "staff", "member", "muted", "banned", "outsider")
)


def person_in(community, role):
    """A user holding `role` in `community` (None for an anonymous visitor); a "muted"
    member is muted for a day."""
    if role == "anonymous":
        return None
    if role == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory(organisation=OrganisationFactory())
    if role in MEMBERSHIP_OF_ROLE:
        membership_role, state = MEMBERSHIP_OF_ROLE[role]
        MembershipFactory(
            user=user, community=community, role=membership_role, state=state
        )
    elif role == "muted":
        MembershipFactory(
            user=user,
            community=community,
            muted_until=timezone.now() + timezone.timedelta(days=1),
        )
    return user


def member_of(community, role="member"):
    return person_in(community, role)


def english_member(community, role="member"):
    """A member who reads the site in English (socket refusals follow the person)."""
    person = member_of(community, role)
    person.language = "en"
    person.save(update_fields=["language"])
    return person


def sees(visibility, role):
    """Whether `role` learns that a community of `visibility` exists."""
    # Invitees see a private community to accept or decline, not its content. A
    # pending request in a private community was left waiting when it turned private:
    # the requester still sees the community (to withdraw), not its content either.
    return visibility != Visibility.PRIVATE or role in READERS | {"pending", "invited"}


def reads(visibility, role):
    """Whether `role` reads the threads and rooms of a community of `visibility`."""
    return visibility == Visibility.PUBLIC or role in READERS


def gate(visibility, role, *, login_first):
    """The refusal a role meets before any action-specific rule, or None."""
    if login_first and role == "anonymous":
        return 302
    if not sees(visibility, role):
        return 404
    if not reads(visibility, role):
        return 403
    return None


def expected_status(rule, visibility, role):
    """The status `role` gets for an action whose `rule` is (needs login, status when
    allowed, the roles allowed once past the gate): refused ones get 403."""
    needs_login, allowed_status, allowed = rule
    refused = gate(visibility, role, login_first=needs_login)
    if refused:
        return refused
    return allowed_status if role in allowed else 403


def assert_status(response, rule, visibility, role):
    """Assert that `response` has the status of expected_status(); a visitor refused
    for want of a login is sent to the login page. Returns the status."""
    status = expected_status(rule, visibility, role)
    assert response.status_code == status, (role, visibility)
    needs_login = rule[0]
    if status == 302 and role == "anonymous" and needs_login:
        assert response["Location"].startswith(reverse("account_login"))
    return status
