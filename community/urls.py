"""URL map of the community app; each views module owns the routes of its area."""

from .views import (
    accounts,
    communities,
    direct,
    home,
    moderation,
    organisations,
    rooms,
    rules,
    thread_tools,
    threads,
    unread,
)

app_name = "community"

urlpatterns = [
    *home.urlpatterns,
    *accounts.urlpatterns,
    *organisations.urlpatterns,
    *communities.urlpatterns,
    *threads.urlpatterns,
    *rooms.urlpatterns,
    *direct.urlpatterns,
    *moderation.urlpatterns,
    *thread_tools.urlpatterns,
    *rules.urlpatterns,
    *unread.urlpatterns,
]
