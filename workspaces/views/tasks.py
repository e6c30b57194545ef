"""Views for tasks and milestones: board, list, task pages, "my tasks", timeline.

Scripts ask for a page's fragment (`X-Requested-With: fetch`, see `common`) to refresh
it when the workspace's stream reports a change, and send card moves with
`Accept: application/json`; every form also works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.ratelimit import RateLimited
from community.views.feedback import redirect_back, safe_next, with_retry_after

from .. import permissions
from ..forms.tasks import (
    DiscussionForm,
    MilestoneForm,
    MoveForm,
    TaskFilterForm,
    TaskForm,
)
from ..models import Task
from ..queries import tasks as task_queries
from ..queries import workspaces as workspace_queries
from ..services import tasks as task_services
from .common import (
    flash_errors,
    form_add_errors,
    fragment_or_page,
    json_errors,
    refusals_as_json,
    wants_json,
    workspace_context,
    workspace_view,
)

TASKS_PER_PAGE = 50
MY_TASKS_PER_PAGE = 50

Status = Task.Status


# --- helpers ----------------------------------------------------------------------------


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _board_url(workspace):
    return reverse("workspaces:task-board", args=[workspace.pk])


def _task_url(task):
    return reverse("workspaces:task-detail", args=[task.workspace_id, task.pk])


# --- board and list ---------------------------------------------------------------------


@workspace_view
def task_board(request, workspace):
    context = workspace_context(
        request, workspace, "tasks", **task_queries.board(workspace)
    )
    return fragment_or_page(
        request,
        "workspaces/task_board.html",
        "workspaces/includes/task_board.html",
        context,
    )


@workspace_view
def task_list(request, workspace):
    participants = workspace_queries.participants(workspace, by_name=True)
    milestones = list(task_queries.milestones(workspace))
    filter_form = TaskFilterForm(
        request.GET, participants=participants, milestones=milestones
    )
    filters = filter_form.filters()
    tasks = task_queries.task_list(
        workspace,
        status=filters.get("status"),
        assignee=filters.get("assignee"),
        milestone=filters.get("milestone"),
        order=filters.get("order") or "due",
    )
    page_obj = _page(request, tasks, TASKS_PER_PAGE)
    page_obj.object_list = task_queries.annotate_due(list(page_obj.object_list))
    context = workspace_context(
        request,
        workspace,
        "tasks",
        filter_form=filter_form,
        page_obj=page_obj,
        tasks=page_obj.object_list,
        is_filtered=any(filters.get(k) for k in ("status", "assignee", "milestone")),
    )
    return fragment_or_page(
        request,
        "workspaces/task_list.html",
        "workspaces/includes/task_rows.html",
        context,
    )


# --- one task ---------------------------------------------------------------------------


def _form_response(request, workspace, form, entity, instance=None):
    """The create or edit page of a task or milestone (`entity`), with `form`."""
    return render(
        request,
        f"workspaces/{entity}_form.html",
        workspace_context(
            request, workspace, f"{entity}s", form=form, **{entity: instance}
        ),
    )


def _task_fields(form):
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "assignee": data["assignee"],
        "due_date": data["due_date"],
        "milestone": data["milestone"],
    }


@workspace_view
def task_create(request, workspace):
    permissions.require_contribute(request.user, workspace)
    initial = {"status": request.GET.get("status") or Status.TODO}
    form = TaskForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = task_services.task_create(
                actor=request.user,
                workspace=workspace,
                status=form.cleaned_data["status"],
                **_task_fields(form),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Task created."))
            return redirect_back(request, _task_url(task))
    return _form_response(request, workspace, form, "task")


@workspace_view
def task_detail(request, workspace, task_id):
    task = permissions.access_task(request.user, workspace, task_id)
    return _task_page(request, workspace, task, DiscussionForm())


def _task_page(request, workspace, task, discussion_form, status=200):
    """The task's page with `discussion_form` (a refused comment comes back in it,
    with the reason)."""
    task_queries.annotate_due([task])
    return render(
        request,
        "workspaces/task_detail.html",
        workspace_context(
            request,
            workspace,
            "tasks",
            task=task,
            statuses=Status.choices,
            discussion_form=discussion_form,
        ),
        status=status,
    )


@workspace_view
def task_edit(request, workspace, task_id):
    task = permissions.access_task(request.user, workspace, task_id)
    permissions.require_contribute(request.user, workspace)
    initial = {
        "title": task.title,
        "description": task.description,
        "assignee": task.assignee_id,
        "due_date": task.due_date,
        "milestone": task.milestone_id,
    }
    form = TaskForm(
        request.POST or None, workspace=workspace, initial=initial, creating=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            task_services.task_edit(actor=request.user, task=task, **_task_fields(form))
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect(_task_url(task))
    return _form_response(request, workspace, form, "task", task)


@workspace_view
def task_delete(request, workspace, task_id):
    task = permissions.access_task(request.user, workspace, task_id)
    permissions.require_contribute(request.user, workspace)
    if request.method == "POST":
        task_services.task_delete(actor=request.user, task=task)
        messages.success(request, _("Task deleted."))
        return redirect(_board_url(workspace))
    return render(
        request,
        "workspaces/task_confirm_delete.html",
        workspace_context(request, workspace, "tasks", task=task),
    )


@require_POST
@workspace_view
def task_move(request, workspace, task_id):
    """Move a card: from a button (back to the page it was on) or from the board's
    script (JSON: 200 with the task's place, 409 when stale or invalid)."""
    if wants_json(request):
        return _task_move_json(request, workspace, task_id)
    task = permissions.access_task(request.user, workspace, task_id)
    permissions.require_contribute(request.user, workspace)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose where the task goes."))
        return redirect_back(request, _board_url(workspace))
    try:
        moved = task_services.task_move(
            actor=request.user, task=task, **form.cleaned_data
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” moved to %(column)s.")
            % {"title": moved.title, "column": moved.get_status_display()},
        )
    return redirect(safe_next(request, _board_url(workspace)))


@refusals_as_json
def _task_move_json(request, workspace, task_id):
    task = permissions.access_task(request.user, workspace, task_id)
    permissions.require_contribute(request.user, workspace)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return json_errors(_("Choose where the task goes."))
    try:
        moved = task_services.task_move(
            actor=request.user, task=task, **form.cleaned_data
        )
    except ValidationError as error:
        # `code` "stale": the card moved meanwhile (the board redraws).
        return json_errors(error, status=409)
    return JsonResponse(
        {
            "task": moved.pk,
            "title": moved.title,
            "status": moved.status,
            "column": moved.get_status_display(),
            "position": moved.position,
            "revision": moved.revision,
        }
    )


@require_POST
@workspace_view
def task_discussion(request, workspace, task_id):
    """Post a comment on the task: the first one opens its discussion thread."""
    task = permissions.access_task(request.user, workspace, task_id)
    permissions.require_discuss_task(request.user, workspace)
    form = DiscussionForm(request.POST)
    # A refused comment is shown again in the box with the reason, never dropped.
    if not form.is_valid():
        return _task_page(request, workspace, task, form, status=400)
    try:
        thread = task_services.task_discussion_open(
            actor=request.user, task=task, body=form.cleaned_data["body"]
        )
    except ValidationError as error:
        form_add_errors(form, error)
        response = _task_page(
            request,
            workspace,
            task,
            form,
            status=429 if isinstance(error, RateLimited) else 400,
        )
        return with_retry_after(response, error)
    except PermissionDenied as error:
        # The community's own rules (a mute, say) refuse the comment.
        form.add_error(None, str(error))
        return _task_page(request, workspace, task, form, status=403)
    return redirect(thread.get_absolute_url())


# --- my tasks ---------------------------------------------------------------------------


@login_required
def my_tasks(request):
    include_done = request.GET.get("done") == "1"
    page_obj = _page(
        request,
        task_queries.my_tasks(request.user, include_done=include_done),
        MY_TASKS_PER_PAGE,
    )
    page_obj.object_list = list(page_obj.object_list)
    return render(
        request,
        "workspaces/task_mine.html",
        {
            "page_obj": page_obj,
            "groups": task_queries.my_task_groups(page_obj.object_list),
            "include_done": include_done,
        },
    )


# --- milestones -------------------------------------------------------------------------


@workspace_view
def milestone_list(request, workspace):
    context = workspace_context(
        request, workspace, "milestones", **task_queries.timeline(workspace)
    )
    return fragment_or_page(
        request,
        "workspaces/milestone_list.html",
        "workspaces/includes/milestone_timeline.html",
        context,
    )


def _milestones_url(workspace):
    return reverse("workspaces:milestone-list", args=[workspace.pk])


@workspace_view
def milestone_create(request, workspace):
    permissions.require_contribute(request.user, workspace)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task_services.milestone_create(
                actor=request.user, workspace=workspace, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Milestone added."))
            return redirect(_milestones_url(workspace))
    return _form_response(request, workspace, form, "milestone")


@workspace_view
def milestone_edit(request, workspace, milestone_id):
    milestone = permissions.access_milestone(request.user, workspace, milestone_id)
    permissions.require_contribute(request.user, workspace)
    form = MilestoneForm(
        request.POST or None,
        initial={
            "title": milestone.title,
            "due_date": milestone.due_date,
            "description": milestone.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            task_services.milestone_edit(
                actor=request.user, milestone=milestone, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect(_milestones_url(workspace))
    return _form_response(request, workspace, form, "milestone", milestone)


@require_POST
@workspace_view
def milestone_complete(request, workspace, milestone_id):
    milestone = permissions.access_milestone(request.user, workspace, milestone_id)
    permissions.require_contribute(request.user, workspace)
    is_completed = request.POST.get("completed") != "0"
    try:
        task_services.milestone_complete(
            actor=request.user, milestone=milestone, is_completed=is_completed
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("Milestone marked as reached.")
            if is_completed
            else _("Milestone open again."),
        )
    return redirect(_milestones_url(workspace))


@workspace_view
def milestone_delete(request, workspace, milestone_id):
    milestone = permissions.access_milestone(request.user, workspace, milestone_id)
    permissions.require_contribute(request.user, workspace)
    if request.method == "POST":
        task_services.milestone_delete(actor=request.user, milestone=milestone)
        messages.success(request, _("Milestone deleted."))
        return redirect(_milestones_url(workspace))
    return render(
        request,
        "workspaces/milestone_confirm_delete.html",
        workspace_context(request, workspace, "milestones", milestone=milestone),
    )


urlpatterns = [
    path("tasks/", my_tasks, name="my-tasks"),
    path("<int:workspace_id>/tasks/", task_board, name="task-board"),
    path("<int:workspace_id>/tasks/list/", task_list, name="task-list"),
    path("<int:workspace_id>/tasks/new/", task_create, name="task-create"),
    path("<int:workspace_id>/tasks/<int:task_id>/", task_detail, name="task-detail"),
    path("<int:workspace_id>/tasks/<int:task_id>/edit/", task_edit, name="task-edit"),
    path(
        "<int:workspace_id>/tasks/<int:task_id>/delete/",
        task_delete,
        name="task-delete",
    ),
    path("<int:workspace_id>/tasks/<int:task_id>/move/", task_move, name="task-move"),
    path(
        "<int:workspace_id>/tasks/<int:task_id>/discussion/",
        task_discussion,
        name="task-discussion",
    ),
    path("<int:workspace_id>/milestones/", milestone_list, name="milestone-list"),
    path(
        "<int:workspace_id>/milestones/new/", milestone_create, name="milestone-create"
    ),
    path(
        "<int:workspace_id>/milestones/<int:milestone_id>/edit/",
        milestone_edit,
        name="milestone-edit",
    ),
    path(
        "<int:workspace_id>/milestones/<int:milestone_id>/complete/",
        milestone_complete,
        name="milestone-complete",
    ),
    path(
        "<int:workspace_id>/milestones/<int:milestone_id>/delete/",
        milestone_delete,
        name="milestone-delete",
    ),
]
