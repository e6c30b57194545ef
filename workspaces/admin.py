"""Admin registration for staff: workspaces, partners, people, invitations, stage
changes and documents, read-only.

A workspace's people are kept in step with its discussion's memberships, its events
feed the activity and the live streams: changing rows here would skip all of that,
so staff look here and the workspace's leads act through the site (its services).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from community.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Document,
    DocumentDownload,
    DocumentVersion,
    Invitation,
    Milestone,
    Participant,
    Partner,
    StageChange,
    Task,
    Workspace,
    WorkspaceExport,
)


class PartnerInline(ReadOnlyInline):
    model = Partner
    fields = ("organisation", "role", "joined_at")
    readonly_fields = fields


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ("user", "organisation", "role", "joined_at")
    readonly_fields = fields


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ("from_stage", "to_stage", "changed_by", "changed_at")
    readonly_fields = fields


@admin.register(Workspace)
class WorkspaceAdmin(ReadOnlyAdmin):
    list_display = ("name", "collaboration_type", "stage", "created_at", "archived_at")
    list_filter = (
        "collaboration_type",
        "stage",
        ("archived_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "description")
    list_select_related = ("community",)
    inlines = (PartnerInline, ParticipantInline, StageChangeInline)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "workspace",
        "organisation",
        "invitee",
        "email",
        "role",
        "state",
        "created_at",
        "expires_at",
    )
    list_filter = ("state", "role")
    search_fields = (
        "email",
        "invitee__username",
        "workspace__name",
        "organisation__name",
    )
    list_select_related = ("workspace", "organisation", "invitee")


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("user", "workspace", "organisation", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("user__username", "workspace__name", "organisation__name")
    list_select_related = ("user", "workspace", "organisation")


# --- tasks, milestones and exports ------------------------------------------------------


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("title", "workspace", "due_date", "completed_at")
    list_filter = (("completed_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "workspace__name")
    list_select_related = ("workspace",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "workspace", "status", "position", "assignee", "due_date")
    list_filter = ("status",)
    search_fields = ("title", "workspace__name", "assignee__username")
    list_select_related = ("workspace", "assignee")


@admin.register(WorkspaceExport)
class WorkspaceExportAdmin(ReadOnlyAdmin):
    # The file is listed by name only: leads download it through the site.
    list_display = ("workspace", "state", "progress", "size", "created_at", "finished_at")
    list_filter = ("state",)
    exclude = ("file",)
    list_select_related = ("workspace",)


# --- documents ---


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    # The file fields would link to MEDIA_URL, which nothing serves: downloads go
    # through the site's permission-checking view. The storage name is shown as text.
    fields = (
        "number",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "organisation",
        "uploaded_at",
        "note",
        "preview_state",
        "preview_problem",
        "stored_as",
    )
    readonly_fields = fields

    @admin.display(description=_("stored as"))
    def stored_as(self, version):
        return version.file.name


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "workspace",
        "category",
        "version_count",
        "updated_at",
        "deleted_at",
    )
    list_filter = ("category", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "workspace__name")
    list_select_related = ("workspace",)
    inlines = (DocumentVersionInline,)


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(ReadOnlyAdmin):
    list_display = ("version", "user", "downloaded_at")
    search_fields = ("user__username", "version__document__title")
    list_select_related = ("version__document", "user")
