"""Milestone services: dates, completion, deletion keeps the tasks, events, rights."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from live.models import Event
from tests.workspaces.task_helpers import TASK_EVENTS, event_types
from workspaces.models import Milestone, Task
from workspaces.services import tasks as task_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_milestone_is_created_edited_completed_and_deleted_live(workspace, people):
    member = people["member"]
    milestone = task_services.milestone_create(
        actor=member,
        workspace=workspace,
        title="Prototype",
        due_date=datetime.date(2030, 5, 1),
    )
    task = task_services.task_create(
        actor=member, workspace=workspace, title="Build it", milestone=milestone
    )
    task_services.milestone_edit(
        actor=people["lead"],
        milestone=milestone,
        title="Prototype ready",
        due_date=datetime.date(2030, 6, 1),
    )
    task_services.milestone_complete(actor=member, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.title == "Prototype ready"
    assert milestone.due_date == datetime.date(2030, 6, 1)
    assert milestone.completed_at is not None

    task_services.milestone_complete(
        actor=member, milestone=milestone, is_completed=False
    )
    milestone.refresh_from_db()
    assert milestone.completed_at is None

    task_services.milestone_delete(actor=member, milestone=milestone)
    assert not Milestone.objects.exists()
    task.refresh_from_db()
    assert task.milestone is None
    assert event_types(workspace, TASK_EVENTS) == [
        "milestone.created",
        "task.created",
        "milestone.updated",
        "milestone.updated",
        "milestone.updated",
        "milestone.deleted",
    ]
    edited = Event.objects.filter(type="milestone.updated").order_by("seq").first()
    assert edited.payload["changes"] == ["title", "due_date"]


def test_a_milestone_needs_a_title_and_a_date(workspace, people):
    with pytest.raises(ValidationError) as refused:
        task_services.milestone_create(
            actor=people["lead"], workspace=workspace, title=" ", due_date=None
        )
    assert set(refused.value.message_dict) == {"title", "due_date"}
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("role", ["guest", "staff", "stranger", "removed"])
def test_only_leads_and_members_change_milestones(workspace, people, role):
    milestone = task_services.milestone_create(
        actor=people["lead"],
        workspace=workspace,
        title="Prototype",
        due_date=datetime.date(2030, 5, 1),
    )
    actor = people[role]
    for attempt in (
        lambda: task_services.milestone_create(
            actor=actor,
            workspace=workspace,
            title="X",
            due_date=datetime.date(2030, 1, 1),
        ),
        lambda: task_services.milestone_edit(
            actor=actor, milestone=milestone, title="X", due_date=milestone.due_date
        ),
        lambda: task_services.milestone_complete(actor=actor, milestone=milestone),
        lambda: task_services.milestone_delete(actor=actor, milestone=milestone),
    ):
        with pytest.raises(PermissionDenied, match="leads and members"):
            attempt()
    milestone.refresh_from_db()
    assert milestone.title == "Prototype" and milestone.completed_at is None


def test_the_timeline_orders_milestones_and_marks_past_next_and_today(
    workspace, people
):
    from workspaces.queries import tasks as task_queries

    today = timezone.localdate()
    lead = people["lead"]

    def milestone(title, days):
        return task_services.milestone_create(
            actor=lead,
            workspace=workspace,
            title=title,
            due_date=today + datetime.timedelta(days=days),
        )

    milestone("Later", 30)
    milestone("Past", -10)
    soon = milestone("Soon", 5)
    # To do and doing count as open, done as done.
    for status in (Task.Status.TODO, Task.Status.DOING, Task.Status.DONE, Task.Status.DONE):
        task_services.task_create(
            actor=lead, workspace=workspace, title="t", milestone=soon, status=status
        )

    timeline = task_queries.timeline(workspace)

    rows = timeline["milestones"]
    assert [m.title for m in rows] == ["Past", "Soon", "Later"]
    assert timeline["today_index"] == 1
    assert [m.is_past for m in rows] == [True, False, False]
    assert [m.is_late for m in rows] == [True, False, False]
    assert [m.is_next for m in rows] == [False, True, False]
    assert (rows[1].open_count, rows[1].done_count) == (2, 2)
    assert (rows[2].open_count, rows[2].done_count) == (0, 0)
