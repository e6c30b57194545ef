"""A community keeps an owner and an organisation an admin, whatever happened meanwhile.

The rule is decided once (`permissions.is_last_owner`, the last-admin rule behind
`can_leave_organisation` and `can_remove_organisation_admin`) and asked again by the
services on the locked rows. Here another request changes the rows while this one still
holds the answers it read earlier; tests/scaleout/test_last_owner_race.py runs the same
on PostgreSQL with two connections at the same moment.
"""

import contextvars

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from community import permissions
from community.models import Affiliation, Membership
from community.services import memberships, organisations
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
State = Membership.State
ADMIN = Affiliation.Role.ADMIN


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def elsewhere(function, **kwargs):
    """Run a service as another request does: with a permission scope of its own."""

    def run():
        with permissions.operation():
            return function(**kwargs)

    return contextvars.Context().run(run)


def hand_over_elsewhere(community, owner, to):
    elsewhere(
        memberships.community_transfer_ownership,
        actor=owner,
        community=community,
        username=to.username,
    )


def owners(community):
    return Membership.objects.filter(
        community=community, role=Role.OWNER, state=State.ACTIVE
    ).count()


def admins(organisation):
    return Affiliation.objects.filter(
        organisation=organisation, role=ADMIN, state=Affiliation.State.ACTIVE
    ).count()


def test_two_owners_leaving_one_after_the_other_keep_one_owner():
    community = CommunityFactory()
    anna, bruno = (
        MembershipFactory(community=community, role=Role.OWNER).user for _ in range(2)
    )

    with permissions.operation():
        # Anna's page offered "leave": there were two owners when it asked.
        assert permissions.can_leave_community(anna, community)
        elsewhere(memberships.community_leave, actor=bruno, community=community)

        with pytest.raises(ValidationError) as refused:
            memberships.community_leave(actor=anna, community=community)

    assert refused.value.code == "last_owner"
    assert owners(community) == 1


def test_a_member_made_owner_meanwhile_cannot_leave_the_community_ownerless():
    community = CommunityFactory()
    anna = MembershipFactory(community=community, role=Role.OWNER).user
    carla = MembershipFactory(community=community).user

    with permissions.operation():
        assert permissions.can_leave_community(carla, community)
        hand_over_elsewhere(community, anna, to=carla)

        with pytest.raises(ValidationError):
            memberships.community_leave(actor=carla, community=community)

    assert owners(community) == 1
    assert permissions.is_last_owner(carla, community)


def test_an_owner_who_handed_over_meanwhile_cannot_hand_over_again():
    community = CommunityFactory()
    anna = MembershipFactory(community=community, role=Role.OWNER).user
    bruno, carla = (MembershipFactory(community=community).user for _ in range(2))

    with permissions.operation():
        assert permissions.can_transfer_ownership(anna, community)
        hand_over_elsewhere(community, anna, to=bruno)

        with pytest.raises(PermissionDenied):
            memberships.community_transfer_ownership(
                actor=anna, community=community, username=carla.username
            )

    assert list(
        Membership.objects.filter(community=community, role=Role.OWNER).values_list(
            "user", flat=True
        )
    ) == [bruno.pk]


def test_two_admins_demoting_each_other_keep_one_admin():
    organisation = OrganisationFactory()
    anna, bruno = (
        AffiliationFactory(organisation=organisation, role=ADMIN) for _ in range(2)
    )

    with permissions.operation():
        # Anna's page offered "remove administrator role": there were two admins.
        assert permissions.can_remove_organisation_admin(anna.user, organisation)
        elsewhere(
            organisations.affiliation_set_role,
            actor=bruno.user,
            affiliation=anna,
            role=Affiliation.Role.MEMBER,
        )

        with pytest.raises(PermissionDenied):
            organisations.affiliation_set_role(
                actor=anna.user, affiliation=bruno, role=Affiliation.Role.MEMBER
            )

    assert admins(organisation) == 1


@pytest.mark.parametrize(
    ("offered", "attempt", "refusal"),
    [
        (
            permissions.can_remove_organisation_admin,
            lambda anna, organisation: organisations.affiliation_set_role(
                actor=anna.user, affiliation=anna, role=Affiliation.Role.MEMBER
            ),
            "at least one administrator",
        ),
        (
            permissions.can_leave_organisation,
            lambda anna, organisation: organisations.affiliation_leave(
                actor=anna.user, organisation=organisation
            ),
            "only administrator",
        ),
    ],
    ids=["giving-the-role-up", "leaving"],
)
def test_an_admin_left_alone_meanwhile_stays_admin(offered, attempt, refusal):
    organisation = OrganisationFactory()
    anna, bruno = (
        AffiliationFactory(organisation=organisation, role=ADMIN) for _ in range(2)
    )

    with permissions.operation():
        # Anna's page offered it: there were two admins when it asked.
        assert offered(anna.user, organisation)
        elsewhere(organisations.affiliation_leave, actor=bruno.user, organisation=organisation)

        with pytest.raises(ValidationError, match=refusal):
            attempt(anna, organisation)

    assert admins(organisation) == 1


def test_an_admin_left_alone_meanwhile_is_not_moved_to_another_organisation():
    old, new = OrganisationFactory(name="Old Employer"), OrganisationFactory()
    anna, bruno = (AffiliationFactory(organisation=old, role=ADMIN) for _ in range(2))
    new_admin = AffiliationFactory(organisation=new, role=ADMIN).user
    request = AffiliationFactory(
        user=anna.user, organisation=new, state=Affiliation.State.PENDING
    )

    with permissions.operation():
        assert permissions.can_leave_organisation(anna.user, old)
        elsewhere(organisations.affiliation_leave, actor=bruno.user, organisation=old)

        with pytest.raises(ValidationError, match="only administrator of Old Employer"):
            organisations.affiliation_approve(actor=new_admin, affiliation=request)

    assert admins(old) == 1
