"""Task services: creation, assignment rules, moves and their positions, events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from live.models import Event
from tests.support.workspaces import make_workspace
from tests.workspaces.task_helpers import TASK_EVENTS, board, event_types, positions
from workspaces.models import Task
from workspaces.services import tasks as task_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Task.Status


def _create(workspace, actor, title, **fields):
    return task_services.task_create(
        actor=actor, workspace=workspace, title=title, **fields
    )


def test_new_tasks_go_to_the_end_of_their_column_and_are_announced(workspace, people):
    lead = people["lead"]
    _create(workspace, lead, "Draft NDA")
    _create(workspace, lead, "Book the lab")
    _create(workspace, lead, "Sign term sheet", status=Status.DONE)

    assert board(workspace) == {
        "todo": ["Draft NDA", "Book the lab"],
        "doing": [],
        "done": ["Sign term sheet"],
    }
    assert positions(workspace)["todo"] == [0, 1]
    assert event_types(workspace, TASK_EVENTS) == ["task.created"] * 3
    created = Event.objects.filter(stream=workspace.stream, type="task.created").first()
    # Ids and facts only: the feed reads the title at render time.
    assert created.payload["id"] == Task.objects.get(title="Draft NDA").pk
    assert "title" not in created.payload and "due_date" not in created.payload
    assert created.actor == lead
    assert Task.objects.get(title="Sign term sheet").completed_at is not None


def test_a_task_can_be_assigned_to_participants_only(workspace, people):
    task = _create(workspace, people["lead"], "Draft NDA", assignee=people["guest"])
    assert task.assignee == people["guest"]

    for outsider in ("stranger", "partner_colleague", "staff"):
        with pytest.raises(ValidationError) as refused:
            task_services.task_edit(
                actor=people["member"],
                task=task,
                title=task.title,
                assignee=people[outsider],
            )
        assert "assignee" in refused.value.message_dict
        assert "not a participant" in refused.value.message_dict["assignee"][0]
    task.refresh_from_db()
    assert task.assignee == people["guest"]

    task_services.task_edit(actor=people["member"], task=task, title=task.title)
    task.refresh_from_db()
    assert task.assignee is None
    updated = Event.objects.filter(stream=workspace.stream, type="task.updated").get()
    assert updated.payload["changes"] == ["assignee"]


def test_edit_validates_every_field_together(workspace, people):
    other = make_workspace(name="Elsewhere")
    foreign = task_services.milestone_create(
        actor=other.participants.get().user,
        workspace=other,
        title="Elsewhere",
        due_date=datetime.date(2030, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        _create(
            workspace, people["lead"], "  ", description="x" * 5001, milestone=foreign
        )
    assert set(refused.value.message_dict) == {"title", "description", "milestone"}
    assert not Task.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("role", ["guest", "staff", "stranger", "removed"])
def test_only_leads_and_members_change_tasks(workspace, people, role):
    task = _create(workspace, people["lead"], "Draft NDA")
    actor = people[role]
    for attempt in (
        lambda: _create(workspace, actor, "Sneaky"),
        lambda: task_services.task_edit(actor=actor, task=task, title="Renamed"),
        lambda: task_services.task_move(actor=actor, task=task, status=Status.DONE),
        lambda: task_services.task_delete(actor=actor, task=task),
    ):
        with pytest.raises(PermissionDenied, match="leads and members"):
            attempt()
    assert board(workspace)["todo"] == ["Draft NDA"]


def test_archived_workspaces_are_read_only(workspace, people):
    task = _create(workspace, people["member"], "Draft NDA")
    workspace.archived_at = timezone.now()
    workspace.save()

    with pytest.raises(PermissionDenied, match="archived"):
        task_services.task_move(actor=people["lead"], task=task, status=Status.DONE)
    with pytest.raises(PermissionDenied, match="archived"):
        task_services.task_discussion_open(actor=people["lead"], task=task, body="Hi")
    task.refresh_from_db()
    assert task.status == Status.TODO


def test_moves_between_and_within_columns_keep_positions_contiguous(workspace, people):
    lead = people["lead"]
    a, b, c = (_create(workspace, lead, title) for title in "ABC")
    d = _create(workspace, lead, "D", status=Status.DOING)

    task_services.task_move(actor=lead, task=b, status=Status.DOING, position=0)
    assert board(workspace) == {"todo": ["A", "C"], "doing": ["B", "D"], "done": []}

    task_services.task_move(actor=lead, task=c, status=Status.TODO, position=0)
    assert board(workspace)["todo"] == ["C", "A"]

    task_services.task_move(actor=lead, task=d, status=Status.DOING, position=0)
    task_services.task_move(actor=lead, task=a, status=Status.DOING, position=99)
    assert board(workspace) == {"todo": ["C"], "doing": ["D", "B", "A"], "done": []}
    assert positions(workspace) == {"todo": [0], "doing": [0, 1, 2], "done": []}

    moved = Event.objects.filter(type="task.moved").order_by("seq").last()
    assert moved.payload["from_status"] == "todo"
    assert moved.payload["status"] == "doing"
    assert moved.payload["position"] == 2


def test_a_button_move_goes_to_the_end_and_done_records_completion(workspace, people):
    lead = people["lead"]
    a = _create(workspace, lead, "A")
    _create(workspace, lead, "B", status=Status.DONE)

    task_services.task_move(actor=lead, task=a, status=Status.DONE)
    a.refresh_from_db()
    assert board(workspace)["done"] == ["B", "A"]
    assert a.completed_at is not None

    task_services.task_move(actor=lead, task=a, status=Status.TODO)
    a.refresh_from_db()
    assert a.completed_at is None


def test_a_move_to_where_the_card_already_is_changes_nothing(workspace, people):
    lead = people["lead"]
    a = _create(workspace, lead, "A")
    _create(workspace, lead, "B")
    before = event_types(workspace, TASK_EVENTS)

    task_services.task_move(actor=lead, task=a, status=Status.TODO, position=0)

    assert event_types(workspace, TASK_EVENTS) == before
    assert board(workspace)["todo"] == ["A", "B"]


def test_deleting_closes_the_gap_and_is_announced(workspace, people):
    lead = people["lead"]
    a, b, c = (_create(workspace, lead, title) for title in "ABC")

    task_services.task_delete(actor=lead, task=b)

    assert board(workspace)["todo"] == ["A", "C"]
    assert positions(workspace)["todo"] == [0, 1]
    deleted = Event.objects.filter(type="task.deleted").get()
    assert deleted.payload["id"] == b.pk
    assert "B" not in deleted.payload.values() and "title" not in deleted.payload


def test_a_task_discussion_opens_once_in_the_workspace_community(workspace, people):
    task = _create(workspace, people["lead"], "Draft NDA")

    thread = task_services.task_discussion_open(
        actor=people["guest"], task=task, body="Which template do we use?"
    )
    again = task_services.task_discussion_open(
        actor=people["member"], task=task, body="The usual one."
    )

    task.refresh_from_db()
    assert task.thread == thread == again
    assert thread.community == workspace.community
    assert thread.title == "Task: Draft NDA"
    assert [p.body for p in thread.posts.order_by("number")] == [
        "Which template do we use?",
        "The usual one.",
    ]
    assert (
        Event.objects.filter(
            stream=workspace.stream,
            type="task.updated",
            payload__changes=["discussion"],
        ).count()
        == 1
    )


def test_staff_cannot_open_a_task_discussion(workspace, people):
    task = _create(workspace, people["lead"], "Draft NDA")
    with pytest.raises(PermissionDenied, match="participants"):
        task_services.task_discussion_open(actor=people["staff"], task=task, body="Hi")
    task.refresh_from_db()
    assert task.thread is None
