"""Moves racing each other from separate processes on one database (SQLite on disk,
as the embedded default runs): the columns stay numbered 0, 1, 2, ... with no card
lost or duplicated, and a move decided on a stale page is refused, not applied."""

import json
import time

import pytest

from tests.support.processes import (
    manage,
    manage_parallel,
    postgres_database,
    required,
    site_env,
)

SETUP = """
import json
from tests.support.workspaces import add_participant, make_workspace, person_of
from workspaces.services import tasks

workspace = make_workspace(name="Race")
member = person_of()
add_participant(workspace, member)
for n in range(12):
    tasks.task_create(actor=workspace.created_by, workspace=workspace, title=f"T{n:02}")
print("SETUP " + json.dumps({
    "workspace": workspace.pk, "lead": workspace.created_by_id, "member": member.pk
}))
"""

# One process's moves: each of its tasks to the top of "doing", then half of them
# back to the top of "todo", each with the revision it read before the race.
MOVER = """
import json, time
from django.core.exceptions import ValidationError
from community.models import User
from workspaces.models import Task, Workspace
from workspaces.services import tasks

workspace = Workspace.objects.get(pk={workspace})
actor = User.objects.get(pk={actor})
mine = list(Task.objects.filter(workspace=workspace, title__in={titles}).order_by("title"))
stale = 0
# Both processes start moving at the same moment, whenever each finished starting.
time.sleep(max(0, {start} - time.time()))
for task in mine:
    tasks.task_move(actor=actor, task=task, status="doing", position=0, revision=task.revision)
for task in mine[::2]:
    # `task.revision` is the one read before the first move: refused as stale.
    try:
        tasks.task_move(actor=actor, task=task, status="todo", position=0, revision=task.revision - 1)
    except ValidationError as error:
        stale += error.code == "stale"
    task.refresh_from_db()
    tasks.task_move(actor=actor, task=task, status="todo", position=0, revision=task.revision)
print("DONE " + json.dumps(stale))
"""

REPORT = """
import json
from workspaces.models import Task
print("BOARD " + json.dumps({
    status: list(
        Task.objects.filter(workspace_id=WORKSPACE, status=status)
        .order_by("position", "pk").values_list("position", "title")
    )
    for status in ("todo", "doing", "done")
}))
"""


def _line(output, key):
    return json.loads(
        next(line for line in output.splitlines() if line.startswith(key))[
            len(key) + 1 :
        ]
    )


@pytest.mark.slow
@pytest.mark.xdist_group("processes")
def test_racing_moves_keep_every_column_consistent_on_sqlite(tmp_path):
    _race(site_env(tmp_path))


@pytest.mark.scaleout
@pytest.mark.xdist_group("scaleout")
def test_racing_moves_keep_every_column_consistent_on_postgresql(tmp_path):
    """PostgreSQL runs the two movers' transactions side by side: only the row locks
    keep them from numbering one column from two different readings."""
    with required(), postgres_database() as url:
        _race(site_env(tmp_path, DATABASE_URL=url))


def _race(env):
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    setup = manage("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr
    ids = _line(setup.stdout, "SETUP")
    start = time.time() + 4
    lead_script = MOVER.format(
        workspace=ids["workspace"],
        actor=ids["lead"],
        start=start,
        titles=[f"T{n:02}" for n in range(0, 12, 2)],
    )
    member_script = MOVER.format(
        workspace=ids["workspace"],
        actor=ids["member"],
        start=start,
        titles=[f"T{n:02}" for n in range(1, 12, 2)],
    )

    results = manage_parallel(
        ["shell", "-c", lead_script],
        ["shell", "-c", member_script],
        env=env,
        timeout=300,
    )

    for returncode, output in results:
        assert returncode == 0, output
        assert _line(output, "DONE") == 3
    board = _line(
        manage(
            "shell", "-c", REPORT.replace("WORKSPACE", str(ids["workspace"])), env=env
        ).stdout,
        "BOARD",
    )
    assert [position for position, _ in board["todo"]] == list(range(6))
    assert [position for position, _ in board["doing"]] == list(range(6))
    titles = sorted(title for column in board.values() for _, title in column)
    assert titles == [f"T{n:02}" for n in range(12)]
