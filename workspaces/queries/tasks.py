"""Reads for tasks and milestones: the board, the list, "my tasks", the timeline."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from .. import permissions
from ..models import Milestone, Task

Status = Task.Status

# A task due within this many days (today included) is "due soon".
DUE_SOON_DAYS = 3

# The list's sort keys: name -> ordering.
LIST_ORDERINGS = {
    "due": [F("due_date").asc(nulls_last=True), "status", "position", "pk"],
    "-due": [F("due_date").desc(nulls_last=True), "status", "position", "pk"],
    "status": ["status", "position", "pk"],
    "assignee": [
        F("assignee__display_name").asc(nulls_last=True),
        F("assignee__username").asc(nulls_last=True),
        "status",
        "position",
        "pk",
    ],
    "title": ["title", "pk"],
}


def _task_rows(queryset):
    return queryset.select_related("assignee__organisation", "milestone")


def annotate_due(tasks, today=None):
    """Mark each open task `is_overdue` (due before today) or `is_due_soon` (due
    within DUE_SOON_DAYS days from today, in the viewer's time zone); done tasks
    are neither."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    for task in tasks:
        is_open = task.status != Status.DONE and task.due_date is not None
        task.is_overdue = is_open and task.due_date < today
        task.is_due_soon = is_open and today <= task.due_date <= soon
        if is_open:
            task.days_left = (task.due_date - today).days
    return tasks


@dataclass
class Column:
    status: str
    label: str
    tasks: list = field(default_factory=list)


def board(workspace):
    """The board: one column per status, cards in their order, with assignees,
    milestones and due highlighting (one query for every card)."""
    columns = {value: Column(value, label) for value, label in Status.choices}
    tasks = annotate_due(
        list(
            _task_rows(Task.objects.filter(workspace=workspace)).order_by(
                "status", "position", "pk"
            )
        )
    )
    for task in tasks:
        columns[task.status].tasks.append(task)
    return {
        "columns": list(columns.values()),
        "task_count": len(tasks),
        "statuses": Status.choices,
    }


def task_list(workspace, *, status=None, assignee=None, milestone=None, order="due"):
    """The workspace's tasks for the list view, filtered (`assignee` and
    `milestone` may be "none" for the tasks without one) and sorted by one of
    LIST_ORDERINGS."""
    tasks = _task_rows(Task.objects.filter(workspace=workspace))
    if status:
        tasks = tasks.filter(status=status)
    if assignee == "none":
        tasks = tasks.filter(assignee__isnull=True)
    elif assignee:
        tasks = tasks.filter(assignee_id=assignee)
    if milestone == "none":
        tasks = tasks.filter(milestone__isnull=True)
    elif milestone:
        tasks = tasks.filter(milestone_id=milestone)
    return tasks.order_by(*LIST_ORDERINGS.get(order, LIST_ORDERINGS["due"]))


def milestones(workspace):
    return Milestone.objects.filter(workspace=workspace).order_by("due_date", "pk")


def my_tasks(user, *, include_done=False):
    """The tasks assigned to `user` in the workspaces they take part in now, soonest
    due first (no due date last), with each task's workspace."""
    tasks = Task.objects.filter(
        assignee=user,
        workspace__in=permissions.workspaces_participated_by(user).values("pk"),
    ).select_related("workspace", "milestone")
    if not include_done:
        tasks = tasks.exclude(status=Status.DONE)
    return tasks.order_by(
        F("due_date").asc(nulls_last=True), "workspace__name", "position", "pk"
    )


def my_task_groups(tasks, today=None):
    """Group a page of "my tasks" (already sorted by due date) under headings:
    overdue, due soon, later, no due date, done."""
    today = today or timezone.localdate()
    groups = {key: [] for key in ("overdue", "soon", "later", "undated", "done")}
    for task in annotate_due(tasks, today):
        if task.status == Status.DONE:
            groups["done"].append(task)
        elif task.is_overdue:
            groups["overdue"].append(task)
        elif task.is_due_soon:
            groups["soon"].append(task)
        elif task.due_date is None:
            groups["undated"].append(task)
        else:
            groups["later"].append(task)
    return groups


def timeline(workspace, today=None):
    """The milestones by date with their open and done task counts, each marked
    `is_past` (its date is before today) and the first open one from today on
    `is_next`; `today_index` is where the "today" marker goes among them."""
    today = today or timezone.localdate()
    rows = list(
        Milestone.objects.filter(workspace=workspace)
        .annotate(
            open_count=Count("tasks", filter=~Q(tasks__status=Status.DONE)),
            done_count=Count("tasks", filter=Q(tasks__status=Status.DONE)),
        )
        .order_by("due_date", "pk")
    )
    next_found = False
    today_index = len(rows)
    for index, milestone in enumerate(rows):
        milestone.is_past = milestone.due_date < today
        milestone.is_today = milestone.due_date == today
        milestone.is_completed = milestone.completed_at is not None
        milestone.is_next = False
        if not milestone.is_past and today_index == len(rows):
            today_index = index
        if not milestone.is_past and not milestone.is_completed and not next_found:
            milestone.is_next = next_found = True
        milestone.is_late = milestone.is_past and not milestone.is_completed
    return {"milestones": rows, "today_index": today_index, "today": today}


def events_tasks(workspace, events):
    """Attach to each `task.*` and `milestone.*` event of the activity feed its
    `task` or `milestone` as it is now (the payloads carry ids, not titles), or None
    once it is deleted: one query per kind for all the events."""
    kinds = (("task.", "task", Task), ("milestone.", "milestone", Milestone))
    for prefix, name, model in kinds:
        mine = [event for event in events if event.type.startswith(prefix)]
        wanted = {event.payload.get("id") for event in mine}
        wanted = {pk for pk in wanted if isinstance(pk, int)}
        found = model.objects.filter(workspace=workspace, pk__in=wanted)
        rows = {row.pk: row for row in found} if wanted else {}
        for event in mine:
            setattr(event, name, rows.get(event.payload.get("id")))
