"""The open-innovation pages, under /innovation/."""

from .views import suggestions

app_name = "innovation"

urlpatterns = [
    *suggestions.urlpatterns,
]
