"""Reads for the document pages: the filtered list, a document with its versions,
the download log, and the documents the activity feed names."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery

from .. import permissions
from ..models import DocumentDownload, DocumentVersion

DOCUMENTS_PER_PAGE = 25
DOWNLOADS_PER_PAGE = 50


def _current(field):
    """A field of each document's latest version, in the document's own row."""
    return Subquery(
        DocumentVersion.objects.filter(
            document=OuterRef("pk"), number=OuterRef("version_count")
        ).values(field)[:1]
    )


def document_rows(user, workspace, *, category="", query="", deleted=False):
    """The documents the user sees in `workspace` (or the deleted ones, for leads),
    filtered by category and by words of the title, newest first, each with its
    current version's facts (`current_size`, `current_name`, `current_type`,
    `current_uploader` (display name, else `current_uploader_username`),
    `current_uploader_pk`, `current_uploader_avatar`, `current_organisation`) in one
    query."""
    documents = permissions.documents_visible_to(user, workspace, deleted=deleted)
    if category:
        documents = documents.filter(category=category)
    for word in query.split()[:8]:
        documents = documents.filter(title__icontains=word)
    return (
        documents.select_related("deleted_by")
        .annotate(
            current_size=_current("size"),
            current_name=_current("original_name"),
            current_type=_current("content_type"),
            current_uploader=_current("uploaded_by__display_name"),
            current_uploader_username=_current("uploaded_by__username"),
            current_uploader_pk=_current("uploaded_by"),
            current_uploader_avatar=_current("uploaded_by__avatar"),
            current_organisation=_current("organisation__name"),
        )
        .order_by("-updated_at", "-pk")
    )


def document_list_page(
    user, workspace, *, category="", query="", deleted=False, page=1
):
    """One page of `document_rows` and the counts the page shows; each document's
    `uploader` is its current version's uploader (None for a deleted account), built
    from the row's own columns so that their avatars cost no query."""
    rows = document_rows(
        user, workspace, category=category, query=query, deleted=deleted
    )
    page = Paginator(rows, DOCUMENTS_PER_PAGE).get_page(page)
    page.object_list = list(page.object_list)
    User = get_user_model()
    for document in page.object_list:
        document.uploader = (
            User(
                pk=document.current_uploader_pk,
                username=document.current_uploader_username,
                display_name=document.current_uploader or "",
                avatar=document.current_uploader_avatar or "",
            )
            if document.current_uploader_pk
            else None
        )
    return page


def deleted_count(user, workspace):
    """How many deleted documents a lead can restore (0 for everyone else)."""
    return permissions.documents_visible_to(user, workspace, deleted=True).count()


def document_versions(document):
    """Every version of a document, newest first, with uploader and organisation."""
    versions = list(
        DocumentVersion.objects.filter(document=document)
        .select_related("uploaded_by", "organisation")
        .order_by("-number")
    )
    for version in versions:
        version.document = document
    return versions


def download_log_page(workspace, *, document=None, page=1):
    """One page of the workspace's downloads (who, which version, when), newest
    first; only of `document` when given. The view checks the viewer is a lead."""
    downloads = (
        DocumentDownload.objects.filter(version__document__workspace=workspace)
        .select_related("user__organisation", "version__document")
        .order_by("-downloaded_at", "-pk")
    )
    if document is not None:
        downloads = downloads.filter(version__document=document)
    return Paginator(downloads, DOWNLOADS_PER_PAGE).get_page(page)


def events_documents(user, workspace, events):
    """Attach to each `document.*` event of the activity feed its `document` (read
    now: its current title), or None once it is gone or deleted and `user` may not
    know its title (`permissions.documents_named_to`); one query for all."""
    wanted = {
        event.payload.get("document")
        for event in events
        if event.type.startswith("document.")
    }
    wanted = {pk for pk in wanted if isinstance(pk, int)}
    documents = (
        {
            document.pk: document
            for document in permissions.documents_named_to(user, workspace).filter(
                pk__in=wanted
            )
        }
        if wanted
        else {}
    )
    for event in events:
        if event.type.startswith("document."):
            event.document = documents.get(event.payload.get("document"))
