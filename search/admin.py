"""The index in the admin, read-only: it is rebuilt from the content, never edited."""

from django.contrib import admin
from django.db.models import Q

from community import permissions
from community.models import Community, Post

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "object_id", "thread_id", "community_id", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title"]

    def get_queryset(self, request):
        # Staff do not read direct messages (the index holds their text), unless
        # a participant reported one.
        readable = Post.objects.filter(permissions.posts_staff_may_read_condition())
        return (
            super()
            .get_queryset(request)
            .exclude(
                Q(community_id__in=Community.objects.filter(kind=Community.Kind.DIRECT))
                & ~Q(object_id__in=readable.values("pk"))
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
