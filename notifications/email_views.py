"""E-mail settings (signed in) and one-click unsubscribing (no sign-in: the signed link
is the authority)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import email_services, mail
from .email_forms import EmailPreferencesForm

# The body RFC 8058 has mail programs POST to the List-Unsubscribe address; the
# confirmation page's button sends the same.
ONE_CLICK = "List-Unsubscribe=One-Click"


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    """My e-mail choices: each immediate kind on or off, and the digest's frequency."""
    preference = mail.preferences_of([request.user.pk])[request.user.pk]
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST)
        if form.is_valid():
            try:
                email_services.email_preferences_update(
                    actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your e-mail settings are saved."))
                return redirect("notifications:email-settings")
    else:
        form = EmailPreferencesForm(
            initial={
                "mentions": preference.mentions,
                "replies": preference.replies,
                "invitations": preference.invitations,
                "innovation": preference.innovation,
                "digest": preference.digest,
            }
        )
    return render(
        request,
        "notifications/email_settings.html",
        {
            "form": form,
            "person": request.user,
            "minutes": settings.NOTIFICATION_EMAIL_AFTER_MINUTES,
            "site_name": settings.SITE_NAME,
            "nav_section": "notifications",
        },
    )


def _private(response):
    # The address carries the token: keep it out of caches and search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button; POST (that button, or a mail program's RFC 8058
    one-click request with the body `List-Unsubscribe=One-Click`): stop that kind of
    e-mail for the person the link was made for.

    No sign-in and no CSRF token: the signed token in the address is what authorises
    the change, not a session cookie, so a forged cross-site POST carries no authority
    the attacker did not already have by knowing the link; and the change can only
    turn e-mail off, for the one person and kind the link names. A GET changes
    nothing (link scanners fetch links)."""
    try:
        person_id, topic = mail.read_unsubscribe_token(token)
    except signing.SignatureExpired:
        return _invalid(request, expired=True)
    except signing.BadSignature:
        return _invalid(request, expired=False)
    context = {
        "token": token,
        "topic": topic,
        "what": mail.TOPICS[topic],
        "one_click": ONE_CLICK,
    }
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return _invalid(request, expired=False)
        if not email_services.email_unsubscribe(person_id=person_id, topic=topic):
            return _invalid(request, expired=False)
        return _private(render(request, "notifications/unsubscribe_done.html", context))
    return _private(render(request, "notifications/unsubscribe_confirm.html", context))


def _invalid(request, *, expired):
    return _private(
        render(
            request,
            "notifications/unsubscribe_invalid.html",
            {"expired": expired},
            status=400,
        )
    )


urlpatterns = [
    path("email/", email_settings, name="email-settings"),
    path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
]
