"""Delete live events older than the retention period (clients past it resync)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from live.models import Event


class Command(BaseCommand):
    help = "Delete events older than EVENT_RETENTION_DAYS (or --days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, days=None, **options):
        days = settings.EVENT_RETENTION_DAYS if days is None else days
        if days < 1:
            self.stderr.write("Retention must be at least one day.")
            return
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} events older than {days} days.")
