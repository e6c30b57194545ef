"""The index in the admin, read-only: it is rebuilt from the content, never edited."""

from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "title",
        "object_id",
        "thread_id",
        "community_id",
        "created_at",
    ]
    list_filter = ["kind"]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
