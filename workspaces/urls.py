"""URL map of the workspaces app (mounted at w/); each views module owns its routes."""

from .views import documents, people, workspaces

app_name = "workspaces"

urlpatterns = [
    *workspaces.urlpatterns,
    *people.urlpatterns,
    *documents.urlpatterns,
]
