"""Data and invariants of the workspaces app; one module per area."""

from .documents import Document, DocumentDownload, DocumentVersion
from .tasks import Milestone, Task
from .workspaces import (
    Invitation,
    Participant,
    Partner,
    StageChange,
    Workspace,
    WorkspaceExport,
)

__all__ = [
    "Document",
    "DocumentDownload",
    "DocumentVersion",
    "Invitation",
    "Milestone",
    "Participant",
    "Partner",
    "StageChange",
    "Task",
    "Workspace",
    "WorkspaceExport",
]
