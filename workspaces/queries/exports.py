"""Reads for the export page: a workspace's latest exports."""

from ..models import WorkspaceExport

EXPORTS_SHOWN = 20


def recent_exports(workspace):
    """The workspace's latest exports, newest first, with who asked for them."""
    return list(
        WorkspaceExport.objects.filter(workspace=workspace)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:EXPORTS_SHOWN]
    )


def is_pending(exports):
    return any(
        export.state in (WorkspaceExport.State.QUEUED, WorkspaceExport.State.RUNNING)
        for export in exports
    )
