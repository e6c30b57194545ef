"""Notification actions: creating them from committed events, marking them read."""

from django.db import transaction
from django.utils import timezone

from live.events import event_record_many, stream_name

from . import tasks
from .models import Notification


def notifications_create(entries):
    """Store `entries` (unsaved Notification rows) and tell each recipient's `user:<id>`
    stream (`notification.created`, ids only, one write per recipient) so their bell counts
    it live.

    Self-notifications are dropped here, whoever builds the entries."""
    entries = [n for n in entries if n.actor_id is None or n.actor_id != n.recipient_id]
    if not entries:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(entries)
        # Each recipient's events in one go, in the order their notifications were made.
        told = {}
        for notification in created:
            told.setdefault(notification.recipient_id, []).append(
                (
                    "notification.created",
                    {"id": notification.pk, "kind": notification.kind},
                    None,
                )
            )
        for recipient, events in told.items():
            event_record_many(stream=stream_name("user", recipient), entries=events)
        # E-mail for those still unread by someone away, at their due time.
        tasks.schedule_emails(created)
    return created


def notification_mark_read(*, actor, notification):
    """Mark one of `actor`'s notifications read (someone else's: nothing changes)."""
    return bool(
        Notification.objects.filter(
            pk=notification.pk, recipient_id=actor.pk, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, actor):
    """Mark every unread notification of `actor` read; returns how many."""
    return Notification.objects.filter(
        recipient_id=actor.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
