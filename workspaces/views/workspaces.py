"""Views for workspaces: "My workspaces", opening one, its dashboard and activity, the
stage pipeline, archiving and restoring."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.workspaces import StageForm, WorkspaceForm
from ..queries import workspaces as queries
from ..services import workspaces as services

__all__ = ["urlpatterns", "workspace_context"]

# Workspaces a page of the staff's list of every workspace shows.
STAFF_PAGE = 50


def flash_errors(request, error):
    for message in error.messages:
        messages.error(request, message)


def workspace_context(request, workspace, active_tab, **extra):
    """What every page extending `workspaces/base_workspace.html` needs."""
    user = request.user
    return {
        "workspace": workspace,
        "active_tab": active_tab,
        "community": workspace.community,
        "is_lead": permissions.is_lead(user, workspace),
        "can_manage": permissions.can_manage_workspace(user, workspace),
        "can_contribute": permissions.can_contribute(user, workspace),
        "participant": permissions.participant_of(user, workspace),
        "is_staff_viewer": permissions.is_site_staff(user),
        **extra,
    }


@login_required
def workspace_list(request):
    user = request.user
    context = {
        "open_workspaces": queries.my_workspace_rows(user, archived=False),
        "archived_workspaces": queries.my_workspace_rows(user, archived=True),
        "can_create": permissions.can_create_workspace(user),
        "invitations": queries.consent_requests(user),
    }
    if permissions.is_site_staff(user):
        page_obj = Paginator(queries.all_workspaces_for_staff(user), STAFF_PAGE).get_page(
            request.GET.get("page")
        )
        context["page_obj"] = page_obj
        context["staff_workspaces"] = list(page_obj)
    return render(request, "workspaces/workspace_list.html", context)


@login_required
def workspace_create(request):
    user = request.user
    permissions.require_create_workspace(user)
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your workspace is ready: invite your partners.")
            )
            return redirect(workspace)
    return render(request, "workspaces/workspace_form.html", {"form": form})


def workspace_detail(request, workspace_id):
    workspace = permissions.access_workspace(request.user, workspace_id)
    context = workspace_context(
        request,
        workspace,
        "overview",
        stage_form=StageForm(initial={"stage": workspace.stage}),
        can_archive=permissions.can_archive_workspace(request.user, workspace),
        can_restore=permissions.can_restore_workspace(request.user, workspace),
        **queries.dashboard(request.user, workspace),
    )
    queries.mark_seen(request.user, workspace)
    return render(request, "workspaces/workspace_detail.html", context)


def workspace_activity(request, workspace_id):
    """The activity feed, older pages by `?before=<seq>` (the dashboard shows the
    newest page)."""
    workspace = permissions.access_workspace(request.user, workspace_id)
    before = request.GET.get("before")
    before = int(before) if before and before.isdigit() else None
    events, older = queries.activity(request.user, workspace, before=before)
    context = workspace_context(
        request, workspace, "overview", events=events, older=older, before=before
    )
    return render(request, "workspaces/workspace_activity.html", context)


@require_POST
def workspace_stage(request, workspace_id):
    workspace = permissions.access_workspace(request.user, workspace_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage."))
        return redirect(workspace)
    try:
        services.workspace_set_stage(
            actor=request.user, workspace=workspace, stage=form.cleaned_data["stage"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("The workspace is now at the stage %(stage)s.")
            % {"stage": workspace.get_stage_display()},
        )
    return redirect(workspace)


@require_POST
def workspace_archive(request, workspace_id):
    workspace = permissions.access_workspace(request.user, workspace_id)
    try:
        services.workspace_archive(actor=request.user, workspace=workspace)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, _("The workspace is archived: it is read-only for everyone.")
        )
    return redirect(workspace)


@require_POST
def workspace_restore(request, workspace_id):
    workspace = permissions.access_workspace(request.user, workspace_id)
    try:
        services.workspace_restore(actor=request.user, workspace=workspace)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("The workspace is restored."))
    return redirect(workspace)


urlpatterns = [
    path("", workspace_list, name="workspace-list"),
    path("new/", workspace_create, name="workspace-create"),
    path("<int:workspace_id>/", workspace_detail, name="workspace-detail"),
    path("<int:workspace_id>/activity/", workspace_activity, name="workspace-activity"),
    path("<int:workspace_id>/stage/", workspace_stage, name="workspace-stage"),
    path("<int:workspace_id>/archive/", workspace_archive, name="workspace-archive"),
    path("<int:workspace_id>/restore/", workspace_restore, name="workspace-restore"),
]
