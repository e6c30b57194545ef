"""Moves decided on different pages at about the same time: positions are recomputed
from the committed, locked rows inside the move's transaction, and a move of a card
someone else changed meanwhile is refused as stale instead of undoing their move.

(The test database is SQLite in memory, whose shared cache refuses concurrent writers
instead of queueing them, so the interleavings are played one after the other here;
test_tasks_concurrent_processes.py races real processes on SQLite and PostgreSQL.)"""

import pytest
from django.core.exceptions import ValidationError

from tests.workspaces.task_helpers import board, positions
from workspaces.models import Task
from workspaces.services import tasks as task_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Task.Status


def _create(workspace, actor, title, **fields):
    return task_services.task_create(
        actor=actor, workspace=workspace, title=title, **fields
    )


def test_a_move_from_a_stale_page_is_refused_and_changes_nothing(workspace, people):
    lead, member = people["lead"], people["member"]
    a = _create(workspace, lead, "A")
    seen_revision = Task.objects.get(pk=a.pk).revision

    # Someone else moves the card first.
    task_services.task_move(actor=member, task=a, status=Status.DONE)

    with pytest.raises(ValidationError) as refused:
        task_services.task_move(
            actor=lead, task=a, status=Status.DOING, revision=seen_revision
        )
    assert refused.value.code == "stale"
    assert "Someone else changed this task" in refused.value.messages[0]
    assert board(workspace)["done"] == ["A"]


def test_moving_a_task_deleted_meanwhile_says_so(workspace, people):
    a = _create(workspace, people["lead"], "A")
    task_services.task_delete(actor=people["member"], task=a)

    with pytest.raises(ValidationError, match="deleted meanwhile"):
        task_services.task_move(actor=people["lead"], task=a, status=Status.DOING)


def test_moves_decided_on_an_older_board_land_in_a_consistent_column(workspace, people):
    """Two people drag cards into "Doing" at once, each from the board they see:
    positions are recomputed from the committed rows, never duplicated."""
    lead, member = people["lead"], people["member"]
    a, b = _create(workspace, lead, "A"), _create(workspace, lead, "B")
    x = _create(workspace, lead, "X", status=Status.DOING)
    a_revision, b_revision = a.revision, b.revision

    task_services.task_move(
        actor=lead, task=a, status=Status.DOING, position=1, revision=a_revision
    )
    task_services.task_move(
        actor=member, task=b, status=Status.DOING, position=1, revision=b_revision
    )

    assert board(workspace)["doing"] == ["X", "B", "A"]
    assert positions(workspace) == {"todo": [], "doing": [0, 1, 2], "done": []}
    assert x.pk in Task.objects.filter(status=Status.DOING).values_list("pk", flat=True)
