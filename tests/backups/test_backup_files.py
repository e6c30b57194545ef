"""The media half of a backup on its own: files copied around the database's instant
(deleted ones kept, changed ones copied again), and manifests that are refused."""

import json

import pytest

from backups import BackupError, archive, media


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_the_second_pass_copies_new_files_and_keeps_the_copies_of_deleted_ones(
    tmp_path,
):
    root = tmp_path / "media"
    write(root / "avatars" / "old.png", b"old avatar")
    write(root / "attachments" / "7" / "file", b"a report")
    copy = media.MediaCopy(root, tmp_path / "backup" / "media")
    assert copy.copy_changed() == 2

    # After the database's instant: the avatar is replaced (the old file deleted after
    # the commit), a new upload arrives.
    (root / "avatars" / "old.png").unlink()
    write(root / "avatars" / "new.png", b"new avatar")
    assert copy.copy_changed() == 1

    assert sorted(copy.manifest()) == [
        "attachments/7/file",
        "avatars/new.png",
        "avatars/old.png",
    ]
    assert (tmp_path / "backup" / "media" / "avatars" / "old.png").read_bytes() == (
        b"old avatar"
    )


def test_a_file_that_changed_since_the_first_pass_is_copied_again(tmp_path):
    root = tmp_path / "media"
    upload = write(root / "attachments" / "upload", b"half")
    copy = media.MediaCopy(root, tmp_path / "copy")
    copy.copy_changed()
    with open(upload, "ab") as handle:
        handle.write(b" and the rest")
    assert copy.copy_changed() == 1
    assert (tmp_path / "copy" / "attachments" / "upload").read_bytes() == (
        b"half and the rest"
    )
    assert copy.manifest()["attachments/upload"]["bytes"] == len(b"half and the rest")
    assert copy.copy_changed() == 0


@pytest.mark.parametrize("name", ["../outside", "/etc/passwd", "a/../../b", ""])
def test_a_manifest_naming_a_file_outside_the_backup_is_refused(name):
    with pytest.raises(BackupError, match="outside the backup"):
        media.safe_relative(name)


def test_a_directory_without_a_manifest_is_not_a_backup(tmp_path):
    (tmp_path / "database.sqlite3").write_bytes(b"")
    with pytest.raises(BackupError, match="not a finished backup"):
        archive.manifest_read(tmp_path)


def test_a_backup_whose_file_differs_from_its_manifest_is_refused(tmp_path):
    write(tmp_path / "database.sqlite3", b"the database")
    write(tmp_path / "media" / "avatars" / "a.png", b"changed")
    manifest = {
        "format": archive.FORMAT,
        "database": {
            "file": "database.sqlite3",
            "sha256": media.file_sha256(tmp_path / "database.sqlite3"),
        },
        "media": {
            "avatars/a.png": {"sha256": "0" * 64},
            "avatars/gone.png": {"sha256": "0" * 64},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError) as refused:
        archive.backup_verify(tmp_path, archive.manifest_read(tmp_path))
    assert "media/avatars/a.png differs" in str(refused.value)
    assert "media/avatars/gone.png is missing" in str(refused.value)
    assert "database.sqlite3" not in str(refused.value)
