"""Tell the owners of technology offers that expire within 14 days, or have expired:
run it daily (cron, or a systemd timer beside the prune one, like notify_due_tasks);
each offer and expiry date is told once, so running it more often is harmless."""

from django.core.management.base import BaseCommand

from innovation.services import offers


class Command(BaseCommand):
    help = (
        "Notify the owners of offers expiring within 14 days or expired "
        "(once per offer and expiry date)."
    )

    def handle(self, *args, **options):
        told = offers.offers_expiry_notify()
        self.stdout.write(f"{told} offer(s) told of their expiry.")
