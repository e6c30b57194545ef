"""Write services for workspace documents: uploads, new versions, deletion and
restore, the download log, previews and each document's discussion thread."""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from community import permissions as community_permissions
from community.ratelimit import rate_limit_hit
from community.services import threads as thread_services
from live.events import event_record

from .. import permissions, previews, storage
from ..models import Document, DocumentDownload, DocumentVersion
from . import titles
from .locks import workspace_locked, workspace_locked_for

__all__ = [
    "DOCUMENTS_PER_UPLOAD",
    "document_comment",
    "document_delete",
    "document_download_record",
    "document_restore",
    "document_upload",
    "document_version_upload",
    "version_preview_build",
]

# The most files one upload may carry (the plain form takes several at once).
DOCUMENTS_PER_UPLOAD = 10
NOTE_MAX_LENGTH = DocumentVersion._meta.get_field("note").max_length
TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length


# --- validation ------------------------------------------------------------------------


# Titles may be empty here: an upload without one is named after its file.
_clean_title = partial(titles.title_clean, max_length=TITLE_MAX_LENGTH, required=False)


def _clean_category(category):
    if category not in Document.Category.values:
        raise ValidationError({"category": _("Choose one of the categories.")})
    return category


def _clean_note(note):
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError(
            {"note": _("The note contains characters that are not text.")}
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": ngettext(
                    "The note is too long: at most %(limit)d character.",
                    "The note is too long: at most %(limit)d characters.",
                    NOTE_MAX_LENGTH,
                )
                % {"limit": NOTE_MAX_LENGTH}
            },
            code="max_length",
        )
    return note


def _clean_fields(**fields):
    """Run each field's cleaner; raise one ValidationError with every field's errors."""
    cleaners = {"title": _clean_title, "category": _clean_category, "note": _clean_note}
    cleaned, errors = {}, {}
    for field, value in fields.items():
        try:
            cleaned[field] = cleaners[field](value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


class _Checked:
    """An uploaded file that passed the checks: its display name, what it is, its
    size and SHA-256 (computed while it streamed in, or now for files made in code)."""

    def __init__(self, upload):
        self.upload = upload
        self.name = storage.display_name_clean(getattr(upload, "name", ""))
        upload.open("rb")
        self.inspection = storage.file_inspect(upload, self.name)
        self.size = upload.size
        self.sha256 = getattr(upload, "sha256", None) or storage.file_sha256(upload)
        self.stored_name = None


def _check_files(files):
    """Check every file; raise ValidationError keyed by `files` listing each refused
    file with its reason (nothing is stored unless every file passes)."""
    files = list(files)
    if not files:
        raise ValidationError({"files": _("Choose a file to upload.")}, code="required")
    if len(files) > DOCUMENTS_PER_UPLOAD:
        raise ValidationError(
            {
                "files": ngettext(
                    "Upload at most %(count)d file at a time.",
                    "Upload at most %(count)d files at a time.",
                    DOCUMENTS_PER_UPLOAD,
                )
                % {"count": DOCUMENTS_PER_UPLOAD}
            }
        )
    checked, errors = [], []
    limit = storage.upload_max_bytes()
    for upload in files:
        name = storage.display_name_clean(getattr(upload, "name", ""))
        if upload.size > limit:
            errors.append(storage.too_large_message(name))
            continue
        try:
            checked.append(_Checked(upload))
        except ValidationError as error:
            errors.append(
                _("“%(name)s” was refused: %(reason)s")
                % {"name": name, "reason": " ".join(error.messages)}
            )
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _store(workspace, checked):
    """Save the checked files under new random names (moved, not copied, when they
    are temporary uploads). When the storage fails part-way (StorageFailed: the
    disk is full), the file being saved left nothing; the caller forgets the ones
    saved before it (`_forget_stored`), so an upload is stored whole or not at all."""
    for item in checked:
        item.upload.seek(0)
        item.stored_name = storage.file_save(
            storage.version_file_name(workspace.pk), item.upload
        )


def _forget_stored(checked):
    for item in checked:
        if item.stored_name:
            storage.file_delete(item.stored_name)


def _document_payload(document, version=None):
    """The facts a document event stores: ids, number, category; no title or name
    (a reader who loses access keeps nothing)."""
    payload = {"document": document.pk, "category": document.category}
    if version is not None:
        payload.update({"version": version.pk, "number": version.number})
    return payload


def _new_version(document, item, *, actor, organisation, number, note):
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file=item.stored_name,
        original_name=item.name,
        content_type=item.inspection.content_type,
        size=item.size,
        sha256=item.sha256,
        note=note,
        uploaded_by=actor,
        organisation=organisation,
    )


def _previews_after_commit(versions):
    previewable = [v.pk for v in versions if v.content_type in PREVIEW_KINDS]
    if previewable:
        transaction.on_commit(partial(_previews_enqueue, previewable), robust=True)


def _previews_enqueue(version_ids):
    for version_id in version_ids:
        version_preview_build.enqueue(version_id)


def _organisation_of(actor, workspace):
    participant = permissions.participant_of(actor, workspace)
    return participant.organisation if participant is not None else None


# --- actions ---------------------------------------------------------------------------


def document_upload(
    *,
    actor,
    workspace,
    files,
    title="",
    category=Document.Category.OTHER,
    note="",
    in_batch=False,
):
    """Upload `files` (Django files; several become several documents) to
    `workspace`, each as version 1 of a new document; return the documents.

    Callers: leads and members of a workspace that is not archived
    (`permissions.can_upload_document`), else PermissionDenied. Raises
    ValidationError for bad fields, no file, too many files, any refused file (with
    each file's reason; then nothing is stored) or past the "upload" rate limit,
    and `storage.StorageFailed` (a ValidationError) when the storage cannot keep a
    file (disk full): then no file and no row is kept. With one file, `title` is its title (its file name when empty); with several
    (or `in_batch`: one of several files the page sends one request each), each is
    titled by its file name, after `title` when one is given. Emits
    `document.uploaded` on `workspace:<id>` for each document.
    """
    permissions.require_upload_document(actor, workspace)
    cleaned = _clean_fields(title=title, category=category, note=note)
    checked = _check_files(files)
    for _item in checked:
        rate_limit_hit(actor, "upload")
    organisation = _organisation_of(actor, workspace)
    try:
        _store(workspace, checked)
        with transaction.atomic():
            # Archived (or the uploader removed) since the view loaded the
            # workspace: refused here, and the stored files are forgotten.
            workspace_locked_for(actor, workspace, permissions.require_upload_document)
            now = timezone.now()
            documents, versions = [], []
            for item in checked:
                document = Document.objects.create(
                    workspace=workspace,
                    title=_document_title(
                        cleaned["title"], item.name, len(checked) > 1 or in_batch
                    ),
                    category=cleaned["category"],
                    created_by=actor,
                    updated_at=now,
                    version_count=1,
                )
                version = _new_version(
                    document,
                    item,
                    actor=actor,
                    organisation=organisation,
                    number=1,
                    note=cleaned["note"],
                )
                event_record(
                    stream=workspace.stream,
                    type="document.uploaded",
                    payload=_document_payload(document, version),
                    actor=actor,
                )
                documents.append(document)
                versions.append(version)
            _previews_after_commit(versions)
    except BaseException:
        _forget_stored(checked)
        raise
    return documents


def _document_title(title, file_name, several):
    stem = file_name.rsplit(".", 1)[0] if "." in file_name[1:] else file_name
    if title and not several:
        return title
    if title:
        return f"{title} — {stem}"[:TITLE_MAX_LENGTH]
    return stem[:TITLE_MAX_LENGTH]


def document_version_upload(*, actor, document, file, note=""):
    """Add `file` as the next version of `document`; return the version.

    Callers: leads and members, for a document that is not deleted in a workspace
    that is not archived (`permissions.can_version_document`), else PermissionDenied.
    Raises ValidationError for a bad note, a refused file (with its reason) or past
    the "upload" rate limit, and `storage.StorageFailed` when the storage cannot keep
    the file (nothing kept). Emits `document.versioned` on `workspace:<id>`.
    """
    permissions.require_version_document(actor, document)
    cleaned = _clean_fields(note=note)
    checked = _check_files([file])
    rate_limit_hit(actor, "upload")
    workspace = document.workspace
    organisation = _organisation_of(actor, workspace)
    try:
        _store(workspace, checked)
        with transaction.atomic():
            # The workspace's row first (as the archive takes it), then the
            # document's: it numbers concurrent versions one after the other. Both
            # checked again as committed now (archived, deleted, uploader removed).
            row = workspace_locked(workspace)
            locked = Document.objects.select_for_update().get(pk=document.pk)
            locked.workspace = row
            with permissions.fresh():
                permissions.require_version_document(actor, locked)
            number = locked.version_count + 1
            version = _new_version(
                document,
                checked[0],
                actor=actor,
                organisation=organisation,
                number=number,
                note=cleaned["note"],
            )
            Document.objects.filter(pk=document.pk).update(
                version_count=number, updated_at=timezone.now()
            )
            event_record(
                stream=workspace.stream,
                type="document.versioned",
                payload=_document_payload(document, version),
                actor=actor,
            )
            _previews_after_commit([version])
    except BaseException:
        _forget_stored(checked)
        raise
    document.refresh_from_db(fields=["version_count", "updated_at"])
    return version


def _visibility_changed(actor, document, event_type):
    """Record `event_type` for a document just deleted or restored, and have the
    readers following its discussion thread checked again (only leads read the
    thread of a deleted document)."""
    event_record(
        stream=document.workspace.stream,
        type=event_type,
        payload=_document_payload(document),
        actor=actor,
    )
    if document.thread_id is not None:
        community_permissions.thread_visibility_changed(document.thread_id)


def document_delete(*, actor, document):
    """Delete `document` softly: it disappears for everyone but the leads, who can
    restore it; its files stay. Callers: leads of a workspace that is not archived
    (`permissions.can_delete_document`), else PermissionDenied. Emits
    `document.deleted` on `workspace:<id>`."""
    permissions.require_delete_document(actor, document)
    with transaction.atomic():
        now = timezone.now()
        changed = Document.objects.filter(
            pk=document.pk, deleted_at__isnull=True
        ).update(deleted_at=now, deleted_by=actor)
        if changed:
            _visibility_changed(actor, document, "document.deleted")
            if document.thread_id is not None:
                # Its thread is now hidden from everyone but the leads
                # (`permissions.document_threads_hidden_from`), which its own stream
                # records too.
                event_record(
                    stream=f"thread:{document.thread_id}",
                    type="thread.hidden",
                    payload={"thread": document.thread_id},
                    actor=actor,
                )
    document.refresh_from_db(fields=["deleted_at", "deleted_by"])
    return document


def document_restore(*, actor, document):
    """Bring a deleted document back. Callers: leads of a workspace that is not
    archived (`permissions.can_restore_document`), else PermissionDenied. Emits
    `document.restored` on `workspace:<id>`."""
    permissions.require_restore_document(actor, document)
    with transaction.atomic():
        changed = Document.objects.filter(
            pk=document.pk, deleted_at__isnull=False
        ).update(deleted_at=None, deleted_by=None, updated_at=timezone.now())
        if changed:
            _visibility_changed(actor, document, "document.restored")
    document.refresh_from_db(fields=["deleted_at", "deleted_by", "updated_at"])
    return document


def document_download_record(*, actor, version):
    """Record that `actor` downloads `version` (who, which version, when) and return
    the record; the view streams the file after it. Callers: anyone who sees the
    workspace (participants and staff), else PermissionDenied. No live event: the
    log is for leads only."""
    permissions.require_download_document(actor, version.document)
    return DocumentDownload.objects.create(version=version, user=actor)


def document_comment(*, actor, document, body):
    """Post `body` in `document`'s discussion thread, starting the thread (titled
    like the document, in the workspace's community) with the first comment; return
    the post.

    Callers: participants, guests included, of a workspace that is not archived
    (`permissions.can_comment_document`), else PermissionDenied; the community's own
    rules (muted, locked, rate limits) refuse as they do for any thread. Emits what
    the thread services emit: `thread.created` on `community:<id>` for the first
    comment, `post.created` on `thread:<id>`.
    """
    permissions.require_comment_document(actor, document)
    with transaction.atomic():
        # Two first comments at once start one thread: the document row is locked.
        locked = Document.objects.select_for_update().get(pk=document.pk)
        thread = locked.thread
        if thread is None:
            thread = thread_services.thread_create(
                actor=actor,
                community=document.workspace.community,
                title=locked.title,
                body=body,
            )
            Document.objects.filter(pk=document.pk).update(thread=thread)
            document.thread = thread
            return thread.posts.get(number=1)
    document.thread = thread
    return thread_services.post_reply(actor=actor, thread=thread, body=body)


# --- previews --------------------------------------------------------------------------

PREVIEW_KINDS = {
    "application/pdf": "pdf",
    "image/png": "image",
    "image/jpeg": "image",
    "image/webp": "image",
}


@task()
def version_preview_build(version_id):
    """Draw the preview of a PDF or image version (in a limited child process) and
    store it; a version whose file is a pixel flood or unreadable gets no preview and
    says why. Run in the background after the upload commits."""
    version = (
        DocumentVersion.objects.select_related("document").filter(pk=version_id).first()
    )
    if version is None or version.preview_state != DocumentVersion.Preview.NONE:
        return
    kind = PREVIEW_KINDS.get(version.content_type)
    if kind is None:
        return
    with storage.file_open(version.file.name) as handle:
        data = handle.read()
    preview_name, state, problem = "", DocumentVersion.Preview.READY, ""
    try:
        png = previews.preview_build(kind, data)
    except previews.PreviewRefused:
        state = DocumentVersion.Preview.FAILED
        problem = DocumentVersion.PreviewProblem.TOO_LARGE
    except previews.PreviewUnreadable:
        state = DocumentVersion.Preview.FAILED
        problem = DocumentVersion.PreviewProblem.UNREADABLE
    else:
        preview_name = storage.file_save(
            storage.preview_file_name(version.document.workspace_id), ContentFile(png)
        )
    with transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(
            preview=preview_name, preview_state=state, preview_problem=problem
        )
        # An open document page redraws its preview (the feed does not show it).
        event_record(
            stream=version.document.workspace.stream,
            type="document.preview_ready",
            payload={**_document_payload(version.document, version), "state": state},
        )
