"""Decisions about people (requests, invitations, roles, ownership) write their audit
entry in the decision's own transaction."""

import pytest
from django.core.exceptions import PermissionDenied

from community.models import AuditEntry, Community, Membership
from community.services import memberships
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.support.roles import person_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
Role = Membership.Role
State = Membership.State


def _row(person, community):
    return Membership.objects.select_related("user", "community").get(
        user=person, community=community
    )


def _pending(community):
    person = UserFactory()
    MembershipFactory(user=person, community=community, state=State.PENDING)
    return person


def _only_entry(action):
    entry = AuditEntry.objects.get()
    assert entry.action == action
    return entry


@pytest.mark.parametrize("decider", ["owner", "moderator", "staff"])
def test_approving_a_request_is_logged(decider):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    actor = person_in(community, decider)
    asker = _pending(community)
    memberships.membership_approve(actor=actor, membership=_row(asker, community))
    entry = _only_entry(Action.MEMBER_APPROVED)
    assert (entry.community, entry.actor, entry.member) == (community, actor, asker)
    assert asker.username in entry.target_label


def test_declining_a_request_and_withdrawing_an_invitation_are_logged_apart():
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    owner = person_in(community, "owner")
    asker = _pending(community)
    memberships.membership_decline(actor=owner, membership=_row(asker, community))
    assert _only_entry(Action.MEMBER_DECLINED).member == asker
    invitee = UserFactory()
    memberships.membership_invite(actor=owner, community=community, invitee=invitee)
    memberships.membership_decline(actor=owner, membership=_row(invitee, community))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert actions == {
        Action.MEMBER_DECLINED,
        Action.MEMBER_INVITED,
        Action.INVITATION_WITHDRAWN,
    }
    assert not Membership.objects.filter(user__in=[asker, invitee]).exists()


def test_an_invitation_is_logged_with_the_person_invited():
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    moderator = person_in(community, "moderator")
    invitee = UserFactory()
    memberships.membership_invite(
        actor=moderator, community=community, who=invitee.username
    )
    entry = _only_entry(Action.MEMBER_INVITED)
    assert (entry.actor, entry.member) == (moderator, invitee)


def test_appointing_and_demoting_a_moderator_are_logged_once_each():
    community = CommunityFactory()
    owner = person_in(community, "owner")
    member = person_in(community, "member")
    memberships.membership_set_role(
        actor=owner, membership=_row(member, community), role=Role.MODERATOR
    )
    # Setting the role it already has changes nothing and logs nothing.
    memberships.membership_set_role(
        actor=owner, membership=_row(member, community), role=Role.MODERATOR
    )
    memberships.membership_set_role(
        actor=owner, membership=_row(member, community), role=Role.MEMBER
    )
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "member")) == [
        (Action.MEMBER_PROMOTED, member.pk),
        (Action.MEMBER_DEMOTED, member.pk),
    ]


def test_a_refused_role_change_logs_nothing():
    community = CommunityFactory()
    moderator = person_in(community, "moderator")
    member = person_in(community, "member")
    with pytest.raises(PermissionDenied):
        memberships.membership_set_role(
            actor=moderator, membership=_row(member, community), role=Role.MODERATOR
        )
    assert _row(member, community).role == Role.MEMBER
    assert not AuditEntry.objects.exists()


def test_an_ownership_transfer_is_logged_naming_the_new_owner():
    community = CommunityFactory()
    owner = person_in(community, "owner")
    heir = person_in(community, "member")
    memberships.community_transfer_ownership(
        actor=owner, community=community, username=heir.username
    )
    entry = _only_entry(Action.OWNERSHIP_TRANSFERRED)
    assert (entry.actor, entry.member) == (owner, heir)
    assert _row(owner, community).role == Role.MODERATOR


def test_a_decision_rolled_back_leaves_no_entry(monkeypatch):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    owner = person_in(community, "owner")
    asker = _pending(community)
    real = memberships.audit_record

    def fail_after_the_entry(**kwargs):
        real(**kwargs)
        assert AuditEntry.objects.exists()
        raise RuntimeError("failed after the entry")

    monkeypatch.setattr(memberships, "audit_record", fail_after_the_entry)
    with pytest.raises(RuntimeError):
        memberships.membership_approve(actor=owner, membership=_row(asker, community))
    assert _row(asker, community).state == State.PENDING
    assert not AuditEntry.objects.exists()
