"""Joining, leaving, requests, invitations, roles and ownership, as people live them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Community, Membership
from community.ratelimit import RateLimited
from community.services import communities as community_services
from community.services import memberships
from live.models import Event
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]

Role = Membership.Role
State = Membership.State


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", display_name="Giulia Rossi")


@pytest.fixture
def user(db):
    # A fixed name: random ones may hold an apostrophe, which the page escapes.
    return UserFactory(display_name="Chiara Conti")


def make_community(owner, visibility="public", **kwargs):
    return community_services.community_create(
        actor=owner,
        name=kwargs.pop("name", "Manifattura avanzata"),
        description="Robotica e industria 4.0",
        visibility=visibility,
        themes=kwargs.pop("themes", ["robotica"]),
    )


def state_of(user, community):
    membership = Membership.objects.filter(user=user, community=community).first()
    return None if membership is None else (membership.role, membership.state)


def members_counted(community):
    community.refresh_from_db()
    actual = community.memberships.filter(state=State.ACTIVE).count()
    assert community.member_count == actual
    return actual


def event_types(stream):
    return list(Event.objects.filter(stream=stream).values_list("type", flat=True))


def assert_gap_free(stream):
    seqs = list(Event.objects.filter(stream=stream).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def page_text(response):
    return response.content.decode()


# --- public communities ----------------------------------------------------------------


def test_joining_a_public_community_makes_you_a_counted_member(client, owner, user):
    community = make_community(owner)
    client.force_login(user)
    response = client.post(
        reverse("community:community-join", args=[community.slug]), follow=True
    )
    assert "Welcome to Manifattura avanzata!" in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
    assert members_counted(community) == 2
    assert "member.joined" in event_types(f"community:{community.pk}")
    assert event_types(f"user:{user.pk}") == ["member.joined"]
    # The page now offers "Leave" and "New thread" instead of "Join".
    page = page_text(client.get(community.get_absolute_url()))
    assert "New thread" in page
    assert ">Join<" not in page


def test_joining_twice_explains_you_already_belong(client, owner, user):
    community = make_community(owner)
    client.force_login(user)
    url = reverse("community:community-join", args=[community.slug])
    client.post(url)
    response = client.post(url, follow=True)
    assert "already a member" in page_text(response)
    assert members_counted(community) == 2


def test_leaving_removes_you_and_updates_the_count(client, owner, user):
    community = make_community(owner)
    memberships.community_join(actor=user, community=community)
    client.force_login(user)
    response = client.post(
        reverse("community:community-leave", args=[community.slug]), follow=True
    )
    assert "You left Manifattura avanzata." in page_text(response)
    assert state_of(user, community) is None
    assert members_counted(community) == 1
    assert event_types(f"user:{user.pk}") == ["member.joined", "member.left"]


def test_unverified_people_cannot_join(client, owner):
    community = make_community(owner)
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    response = client.post(reverse("community:community-join", args=[community.slug]))
    assert response.status_code == 403
    assert "Confirm your email address to join." in page_text(
        client.get(community.get_absolute_url())
    )


def test_banned_people_cannot_join_or_ask(owner):
    public = make_community(owner)
    restricted = make_community(owner, "restricted", name="Scienze della vita")
    banned = UserFactory()
    MembershipFactory(user=banned, community=public, state=State.BANNED)
    MembershipFactory(user=banned, community=restricted, state=State.BANNED)
    with pytest.raises(PermissionDenied):
        memberships.community_join(actor=banned, community=public)
    with pytest.raises(PermissionDenied):
        memberships.community_request_join(actor=banned, community=restricted)
    with pytest.raises(PermissionDenied):
        memberships.community_leave(actor=banned, community=public)
    assert state_of(banned, public) == (Role.MEMBER, State.BANNED)


def test_joining_is_rate_limited(client, owner, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": (2, 600)}
    communities = [make_community(owner, name=f"Comunità {n}") for n in range(3)]
    memberships.community_join(actor=user, community=communities[0])
    memberships.community_join(actor=user, community=communities[1])
    client.force_login(user)
    response = client.post(
        reverse("community:community-join", args=[communities[2].slug]), follow=True
    )
    assert "too often" in page_text(response)
    assert state_of(user, communities[2]) is None


# --- restricted communities: requests --------------------------------------------------


def test_request_to_join_waits_for_a_moderator_who_approves_it(client, owner, user):
    community = make_community(owner, "restricted")
    client.force_login(user)
    response = client.post(
        reverse("community:community-join", args=[community.slug]),
        {"message": "Lavoro in un laboratorio di biotecnologie."},
        follow=True,
    )
    page = page_text(response)
    assert "was sent to its moderators" in page
    assert "Request pending" in page
    assert "Members only" in page
    assert state_of(user, community) == (Role.MEMBER, State.PENDING)
    assert members_counted(community) == 1

    client.force_login(owner)
    requests_page = page_text(
        client.get(reverse("community:community-requests", args=[community.slug]))
    )
    assert user.name in requests_page
    assert "Lavoro in un laboratorio di biotecnologie." in requests_page
    membership = Membership.objects.get(user=user, community=community)
    response = client.post(
        reverse("community:membership-decide", args=[community.slug, membership.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert f"{user.name} is now a member." in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
    assert members_counted(community) == 2
    assert event_types(f"user:{user.pk}") == ["member.requested", "member.approved"]


def test_declined_request_disappears_and_may_be_sent_again(client, owner, user):
    community = make_community(owner, "restricted")
    membership = memberships.community_request_join(actor=user, community=community)
    client.force_login(owner)
    client.post(
        reverse("community:membership-decide", args=[community.slug, membership.pk]),
        {"decision": "decline"},
    )
    assert state_of(user, community) is None
    assert members_counted(community) == 1
    memberships.community_request_join(actor=user, community=community)
    assert state_of(user, community) == (Role.MEMBER, State.PENDING)
    assert event_types(f"user:{user.pk}") == [
        "member.requested",
        "member.declined",
        "member.requested",
    ]


def test_requester_can_cancel_the_request(client, owner, user):
    community = make_community(owner, "restricted")
    memberships.community_request_join(actor=user, community=community)
    client.force_login(user)
    response = client.post(
        reverse("community:community-leave", args=[community.slug]), follow=True
    )
    assert "Your request to join was withdrawn." in page_text(response)
    assert state_of(user, community) is None


def test_deciding_a_request_twice_explains_it_is_gone(owner, user):
    community = make_community(owner, "restricted")
    membership = memberships.community_request_join(actor=user, community=community)
    memberships.membership_approve(actor=owner, membership=membership)
    with pytest.raises(ValidationError):
        memberships.membership_approve(actor=owner, membership=membership)
    assert members_counted(community) == 2


def test_a_request_left_pending_joins_at_once_when_the_community_turns_public(
    owner, user
):
    community = make_community(owner, "restricted")
    memberships.community_request_join(actor=user, community=community)
    community = community_services.community_update(
        actor=owner,
        community=community,
        name=community.name,
        description=community.description,
        visibility="public",
        themes=["robotica"],
    )
    memberships.community_join(actor=user, community=community)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
    assert members_counted(community) == 2


# --- invitations -----------------------------------------------------------------------


@pytest.mark.parametrize("by", ["username", "email"])
def test_invitee_sees_the_private_community_and_accepts(client, owner, user, by):
    community = make_community(owner, "private", name="Consorzio idrogeno")
    client.force_login(owner)
    response = client.post(
        reverse("community:community-invite", args=[community.slug]),
        {"who": getattr(user, by), "message": "Ti aspettiamo!"},
        follow=True,
    )
    assert f"{user.name} was invited." in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.INVITED)

    client.force_login(user)
    home = page_text(client.get(reverse("community:home")))
    assert "You are invited to" in home and "Consorzio idrogeno" in home
    assert "Consorzio idrogeno" in page_text(
        client.get(reverse("community:community-list"))
    )
    detail = page_text(client.get(community.get_absolute_url()))
    assert "Accept invitation" in detail
    assert "Ti aspettiamo!" in detail
    response = client.post(
        reverse("community:community-join", args=[community.slug]), follow=True
    )
    assert "You accepted the invitation" in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
    assert members_counted(community) == 2
    assert event_types(f"user:{user.pk}") == ["member.invited", "member.joined"]


def test_declined_invitation_hides_the_private_community_again(client, owner, user):
    community = make_community(owner, "private")
    memberships.membership_invite(actor=owner, community=community, who=user.username)
    client.force_login(user)
    response = client.post(reverse("community:community-leave", args=[community.slug]))
    assert response["Location"] == reverse("community:community-list")
    assert state_of(user, community) is None
    assert client.get(community.get_absolute_url()).status_code == 404
    assert event_types(f"user:{user.pk}") == [
        "member.invited",
        "member.invitation_declined",
    ]


def test_moderators_withdraw_an_invitation(client, owner, user):
    community = make_community(owner, "private")
    membership = memberships.membership_invite(
        actor=owner, community=community, invitee=user
    )
    client.force_login(owner)
    response = client.post(
        reverse("community:membership-decide", args=[community.slug, membership.pk]),
        {"decision": "decline"},
        follow=True,
    )
    assert f"The invitation to {user.name} was withdrawn." in page_text(response)
    assert state_of(user, community) is None


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("nobody-here", "Nobody on Crocevia has that username or email address."),
        ("", "This field is required."),
        ("owner", "is already a member."),
    ],
)
def test_invitation_form_explains_what_went_wrong(client, owner, who, error):
    community = make_community(owner, "private")
    client.force_login(owner)
    response = client.post(
        reverse("community:community-invite", args=[community.slug]), {"who": who}
    )
    assert response.status_code == 200
    assert error in page_text(response)


def test_inviting_someone_twice_or_a_requester_is_refused(owner, user, other_user):
    community = make_community(owner, "restricted")
    memberships.membership_invite(actor=owner, community=community, invitee=user)
    with pytest.raises(ValidationError, match="already invited"):
        memberships.membership_invite(actor=owner, community=community, invitee=user)
    memberships.community_request_join(actor=other_user, community=community)
    with pytest.raises(ValidationError, match="approve the request"):
        memberships.membership_invite(actor=owner, community=community, invitee=other_user)


def test_only_owners_reinvite_a_banned_person(owner, user):
    community = make_community(owner, "private")
    moderator = MembershipFactory(community=community, role=Role.MODERATOR).user
    MembershipFactory(user=user, community=community, state=State.BANNED)
    with pytest.raises(PermissionDenied):
        memberships.membership_invite(actor=moderator, community=community, invitee=user)
    assert state_of(user, community) == (Role.MEMBER, State.BANNED)
    memberships.membership_invite(actor=owner, community=community, invitee=user)
    assert state_of(user, community) == (Role.MEMBER, State.INVITED)


def test_inviting_is_rate_limited(owner, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invite": (2, 3600)}
    community = make_community(owner, "private")
    people = UserFactory.create_batch(3)
    memberships.membership_invite(actor=owner, community=community, invitee=people[0])
    memberships.membership_invite(actor=owner, community=community, invitee=people[1])
    with pytest.raises(RateLimited):
        memberships.membership_invite(actor=owner, community=community, invitee=people[2])
    assert state_of(people[2], community) is None


# --- owners: leaving, roles, transfer --------------------------------------------------


def test_the_last_owner_cannot_leave(client, owner):
    community = make_community(owner)
    client.force_login(owner)
    response = client.post(
        reverse("community:community-leave", args=[community.slug]), follow=True
    )
    assert "You are the only owner of this community" in page_text(response)
    assert state_of(owner, community) == (Role.OWNER, State.ACTIVE)
    assert members_counted(community) == 1
    members_page = page_text(
        client.get(reverse("community:community-members", args=[community.slug]))
    )
    assert "first transfer the ownership" in members_page


def test_one_of_two_owners_may_leave(owner):
    community = make_community(owner)
    MembershipFactory(community=community, role=Role.OWNER)
    memberships.community_leave(actor=owner, community=community)
    assert state_of(owner, community) is None
    assert members_counted(community) == 1


def test_owner_promotes_and_demotes_a_moderator(client, owner, user):
    community = make_community(owner)
    membership = memberships.community_join(actor=user, community=community)
    client.force_login(owner)
    url = reverse("community:membership-role", args=[community.slug, membership.pk])
    response = client.post(url, {"role": "moderator"}, follow=True)
    assert state_of(user, community) == (Role.MODERATOR, State.ACTIVE)
    assert f"{user.name} is now a moderator." in page_text(response)
    assert "Remove moderator" in page_text(response)
    response = client.post(url, {"role": "member"}, follow=True)
    assert f"{user.name} is no longer a moderator." in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
    assert event_types(f"user:{user.pk}") == [
        "member.joined",
        "member.role_changed",
        "member.role_changed",
    ]


def test_roles_other_than_moderator_and_member_are_refused(client, owner, user):
    community = make_community(owner)
    membership = memberships.community_join(actor=user, community=community)
    client.force_login(owner)
    url = reverse("community:membership-role", args=[community.slug, membership.pk])
    response = client.post(url, {"role": "owner"}, follow=True)
    assert "Choose moderator or member." in page_text(response)
    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)


def test_an_owner_role_changes_only_by_transfer(client, owner):
    community = make_community(owner)
    co_owner = MembershipFactory(community=community, role=Role.OWNER)
    client.force_login(owner)
    url = reverse("community:membership-role", args=[community.slug, co_owner.pk])
    assert client.post(url, {"role": "member"}).status_code == 403


def test_ownership_transfer_makes_the_old_owner_a_moderator(client, owner, user):
    community = make_community(owner)
    memberships.community_join(actor=user, community=community)
    client.force_login(owner)
    response = client.post(
        reverse("community:community-transfer", args=[community.slug]),
        {"username": user.username},
        follow=True,
    )
    assert f"{user.name} now owns Manifattura avanzata." in page_text(response)
    assert state_of(user, community) == (Role.OWNER, State.ACTIVE)
    assert state_of(owner, community) == (Role.MODERATOR, State.ACTIVE)
    # The former owner may now leave; the new one is the last owner.
    memberships.community_leave(actor=owner, community=community)
    with pytest.raises(ValidationError):
        memberships.community_leave(actor=user, community=community)
    assert members_counted(community) == 1


@pytest.mark.parametrize("target", ["stranger", "pending", "owner-self"])
def test_ownership_goes_only_to_another_active_member(client, owner, user, target):
    community = make_community(owner, "restricted")
    if target == "pending":
        memberships.community_request_join(actor=user, community=community)
    username = owner.username if target == "owner-self" else user.username
    client.force_login(owner)
    response = client.post(
        reverse("community:community-transfer", args=[community.slug]),
        {"username": username},
        follow=True,
    )
    page = page_text(response)
    assert "Name an active member" in page or "already owns" in page
    assert state_of(owner, community) == (Role.OWNER, State.ACTIVE)


def test_staff_transfer_an_abandoned_community(owner, user, staff):
    community = make_community(owner)
    memberships.community_join(actor=user, community=community)
    memberships.community_transfer_ownership(
        actor=staff, community=community, username=user.username
    )
    assert state_of(user, community) == (Role.OWNER, State.ACTIVE)
    assert state_of(owner, community) == (Role.MODERATOR, State.ACTIVE)


# --- counters and the event log --------------------------------------------------------


def test_counters_and_event_sequences_stay_right_through_a_busy_day(owner):
    community = make_community(owner, "restricted")
    people = UserFactory.create_batch(5)
    requests = [
        memberships.community_request_join(actor=person, community=community)
        for person in people[:4]
    ]
    memberships.membership_approve(actor=owner, membership=requests[0])
    memberships.membership_approve(actor=owner, membership=requests[1])
    memberships.membership_decline(actor=owner, membership=requests[2])
    memberships.membership_request_cancel(actor=people[3], community=community)
    memberships.membership_invite(actor=owner, community=community, invitee=people[4])
    memberships.community_join(actor=people[4], community=community)
    memberships.membership_set_role(
        actor=owner, membership=requests[0], role=Role.MODERATOR
    )
    memberships.community_leave(actor=people[1], community=community)
    memberships.community_transfer_ownership(
        actor=owner, community=community, username=people[0].username
    )
    assert members_counted(community) == 3
    moderation = f"moderation:{community.pk}"
    assert event_types(moderation) == [
        "member.joined",
        *["member.requested"] * 4,
        "member.approved",
        "member.approved",
        "member.declined",
        "member.request_cancelled",
        "member.invited",
        "member.joined",
        "member.role_changed",
        "member.left",
        "member.role_changed",
        "member.role_changed",
    ]
    # Readers of the community learn only how its member list changed.
    stream = f"community:{community.pk}"
    assert event_types(stream) == [
        "community.created",
        "member.joined",
        "member.joined",
        "member.joined",
        "member.joined",
        "member.role_changed",
        "member.left",
        "member.role_changed",
        "member.role_changed",
    ]
    for checked in (stream, moderation):
        assert_gap_free(checked)
    for person in [owner, *people]:
        assert_gap_free(f"user:{person.pk}")
    joined = Event.objects.filter(stream=stream, type="member.joined").last()
    assert joined.payload["user"]["username"] == people[4].username
    assert joined.payload["listed"] is True
    assert "state" not in joined.payload
    assert joined.actor == people[4]


def test_a_refused_action_writes_no_event(owner, user):
    community = make_community(owner)
    before = Event.objects.count()
    with pytest.raises(ValidationError):
        memberships.community_leave(actor=owner, community=community)
    with pytest.raises(PermissionDenied):
        memberships.membership_invite(actor=user, community=community, invitee=owner)
    assert Event.objects.count() == before


def test_factories_counts_are_healed_by_the_next_change(owner):
    """Rows made outside the services (fixtures, admin) are recounted, not trusted."""
    community = CommunityFactory()
    MembershipFactory.create_batch(3, community=community)
    assert community.member_count == 0
    memberships.community_join(actor=owner, community=community)
    assert members_counted(community) == 4
    assert Community.objects.get(pk=community.pk).member_count == 4


# --- a request stranded by a visibility change -----------------------------------------


def test_a_request_left_waiting_when_the_community_turns_private_can_be_withdrawn(
    client, owner, user
):
    community = make_community(owner, "restricted")
    memberships.community_request_join(actor=user, community=community)
    community_services.community_set_visibility(
        actor=owner, community=community, visibility="private"
    )
    client.force_login(user)

    page = client.get(community.get_absolute_url())
    listed = client.get(reverse("community:community-list"))
    assert page.status_code == 200
    assert "Cancel request" in page.content.decode()
    assert community.name in listed.content.decode()

    withdrawn = client.post(
        reverse("community:community-leave", args=[community.slug]), follow=True
    )
    assert "Your request to join was withdrawn." in withdrawn.content.decode()
    assert state_of(user, community) is None
    # Once withdrawn, the private community is invisible again.
    assert client.get(community.get_absolute_url()).status_code == 404


def test_moderators_may_still_approve_a_request_stranded_by_a_visibility_change(owner, user):
    community = make_community(owner, "restricted")
    request = memberships.community_request_join(actor=user, community=community)
    community_services.community_set_visibility(
        actor=owner, community=community, visibility="private"
    )

    memberships.membership_approve(actor=owner, membership=request)

    assert state_of(user, community) == (Role.MEMBER, State.ACTIVE)
