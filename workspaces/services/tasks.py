"""Write services for a workspace's tasks and milestones: one function per action.

Each asks `permissions`, validates, writes inside `transaction.atomic()` and records its
event on the workspace's stream (`workspace:<id>`), which the live engine broadcasts
after commit: `task.created`, `task.updated`, `task.moved`, `task.deleted`,
`milestone.created`, `milestone.updated`, `milestone.deleted`. Payloads hold ids and
plain facts (statuses, positions), never titles or dates: the feed reads those now.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.services import threads as community_threads

from .. import permissions
from ..models import Milestone, Task
from . import titles
from .locks import workspace_event_record, workspace_locked_for

__all__ = [
    "milestone_complete",
    "milestone_create",
    "milestone_delete",
    "milestone_edit",
    "task_create",
    "task_delete",
    "task_discussion_open",
    "task_edit",
    "task_move",
]

Status = Task.Status

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000


# --- payloads ---------------------------------------------------------------------------


# Ids and facts only, never titles or dates: the log keeps events (and replays them)
# after a task is deleted, and the feed reads current names when it shows them.


def _task_data(task, **extra):
    return {
        "id": task.pk,
        "status": task.status,
        "position": task.position,
        "assignee": task.assignee_id,
        "milestone": task.milestone_id,
        "revision": task.revision,
        **extra,
    }


def _milestone_data(milestone, **extra):
    return {
        "id": milestone.pk,
        "is_completed": milestone.completed_at is not None,
        **extra,
    }


# --- validation -------------------------------------------------------------------------


_clean_title = partial(titles.title_clean, max_length=TITLE_MAX_LENGTH, required=True)


def _clean_description(description):
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            {
                "description": ngettext(
                    "The description is too long: at most %(limit)d character.",
                    "The description is too long: at most %(limit)d characters.",
                    DESCRIPTION_MAX_LENGTH,
                )
                % {"limit": DESCRIPTION_MAX_LENGTH}
            },
            code="max_length",
        )
    return description


def _clean_date(value, field, required=False):
    if value is None and required:
        raise ValidationError({field: _("Give it a date.")}, code="required")
    if value is not None and not isinstance(value, datetime.date):
        raise ValidationError({field: _("Enter a valid date.")}, code="invalid")
    return value


def _clean_assignee(workspace, assignee):
    # Asked again at write time: the form's choices may be older than a removal.
    if assignee is not None and not permissions.can_be_assigned(assignee, workspace):
        raise ValidationError(
            {
                "assignee": _(
                    "%(name)s is not a participant of this workspace: only its "
                    "participants can be assigned tasks."
                )
                % {"name": assignee.name or assignee.username}
            },
            code="not_participant",
        )
    return assignee


def _clean_milestone(workspace, milestone):
    if milestone is not None and milestone.workspace_id != workspace.pk:
        raise ValidationError(
            {"milestone": _("Choose one of this workspace's milestones.")},
            code="invalid_choice",
        )
    return milestone


def _clean_status(status):
    if status not in Status.values:
        raise ValidationError({"status": _("Choose to do, doing or done.")})
    return status


def _clean_all(checks):
    """Run each `(clean, args)`; raise every field's error together."""
    errors = {}
    cleaned = []
    for clean, *args in checks:
        try:
            cleaned.append(clean(*args))
        except ValidationError as error:
            errors.update(error.message_dict)
            cleaned.append(None)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _column(workspace, status, *, exclude=None):
    """The tasks of one column in board order, locked for this transaction."""
    tasks = Task.objects.select_for_update().filter(workspace=workspace, status=status)
    if exclude is not None:
        tasks = tasks.exclude(pk=exclude.pk)
    return list(tasks.order_by("position", "pk"))


def _renumber(tasks, *, moving=None):
    """Give `tasks` positions 0, 1, 2, ... in list order; save the ones that changed
    (their revision stays: their own content did not change), except `moving`,
    which its caller saves with the rest of its move."""
    changed = []
    for position, task in enumerate(tasks):
        if task is moving:
            task.position = position
        elif task.position != position:
            task.position = position
            changed.append(task)
    if changed:
        Task.objects.bulk_update(changed, ["position"])


def _locked(actor, workspace):
    """Queue the writers of one workspace (moves and creations recompute column
    positions from what is committed, one at a time) and check again, on the row as
    committed now, that `actor` may still change it: not once it is archived."""
    return workspace_locked_for(actor, workspace, permissions.require_contribute)


def _locked_current(actor, row):
    """`_locked`, then `row` (a task or milestone) as committed now, locked against
    other writers: None once someone deleted it meanwhile."""
    _locked(actor, row.workspace)
    return type(row).objects.select_for_update().filter(pk=row.pk).first()


# --- tasks ------------------------------------------------------------------------------


def task_create(
    *,
    actor,
    workspace,
    title,
    description="",
    assignee=None,
    due_date=None,
    milestone=None,
    status=Status.TODO,
):
    """Add a task at the end of its column; return it.

    Callers: leads and members of a workspace that is not archived
    (`permissions.require_contribute`), else PermissionDenied. Raises ValidationError
    (by field) for a missing, over-long or non-text title, an over-long description,
    an assignee who is not a participant, a milestone of another workspace, an
    unknown status. Emits `task.created` on `workspace:<id>`.
    """
    permissions.require_contribute(actor, workspace)
    title, description, assignee, due_date, milestone, status = _clean_all(
        [
            (_clean_title, title),
            (_clean_description, description),
            (_clean_assignee, workspace, assignee),
            (_clean_date, due_date, "due_date"),
            (_clean_milestone, workspace, milestone),
            (_clean_status, status),
        ]
    )
    with transaction.atomic():
        _locked(actor, workspace)
        last = Task.objects.filter(workspace=workspace, status=status).aggregate(
            last=Max("position")
        )["last"]
        task = Task.objects.create(
            workspace=workspace,
            title=title,
            description=description,
            status=status,
            position=0 if last is None else last + 1,
            assignee=assignee,
            due_date=due_date,
            milestone=milestone,
            created_by=actor,
            completed_at=timezone.now() if status == Status.DONE else None,
        )
        workspace_event_record(workspace, "task.created", _task_data(task), actor)
    return task


def task_edit(
    *, actor, task, title, description="", assignee=None, due_date=None, milestone=None
):
    """Change a task's title, description, assignee (None unassigns), due date and
    milestone; return it.

    Callers and errors as `task_create`. Emits `task.updated` on `workspace:<id>`
    with the names of the fields that changed (nothing when nothing did).
    """
    workspace = task.workspace
    permissions.require_contribute(actor, workspace)
    title, description, assignee, due_date, milestone = _clean_all(
        [
            (_clean_title, title),
            (_clean_description, description),
            (_clean_assignee, workspace, assignee),
            (_clean_date, due_date, "due_date"),
            (_clean_milestone, workspace, milestone),
        ]
    )
    wanted = {
        "title": title,
        "description": description,
        "assignee_id": assignee.pk if assignee else None,
        "due_date": due_date,
        "milestone_id": milestone.pk if milestone else None,
    }
    with transaction.atomic():
        current = _locked_current(actor, task)
        if current is None:
            raise ValidationError(_("This task was deleted meanwhile."), code="stale")
        changes = [
            field.removesuffix("_id")
            for field, value in wanted.items()
            if getattr(current, field) != value
        ]
        if not changes:
            return current
        for field, value in wanted.items():
            setattr(current, field, value)
        current.revision += 1
        current.save()
        workspace_event_record(
            workspace, "task.updated", _task_data(current, changes=changes), actor
        )
    return current


def task_move(*, actor, task, status, position=None, revision=None):
    """Move a task to column `status` at `position` (0 is the top; None or past the
    end: the end), renumbering both columns; return the task as moved.

    Callers as `task_create`. `revision` is the task's revision the page showed: a
    move of a task changed or deleted since then raises ValidationError (code
    "stale") and changes nothing. Positions are recomputed inside the transaction
    from the committed, locked rows, so concurrent moves never leave two cards in
    one place. Emits `task.moved` on `workspace:<id>` (nothing when the task stays
    where it is).
    """
    workspace = task.workspace
    permissions.require_contribute(actor, workspace)
    (status,) = _clean_all([(_clean_status, status)])
    if position is not None and (not isinstance(position, int) or position < 0):
        raise ValidationError({"position": _("Choose a place in the column.")})
    with transaction.atomic():
        current = _locked_current(actor, task)
        if current is None:
            raise ValidationError(_("This task was deleted meanwhile."), code="stale")
        if revision is not None and current.revision != revision:
            raise ValidationError(
                _(
                    "Someone else changed this task meanwhile: the board now shows "
                    "where it is. Move it again if you still want to."
                ),
                code="stale",
            )
        from_status, from_position = current.status, current.position
        column = _column(workspace, status, exclude=current)
        index = len(column) if position is None else min(position, len(column))
        if from_status == status:
            # Where it is now: the cards that sort before it in board order.
            here = sum(
                1 for t in column if (t.position, t.pk) < (from_position, current.pk)
            )
            if here == index:
                return current
        else:
            _renumber(_column(workspace, from_status, exclude=current))
        column.insert(index, current)
        _renumber(column, moving=current)
        current.status = status
        if status == Status.DONE and from_status != Status.DONE:
            current.completed_at = timezone.now()
        elif status != Status.DONE:
            current.completed_at = None
        current.revision += 1
        current.save(
            update_fields=[
                "status",
                "position",
                "completed_at",
                "revision",
                "updated_at",
            ]
        )
        workspace_event_record(
            workspace,
            "task.moved",
            _task_data(current, from_status=from_status, from_position=from_position),
            actor,
        )
    return current


def task_delete(*, actor, task):
    """Delete a task for good (its discussion thread stays in the discussion) and
    close the gap in its column.

    Callers as `task_create`. Emits `task.deleted` on `workspace:<id>`.
    """
    workspace = task.workspace
    permissions.require_contribute(actor, workspace)
    with transaction.atomic():
        current = _locked_current(actor, task)
        if current is None:
            return
        payload = _task_data(current)
        current.delete()
        _renumber(_column(workspace, payload["status"]))
        workspace_event_record(workspace, "task.deleted", payload, actor)


def task_discussion_open(*, actor, task, body):
    """Start the task's discussion with a first comment: a thread of the
    workspace's community, through the community's thread service (so its rules,
    rate limits and live updates apply); return the thread. When the discussion is
    already open, `body` is added to it as a reply.

    Callers: participants of a workspace that is not archived
    (`permissions.require_discuss_task`), else PermissionDenied; the community's
    own rules as the thread service applies them. Raises ValidationError for an
    empty or over-long comment. Emits `task.updated` (changes: discussion) on
    `workspace:<id>` when the thread is created, and the thread service's events.
    """
    workspace = task.workspace
    permissions.require_discuss_task(actor, workspace)
    with transaction.atomic():
        current = (
            Task.objects.select_for_update()
            .select_related("thread")
            .filter(pk=task.pk)
            .first()
        )
        if current is None:
            raise ValidationError(_("This task was deleted meanwhile."), code="stale")
        if current.thread is not None:
            community_threads.post_reply(actor=actor, thread=current.thread, body=body)
            return current.thread
        limit = community_threads.thread_title_max_length()
        title = _("Task: %(title)s") % {"title": current.title}
        if len(title) > limit:
            title = title[: limit - 1] + "…"
        thread = community_threads.thread_create(
            actor=actor, community=workspace.community, title=title, body=body
        )
        current.thread = thread
        current.revision += 1
        current.save(update_fields=["thread", "revision", "updated_at"])
        workspace_event_record(
            workspace,
            "task.updated",
            _task_data(current, changes=["discussion"]),
            actor,
        )
    task.thread = thread
    return thread


# --- milestones -------------------------------------------------------------------------


def milestone_create(*, actor, workspace, title, due_date, description=""):
    """Put a milestone on the workspace's timeline; return it.

    Callers: leads and members of a workspace that is not archived, else
    PermissionDenied. Raises ValidationError for a missing, over-long or non-text
    title, a missing date or an over-long description. Emits `milestone.created`.
    """
    permissions.require_contribute(actor, workspace)
    title, description, due_date = _clean_all(
        [
            (_clean_title, title),
            (_clean_description, description),
            (_clean_date, due_date, "due_date", True),
        ]
    )
    with transaction.atomic():
        _locked(actor, workspace)
        milestone = Milestone.objects.create(
            workspace=workspace,
            title=title,
            description=description,
            due_date=due_date,
            created_by=actor,
        )
        workspace_event_record(
            workspace, "milestone.created", _milestone_data(milestone), actor
        )
    return milestone


def milestone_edit(*, actor, milestone, title, due_date, description=""):
    """Change a milestone's title, date and description; return it.

    Callers and errors as `milestone_create`. Emits `milestone.updated` with the
    names of the fields that changed (nothing when nothing did).
    """
    workspace = milestone.workspace
    permissions.require_contribute(actor, workspace)
    title, description, due_date = _clean_all(
        [
            (_clean_title, title),
            (_clean_description, description),
            (_clean_date, due_date, "due_date", True),
        ]
    )
    wanted = {"title": title, "description": description, "due_date": due_date}
    with transaction.atomic():
        current = _locked_current(actor, milestone)
        if current is None:
            raise ValidationError(
                _("This milestone was deleted meanwhile."), code="stale"
            )
        changes = [f for f, value in wanted.items() if getattr(current, f) != value]
        if not changes:
            return current
        for field, value in wanted.items():
            setattr(current, field, value)
        current.save()
        workspace_event_record(
            workspace,
            "milestone.updated",
            _milestone_data(current, changes=changes),
            actor,
        )
    return current


def milestone_complete(*, actor, milestone, is_completed=True):
    """Mark a milestone reached (or open again); return it.

    Callers as `milestone_create`. Emits `milestone.updated` (changes: completed).
    """
    workspace = milestone.workspace
    permissions.require_contribute(actor, workspace)
    with transaction.atomic():
        current = _locked_current(actor, milestone)
        if current is None:
            raise ValidationError(
                _("This milestone was deleted meanwhile."), code="stale"
            )
        if (current.completed_at is not None) == is_completed:
            return current
        current.completed_at = timezone.now() if is_completed else None
        current.save(update_fields=["completed_at"])
        workspace_event_record(
            workspace,
            "milestone.updated",
            _milestone_data(current, changes=["completed"]),
            actor,
        )
    return current


def milestone_delete(*, actor, milestone):
    """Delete a milestone; its tasks stay, without a milestone.

    Callers as `milestone_create`. Emits `milestone.deleted`.
    """
    workspace = milestone.workspace
    permissions.require_contribute(actor, workspace)
    with transaction.atomic():
        current = _locked_current(actor, milestone)
        if current is None:
            return
        payload = _milestone_data(current)
        current.delete()
        workspace_event_record(workspace, "milestone.deleted", payload, actor)
