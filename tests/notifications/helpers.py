"""Shared helpers for the notification tests."""

from notifications.models import Notification


def kinds_of(person):
    """The kinds of `person`'s notifications, sorted."""
    return sorted(
        Notification.objects.filter(recipient=person).values_list("kind", flat=True)
    )
