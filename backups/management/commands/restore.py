"""`manage.py restore DIR [--force]`: bring back a backup written by `manage.py backup`."""

from django.core.management.base import BaseCommand, CommandError

from backups import BackupError, archive


class Command(BaseCommand):
    help = (
        "Restore a backup directory: check every file against its manifest, put the "
        "media files back into MEDIA_ROOT, then the database. Refuses a database "
        "with tables or a MEDIA_ROOT with files unless --force. Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="a backup directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and write over media files already there",
        )

    def handle(self, *args, directory, force=False, **options):
        try:
            manifest = archive.backup_restore(
                directory, force=force, say=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup taken at {manifest['snapshot_at']}. If this code is "
            "newer than the backup, run `manage.py migrate` before starting the site."
        )
