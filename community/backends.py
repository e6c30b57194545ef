"""Authentication backends that also refuse suspended accounts: a suspension ends
every session at once (its user no longer loads, on pages and on sockets) and keeps
the person from signing in until it ends."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend


def _not_suspended(user):
    return not getattr(user, "is_suspended", False)


class SuspensionAwareModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and _not_suspended(user)


class SuspensionAwareAuthenticationBackend(AuthenticationBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and _not_suspended(user)
