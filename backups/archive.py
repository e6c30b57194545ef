"""Writing a backup directory and restoring one: the order of the steps and the
manifest that describes what was copied.

A backup directory holds `database.sqlite3` (SQLite) or `database.dump` (pg_dump's
custom format), `media/` (MEDIA_ROOT's files) and `manifest.json`, written last: a
directory without it is not a backup. It is written under a hidden `.<name>.partial`
name and renamed when complete.
"""

import datetime
import json
import os
import shutil
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import connections

from backups import BackupError, database, media

MANIFEST = "manifest.json"
FORMAT = 1


def _now():
    return datetime.datetime.now(datetime.UTC)


def _stamp(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_directory(moment=None):
    """DATA_DIR/backups/<UTC time, e.g. 20261130T001500Z>."""
    moment = moment or _now()
    return Path(settings.DATA_DIR) / "backups" / moment.strftime("%Y%m%dT%H%M%SZ")


def _settings_used(alias):
    """What the backup was taken from (never a password)."""
    settings_dict = connections[alias].settings_dict
    return {
        "DATABASE": {
            key: str(settings_dict.get(key) or "")
            for key in ("ENGINE", "NAME", "HOST", "PORT", "USER")
        },
        "DATA_DIR": str(settings.DATA_DIR),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }


def backup_write(target=None, *, alias="default", say=lambda message: None):
    """Write a backup of `alias`'s database and MEDIA_ROOT into the new directory
    `target` (default_directory() by default) while the site goes on serving; return
    its path. `say` is told each step.

    The order makes it consistent: the media files are copied first, then the
    database is copied as it was at one instant, then the media files are looked at
    again and whatever appeared or changed since is copied. A file is always stored
    before the row naming it commits, and deleted only after the row stops naming it,
    so every file a row of the snapshot names is in the backup. Raises BackupError.
    """
    started = _now()
    target = Path(target) if target else default_directory(started)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists: choose a new directory.")
    if target.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError(
            f"{target} is inside MEDIA_ROOT: the backup would copy itself; choose a "
            "directory outside it."
        )
    vendor = database.database_vendor(alias)
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    work = target.with_name(f".{target.name}.partial")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, mode=0o700)
    # The copy holds everything the site keeps, password hashes and sessions too.
    os.chmod(work, 0o700)
    try:
        files = media.MediaCopy(settings.MEDIA_ROOT, work / "media")
        say(f"Copied {files.copy_changed()} media files (first pass).")
        # `snapshot_at` is read just before the database's instant: whatever
        # committed before it is in the backup.
        if vendor == "sqlite":
            snapshot_at = _now()
            database.sqlite_snapshot(work / database.SQLITE_FILE, alias)
            changed = files.copy_changed()
            database_file = database.SQLITE_FILE
            tool = f"SQLite {sqlite3.sqlite_version} online backup"
            migrations = database.sqlite_migrations(work / database.SQLITE_FILE)
        else:
            snapshot_at = _now()
            with database.postgres_snapshot(alias) as snapshot:
                # Right after the instant, while the snapshot is held; the dump,
                # however long it takes, reads that instant.
                changed = files.copy_changed()
                migrations = database.applied_migrations(alias)
                database_file = database.POSTGRES_FILE
                tool = database.postgres_dump(work / database_file, snapshot, alias)
        say(f"Copied the database as it was at {_stamp(snapshot_at)} ({tool}).")
        say(f"Copied {changed} media files new or changed since (second pass).")
        manifest = {
            "format": FORMAT,
            "started_at": _stamp(started),
            "snapshot_at": _stamp(snapshot_at),
            "finished_at": _stamp(_now()),
            "settings": _settings_used(alias),
            "database": {
                "vendor": vendor,
                "file": database_file,
                "tool": tool,
                "sha256": media.file_sha256(work / database_file),
                "bytes": (work / database_file).stat().st_size,
                "migrations": migrations,
            },
            "media": files.manifest(),
        }
        with open(work / MANIFEST, "w") as handle:
            json.dump(manifest, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            target.rmdir()  # the empty directory the caller named
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def manifest_read(source):
    """The manifest of the backup directory `source`; BackupError when there is none
    (an unfinished backup) or it is of another format."""
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} has no {MANIFEST}: it is not a finished backup."
        ) from None
    except ValueError as error:
        raise BackupError(f"{path} is not readable JSON ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')!r}, not {FORMAT}.")
    return manifest


def backup_verify(source, manifest):
    """Check every file the manifest lists against its SHA-256; BackupError listing
    each file missing or different."""
    source = Path(source)
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    for relative, entry in manifest["media"].items():
        expected[f"media/{media.safe_relative(relative).as_posix()}"] = entry["sha256"]
    problems = []
    for relative, sha256 in expected.items():
        path = source / media.safe_relative(relative)
        if not path.is_file():
            problems.append(f"{relative} is missing")
        elif media.file_sha256(path) != sha256:
            problems.append(f"{relative} differs from its SHA-256 in the manifest")
    if problems:
        raise BackupError(
            f"{source} is damaged, nothing was restored:\n  " + "\n  ".join(problems)
        )


def backup_restore(source, *, force=False, alias="default", say=lambda message: None):
    """Bring back the backup in directory `source`: MEDIA_ROOT's files first, then the
    database (so no restored row names a file not yet there).

    Every file is checked against the manifest first. Refuses (BackupError) a backup
    of another database vendor, and a database that holds tables or a MEDIA_ROOT that
    holds files, unless `force`: then the database is replaced (on PostgreSQL, the
    objects the backup holds are dropped and created again) and media files of the
    same name are overwritten; other files are left alone. Run it with the site
    stopped.
    """
    source = Path(source)
    manifest = manifest_read(source)
    vendor = database.database_vendor(alias)
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database; the "
            f"site's database is {vendor} (DATABASE_URL decides)."
        )
    backup_verify(source, manifest)
    say(f"Checked {len(manifest['media']) + 1} files against the manifest.")
    root = Path(settings.MEDIA_ROOT)
    if not force:
        if not database.database_is_empty(alias):
            raise BackupError(
                "The site's database already holds tables: restore into an empty "
                "one, or pass --force to replace it."
            )
        if media.files_under(root):
            raise BackupError(
                f"MEDIA_ROOT ({root}) already holds files: restore into an empty "
                "one, or pass --force to write over them."
            )
    written = media.media_restore(source / "media", manifest["media"], root)
    say(f"Restored {written} media files into {root}.")
    database_file = source / manifest["database"]["file"]
    if vendor == "sqlite":
        database.sqlite_restore(database_file, alias)
    else:
        database.postgres_restore(database_file, alias, replace=force)
    say(f"Restored the database as it was at {manifest['snapshot_at']}.")
    return manifest

