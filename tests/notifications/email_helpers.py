"""Shared set-up for the notification e-mail tests: a mention made through the
services (with their after-commit subscribers), and the moment its e-mail is due."""

from datetime import timedelta

from django.conf import settings

from community.models import Community
from community.services import threads
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.roles import member_of


def run(capture, action, *args, **kwargs):
    """Run a service with its after-commit subscribers, as in production."""
    with capture(execute=True):
        return action(*args, **kwargs)


def mention(capture, *, language="", visibility=Community.Visibility.PUBLIC, body=None):
    """A community and its thread; `ada` (a member, in `language`) mentioned in a reply
    by the owner (`body`, with `{username}` where her name goes). Returns (community, owner, ada, post, notification)."""
    community, owner, thread = community_with_thread(visibility=visibility)
    ada = member_of(community)
    if language:
        ada.language = language
        ada.save(update_fields=["language"])
    post = run(
        capture,
        threads.post_reply,
        actor=owner,
        thread=thread,
        body=(body or "Che ne pensi, @{username}? Servono sensori economici.").format(
            username=ada.username
        ),
    )
    notification = Notification.objects.get(recipient=ada)
    return community, owner, ada, post, notification


def due(notification, extra_minutes=0):
    """The moment `notification`'s e-mail falls due (plus `extra_minutes`)."""
    return notification.created_at + timedelta(
        minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES + extra_minutes
    )
