"""The media files' copy: every file under MEDIA_ROOT with its SHA-256, and putting
them back after checking each one.

Stored files are written once under a new name and never changed in place (the
storage API never overwrites: a replaced avatar or document version is a new file, the
old one deleted after the commit that stops naming it). So a file copied once stays
right, and a second look after the database's instant (`MediaCopy.copy_changed`
again) only has to copy what appeared or changed since the first.
"""

import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath

from backups import BackupError

CHUNK_SIZE = 1024 * 1024
# A file still growing while it is copied is copied again, this many times at most.
COPY_ATTEMPTS = 3


def files_under(root):
    """Relative POSIX paths of the regular files under `root` (symbolic links are
    neither followed nor copied), sorted."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def file_sha256(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def copy_hashed(source, target):
    """Copy `source` to `target` (its mode and times too); return (sha256, bytes) of
    what was written."""
    hasher = hashlib.sha256()
    size = 0
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reading, open(target, "wb") as writing:
        for chunk in iter(lambda: reading.read(CHUNK_SIZE), b""):
            hasher.update(chunk)
            writing.write(chunk)
            size += len(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    shutil.copystat(source, target)
    return hasher.hexdigest(), size


def _signature(stat):
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


class MediaCopy:
    """Copies of MEDIA_ROOT's files into `target`, kept across passes: each pass copies
    the files that are new or changed since the pass before, and keeps the copies of
    files deleted since (the database's snapshot may still name them)."""

    def __init__(self, root, target):
        self.root = Path(root)
        self.target = Path(target)
        self.target.mkdir(parents=True, exist_ok=True)
        self.copied = {}  # relative path -> (signature, sha256, bytes)

    def copy_changed(self):
        """Copy every file that is new or changed since the last pass; return how many."""
        count = 0
        for relative in files_under(self.root):
            if self._copy(relative):
                count += 1
        return count

    def _copy(self, relative):
        source = self.root / relative
        for _attempt in range(COPY_ATTEMPTS):
            try:
                before = _signature(source.stat())
                if relative in self.copied and self.copied[relative][0] == before:
                    return False
                sha256, size = copy_hashed(source, self.target / relative)
                after = _signature(source.stat())
            except FileNotFoundError:
                # Deleted meanwhile: no row of the snapshot can name a file that was
                # never there when it was taken; a copy made earlier stays.
                return False
            # Still being written (an upload nobody's row names yet): recorded as
            # changed, so the next attempt or pass copies it again.
            self.copied[relative] = (
                before if after == before else None,
                sha256,
                size,
            )
            if after == before:
                return True
        return True

    def manifest(self):
        """{relative path: {"sha256", "bytes"}} of the copies, sorted."""
        return {
            relative: {"sha256": sha256, "bytes": size}
            for relative, (_signature, sha256, size) in sorted(self.copied.items())
        }


def safe_relative(relative):
    """`relative` as a path inside a directory; BackupError for anything that would
    leave it (a manifest is read from a directory someone may have changed)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise BackupError(f"The manifest names a file outside the backup: {relative!r}")
    return Path(*path.parts)


def media_restore(source, files, root):
    """Put the backup's files (`files`: the manifest's {path: {"sha256", ...}}) back
    under `root`, each written to a temporary name, checked and renamed into place;
    a file already there with the same SHA-256 is left as it is. Files under `root`
    that the backup does not hold are left alone. Returns how many were written."""
    root = Path(root)
    written = 0
    for relative, entry in files.items():
        path = safe_relative(relative)
        target = root / path
        if target.is_file() and file_sha256(target) == entry["sha256"]:
            continue
        partial = target.with_name(f".{target.name}.restoring")
        sha256, _size = copy_hashed(Path(source) / path, partial)
        if sha256 != entry["sha256"]:
            partial.unlink()
            raise BackupError(f"media/{relative} changed while it was restored.")
        os.replace(partial, target)
        written += 1
    return written
