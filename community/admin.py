"""Admin registration for staff; writes that carry domain rules go through services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Affiliation,
    Community,
    Event,
    Membership,
    Organisation,
    Post,
    PostRevision,
    Thread,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "display_name", "organisation", "is_staff", "date_joined")
    list_select_related = ("organisation",)
    search_fields = ("username", "email", "display_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Profile"),
            {"fields": ("display_name", "bio", "avatar", "language", "time_zone", "organisation", "expertise")},
        ),
    )
    raw_id_fields = ("organisation",)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    raw_id_fields = ("user", "decided_by")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "city", "sector", "created_at")
    list_filter = ("kind", "size")
    search_fields = ("name", "description", "city")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "state", "created_at")
    list_filter = ("state", "role")
    raw_id_fields = ("user", "organisation", "decided_by")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "invited_by")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "visibility", "kind", "member_count", "thread_count", "last_activity_at")
    list_filter = ("visibility", "kind")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("member_count", "thread_count", "last_activity_at")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "state", "created_at")
    list_filter = ("role", "state")
    raw_id_fields = ("user", "community", "invited_by")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "author", "post_count", "is_pinned", "is_locked", "last_activity_at")
    list_filter = ("kind", "is_pinned", "is_locked")
    search_fields = ("title",)
    raw_id_fields = ("community", "author", "last_poster")
    readonly_fields = ("post_count", "last_activity_at")


class PostRevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    readonly_fields = ("body", "edited_by", "created_at")
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "thread", "author", "created_at", "is_deleted", "is_hidden")
    list_filter = ("is_deleted", "is_hidden")
    search_fields = ("body",)
    raw_id_fields = ("thread", "author", "hidden_by")
    readonly_fields = ("body_html", "number", "client_id")
    inlines = [PostRevisionInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("stream", "seq", "type", "actor", "created_at")
    list_filter = ("type",)
    search_fields = ("stream",)
    readonly_fields = ("stream", "seq", "type", "payload", "actor", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
