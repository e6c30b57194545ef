"""Root URL map: accounts (allauth), admin, the JavaScript catalogue, the workspaces,
search and the community app."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

# Staff sign in through the site's login (allauth): its rate limits, e-mail
# verification and password-reset flow cover the admin too, instead of Django's
# unthrottled admin login form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The strings of static/js in the page's language (domain djangojs, from
    # locale/<language>/LC_MESSAGES/djangojs.mo), loaded by base.html before the
    # modules. Only the project's catalogue: the admin's and allauth's stay out.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["community", "workspaces"]),
        name="javascript-catalog",
    ),
    path("w/", include("workspaces.urls")),
    path("innovation/", include("innovation.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("search.urls")),
    path("", include("community.urls")),
]
