"""Write services of the disclosure ladder: accepting a challenge's or an offer's
click-through NDA, and the owner's confidential documents (uploaded and checked as
workspace documents are, through `workspaces.storage`).

Events carry ids only (never a title or a file name): a reader below the step learns
nothing from a live frame or a notification."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.ratelimit import rate_limit_hit
from live.events import event_record
from workspaces import storage

from .. import permissions
from ..models import ConfidentialDocument, NdaAcceptance

__all__ = ["document_delete", "document_upload", "nda_accept"]

TITLE_MAX_LENGTH = ConfidentialDocument._meta.get_field("title").max_length


def _stream(subject):
    return f"{permissions.subject_kind(subject)}:{int(subject.pk)}"


def nda_accept(*, actor, subject):
    """Record that the actor accepted the subject's NDA for their organisation, with
    the text as it reads now (once per person and subject). Raises PermissionDenied
    below the details step or when accepted already."""
    permissions.require_accept_nda(actor, subject)
    try:
        with transaction.atomic():
            acceptance = NdaAcceptance.objects.create(
                person=actor,
                organisation=permissions.acting_organisation(actor),
                text=subject.nda_text,
                **permissions.subject_filter(subject),
            )
            event_record(
                stream=_stream(subject),
                type="nda.accepted",
                payload={"acceptance": acceptance.pk},
                actor=actor,
            )
    except IntegrityError:
        # Accepted twice at once: the first acceptance stands.
        return permissions.nda_acceptance_of(actor, subject)
    return acceptance


def _stored_name(subject):
    return f"innovation/{permissions.subject_kind(subject)}/{int(subject.pk)}/{uuid.uuid4().hex}"


def _clean_title(title, fallback):
    title = " ".join((title or "").split()) or fallback
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {
                "title": _("The title is too long: at most %(limit)d characters.")
                % {"limit": TITLE_MAX_LENGTH}
            }
        )
    return title


def document_upload(*, actor, subject, file, title=""):
    """Store a confidential document of a challenge or an offer (the owner's people):
    checked by its content (allow-list, size limit, hostile files refused with their
    reason), saved under a random name. Raises PermissionDenied, ValidationError
    (keyed `file` or `title`) or RateLimited."""
    permissions.require_manage_documents(actor, subject)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = storage.display_name_clean(getattr(file, "name", ""))
    if file.size > storage.upload_max_bytes():
        raise ValidationError({"file": storage.too_large_message(name)})
    file.open("rb")
    try:
        inspection = storage.file_inspect(file, name)
    except ValidationError as error:
        raise ValidationError(
            {
                "file": _("“%(name)s” was refused: %(reason)s")
                % {"name": name, "reason": " ".join(error.messages)}
            }
        ) from None
    title = _clean_title(title, name)
    sha256 = getattr(file, "sha256", None) or storage.file_sha256(file)
    rate_limit_hit(actor, "upload")
    file.seek(0)
    stored = storage.file_save(_stored_name(subject), file)
    try:
        with transaction.atomic():
            document = ConfidentialDocument.objects.create(
                title=title,
                file=stored,
                original_name=name,
                kind=inspection.kind,
                size=file.size,
                sha256=sha256,
                uploaded_by=actor,
                **permissions.subject_filter(subject),
            )
            event_record(
                stream=_stream(subject),
                type="confidential.uploaded",
                payload={"document": document.pk},
                actor=actor,
            )
    except Exception:
        storage.file_delete(stored)
        raise
    return document


def document_delete(*, actor, subject, document):
    """Remove a confidential document and its file (the owner's people)."""
    permissions.require_manage_documents(actor, subject)
    with transaction.atomic():
        pk = document.pk
        stored = document.file
        document.delete()
        event_record(
            stream=_stream(subject),
            type="confidential.deleted",
            payload={"document": pk},
            actor=actor,
        )
        transaction.on_commit(lambda: storage.file_delete(stored), robust=True)
