"""Who may see and do what in a community: every role against every page and action.

Invisible communities answer 404 everywhere (strangers learn nothing); visible but
forbidden pages and actions answer 403; visitors are sent to the login page (302)
when logging in could help; actions redirect (302) whether they were done or refused
with a message, so each case also checks what the page showed or what the action
changed: the memberships of the community and the community's own fields.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from community.models import Community, Membership
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    ThreadFactory,
    UserFactory,
)
from tests.support.roles import MEMBERSHIP_OF_ROLE, ROLES, person_in

pytestmark = pytest.mark.usefixtures("english_default")

State = Membership.State
ACTIVE = set(Membership.Role.values)  # the standings of active members

# Expected status per page/action, in the order of ROLES. A pending request in a
# private community is one left waiting when a restricted community turned private:
# the requester still sees the community, to withdraw it.
# anonymous outsider pending invited member moderator owner banned staff
EXPECTED = {
    "public": {
        "detail": (200, 200, 200, 200, 200, 200, 200, 200, 200),
        "members": (200, 200, 200, 200, 200, 200, 200, 200, 200),
        "requests": (302, 403, 403, 403, 403, 200, 200, 403, 200),
        "settings": (302, 403, 403, 403, 403, 403, 200, 403, 200),
        "invite-page": (302, 403, 403, 403, 403, 200, 200, 403, 200),
        "join": (302, 302, 302, 302, 302, 302, 302, 403, 302),
        "leave": (302, 403, 302, 302, 302, 302, 302, 403, 403),
        "invite": (302, 403, 403, 403, 403, 302, 302, 403, 302),
        "decide": (302, 403, 403, 403, 403, 302, 302, 403, 302),
        "role": (302, 403, 403, 403, 403, 403, 302, 403, 302),
        "transfer": (302, 403, 403, 403, 403, 403, 302, 403, 302),
    },
    "restricted": {
        "detail": (200, 200, 200, 200, 200, 200, 200, 200, 200),
        "members": (403, 403, 403, 403, 200, 200, 200, 403, 200),
        "requests": (302, 403, 403, 403, 403, 200, 200, 403, 200),
        "settings": (302, 403, 403, 403, 403, 403, 200, 403, 200),
        "invite-page": (302, 403, 403, 403, 403, 200, 200, 403, 200),
        "join": (302, 302, 302, 302, 302, 302, 302, 403, 302),
        "leave": (302, 403, 302, 302, 302, 302, 302, 403, 403),
        "invite": (302, 403, 403, 403, 403, 302, 302, 403, 302),
        "decide": (302, 403, 403, 403, 403, 302, 302, 403, 302),
        "role": (302, 403, 403, 403, 403, 403, 302, 403, 302),
        "transfer": (302, 403, 403, 403, 403, 403, 302, 403, 302),
    },
    "private": {
        "detail": (404, 404, 200, 200, 200, 200, 200, 404, 200),
        "members": (404, 404, 403, 403, 200, 200, 200, 404, 200),
        "requests": (404, 404, 403, 403, 403, 200, 200, 404, 200),
        "settings": (404, 404, 403, 403, 403, 403, 200, 404, 200),
        "invite-page": (404, 404, 403, 403, 403, 200, 200, 404, 200),
        "join": (404, 404, 403, 302, 302, 302, 302, 404, 403),
        "leave": (404, 404, 302, 302, 302, 302, 302, 404, 403),
        "invite": (404, 404, 403, 403, 403, 302, 302, 404, 302),
        "decide": (404, 404, 403, 403, 403, 302, 302, 404, 302),
        "role": (404, 404, 403, 403, 403, 403, 302, 404, 302),
        "transfer": (404, 404, 403, 403, 403, 403, 302, 404, 302),
    },
}

# What each page/action needs: method, URL name, whether it acts on a target row, data.
ACTIONS = {
    "detail": ("get", "community:community-detail"),
    "members": ("get", "community:community-members"),
    "requests": ("get", "community:community-requests"),
    "settings": ("get", "community:community-edit"),
    "invite-page": ("get", "community:community-invite"),
    "join": ("post", "community:community-join"),
    "leave": ("post", "community:community-leave"),
    "invite": ("post", "community:community-invite"),
    "decide": ("post", "community:membership-decide"),
    "role": ("post", "community:membership-role"),
    "transfer": ("post", "community:community-transfer"),
}


CASES = [
    pytest.param(visibility, action, role, code, id=f"{visibility}-{action}-{role}")
    for visibility, table in EXPECTED.items()
    for action, codes in table.items()
    for role, code in zip(ROLES, codes, strict=True)
]


# Where "join" and "leave" leave the person who clicked, in the order of ROLES: their
# role when active, else their membership's state, "-" for none. A 302 with no change
# is a refusal told by a message (already a member, a request already waiting, the
# last owner who must hand over first).
# anonymous outsider pending invited member moderator owner banned staff
LEAVE_AFTER = ("-", "-", "-", "-", "-", "-", "owner", "banned", "-")
STANDING_AFTER = {
    "join": {
        "public": (
            "-", "member", "member", "member", "member", "moderator", "owner", "banned",
            "member",
        ),
        "restricted": (
            "-", "pending", "pending", "member", "member", "moderator", "owner",
            "banned", "pending",
        ),
        "private": (
            "-", "-", "pending", "member", "member", "moderator", "owner", "banned", "-",
        ),
    },
    "leave": {visibility: LEAVE_AFTER for visibility in EXPECTED},
}  # fmt: skip


def build_community(visibility):
    """A community with one person in each role, plus the people actions target."""
    community = CommunityFactory(
        visibility=visibility, description="Elettrolizzatori e stoccaggio per le PMI."
    )
    people = {role: person_in(community, role) for role in ROLES}
    targets = {
        # A plain member to promote or hand the community to.
        "member": MembershipFactory(
            community=community, user__display_name="Marta Membro"
        ),
        # A request waiting for a decision.
        "request": MembershipFactory(
            community=community,
            state=State.PENDING,
            user__display_name="Pietro Richiedente",
        ),
        # Someone with no link to the community, to invite.
        "stranger": UserFactory(),
    }
    return community, people, targets


def standings(community):
    """{user id: role when active, else the membership's state} in `community`."""
    return {
        membership.user_id: (
            membership.role if membership.state == State.ACTIVE else membership.state
        )
        for membership in Membership.objects.filter(community=community)
    }


def community_fields(community):
    return Community.objects.values().get(pk=community.pk)


def shown_only_when_served(action, community, targets):
    """What a page shows only when it answers 200: the proof it was served, and what
    a refusal (403, 404, the login redirect) must not show."""
    return {
        "detail": community.description,
        "members": targets["member"].user.name,
        "requests": targets["request"].user.name,
        "settings": 'name="visibility"',
        "invite-page": 'name="who"',
    }[action]


def expected_changes(action, visibility, role, status, people, targets):
    """{user id: (standing before, after)} the action leaves in the community."""
    if status != 302 or role == "anonymous":
        return {}  # refused, or sent to log in first
    if action in STANDING_AFTER:
        before = role if role in MEMBERSHIP_OF_ROLE else "-"
        after = STANDING_AFTER[action][visibility][ROLES.index(role)]
        return {people[role].pk: (before, after)} if after != before else {}
    match action:
        case "invite":
            return {targets["stranger"].pk: ("-", "invited")}
        case "decide":
            return {targets["request"].user_id: ("pending", "member")}
        case "role":
            return {targets["member"].user_id: ("member", "moderator")}
        case "transfer":
            # The owner who handed over (every owner, when staff acts) becomes a moderator.
            return {
                targets["member"].user_id: ("member", "owner"),
                people["owner"].pk: ("owner", "moderator"),
            }


def perform(client, community, targets, action):
    method, name = ACTIONS[action]
    if action == "decide":
        url = reverse(name, args=[community.slug, targets["request"].pk])
        return client.post(url, {"decision": "approve"})
    if action == "role":
        url = reverse(name, args=[community.slug, targets["member"].pk])
        return client.post(url, {"role": "moderator"})
    url = reverse(name, args=[community.slug])
    if action == "invite":
        return client.post(url, {"who": targets["stranger"].username})
    if action == "transfer":
        return client.post(url, {"username": targets["member"].user.username})
    return getattr(client, method)(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("visibility", "action", "role", "expected"), CASES)
def test_community_permission_matrix(client, visibility, action, role, expected):
    community, people, targets = build_community(visibility)
    if people[role] is not None:
        client.force_login(people[role])
    fields_before, standings_before = community_fields(community), standings(community)

    response = perform(client, community, targets, action)

    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    page = response.content.decode()
    if expected == 404:
        assert community.name not in page  # strangers learn nothing
    if ACTIONS[action][0] == "get":
        mark = shown_only_when_served(action, community, targets)
        assert (mark in page) is (expected == 200)

    # The memberships that changed, and only those.
    standings_after = standings(community)
    changes = {
        user: (standings_before.get(user, "-"), standings_after.get(user, "-"))
        for user in standings_before.keys() | standings_after.keys()
        if standings_before.get(user) != standings_after.get(user)
    }
    assert changes == expected_changes(
        action, visibility, role, expected, people, targets
    )
    # The community itself changes only in its member count, recounted on a change.
    fields_after = community_fields(community)
    members_changed = {
        user for user, standing in standings_before.items() if standing in ACTIVE
    } != {user for user, standing in standings_after.items() if standing in ACTIVE}
    if members_changed:
        active = sum(standing in ACTIVE for standing in standings_after.values())
        assert fields_after.pop("member_count") == active
        fields_before.pop("member_count")
    assert fields_after == fields_before
    # An action that redirects a signed-in person says whether it was done.
    if expected == 302 and role != "anonymous":
        told = {message.level_tag for message in get_messages(response.wsgi_request)}
        assert told == ({"success"} if changes else {"error"})


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", ["anonymous", "outsider", "staff"])
def test_unknown_community_answers_404_to_everyone(client, action, role):
    community, people, targets = build_community(Community.Visibility.PUBLIC)
    community.slug = "no-such-community"
    if people[role] is not None:
        client.force_login(people[role])
    assert perform(client, community, targets, action).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["decide", "role"])
def test_memberships_of_another_community_answer_404(client, action):
    community, people, _ = build_community(Community.Visibility.PUBLIC)
    _, _, elsewhere = build_community(Community.Visibility.PUBLIC)
    client.force_login(people["owner"])
    assert perform(client, community, elsewhere, action).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "listed"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("pending", True),
        ("invited", True),
        ("member", True),
        ("moderator", True),
        ("owner", True),
        ("banned", False),
        ("staff", True),
    ],
)
def test_private_community_is_listed_only_to_members_invitees_requesters_and_staff(
    client, role, listed
):
    community, people, _ = build_community(Community.Visibility.PRIVATE)
    community.name = "Consorzio riservato"
    community.save()
    CommunityFactory(name="Agrifood aperto", visibility=Community.Visibility.PUBLIC)
    CommunityFactory(
        name="Energia su richiesta", visibility=Community.Visibility.RESTRICTED
    )
    if people[role] is not None:
        client.force_login(people[role])
    page = client.get(reverse("community:community-list")).content.decode()
    assert "Agrifood aperto" in page
    assert "Energia su richiesta" in page
    assert ("Consorzio riservato" in page) is listed
    assert f"{3 if listed else 2} communities" in page
    # A search for its name does not reveal it either.
    found = client.get(reverse("community:community-list"), {"q": "riservato"})
    assert ("Consorzio riservato" in found.content.decode()) is listed


@pytest.mark.django_db
def test_private_community_is_not_counted_or_shown_on_the_visitor_home_page(client):
    community = CommunityFactory(name="Consorzio riservato", visibility="private")
    CommunityFactory(name="Agrifood aperto", visibility="public")
    ThreadFactory(community=community, title="Segreto industriale")
    ThreadFactory(community__visibility="restricted", title="Solo per i membri")
    page = client.get(reverse("community:home")).content.decode()
    assert "Consorzio riservato" not in page
    assert "Segreto industriale" not in page
    assert "Solo per i membri" not in page
    assert "Agrifood aperto" in page
    # Two listed communities: the public one and the restricted one of the thread.
    assert "<strong>2</strong> communities" in page
