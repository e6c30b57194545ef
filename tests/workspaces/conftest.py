"""Fixtures shared by the workspace tests: a workspace and its people, one per role."""

import pytest

from tests.support.workspaces import make_workspace, workspace_roles


@pytest.fixture
def workspace():
    """A workspace; a module that needs a name its pages show overrides this."""
    return make_workspace()


@pytest.fixture
def roles(workspace):
    """The workspace's people by role (`roles.lead`, `roles["member"]`, ...)."""
    return workspace_roles(workspace)


@pytest.fixture
def people(roles):
    """The same people as a dict keyed by role."""
    return vars(roles)
