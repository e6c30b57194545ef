"""URL map of the workspaces app (mounted at w/); each views module owns its routes."""

from .views import documents, exports, people, tasks, workspaces

app_name = "workspaces"

urlpatterns = [
    *workspaces.urlpatterns,
    *people.urlpatterns,
    *tasks.urlpatterns,
    *exports.urlpatterns,
    *documents.urlpatterns,
]
