"""Admin registration for staff: workspaces, partners, people, invitations and stage
changes, read-only.

A workspace's people are kept in step with its discussion's memberships, its events
feed the activity and the live streams: changing rows here would skip all of that,
so staff look here and the workspace's leads act through the site (its services).
"""

from django.contrib import admin

from community.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Invitation, Participant, Partner, StageChange, Workspace


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
