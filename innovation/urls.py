"""The open-innovation pages, under /innovation/; each views module owns its routes."""

from django.urls import path

from .views import challenges, dashboard, desk, suggestions
from .views import disclosure as disclosure_views
from .views import offers as offer_views

app_name = "innovation"

urlpatterns = [
    *challenges.urlpatterns,
    *suggestions.urlpatterns,
    path("dashboard/", dashboard.regional_dashboard, name="dashboard"),
    path("dashboard/export.csv", dashboard.regional_dashboard_csv, name="dashboard-csv"),
    path("funnel/", dashboard.organisation_funnel, name="organisation-funnel"),
    path("funnel/export.csv", dashboard.organisation_funnel_csv, name="organisation-funnel-csv"),
    path("outcomes/<int:workspace_id>/", dashboard.outcome_record, name="outcome-record"),
]

# Technology offers and expressions of interest.
urlpatterns += [
    path("offers/", offer_views.offer_list, name="offer-list"),
    path("offers/new/", offer_views.offer_create, name="offer-create"),
    path("offers/mine/", offer_views.offer_mine, name="offer-mine"),
    path("offers/<int:pk>/", offer_views.offer_detail, name="offer-detail"),
    path("offers/<int:pk>/edit/", offer_views.offer_edit, name="offer-edit"),
    path("offers/<int:pk>/submit/", offer_views.offer_submit, name="offer-submit"),
    path("offers/<int:pk>/renew/", offer_views.offer_renew, name="offer-renew"),
    path(
        "offers/<int:pk>/withdraw/", offer_views.offer_withdraw, name="offer-withdraw"
    ),
    path("offers/<int:pk>/interest/", offer_views.interest_send, name="interest-send"),
    path(
        "interests/received/", offer_views.interest_received, name="interest-received"
    ),
    path("interests/sent/", offer_views.interest_sent, name="interest-sent"),
    path("interests/<int:pk>/", offer_views.interest_detail, name="interest-detail"),
    path(
        "interests/<int:pk>/decide/",
        offer_views.interest_decide,
        name="interest-decide",
    ),
    path(
        "interests/<int:pk>/withdraw/",
        offer_views.interest_withdraw,
        name="interest-withdraw",
    ),
]

# The disclosure ladder of challenges and offers; kind: challenge or offer.
urlpatterns += [
    path("<slug:kind>/<int:pk>/nda/", disclosure_views.nda, name="disclosure-nda"),
    path(
        "<slug:kind>/<int:pk>/nda/audit/",
        disclosure_views.nda_audit,
        name="disclosure-audit",
    ),
    path(
        "<slug:kind>/<int:pk>/nda/audit.csv",
        disclosure_views.nda_audit_csv,
        name="disclosure-audit-csv",
    ),
    path(
        "<slug:kind>/<int:pk>/documents/",
        disclosure_views.documents,
        name="disclosure-documents",
    ),
    path(
        "<slug:kind>/<int:pk>/documents/upload/",
        disclosure_views.document_upload,
        name="disclosure-upload",
    ),
    path(
        "<slug:kind>/<int:pk>/documents/<int:document_pk>/",
        disclosure_views.document_download,
        name="disclosure-download",
    ),
    path(
        "<slug:kind>/<int:pk>/documents/<int:document_pk>/delete/",
        disclosure_views.document_delete,
        name="disclosure-delete",
    ),
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
