"""The demo's tasks: every column filled, milestones on the timeline."""

import pytest

from tests.support.workspaces import make_workspace, workspace_roles
from workspaces.demo_tasks import seed_tasks
from workspaces.models import Milestone, Task

pytestmark = pytest.mark.django_db


def test_seed_tasks_fills_every_column_and_the_timeline():
    workspace = make_workspace()
    workspace_roles(workspace)

    seed_tasks(workspace)

    statuses = set(
        Task.objects.filter(workspace=workspace).values_list("status", flat=True)
    )
    assert statuses == set(Task.Status.values)
    assert Milestone.objects.filter(workspace=workspace).count() == 3
    assert Task.objects.filter(workspace=workspace, assignee__isnull=False).exists()
