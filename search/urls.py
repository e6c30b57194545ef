"""URLs of the search app."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("mentions/", views.mention_candidates, name="mentions"),
]
