"""The rules of `community.permissions` against every role, and the pages that ask them.

Every rule that pages, services and the socket use is answered by one function: the
matrices pin each answer for each role; the list querysets agree with the per-object
rules; the reply rule gives the page's notice and the refusal alike; staff moderate
every community, on the home page too.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community import permissions
from community.models import Affiliation, Community, Membership
from community.services import communities as community_services
from community.services import rooms, threads
from tests.support import roles
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]

Role = Membership.Role
State = Membership.State
Reply = permissions.Reply

# tests.support.roles.ROLES, with muted members.
ROLES = (
    "anonymous",
    "outsider",
    "pending",
    "invited",
    "member",
    "muted",
    "moderator",
    "owner",
    "banned",
    "staff",
)


def person_in(community, role):
    """Someone holding `role` in `community` (the owner is its only owner)."""
    return roles.person_in(community, role) or AnonymousUser()


# One letter per role, in the order of ROLES: Y allowed, - refused.
#            anonymous outsider pending invited member muted moderator owner banned staff
COMMUNITY_RULES = {
    "public": {
        "can_see_community": "YYYYYYYYYY",
        "can_read_community": "YYYYYYYYYY",
        "can_post_in_community": "----Y-YY-Y",
        "can_create_thread": "----Y-YY-Y",
        "can_join_community": "-YY------Y",
        "can_accept_invitation": "---Y------",
        "can_request_to_join": "----------",
        "can_cancel_request": "--Y-------",
        "can_decline_invitation": "---Y------",
        "can_leave_community": "----YYY---",
        "is_last_owner": "-------Y--",
        "can_moderate_community": "------YY-Y",
        "can_edit_community": "-------Y-Y",
        "can_manage_roles": "-------Y-Y",
        "can_transfer_ownership": "-------Y-Y",
        "can_invite_to_community": "------YY-Y",
        "can_see_join_requests": "------YY-Y",
        "can_see_members": "YYYYYYYYYY",
    },
    "restricted": {
        "can_see_community": "YYYYYYYYYY",
        "can_read_community": "----YYYY-Y",
        "can_post_in_community": "----Y-YY-Y",
        "can_join_community": "----------",
        "can_accept_invitation": "---Y------",
        "can_request_to_join": "-Y-------Y",
        "can_cancel_request": "--Y-------",
        "can_leave_community": "----YYY---",
        "can_moderate_community": "------YY-Y",
        "can_see_members": "----YYYY-Y",
    },
    "private": {
        "can_see_community": "--YYYYYY-Y",
        "can_read_community": "----YYYY-Y",
        "can_post_in_community": "----Y-YY-Y",
        "can_join_community": "----------",
        "can_accept_invitation": "---Y------",
        "can_request_to_join": "----------",
        "can_leave_community": "----YYY---",
        "can_moderate_community": "------YY-Y",
    },
}

# What the bottom of an open thread (and of a locked one) offers each role.
REPLY_STATES = {
    "public": (
        ("login", "join", "join", "join", "reply", "muted", "reply", "reply", "none", "reply"),
        ("locked",) * 6 + ("reply", "reply", "locked", "reply"),
    ),
    "restricted": (
        ("login", "request", "pending", "join", "reply", "muted", "reply", "reply", "none", "reply"),
        ("locked",) * 6 + ("reply", "reply", "locked", "reply"),
    ),
    "private": (
        ("login", "none", "pending", "join", "reply", "muted", "reply", "reply", "none", "reply"),
        ("locked",) * 6 + ("reply", "reply", "locked", "reply"),
    ),
}


def expected_answers(rules, roles, role):
    """{rule: True/False} for `role`, read from a table of Y/- columns."""
    column = roles.index(role)
    return {rule: answers[column] == "Y" for rule, answers in rules.items()}


@pytest.mark.parametrize("visibility", sorted(COMMUNITY_RULES))
@pytest.mark.parametrize("role", ROLES)
def test_community_rule_matrix(visibility, role):
    community = CommunityFactory(visibility=visibility)
    user = person_in(community, role)
    rules = COMMUNITY_RULES[visibility]

    answers = {rule: getattr(permissions, rule)(user, community) for rule in rules}

    assert answers == expected_answers(rules, ROLES, role)


@pytest.mark.parametrize("visibility", sorted(REPLY_STATES))
@pytest.mark.parametrize("role", ROLES)
def test_reply_state_matrix(visibility, role):
    community = CommunityFactory(visibility=visibility)
    user = person_in(community, role)
    for locked in (False, True):
        thread = ThreadFactory(community=community, is_locked=locked)
        expected = REPLY_STATES[visibility][locked][ROLES.index(role)]

        assert permissions.reply_state(user, thread) == expected, f"locked={locked}"
        # can_reply and require_reply are the same answer.
        assert permissions.can_reply(user, thread) is (expected == "reply")
        if expected == "reply":
            permissions.require_reply(user, thread)
        else:
            with pytest.raises(PermissionDenied):
                permissions.require_reply(user, thread)


@pytest.mark.parametrize("visibility", sorted(COMMUNITY_RULES))
@pytest.mark.parametrize("role", ROLES)
def test_list_querysets_agree_with_the_rules_for_one_community(visibility, role):
    community = CommunityFactory(visibility=visibility)
    user = person_in(community, role)

    for listed, rule in (
        (permissions.communities_visible_to, permissions.can_see_community),
        (permissions.communities_readable_by, permissions.can_read_community),
        (permissions.communities_moderated_by, permissions.can_moderate_community),
    ):
        assert listed(user).filter(pk=community.pk).exists() is rule(user, community), (
            listed.__name__
        )


def test_communities_moderated_by_staff_are_all_of_them():
    communities = [CommunityFactory(visibility=v) for v in Community.Visibility.values]
    staff = UserFactory(is_staff=True)
    moderator = UserFactory()
    MembershipFactory(user=moderator, community=communities[0], role=Role.MODERATOR)

    assert set(permissions.communities_moderated_by(staff)) == set(communities)
    assert list(permissions.communities_moderated_by(moderator)) == [communities[0]]
    assert not permissions.communities_moderated_by(AnonymousUser()).exists()


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ({}, False),
        ({"is_staff": True}, True),
        ({"is_staff": True, "is_active": False}, False),
        # Django's admin site lets in staff only, superuser or not.
        ({"is_superuser": True}, False),
        ({"is_staff": True, "is_superuser": True}, True),
    ],
)
def test_can_open_admin_follows_the_admin_site(person, expected):
    assert permissions.can_open_admin(UserFactory(**person)) is expected
    assert permissions.can_open_admin(AnonymousUser()) is False


def test_only_people_who_may_open_the_admin_see_its_link(client):
    member, staff = UserFactory(), UserFactory(is_staff=True)
    admin_url = reverse("admin:index")

    client.force_login(member)
    assert admin_url not in client.get(reverse("community:home")).content.decode()
    client.force_login(staff)
    assert admin_url in client.get(reverse("community:home")).content.decode()


# --- organisations ---------------------------------------------------------------------

ORGANISATION_ROLES = (
    "anonymous",
    "outsider",
    "pending",
    "declined",
    "member",
    "admin",
    "co_admin",
    "staff",
)
_AFFILIATION = {
    "pending": (Affiliation.Role.MEMBER, Affiliation.State.PENDING),
    "declined": (Affiliation.Role.MEMBER, Affiliation.State.DECLINED),
    "member": (Affiliation.Role.MEMBER, Affiliation.State.ACTIVE),
    "admin": (Affiliation.Role.ADMIN, Affiliation.State.ACTIVE),
    "co_admin": (Affiliation.Role.ADMIN, Affiliation.State.ACTIVE),
}
#           anonymous outsider pending declined member admin co_admin staff
ORGANISATION_RULES = {
    "can_edit_organisation": "-----YYY",
    "can_decide_affiliations": "-----YYY",
    "can_request_affiliation": "-Y-Y---Y",
    "can_withdraw_affiliation": "--Y-----",
    "is_organisation_member": "----YYY-",
    "can_leave_organisation": "----Y-Y-",
    "is_last_organisation_admin": "-----Y--",
    "can_manage_organisation_roles": "-----YYY",
    "can_remove_organisation_admin": "------Y-",
}


def person_in_organisation(organisation, role):
    """Someone holding `role`; the organisation has one admin, two for `co_admin`."""
    if role != "admin":
        AffiliationFactory(organisation=organisation, role=Affiliation.Role.ADMIN)
    if role == "anonymous":
        return AnonymousUser()
    if role == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory()
    if role in _AFFILIATION:
        affiliation_role, state = _AFFILIATION[role]
        AffiliationFactory(
            user=user, organisation=organisation, role=affiliation_role, state=state
        )
    return user


@pytest.mark.parametrize("role", ORGANISATION_ROLES)
def test_organisation_rule_matrix(role):
    organisation = OrganisationFactory()
    user = person_in_organisation(organisation, role)

    answers = {
        rule: getattr(permissions, rule)(user, organisation)
        for rule in ORGANISATION_RULES
    }

    assert answers == expected_answers(ORGANISATION_RULES, ORGANISATION_ROLES, role)


# --- one refusal per rule ----------------------------------------------------------------


def test_a_muted_member_is_told_they_are_muted_when_replying(client):
    community = CommunityFactory()
    member = person_in(community, "muted")
    thread = ThreadFactory(community=community)
    client.force_login(member)
    url = reverse("community:thread-reply", args=[community.slug, thread.pk])

    response = client.post(url, {"body": "Eccomi", "client_id": "x"})

    assert response.status_code == 403
    assert "A moderator has silenced you in this community until" in response.content.decode()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "A moderator has silenced you in this community until" in page
    with pytest.raises(PermissionDenied, match="has silenced you in this community until"):
        threads.post_reply(actor=member, thread=thread, body="Eccomi")


def test_a_muted_member_is_told_they_are_muted_when_writing_in_a_room(client):
    community = CommunityFactory()
    member = person_in(community, "muted")
    room = ThreadFactory(community=community, kind="room")
    client.force_login(member)
    url = reverse("community:room-post", args=[community.slug, room.pk])

    response = client.post(url, {"body": "Eccomi", "client_id": "x"})

    assert response.status_code == 403
    assert "you can read but not write until then" in response.content.decode()


@pytest.mark.parametrize(
    ("view", "service", "message"),
    [
        (
            lambda client, community: client.get(
                reverse("community:thread-create", args=[community.slug])
            ),
            lambda user, community: threads.thread_create(
                actor=user, community=community, title="Ciao", body="Ciao"
            ),
            "Only members of this community can start threads.",
        ),
        (
            lambda client, community: client.get(
                reverse("community:community-edit", args=[community.slug])
            ),
            lambda user, community: community_services.community_update(
                actor=user,
                community=community,
                name="Nuovo",
                description="",
                visibility="public",
                themes=[],
            ),
            "Only the owners can change this community.",
        ),
        (
            lambda client, community: client.get(
                reverse("community:room-create", args=[community.slug])
            ),
            lambda user, community: rooms.room_create(
                actor=user, community=community, name="Sala"
            ),
            "Only owners and moderators can open rooms.",
        ),
    ],
    ids=["start-thread", "edit-community", "open-room"],
)
def test_views_and_services_refuse_with_the_same_words(client, view, service, message):
    community = CommunityFactory()
    outsider = UserFactory()
    client.force_login(outsider)

    response = view(client, community)

    assert response.status_code == 403
    assert message in response.content.decode()
    with pytest.raises(PermissionDenied) as refused:
        service(outsider, community)
    assert str(refused.value) == message


def test_the_last_owner_is_refused_with_a_notice_not_a_403():
    community = CommunityFactory()
    owner = person_in(community, "owner")

    with pytest.raises(ValidationError) as refused:
        permissions.require_leave_community(owner, community)

    assert refused.value.code == "last_owner"
    with pytest.raises(PermissionDenied, match="not a member"):
        permissions.require_leave_community(UserFactory(), community)


# --- pages -------------------------------------------------------------------------------


def test_staff_see_requests_to_decide_in_communities_they_do_not_belong_to(client):
    community = CommunityFactory(name="Agrifood", visibility="restricted")
    MembershipFactory(community=community, state=State.PENDING)
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    page = client.get(reverse("community:home")).content.decode()

    assert "1 person asks to join Agrifood" in page
    assert reverse("community:community-requests", args=[community.slug]) in page


def test_members_do_not_see_requests_of_communities_they_do_not_moderate(client):
    community = CommunityFactory(name="Agrifood", visibility="restricted")
    MembershipFactory(community=community, state=State.PENDING)
    member = person_in(community, "member")
    client.force_login(member)

    page = client.get(reverse("community:home")).content.decode()

    assert "asks to join Agrifood" not in page


@pytest.mark.parametrize(
    ("role", "join", "accept", "leave", "last_owner_notice"),
    [
        ("outsider", True, False, False, False),
        ("invited", False, True, False, False),
        ("member", False, False, True, False),
        ("owner", False, False, False, True),
        ("staff", True, False, False, False),
    ],
)
def test_community_header_buttons_follow_the_rules(
    client, role, join, accept, leave, last_owner_notice
):
    community = CommunityFactory()
    client.force_login(person_in(community, role))
    join_url = reverse("community:community-join", args=[community.slug])
    leave_url = reverse("community:community-leave", args=[community.slug])

    header = client.get(
        reverse("community:community-members", args=[community.slug])
    ).content.decode()

    assert (">Join<" in header) is join
    assert ("Accept invitation" in header) is accept
    assert (join_url in header) is (join or accept)
    assert ("Leave this community?" in header) is leave
    assert (leave_url in header) is (leave or accept)
    assert ("You are the only owner" in header) is last_owner_notice


def test_an_owner_beside_another_owner_may_leave_from_the_header(client):
    community = CommunityFactory()
    owner = person_in(community, "owner")
    MembershipFactory(community=community, role=Role.OWNER)
    client.force_login(owner)

    page = client.get(community.get_absolute_url()).content.decode()

    assert "Leave this community?" in page
    assert "You are the only owner" not in page
