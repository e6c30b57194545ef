"""The notifications app's addresses (mounted at /notifications/)."""

from . import email_views, views

app_name = "notifications"

urlpatterns = [*views.urlpatterns, *email_views.urlpatterns]
