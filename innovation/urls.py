"""The open-innovation pages, under /innovation/; each views module owns its routes."""

from .views import challenges

app_name = "innovation"

urlpatterns = [
    *challenges.urlpatterns,
]
