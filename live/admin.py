"""The event log in the admin: read-only, like the log itself."""

from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("stream", "seq", "type", "actor", "created_at")
    list_filter = ("type",)
    search_fields = ("stream",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
