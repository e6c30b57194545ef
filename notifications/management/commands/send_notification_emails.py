"""`manage.py send_notification_emails`: send the notification e-mails and digests
that are due (run every few minutes by a timer, or the Procfile's `mail` loop)."""

from django.core.management.base import BaseCommand

from notifications import digests, mail


class Command(BaseCommand):
    help = (
        "Send the e-mails of notifications left unread by people away for "
        "NOTIFICATION_EMAIL_AFTER_MINUTES, and the daily and weekly digests that are due."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-digests", action="store_true", help="Skip the digests."
        )
        parser.add_argument(
            "--digests-only",
            action="store_true",
            help="Only the digests, not the one-by-one e-mails.",
        )

    def handle(self, *args, no_digests=False, digests_only=False, **options):
        sent = 0 if digests_only else mail.deliver_due()
        digested = 0 if no_digests else digests.send_digests()
        self.stdout.write(f"{sent} notification e-mail(s), {digested} digest(s) sent.")
