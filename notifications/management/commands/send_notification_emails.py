"""`manage.py send_notification_emails`: send the notification e-mails and digests
that are due; once, or every `--every` seconds (the Procfile's `mail` process)."""

import signal
import sys
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

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
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sending what is due every SECONDS (0: once).",
        )

    def handle(self, *args, no_digests=False, digests_only=False, every=0, **options):
        if every <= 0:
            self._send(no_digests, digests_only)
            return
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            close_old_connections()
            self._send(no_digests, digests_only)
            time.sleep(every)

    def _send(self, no_digests, digests_only):
        sent = 0 if digests_only else mail.deliver_due()
        digested = 0 if no_digests else digests.send_digests()
        self.stdout.write(f"{sent} notification e-mail(s), {digested} digest(s) sent.")
