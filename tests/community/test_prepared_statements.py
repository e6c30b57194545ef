"""The navigation's statements are compiled once and run for each person with that
person's id: every person still gets their own answer."""

import pytest

from community.queries import moderation, prepared
from tests.community.thread_helpers import community_with_thread
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

    assert sorted(compiled) == ["nav_moderation", "nav_workspaces"]
