"""`manage.py backup [--to DIR]`: a consistent copy of the database and the media files."""

from django.core.management.base import BaseCommand, CommandError

from backups import BackupError, archive


class Command(BaseCommand):
    help = (
        "Copy the database (at one instant) and MEDIA_ROOT into a new directory, "
        "DATA_DIR/backups/<UTC time> by default, while the site goes on serving."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            metavar="DIR",
            help="the backup directory to create (new or empty)",
        )

    def handle(self, *args, to=None, **options):
        try:
            target = archive.backup_write(to, say=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {target}")
