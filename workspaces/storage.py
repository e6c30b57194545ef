"""Where workspace documents are stored: their random names. The checks, the upload
handler and the storage calls are shared with every app that takes files and live in
`community.uploads`; they are re-exported here for the workspace and innovation code.
"""

import uuid

from community.uploads import (
    ARCHIVE_MAX_ENTRIES,
    ARCHIVE_MAX_EXPANSION,
    ARCHIVE_MAX_RATIO,
    ARCHIVE_RATIO_FLOOR,
    CHUNK_SIZE,
    KIND_EXTENSIONS,
    NAME_MAX_LENGTH,
    SNIFF_WINDOW,
    DocumentUploadHandler,
    Inspection,
    StorageFailed,
    accepted_kinds_text,
    display_name_clean,
    file_delete,
    file_inspect,
    file_open,
    file_save,
    file_sha256,
    kind_label,
    name_extension,
    too_large_message,
    upload_max_bytes,
)

__all__ = [
    "ARCHIVE_MAX_ENTRIES",
    "ARCHIVE_MAX_EXPANSION",
    "ARCHIVE_MAX_RATIO",
    "ARCHIVE_RATIO_FLOOR",
    "CHUNK_SIZE",
    "KIND_EXTENSIONS",
    "NAME_MAX_LENGTH",
    "SNIFF_WINDOW",
    "DocumentUploadHandler",
    "Inspection",
    "StorageFailed",
    "accepted_kinds_text",
    "display_name_clean",
    "file_delete",
    "file_inspect",
    "file_open",
    "file_save",
    "file_sha256",
    "kind_label",
    "name_extension",
    "preview_file_name",
    "too_large_message",
    "upload_max_bytes",
    "version_file_name",
]


def version_file_name(workspace_id):
    """A new random storage name for a version's file."""
    return f"workspaces/{int(workspace_id)}/{uuid.uuid4().hex}"


def preview_file_name(workspace_id):
    """A new random storage name for a version's preview image."""
    return f"workspaces/{int(workspace_id)}/previews/{uuid.uuid4().hex}.png"
