"""The open-innovation pages, under /innovation/."""

from django.urls import path

from .views import desk

app_name = "innovation"

urlpatterns = [
    # The innovation desk (facilitators).
    path("desk/", desk.desk_home, name="desk-home"),
    path("desk/<str:kind>/<int:pk>/", desk.desk_item, name="desk-item"),
    path("desk/<str:kind>/<int:pk>/approve/", desk.desk_item_publish, name="desk-item-publish"),
    path("desk/<str:kind>/<int:pk>/refuse/", desk.desk_item_refuse, name="desk-item-refuse"),
    path("desk/<str:kind>/<int:pk>/ask-help/", desk.desk_item_help, name="desk-item-help"),
    path("desk/<str:kind>/<int:pk>/take/", desk.desk_item_take, name="desk-item-take"),
    path("desk/<str:kind>/<int:pk>/release/", desk.desk_item_release, name="desk-item-release"),
    path("introductions/", desk.introduction_list, name="introduction-list"),
    path("introductions/new/", desk.introduction_create, name="introduction-create"),
    path("introductions/<int:pk>/", desk.introduction_detail, name="introduction-detail"),
    path("funding/", desk.funding_call_list, name="funding-call-list"),
    path("funding/new/", desk.funding_call_create, name="funding-call-create"),
    path("funding/<int:pk>/", desk.funding_call_detail, name="funding-call-detail"),
    path("funding/<int:pk>/edit/", desk.funding_call_edit, name="funding-call-edit"),
    path("funding/<int:pk>/withdraw/", desk.funding_call_withdraw, name="funding-call-withdraw"),
]
