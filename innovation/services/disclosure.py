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

from .. import anonymity, permissions
from ..models import Challenge, ConfidentialDocument, NdaAcceptance
from . import document_properties

__all__ = [
    "document_delete",
    "document_upload",
    "documents_naming_seeker",
    "nda_accept",
]

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


def _naming_problems(file, kind, name, title, names):
    """Why a document of an anonymous challenge would give its seeker away (empty
    when it would not): its file name or title naming the seeker (`names`, from
    `anonymity.seeker_names`), a property that names a person or an organisation
    (author, company, artist...), any property containing a seeker's name, or a
    part of an archive too large to check, damaged, or in a form that cannot be read
    (which might name anyone). With it, whether anything could not be checked."""
    problems, unreadable = [], False
    if anonymity.names_in(f"{name} {title}", names):
        problems.append(
            _("its file name or title names your organisation or its people")
        )
    for found in document_properties.properties(file, kind, name=name):
        unreadable = unreadable or found.unreadable
        if found.unreadable and found.damaged:
            problems.append(
                _(
                    "“%(where)s” is damaged or in a form this site cannot read, so "
                    "its properties cannot be checked"
                )
                % {"where": found.where}
            )
        elif found.unreadable:
            problems.append(
                _("“%(where)s” is too large or nested too deep to check")
                % {"where": found.where}
            )
        elif found.names_someone:
            problems.append(
                _("“%(where)s” names its author in its properties (%(field)s)")
                % {"where": found.where, "field": found.field}
            )
        elif anonymity.names_in(found.value, names):
            problems.append(
                _(
                    "“%(where)s” names your organisation or its people in its "
                    "properties (%(field)s)"
                )
                % {"where": found.where, "field": found.field}
            )
    return list(dict.fromkeys(problems)), unreadable


def _refuse_naming_seeker(subject, file, kind, name, title):
    """An anonymous challenge's documents must not name the seeker in their name,
    title or properties (the seeker anonymity rule holds for document metadata
    too): a ValidationError keyed `file` that says what to remove."""
    if not (isinstance(subject, Challenge) and subject.anonymous):
        return
    names = anonymity.seeker_names(subject.organisation)
    problems, _unreadable = _naming_problems(file, kind, name, title, names)
    if problems:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” would tell solvers who you are, and this challenge "
                    "is anonymous: %(problems)s. Remove the author, company and "
                    "similar properties (or export it without personal "
                    "information), rename it if needed, then upload it again."
                )
                % {"name": name, "problems": "; ".join(problems)}
            }
        )


def documents_naming_seeker(challenge, *, actor):
    """`(naming, unchecked)`: the titles of `challenge`'s confidential documents
    that would name its seeker were the challenge anonymous (their name, title or
    properties), and of those whose properties could not be read (damaged, too
    large: they might name anyone), read from storage. For
    `challenges.challenge_update`, before it makes a challenge anonymous: re-reading
    the documents costs as much as uploading them, so each check counts against the
    actor's upload budget (RateLimited past it)."""
    documents = list(
        ConfidentialDocument.objects.filter(challenge=challenge).order_by("pk")
    )
    naming, unchecked = [], []
    if not documents:
        return naming, unchecked
    rate_limit_hit(actor, "upload")
    names = anonymity.seeker_names(challenge.organisation)
    for document in documents:
        try:
            with storage.file_open(document.file) as file:
                problems, unreadable = _naming_problems(
                    file, document.kind, document.original_name, document.title, names
                )
        except OSError:
            continue  # the file is gone: nothing of it can be downloaded
        if unreadable:
            unchecked.append(document.title)
        elif problems:
            naming.append(document.title)
    return naming, unchecked


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
    # Counted before the property check, which reads the whole file: refused
    # uploads cost the same and count too.
    rate_limit_hit(actor, "upload")
    _refuse_naming_seeker(subject, file, inspection.kind, name, title)
    sha256 = getattr(file, "sha256", None) or storage.file_sha256(file)
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
