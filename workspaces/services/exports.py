"""Workspace exports: a lead asks for one; a background task builds the ZIP.

The archive holds every current document's latest version (read through the storage
API), the discussion as Markdown and as HTML (one file per thread), the tasks as CSV
and the activity log (the workspace stream's events) as CSV. It is written entry by
entry to a temporary file, never held in memory whole, then saved to the storage under
a random name; `progress` is updated as it goes.
"""

import csv
import io
import json
import logging
import re
import shutil
import tempfile
import unicodedata
import uuid
import zipfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.models import Post, Thread
from live.events import event_record
from live.models import Event

from .. import permissions, storage
from ..models import Document, DocumentVersion, Task, WorkspaceExport

__all__ = ["export_build", "export_request"]

logger = logging.getLogger(__name__)

State = WorkspaceExport.State
COPY_CHUNK = 1024 * 1024
# Cells a spreadsheet would run as formulas start with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_request(*, actor, workspace):
    """Queue an export of `workspace`; return it (the one already queued or being
    built, when there is one). The caller enqueues the building task after commit.

    Callers: the workspace's leads, archived workspaces included
    (`permissions.require_export_workspace`), else PermissionDenied.
    """
    permissions.require_export_workspace(actor, workspace)
    with transaction.atomic():
        pending = (
            WorkspaceExport.objects.select_for_update()
            .filter(workspace=workspace, state__in=[State.QUEUED, State.RUNNING])
            .first()
        )
        if pending is not None:
            return pending
        export = WorkspaceExport.objects.create(
            workspace=workspace, requested_by=actor
        )
        # In the leads' activity only (permissions.ACTIVITY_FOR_LEADS).
        event_record(
            stream=workspace.stream,
            type="export.requested",
            payload={"export": export.pk},
            actor=actor,
        )
        return export


def export_build(export_id, *, language=None):
    """Build the ZIP of a queued export (run by the background task); return the
    export. Marks it ready with its file and size, or failed with a reason (a code of
    `WorkspaceExport.ERRORS`). The README and headings are written in `language`,
    else the requester's preferred language, else the site's."""
    claimed = WorkspaceExport.objects.filter(pk=export_id, state=State.QUEUED).update(
        state=State.RUNNING, progress=0
    )
    export = (
        WorkspaceExport.objects.select_related("workspace__community", "requested_by")
        .filter(pk=export_id)
        .first()
    )
    if not claimed or export is None:
        return export
    try:
        with tempfile.TemporaryFile(suffix=".zip") as spool:
            # README and headings in the language of the lead who asked for it.
            with translation.override(language or _requester_language(export)):
                _write_archive(export, spool)
            spool.seek(0, io.SEEK_END)
            size = spool.tell()
            spool.seek(0)
            # Through the uploads' storage door: a disk that fills up while the
            # archive is copied leaves no partial ZIP behind.
            export.file.name = storage.file_save(
                export.file.field.generate_filename(export, f"{uuid.uuid4().hex}.zip"),
                File(spool),
                storage=export.file.storage,
            )
    except Exception:
        logger.exception(
            "Export %s of workspace %s failed", export.pk, export.workspace_id
        )
        WorkspaceExport.objects.filter(pk=export.pk).update(
            state=State.FAILED,
            error="build_failed",
            finished_at=timezone.now(),
        )
    else:
        WorkspaceExport.objects.filter(pk=export.pk).update(
            state=State.READY,
            progress=100,
            file=export.file.name,
            size=size,
            finished_at=timezone.now(),
        )
    export.refresh_from_db()
    return export


def _requester_language(export):
    language = getattr(export.requested_by, "language", "")
    return language or settings.LANGUAGE_CODE


# --- building ---------------------------------------------------------------------------


class _Progress:
    """Counts finished steps; writes the percentage when it changes (so a page or a
    poll can show it)."""

    def __init__(self, export, total):
        self.export_id = export.pk
        self.total = max(total, 1)
        self.done = 0
        self.shown = 0

    def step(self):
        self.done += 1
        # 99 at most until the file is stored.
        percent = min(99, self.done * 100 // self.total)
        if percent != self.shown:
            self.shown = percent
            WorkspaceExport.objects.filter(pk=self.export_id).update(progress=percent)


def _write_archive(export, spool):
    workspace = export.workspace
    versions = _current_versions(workspace)
    threads = list(
        Thread.objects.filter(community=workspace.community).order_by(
            "created_at", "pk"
        )
    )
    progress = _Progress(export, len(versions) + len(threads) + 2)
    names = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(workspace, export))
        for version in versions:
            name = _unique(
                names,
                f"documents/{version.document_id}-{_safe_name(version.original_name)}",
            )
            with (
                version.file.open("rb") as source,
                archive.open(name, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, COPY_CHUNK)
            progress.step()
        for thread in threads:
            base = _unique(
                names, f"discussion/{thread.pk}-{_safe_name(thread.title, 60)}"
            )
            _write_thread(archive, base, thread)
            progress.step()
        with archive.open("tasks.csv", "w") as target:
            _write_tasks_csv(target, workspace)
        progress.step()
        with archive.open("activity.csv", "w") as target:
            _write_activity_csv(target, workspace)
        progress.step()


def _current_versions(workspace):
    """The latest version of every document that is not deleted."""
    latest = (
        DocumentVersion.objects.filter(document=OuterRef("pk"))
        .order_by("-number")
        .values("pk")[:1]
    )
    ids = (
        Document.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .annotate(latest=Subquery(latest))
        .exclude(latest=None)
        .values_list("latest", flat=True)
    )
    return list(
        DocumentVersion.objects.filter(pk__in=list(ids)).order_by("document_id")
    )


def _readme(workspace, export):
    return _(
        "Export of the workspace “%(name)s”, built %(when)s.\n\n"
        "documents/   the latest version of every current document\n"
        "discussion/  each thread of the discussion, as Markdown (.md) and HTML (.html)\n"
        "tasks.csv    the tasks\n"
        "activity.csv the activity log\n"
    ) % {"name": workspace.name, "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC")}


def _safe_name(name, limit=120):
    """A file name safe inside any archive tool: no directories, controls or
    direction overrides, at most `limit` characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(
        c for c in name if unicodedata.category(c)[0] != "C" and c not in '/\\:*?"<>|'
    )
    name = re.sub(r"\s+", " ", name).strip(" .") or "file"
    if len(name) > limit:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: limit - len(extension) - 1] + "." + extension
        else:
            name = name[:limit]
    return name


def _unique(names, name):
    candidate, number = name, 1
    while candidate in names:
        number += 1
        stem, dot, extension = name.rpartition(".")
        candidate = f"{stem}-{number}.{extension}" if dot else f"{name}-{number}"
    names.add(candidate)
    return candidate


def _posts(thread):
    """The thread's posts people can read (deleted and hidden ones left out)."""
    return (
        Post.objects.filter(thread=thread, is_deleted=False, is_hidden=False)
        .select_related("author")
        .order_by("number")
        .iterator(chunk_size=200)
    )


def _author(post):
    if post.author is None:
        return _("(deleted account)")
    return post.author.name or post.author.username


def _write_thread(archive, base, thread):
    with archive.open(f"{base}.md", "w") as target:
        text = io.TextIOWrapper(target, encoding="utf-8", newline="\n")
        text.write(f"# {thread.title}\n")
        for post in _posts(thread):
            text.write(
                f"\n---\n\n**{_author(post)}**, "
                f"{post.created_at.strftime('%Y-%m-%d %H:%M UTC')}\n\n{post.body}\n"
            )
        text.flush()
        text.detach()
    with archive.open(f"{base}.html", "w") as target:
        text = io.TextIOWrapper(target, encoding="utf-8", newline="\n")
        text.write(
            render_to_string(
                "workspaces/export_thread.html",
                {"thread": thread, "posts": _posts(thread)},
            )
        )
        text.flush()
        text.detach()


def _cell(value):
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _write_csv(target, header, rows):
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    text.flush()
    text.detach()


def _person(user):
    if user is None:
        return ""
    return user.name or user.username


def _write_tasks_csv(target, workspace):
    tasks = (
        Task.objects.filter(workspace=workspace)
        .select_related("assignee", "milestone", "created_by")
        .order_by("status", "position", "pk")
        .iterator(chunk_size=500)
    )
    _write_csv(
        target,
        [
            "id",
            "title",
            "status",
            "position",
            "assignee",
            "due_date",
            "milestone",
            "created_by",
            "created_at",
            "completed_at",
            "description",
        ],
        (
            [
                task.pk,
                task.title,
                task.status,
                task.position,
                _person(task.assignee),
                task.due_date.isoformat() if task.due_date else "",
                task.milestone.title if task.milestone else "",
                _person(task.created_by),
                task.created_at.isoformat(),
                task.completed_at.isoformat() if task.completed_at else "",
                task.description,
            ]
            for task in tasks
        ),
    )


def _write_activity_csv(target, workspace):
    events = (
        Event.objects.filter(stream=workspace.stream)
        .select_related("actor")
        .order_by("seq")
        .iterator(chunk_size=500)
    )
    _write_csv(
        target,
        ["seq", "created_at", "type", "actor", "data"],
        (
            [
                event.seq,
                event.created_at.isoformat(),
                event.type,
                _person(event.actor),
                json.dumps(event.payload, ensure_ascii=False, sort_keys=True),
            ]
            for event in events
        ),
    )
