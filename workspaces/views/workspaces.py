"""Views for workspaces: "My workspaces", opening one, its dashboard and activity, the
stage pipeline, archiving and restoring."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.services import levels as community_levels
from community.views.unread import level_answer

from .. import permissions
from ..forms.workspaces import StageForm, WorkspaceForm
from ..queries import workspaces as queries
from ..services import workspaces as services
from .common import (
    flash_errors,
    form_add_errors,
    fragment_or_page,
    wants_fragment,
    workspace_context,
    workspace_view,
)

__all__ = ["urlpatterns"]

# Workspaces a page of the staff's list of every workspace shows.
STAFF_PAGE = 50


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
            form_add_errors(form, error)
        else:
            messages.success(
                request, _("Your workspace is ready: invite your partners.")
            )
            return redirect(workspace)
    return render(request, "workspaces/workspace_form.html", {"form": form})


@require_safe
@workspace_view
def workspace_detail(request, workspace):
    """The dashboard. Its script asks for the live parts alone (`X-Requested-With:
    fetch`) when the workspace's stream reports a change: that answer neither renders
    the navigation nor moves the reader's read position."""
    context = workspace_context(
        request,
        workspace,
        "overview",
        stage_form=StageForm(initial={"stage": workspace.stage}),
        can_archive=permissions.can_archive_workspace(request.user, workspace),
        can_restore=permissions.can_restore_workspace(request.user, workspace),
        # Participants choose how they follow it: their discussion membership's level.
        level_selector=queries.level_selector(request.user, workspace),
        **queries.dashboard(request.user, workspace),
    )
    if not wants_fragment(request):
        services.workspace_mark_seen(actor=request.user, workspace=workspace)
    return fragment_or_page(
        request,
        "workspaces/workspace_detail.html",
        "workspaces/includes/dashboard_parts.html",
        context,
    )


@require_safe
@workspace_view
def workspace_activity(request, workspace):
    """The activity feed, older pages by `?before=<seq>` (the dashboard shows the
    newest page)."""
    before = request.GET.get("before")
    before = int(before) if before and before.isdigit() else None
    events, older = queries.activity(request.user, workspace, before=before)
    context = workspace_context(
        request, workspace, "overview", events=events, older=older, before=before
    )
    return render(request, "workspaces/workspace_activity.html", context)


@require_POST
@workspace_view
def workspace_stage(request, workspace):
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
@workspace_view
def workspace_level(request, workspace):
    """Choose how closely to follow the workspace (watching: told of every new
    thread; tracking; muted): the level of one's membership of its discussion."""
    level = request.POST.get("level", "")
    return level_answer(
        request,
        lambda: community_levels.community_level_set(
            actor=request.user, community=workspace.community, level=level
        ),
        level,
        workspace.get_absolute_url(),
    )


def _flash_outcome(request, act, success):
    """Run a service `act()`; flash its refusal, else `success`."""
    try:
        act()
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, success)


@require_POST
@workspace_view
def workspace_archive(request, workspace):
    _flash_outcome(
        request,
        lambda: services.workspace_archive(actor=request.user, workspace=workspace),
        _("The workspace is archived: it is read-only for everyone."),
    )
    return redirect(workspace)


@require_POST
@workspace_view
def workspace_restore(request, workspace):
    _flash_outcome(
        request,
        lambda: services.workspace_restore(actor=request.user, workspace=workspace),
        _("The workspace is restored."),
    )
    return redirect(workspace)


urlpatterns = [
    path("", workspace_list, name="workspace-list"),
    path("new/", workspace_create, name="workspace-create"),
    path("<int:workspace_id>/", workspace_detail, name="workspace-detail"),
    path("<int:workspace_id>/activity/", workspace_activity, name="workspace-activity"),
    path("<int:workspace_id>/stage/", workspace_stage, name="workspace-stage"),
    path("<int:workspace_id>/archive/", workspace_archive, name="workspace-archive"),
    path("<int:workspace_id>/restore/", workspace_restore, name="workspace-restore"),
    path("<int:workspace_id>/level/", workspace_level, name="workspace-level"),
]
