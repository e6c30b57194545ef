"""Remove uploads never sent with a post (older than ATTACHMENT_PENDING_HOURS)."""

from django.core.management.base import BaseCommand

from community.services import attachments


class Command(BaseCommand):
    help = "Delete attachments uploaded but never sent, older than ATTACHMENT_PENDING_HOURS."

    def handle(self, *args, **options):
        removed = attachments.attachments_prune()
        self.stdout.write(f"Removed {removed} attachments never sent.")
