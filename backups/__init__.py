"""Backups: a consistent copy of the database and the media files, and its restore."""


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why, for the operator."""
