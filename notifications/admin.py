"""Notifications in the admin: read-only (they come from events)."""

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "recipient", "kind", "event_type", "actor", "count", "updated_at", "read_at"
    )
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "actor", "post", "thread", "community")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
