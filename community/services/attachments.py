"""Write services for attachments: the composer's upload, sending uploads with a post,
withdrawing them with their post, and removing uploads never sent.

An attachment is uploaded first (`attachment_upload`: pending, its uploader's alone),
for a thread or, from the new-thread form, for a community whose thread does not
exist yet; then sent with a reply, room message or a new thread's first post, whose
service attaches it in the same transaction (`attachments_claim` before,
`attachments_attach` inside). Files are
checked and stored by `community.uploads`, the code that checks workspace documents.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import permissions, uploads
from ..models import Attachment, Post
from ..ratelimit import rate_limit_hit

__all__ = [
    "attachment_discard",
    "attachment_upload",
    "attachments_attach",
    "attachments_claim",
    "attachments_prune",
    "attachments_withdraw",
]


def _storage_name(thread, community, suffix=""):
    """A new random storage name for a file uploaded for `thread`, or for a new
    thread in `community`."""
    folder = int(thread.pk) if thread is not None else f"community-{int(community.pk)}"
    return f"attachments/{folder}/{uuid.uuid4().hex}{suffix}"


def _pending(actor):
    return Attachment.objects.filter(uploaded_by=actor, post__isnull=True)


def attachment_upload(*, actor, upload, thread=None, community=None):
    """Check and store a file the composer sends ahead of its post, for `thread`, or
    (with `community` instead) for the first post of a thread not started yet;
    return the pending Attachment, seen by its uploader only until the post is sent.

    Callers: whoever may write in `thread` (`permissions.require_attach_files`), or
    start a thread in `community` (`permissions.require_attach_in_community`), else
    PermissionDenied. Raises ValidationError naming the reason for a file past
    the upload limit or outside the allow-list (the workspace documents' checks), an
    image past `IMAGE_MAX_PIXELS` or that does not decode, too many uploads waiting
    to be sent, or past the "upload" rate limit. Images are stored redrawn (no
    metadata, at most `IMAGE_MAX_SIDE` a side) with a thumbnail; other files as
    sent, under random names. The person's expired uploads are removed first.
    """
    if (thread is None) == (community is None):
        raise TypeError("attachment_upload takes a thread or a community.")
    if thread is not None:
        permissions.require_attach_files(actor, thread)
    else:
        permissions.require_attach_in_community(actor, community)
    name = uploads.display_name_clean(getattr(upload, "name", ""), default="file")
    if upload.size > uploads.upload_max_bytes():
        raise ValidationError(uploads.too_large_message(name), code="too_large")
    _expired_delete(_pending(actor))
    limit = settings.ATTACHMENTS_PENDING_MAX
    if _pending(actor).count() >= limit:
        raise ValidationError(
            ngettext(
                "You have %(count)d file waiting to be sent: send or remove it first.",
                "You have %(count)d files waiting to be sent: send or remove some first.",
                limit,
            )
            % {"count": limit},
            code="pending",
        )
    rate_limit_hit(actor, "upload")
    upload.open("rb")
    inspection = uploads.file_inspect(upload, name)
    sha256 = getattr(upload, "sha256", None) or uploads.file_sha256(upload)
    row = Attachment(
        thread=thread,
        community=community,
        uploaded_by=actor,
        original_name=name,
        sha256=sha256,
        kind=Attachment.Kind.FILE,
        content_type=inspection.content_type,
        size=upload.size,
    )
    stored = []
    try:
        if inspection.kind == "image":
            full, thumb = uploads.image_reencode(
                upload,
                inspection.content_type,
                (settings.IMAGE_MAX_SIDE, settings.ATTACHMENT_THUMBNAIL_SIDE),
            )
            row.kind = Attachment.Kind.IMAGE
            row.content_type = full.content_type
            row.size = len(full.content)
            row.width, row.height = full.width, full.height
            row.thumbnail_width, row.thumbnail_height = thumb.width, thumb.height
            row.file = uploads.file_save(
                _storage_name(thread, community), ContentFile(full.content)
            )
            stored.append(row.file)
            row.thumbnail = uploads.file_save(
                _storage_name(thread, community, "-thumb"), ContentFile(thumb.content)
            )
            stored.append(row.thumbnail)
        else:
            row.file = uploads.file_save(_storage_name(thread, community), upload)
            stored.append(row.file)
        row.full_clean(exclude=["post", "thread", "community", "uploaded_by"])
        row.save()
    except BaseException:
        for name in stored:
            uploads.file_delete(name)
        raise
    return row


def attachment_discard(*, actor, attachment):
    """Remove one of `actor`'s pending uploads (the composer's "remove"), with its
    files. Anything else (someone else's, or already sent) is not found."""
    deleted, _rows = _pending(actor).filter(pk=attachment.pk).delete()
    if deleted:
        _files_delete_on_commit([attachment])


def attachments_claim(actor, where, ids):
    """The pending uploads `ids` of `actor` for `where` (a Thread, or the Community
    a new thread is started in), checked before a post is written with them: raise
    ValidationError for too many, or for any that is not theirs, not for this thread
    (or community), already sent or expired. An empty list for none."""
    ids = list(dict.fromkeys(ids or ()))
    if not ids:
        return []
    limit = settings.ATTACHMENTS_PER_POST
    if len(ids) > limit:
        raise ValidationError(
            ngettext(
                "Send at most %(count)d file with a message.",
                "Send at most %(count)d files with a message.",
                limit,
            )
            % {"count": limit},
            code="attachments",
        )
    found = list(
        _pending(actor)
        .made_for(where)
        .filter(pk__in=[pk for pk in ids if isinstance(pk, int)])
        .exclude(created_at__lt=_expiry())
    )
    if len(found) != len(ids):
        raise ValidationError(
            _(
                "An attached file is no longer available (sent already, or waiting "
                "too long): attach it again."
            ),
            code="attachments",
        )
    by_pk = {row.pk: row for row in found}
    return [by_pk[pk] for pk in ids]


def attachments_attach(post, attachments):
    """Inside the transaction that writes `post`: make the claimed `attachments`
    its own and count them (an upload for a new thread becomes its thread's). One
    that was sent meanwhile (the same upload sent twice
    at once) stays with the first post."""
    if not attachments:
        return
    attached = Attachment.objects.filter(
        pk__in=[row.pk for row in attachments],
        uploaded_by_id=post.author_id,
        post__isnull=True,
    ).update(post=post, thread_id=post.thread_id, community=None)
    if attached:
        Post.objects.filter(pk=post.pk).update(attachment_count=attached)
    post.attachment_count = attached
    if attached != len(attachments):
        # Lost a race for some of them: show what the post really has.
        attachments = list(Attachment.objects.filter(post=post).order_by("pk"))
    for row in attachments:
        row.post, row.thread, row.community = post, post.thread, None
    # What the post's fragment shows, without reading them again.
    post.attachment_list = list(attachments)


def attachments_withdraw(posts):
    """Inside the transaction that deletes `posts` (by their authors or by a
    moderator): remove their attachments; the files leave storage after commit."""
    pks = [post.pk for post in posts if post.attachment_count]
    if not pks:
        return
    rows = list(Attachment.objects.filter(post_id__in=pks))
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    Post.objects.filter(pk__in=pks).update(attachment_count=0)
    for post in posts:
        post.attachment_count = 0
        post.attachment_list = []
    _files_delete_on_commit(rows)


def _expiry():
    return timezone.now() - timedelta(hours=settings.ATTACHMENT_PENDING_HOURS)


def _expired_delete(pending):
    """Remove the uploads of `pending` older than the expiry, with their files after
    commit; return how many."""
    rows = list(pending.filter(created_at__lt=_expiry()))
    if rows:
        Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
        _files_delete_on_commit(rows)
    return len(rows)


def attachments_prune():
    """Remove every upload never sent within `ATTACHMENT_PENDING_HOURS` (for a
    thread or for a new thread in a community), with its files (`manage.py attachments_prune`, run by cron or the task worker); return
    how many were removed."""
    with transaction.atomic():
        return _expired_delete(Attachment.objects.filter(post__isnull=True))


def _files_delete_on_commit(rows):
    names = [name for row in rows for name in (row.file, row.thumbnail) if name]

    def delete():
        for name in names:
            uploads.file_delete(name)

    transaction.on_commit(delete, robust=True)
