"""Community pages use as many queries for 50 rows as for 5."""

import pytest
from django.urls import reverse

from community.models import Membership
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
State = Membership.State

# Upper bounds, the same for 5 and for 50 rows. The signed-in bounds include the
# session, the user, the navigation (communities, workspaces and the moderation
# counts) and the permission
# look-ups.
DIRECTORY_QUERIES = {"anonymous": 4, "member": 11}
# The community page also lists its rooms (one query, see
# tests/community/test_room_unread.py) and asks its panels (innovation: the open
# challenges tied to the community, one query). Thread lists: the rows' recent
# participants (one query, `queries.thread_lists`).
COMMUNITY_QUERIES = {"anonymous": 8, "member": 14, "moderator": 15}
MEMBERS_QUERIES = {"anonymous": 4, "owner": 13}
HOME_QUERIES = {"anonymous": 8, "member": 13}


@pytest.fixture
def organisations(db):
    return OrganisationFactory.create_batch(3)


def person(organisations, n):
    return UserFactory(organisation=organisations[n % len(organisations)])


def viewer(client, community, role):
    if role == "anonymous":
        return None
    user = UserFactory()
    membership_role = Role.MODERATOR if role == "moderator" else Role.MEMBER
    if role == "owner":
        membership_role = Role.OWNER
    MembershipFactory(user=user, community=community, role=membership_role)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", sorted(DIRECTORY_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_directory_queries_do_not_grow_with_communities(
    client, django_assert_max_num_queries, role, rows
):
    communities = CommunityFactory.create_batch(rows)
    for n, community in enumerate(communities):
        community.themes.set([f"tema {n % 4}", "innovazione"])
    CommunityFactory(visibility="private")
    viewer(client, communities[0], role)
    with django_assert_max_num_queries(DIRECTORY_QUERIES[role]):
        response = client.get(reverse("community:community-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", sorted(COMMUNITY_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_thread_list_queries_do_not_grow_with_threads(
    client, django_assert_max_num_queries, organisations, role, rows
):
    community = CommunityFactory()
    community.themes.set(["robotica"])
    for n in range(rows):
        thread = ThreadFactory(
            community=community,
            author=person(organisations, n),
            last_poster=person(organisations, n + 1),
            post_count=n + 1,
            is_pinned=n == 3,
        )
        thread.tags.set([f"tag{n % 3}"])
    viewer(client, community, role)
    with django_assert_max_num_queries(COMMUNITY_QUERIES[role]):
        response = client.get(community.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('<li class="thread-row') == min(rows, 30)


@pytest.mark.parametrize("role", sorted(MEMBERS_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_members_page_queries_do_not_grow_with_members(
    client, django_assert_max_num_queries, organisations, role, rows
):
    community = CommunityFactory()
    for n in range(rows):
        MembershipFactory(
            community=community,
            user=person(organisations, n),
            role=Role.MODERATOR if n % 7 == 0 else Role.MEMBER,
        )
    viewer(client, community, role)
    with django_assert_max_num_queries(MEMBERS_QUERIES[role]):
        response = client.get(
            reverse("community:community-members", args=[community.slug])
        )
    assert response.status_code == 200


@pytest.mark.parametrize("role", sorted(HOME_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_home_queries_do_not_grow_with_threads(
    client, django_assert_max_num_queries, organisations, role, rows
):
    communities = CommunityFactory.create_batch(3)
    for n in range(rows):
        thread = ThreadFactory(
            community=communities[n % 3],
            author=person(organisations, n),
            last_poster=person(organisations, n + 2),
        )
        thread.tags.set(["energia"])
    user = viewer(client, communities[0], role)
    if user is not None:
        MembershipFactory(user=user, community=communities[1])
        MembershipFactory(
            user=user,
            community=CommunityFactory(visibility="private"),
            state=State.INVITED,
        )
    with django_assert_max_num_queries(HOME_QUERIES[role]):
        response = client.get(reverse("community:home"))
    assert response.status_code == 200
