"""The open-innovation pages, under /innovation/."""

app_name = "innovation"

urlpatterns = []
