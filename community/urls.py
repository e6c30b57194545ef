"""URL map of the community app; each views module owns the routes of its area."""

from .views import (
    accounts,
    answers,
    attachments,
    communities,
    compose,
    direct,
    home,
    moderation,
    organisations,
    reactions,
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
    *compose.urlpatterns,
    *reactions.urlpatterns,
    *attachments.urlpatterns,
    *direct.urlpatterns,
    *moderation.urlpatterns,
    *thread_tools.urlpatterns,
    *rules.urlpatterns,
    *unread.urlpatterns,
    *answers.urlpatterns,
]
