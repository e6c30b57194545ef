"""Demo tasks and milestones for `seed_demo`: every column, due dates around today."""

import datetime

from django.utils import timezone

from .models import Participant, Task
from .services import tasks as task_services

Status = Task.Status

# (title, days from today) of each milestone.
MILESTONES = [
    ("Kick-off meeting", -20),
    ("Term sheet agreed", 6),
    ("Prototype on the test bench", 45),
]
# (title, column, milestone index or None, due in days or None, description).
TASKS = [
    ("Collect the partners' NDAs", Status.DONE, 0, -25, ""),
    (
        "Share the lab test results",
        Status.DONE,
        0,
        -15,
        "Upload the raw data with a short note.",
    ),
    (
        "Draft the term sheet",
        Status.DOING,
        1,
        2,
        "Royalty range, exclusivity, field of use.",
    ),
    (
        "Review the IP landscape",
        Status.DOING,
        1,
        -2,
        "Patents filed since 2020 in the same class.",
    ),
    ("Book the climate chamber", Status.TODO, 2, 10, ""),
    (
        "Agree the test protocol",
        Status.TODO,
        2,
        1,
        "Temperatures, cycles and pass criteria.",
    ),
    ("Plan the joint press release", Status.TODO, None, None, ""),
]


def seed_tasks(workspace, stdout=None):
    """Give `workspace` milestones and tasks in every column, assigned round-robin
    to its participants, written through the services by one of its leads."""
    participants = list(
        Participant.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    lead = next(p.user for p in participants if p.role == Participant.Role.LEAD)
    assignable = [p.user for p in participants if p.role != Participant.Role.GUEST]
    today = timezone.localdate()
    milestones = [
        task_services.milestone_create(
            actor=lead,
            workspace=workspace,
            title=title,
            due_date=today + datetime.timedelta(days=days),
        )
        for title, days in MILESTONES
    ]
    task_services.milestone_complete(actor=lead, milestone=milestones[0])
    for number, (title, status, milestone, due, description) in enumerate(TASKS):
        task_services.task_create(
            actor=lead,
            workspace=workspace,
            title=title,
            description=description,
            status=status,
            assignee=assignable[number % len(assignable)] if number % 3 != 2 else None,
            milestone=milestones[milestone] if milestone is not None else None,
            due_date=today + datetime.timedelta(days=due) if due is not None else None,
        )
    if stdout is not None:
        stdout.write(
            f"  {workspace.name}: {len(MILESTONES)} milestones, {len(TASKS)} tasks"
        )
