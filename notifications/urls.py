"""The notifications app's addresses (mounted at /notifications/)."""

from . import views

app_name = "notifications"

urlpatterns = [*views.urlpatterns]
