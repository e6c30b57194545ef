"""allauth integration: what sign-up stores, how emails name the site."""

import zoneinfo
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _


def suspension_message(user):
    """Why `user` cannot sign in, in their own language and time zone."""
    language = user.language or translation.get_language()
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    with translation.override(language):
        until = formats.date_format(
            timezone.localtime(user.suspended_until, zone), "DATETIME_FORMAT"
        )
        return _(
            "Your account is suspended until %(until)s. You can sign in again "
            "after that."
        ) % {"until": until}


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        """Tell a suspended person with the right password why they cannot sign in
        (allauth hands back people its backends refused, to explain inactivity)."""
        user = super().authenticate(request, **credentials)
        if user is not None and getattr(user, "is_suspended", False):
            raise ValidationError(suspension_message(user), code="suspended")
        return user

    def pre_login(self, request, user, **kwargs):
        """No sign-in by any other way (an email confirmation, a reset) either."""
        if getattr(user, "is_suspended", False):
            messages.error(request, suspension_message(user))
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def save_user(self, request, user, form, commit=True):
        """Store the display name and the interface language chosen at sign-up."""
        user.display_name = form.cleaned_data.get("display_name", "")
        language = translation.get_language() or "it"
        user.language = "en" if language.startswith("en") else "it"
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Send allauth's emails signed by the site's name, not the request's host.

        Without django.contrib.sites allauth names the site after the request
        (`127.0.0.1:8000`) in greetings and sign-offs; links still use the host.
        """
        site = SimpleNamespace(name=settings.SITE_NAME, domain=settings.SITE_NAME)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
