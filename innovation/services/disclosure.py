"""Write services of the disclosure ladder: accepting a challenge's or an offer's
click-through NDA, and the owner's confidential documents (uploaded and checked as
workspace documents are, through `workspaces.storage`).

Events carry ids only (never a title or a file name): a reader below the step learns
nothing from a live frame or a notification."""

import re
import uuid
import zipfile

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community.ratelimit import rate_limit_hit
from live.events import event_record
from workspaces import storage

from .. import permissions
from ..models import Challenge, ConfidentialDocument, NdaAcceptance

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
                # The organisation: its own people see the step on the stream.
                payload={
                    "acceptance": acceptance.pk,
                    "organisation": acceptance.organisation_id,
                },
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


# The properties of a file that name its author or organisation: a PDF's and a
# photo's (EXIF 315 Artist, 33432 Copyright), an OOXML or OpenDocument file's.
_PDF_AUTHOR_KEYS = ("Author",)
_EXIF_AUTHOR_TAGS = (315, 33432)
_XML_PROPERTIES = ("docProps/core.xml", "docProps/app.xml", "meta.xml")
_XML_AUTHOR = re.compile(
    rb"<(?:[\w-]+:)?(creator|lastModifiedBy|Company|Manager|initial-creator)\b[^>/]*>"
    rb"\s*[^<\s]"
)
_XML_PROPERTIES_MAX_BYTES = 1024 * 1024


def _author_properties(file, kind):
    """Whether `file` (of storage's `kind`) names a person or organisation in its
    properties. Unreadable properties count as none (the file passed the checks)."""
    file.seek(0)
    try:
        if kind == "pdf":
            import pypdfium2

            document = pypdfium2.PdfDocument(file.read())
            try:
                info = document.get_metadata_dict()
            finally:
                document.close()
            return any(str(info.get(key, "")).strip() for key in _PDF_AUTHOR_KEYS)
        if kind == "image":
            from PIL import Image

            with Image.open(file) as image:
                exif = image.getexif()
            return any(
                str(exif.get(tag, "")).strip(" \x00") for tag in _EXIF_AUTHOR_TAGS
            )
        if kind in ("office", "opendocument"):
            with zipfile.ZipFile(file) as archive:
                for info in archive.infolist():
                    if (
                        info.filename in _XML_PROPERTIES
                        and info.file_size <= _XML_PROPERTIES_MAX_BYTES
                        and _XML_AUTHOR.search(archive.read(info))
                    ):
                        return True
    except Exception:  # noqa: BLE001 — a property we cannot read names no one
        return False
    finally:
        file.seek(0)
    return False


def _refuse_named_author(subject, file, kind, name):
    """An anonymous challenge's documents must not name the seeker in their
    properties (the seeker anonymity rule holds for document metadata too)."""
    if not (isinstance(subject, Challenge) and subject.anonymous):
        return
    if _author_properties(file, kind):
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” names its author in its properties, and this "
                    "challenge is anonymous: remove the author, company and "
                    "similar properties (or export it without personal "
                    "information), then upload it again."
                )
                % {"name": name}
            }
        )


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
    _refuse_named_author(subject, file, inspection.kind, name)
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
