"""Reading a workspace's board and its stream back, for the task and milestone tests."""

from live.models import Event
from workspaces.models import Task

# The task and milestone events, leaving out the workspace's other events.
TASK_EVENTS = r"^(task|milestone)\."


def board(workspace):
    """{status: [titles in board order]} as the board shows it."""
    columns = {status: [] for status in Task.Status.values}
    for task in Task.objects.filter(workspace=workspace).order_by(
        "status", "position", "pk"
    ):
        columns[task.status].append(task.title)
    return columns


def positions(workspace):
    """{status: [positions in board order]}."""
    return {
        status: list(
            Task.objects.filter(workspace=workspace, status=status)
            .order_by("position", "pk")
            .values_list("position", flat=True)
        )
        for status in Task.Status.values
    }


def event_types(workspace, matching=None):
    """The types of the events on the workspace's stream, in order; only those whose
    type matches the regular expression `matching` when it is given."""
    events = Event.objects.filter(stream=workspace.stream)
    if matching is not None:
        events = events.filter(type__regex=matching)
    return list(events.order_by("seq").values_list("type", flat=True))
