"""The navigation's statements are compiled once and run for each person with that
person's id: every person still gets their own answer."""

import pytest

from community.models import ModerationNotice
from community.queries import moderation, navigation, prepared
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.support.roles import member_of
from tests.support.workspaces import make_workspace
from workspaces.queries import workspaces

pytestmark = pytest.mark.django_db


def test_each_person_gets_their_own_navigation_from_one_compiled_statement(monkeypatch):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    workspace = make_workspace()
    lead = workspace.participants.get(role="lead").user
    prepared._compiled.clear()
    compiled = []
    real = prepared._compile

    def counting(key, build, staff):
        before = len(prepared._compiled)
        entry = real(key, build, staff)
        compiled.extend([key] * (len(prepared._compiled) - before))
        return entry

    monkeypatch.setattr(prepared, "_compile", counting)

    assert moderation.nav_moderation(owner)["moderates"] is True
    assert moderation.nav_moderation(member)["moderates"] is False
    assert [row.pk for row in workspaces.nav_workspaces(lead)] == [workspace.pk]
    assert workspaces.nav_workspaces(member) == []
    assert workspaces.nav_workspaces(owner) == []

    assert navigation.navigation(owner)["nav_moderation"]["moderates"] is True
    assert navigation.navigation(member)["nav_moderation"]["moderates"] is False

    assert sorted(compiled) == ["nav_moderation", "nav_workspaces", "navigation"]


def test_the_navigation_lists_my_communities_by_name_and_my_figures_in_one_statement(
    django_assert_num_queries,
):
    person = UserFactory()
    for name in ["Zeta", "Alfa", "Meccanica"]:
        MembershipFactory(user=person, community=CommunityFactory(name=name))
    MembershipFactory(
        user=person, community=CommunityFactory(name="Beta"), state="banned"
    )
    ModerationNotice.objects.create(
        user=person, community=CommunityFactory(), kind=ModerationNotice.Kind.WARNING
    )
    navigation.navigation(person)  # compiled on the first call

    with django_assert_num_queries(1):
        shown = navigation.navigation(person)

    assert [item.name for item in shown["nav_communities"]] == [
        "Alfa",
        "Meccanica",
        "Zeta",
    ]
    assert shown["nav_communities"][0].get_absolute_url().endswith(
        f"/c/{shown['nav_communities'][0].slug}/"
    )
    assert shown["nav_moderation"] == {
        "moderates": False,
        "review_open": 0,
        "held_open": 0,
        "pending": 0,
        "notices_unread": 1,
    }


def test_someone_in_no_community_still_gets_their_figures():
    """The figures' row is there when no community row is: a member banned from
    their only community still sees the notice that says why."""
    person = UserFactory()
    MembershipFactory(user=person, community=CommunityFactory(), state="banned")
    ModerationNotice.objects.create(
        user=person, community=CommunityFactory(), kind=ModerationNotice.Kind.SILENCED
    )

    shown = navigation.navigation(person)

    assert shown["nav_communities"] == []
    assert shown["nav_moderation"]["notices_unread"] == 1
