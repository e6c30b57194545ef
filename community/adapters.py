"""allauth adapter: store the interface language chosen at sign-up time."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or "it"
        user.language = "en" if language.startswith("en") else "it"
        return super().save_user(request, user, form, commit=commit)
