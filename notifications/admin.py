"""Notifications in the admin: read-only (they come from events)."""

from django.contrib import admin

from .models import EmailPreference, Notification, NotificationEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "recipient",
        "kind",
        "event_type",
        "actor",
        "count",
        "updated_at",
        "read_at",
    )
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "actor", "post", "thread", "community")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "mentions",
        "replies",
        "invitations",
        "digest",
        "last_digest_at",
    )
    list_filter = ("digest",)
    raw_id_fields = ("person",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationEmail)
class NotificationEmailAdmin(admin.ModelAdmin):
    list_display = ("notification", "outcome", "decided_at")
    list_filter = ("outcome",)
    raw_id_fields = ("notification",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
