"""Receivers that connect Django's and allauth's account events to services."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from .services import accounts


@receiver(user_logged_out)
def end_live_session_on_logout(sender, request, user, **kwargs):
    if user is not None and request is not None:
        accounts.sessions_end(user=user, session_key=request.session.session_key)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def end_other_live_sessions_on_password_change(sender, request, user, **kwargs):
    keep = request.session.session_key if request is not None else None
    accounts.sessions_end(user=user, keep_session_key=keep)
