"""Views for exports: leads ask for a ZIP of the workspace, follow its progress and
download it."""

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import permissions
from ..models import WorkspaceExport
from ..queries import exports as export_queries
from ..services import exports as export_services
from ..tasks import build_workspace_export
from .tasks import workspace_page
from .workspaces import workspace_context

State = WorkspaceExport.State


def _context(request, workspace):
    exports = export_queries.recent_exports(workspace)
    return workspace_context(
        request,
        workspace,
        "export",
        exports=exports,
        is_pending=export_queries.is_pending(exports),
    )


@workspace_page
def export_list(request, workspace):
    """The exports of the workspace (leads only); POST asks for a new one."""
    permissions.require_export_workspace(request.user, workspace)
    if request.method == "POST":
        export = export_services.export_request(actor=request.user, workspace=workspace)
        if export.state == State.QUEUED:
            # Inline by default (the page comes back with the export ready); with a
            # database queue, a worker builds it while the page shows its progress.
            build_workspace_export.enqueue(export.pk)
        messages.success(
            request,
            _("The export is being prepared: it will be listed here when ready."),
        )
        return redirect(reverse("workspaces:export-list", args=[workspace.pk]))
    context = _context(request, workspace)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "html": render_to_string(
                    "workspaces/includes/export_rows.html", context, request=request
                ),
                "pending": context["is_pending"],
            }
        )
    return render(request, "workspaces/export_list.html", context)


@workspace_page
def export_download(request, workspace, export_id):
    """The ZIP of a ready export, as an attachment, for leads."""
    export = permissions.access_export(request.user, workspace, export_id)
    if export.state != State.READY or not export.file:
        raise Http404("This export is not ready.")
    name = "{}-{}.zip".format(
        slugify(workspace.name) or "workspace",
        export.finished_at.strftime("%Y%m%d-%H%M") if export.finished_at else export.pk,
    )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:workspace_id>/export/", export_list, name="export-list"),
    path(
        "<int:workspace_id>/export/<int:export_id>/download/",
        export_download,
        name="export-download",
    ),
]
