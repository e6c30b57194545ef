"""Task and milestone events carry ids and facts, never titles or dates: the log
keeps them (and replays them to sockets) after the task is gone."""

import datetime
import json

import pytest
from asgiref.sync import sync_to_async

from tests.live.sockets import connect, subscribe
from tests.support.workspaces import make_workspace, workspace_roles
from workspaces.services import tasks as task_services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

DUE = datetime.date(2031, 5, 17)


def _history():
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    lead = roles.lead
    milestone = task_services.milestone_create(
        actor=lead, workspace=workspace, title="Traguardo segreto", due_date=DUE
    )
    task = task_services.task_create(
        actor=lead,
        workspace=workspace,
        title="Bozza riservata",
        due_date=DUE,
        milestone=milestone,
    )
    task_services.task_edit(
        actor=lead, task=task, title="Bozza riservata bis", due_date=DUE
    )
    task_services.task_move(actor=lead, task=task, status="doing")
    task_services.milestone_complete(actor=lead, milestone=milestone)
    task_services.task_delete(actor=lead, task=task)
    task_services.milestone_delete(actor=lead, milestone=milestone)
    return workspace, roles.member


async def test_the_replay_of_a_deleted_tasks_events_holds_no_title_nor_date():
    workspace, member = await sync_to_async(_history)()
    socket = await connect(member)
    try:
        replay = await subscribe(socket, workspace.stream, after=0)
    finally:
        await socket.disconnect()

    events = [frame for frame in replay if frame["op"] == "event"]
    assert {frame["type"] for frame in events} >= {
        "task.created",
        "task.updated",
        "task.moved",
        "task.deleted",
        "milestone.created",
        "milestone.updated",
        "milestone.deleted",
    }
    text = json.dumps(replay, ensure_ascii=False)
    assert "Bozza" not in text
    assert "Traguardo" not in text
    assert DUE.isoformat() not in text
