"""The open-innovation pages, under /innovation/."""

from django.urls import path

from .views import dashboard

app_name = "innovation"

urlpatterns = [
    path("dashboard/", dashboard.regional_dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.regional_dashboard_csv, name="dashboard-csv"),
    path("funnel/", dashboard.organisation_funnel, name="organisation-funnel"),
    path("funnel/export.csv", dashboard.organisation_funnel_csv, name="organisation-funnel-csv"),
    path(
        "outcomes/<int:workspace_id>/",
        dashboard.outcome_record,
        name="outcome-record",
    ),
]
