""" "My tasks": what is assigned to me in the workspaces I am still in, by due date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support.factories import UserFactory
from tests.support.workspaces import add_participant, make_workspace, workspace_roles
from workspaces.models import Participant, Task
from workspaces.services import people
from workspaces.services import tasks as task_services

pytestmark = pytest.mark.django_db

Status = Task.Status


def test_my_tasks_lists_my_open_tasks_across_workspaces_soonest_first(
    client, django_assert_max_num_queries
):
    valves = make_workspace(name="Valves")
    me = workspace_roles(valves).member
    batteries = make_workspace(name="Batteries")
    add_participant(batteries, me)
    today = timezone.localdate()

    def task(workspace, title, days=None, assignee=me, status=Status.TODO):
        lead = workspace.participants.filter(role="lead").first().user
        return task_services.task_create(
            actor=lead,
            workspace=workspace,
            title=title,
            assignee=assignee,
            status=status,
            due_date=today + datetime.timedelta(days=days)
            if days is not None
            else None,
        )

    task(valves, "Late valve", -2)
    task(batteries, "Battery soon", 1)
    task(valves, "Valve later", 20)
    task(batteries, "Battery undated")
    task(valves, "Finished", -5, status=Status.DONE)
    task(valves, "Someone else's", 1, assignee=None)
    client.force_login(me)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    with django_assert_max_num_queries(12):
        html = client.get(reverse("workspaces:my-tasks")).content.decode()

    order = ["Late valve", "Battery soon", "Valve later", "Battery undated"]
    assert [html.index(title) for title in order] == sorted(
        html.index(t) for t in order
    )
    assert "Finished" not in html and "Someone else" not in html
    assert "in Batteries" in html and "in Valves" in html
    assert "Overdue" in html and "Due soon" in html
    assert (
        "Finished"
        in client.get(reverse("workspaces:my-tasks"), {"done": "1"}).content.decode()
    )

    # Removed from Batteries: its tasks leave the list, even if still assigned.
    people.participant_remove(
        actor=batteries.created_by,
        participant=Participant.objects.get(workspace=batteries, user=me),
    )
    html = client.get(reverse("workspaces:my-tasks")).content.decode()
    assert "Battery soon" not in html and "Late valve" in html


def test_my_tasks_says_when_there_is_nothing(client):
    me = UserFactory()
    client.force_login(me)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert (
        "Nothing assigned to you"
        in client.get(reverse("workspaces:my-tasks")).content.decode()
    )


def test_staff_see_only_their_own_assignments_in_my_tasks(client):
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    task_services.task_create(
        actor=roles.lead, workspace=workspace, title="Lead's job", assignee=roles.lead
    )
    client.force_login(roles.staff)
    assert (
        "Lead&#x27;s job"
        not in client.get(reverse("workspaces:my-tasks")).content.decode()
    )
