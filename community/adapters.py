"""allauth integration: what sign-up stores, how emails name the site."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
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
