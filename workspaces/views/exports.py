"""Views for exports: leads ask for a ZIP of the workspace, follow its progress and
download it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import permissions
from ..models import WorkspaceExport
from ..queries import exports as export_queries
from ..services import exports as export_services
from ..tasks import build_workspace_export
from .common import (
    fragment_or_page,
    private_file_response,
    workspace_context,
    workspace_view,
)

State = WorkspaceExport.State


@workspace_view
def export_list(request, workspace):
    """The exports of the workspace (leads only); POST asks for a new one. The page's
    script follows a pending export through the fragment (`{"html", "pending"}`)."""
    permissions.require_export_workspace(request.user, workspace)
    if request.method == "POST":
        export = export_services.export_request(actor=request.user, workspace=workspace)
        if export.state == State.QUEUED:
            # Inline by default (the page comes back with the export ready); with a
            # database queue, a worker builds it while the page shows its progress.
            build_workspace_export.enqueue(export.pk, get_language())
        messages.success(
            request,
            _("The export is being prepared: it will be listed here when ready."),
        )
        return redirect(reverse("workspaces:export-list", args=[workspace.pk]))
    exports = export_queries.recent_exports(workspace)
    is_pending = export_queries.is_pending(exports)
    context = workspace_context(
        request, workspace, "export", exports=exports, is_pending=is_pending
    )
    return fragment_or_page(
        request,
        "workspaces/export_list.html",
        "workspaces/includes/export_rows.html",
        context,
        pending=is_pending,
    )


@require_GET
@workspace_view
def export_download(request, workspace, export_id):
    """The ZIP of a ready export, streamed as an attachment, for leads."""
    export = permissions.access_export(request.user, workspace, export_id)
    if export.state != State.READY or not export.file:
        raise Http404("This export is not ready.")
    name = "{}-{}.zip".format(
        slugify(workspace.name) or "workspace",
        export.finished_at.strftime("%Y%m%d-%H%M") if export.finished_at else export.pk,
    )
    return private_file_response(
        export.file.name, filename=name, content_type="application/zip"
    )


urlpatterns = [
    path("<int:workspace_id>/export/", export_list, name="export-list"),
    path(
        "<int:workspace_id>/export/<int:export_id>/download/",
        export_download,
        name="export-download",
    ),
]
