"""Root URL map: accounts (allauth), admin, language switch and the community app."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# Staff sign in through the site's login (allauth): its rate limits, e-mail
# verification and password-reset flow cover the admin too, instead of Django's
# unthrottled admin login form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("community.urls")),
]
