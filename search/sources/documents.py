"""Workspace documents: the title, and the text of the current version when it is a
text file (.txt, .md, .csv, .tsv: the workspaces app accepts text only as UTF-8;
PDFs and office files have no text extraction on the site, so only their titles are
found). Found only by whoever may see the workspace now (its participants, and site
staff, `workspaces.permissions`); a deleted document by nobody."""

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workspaces import permissions as workspace_permissions
from workspaces import storage
from workspaces.models import Document, DocumentVersion

from ..models import Entry
from ..registry import BATCH, Source, replace
from ..text import folded

KINDS = (Entry.Kind.DOCUMENT,)
_CHANGES = {
    "document.uploaded",
    "document.versioned",
    "document.deleted",
    "document.restored",
}
# The text indexed of one version, at most (a longer file is found by its start).
TEXT_MAX_BYTES = 1_000_000


def version_text(version):
    """The words of a text version (empty for any other kind of file)."""
    if version is None or not version.content_type.startswith("text/"):
        return ""
    try:
        with storage.file_open(version.file.name) as file:
            data = file.read(TEXT_MAX_BYTES)
    except OSError:
        return ""
    return folded(data.decode("utf-8", errors="ignore"))


def _documents():
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return (
        Document.objects.filter(deleted_at__isnull=True)
        .select_related("workspace")
        .annotate(latest_version_id=Subquery(latest.values("pk")[:1]))
    )


def _rows(documents):
    documents = list(documents)
    versions = DocumentVersion.objects.in_bulk(
        {document.latest_version_id for document in documents} - {None}
    )
    return [
        Entry(
            kind=Entry.Kind.DOCUMENT,
            object_id=document.pk,
            community_id=document.workspace.community_id,
            author_id=document.created_by_id,
            title=document.title[:255],
            body=version_text(versions.get(document.latest_version_id)),
            created_at=document.updated_at,
        )
        for document in documents
    ]


def index(ids):
    if not ids:
        return
    replace(KINDS, ids, _rows(_documents().filter(pk__in=ids)))


def index_events(events):
    ids = set()
    for event in events:
        if event.stream.startswith("workspace:") and event.type in _CHANGES:
            document = (
                event.payload.get("document")
                if isinstance(event.payload, dict)
                else None
            )
            if isinstance(document, int):
                ids.add(document)
    index(ids)


def rebuild():
    count = 0
    documents = _documents().order_by("pk")
    for start in range(0, documents.count(), BATCH):
        rows = _rows(documents[start : start + BATCH])
        Entry.objects.bulk_create(rows, batch_size=BATCH)
        count += len(rows)
    return count


def readable(user):
    # Decided now: a participant removed, or a document deleted, finds nothing.
    workspaces = workspace_permissions.workspaces_visible_to(user)
    documents = Document.objects.filter(
        deleted_at__isnull=True, workspace__in=workspaces.values("pk")
    )
    return Q(object_id__in=documents.values("pk"))


def present(entries):
    documents = Document.objects.select_related("workspace").in_bulk(
        {entry.object_id for entry in entries}
    )
    shown = []
    for entry in entries:
        document = documents.get(entry.object_id)
        if document is None:
            continue
        entry.url = reverse(
            "workspaces:document-detail", args=[document.workspace_id, document.pk]
        )
        entry.context = document.workspace.name
        entry.context_url = document.workspace.get_absolute_url()
        shown.append(entry)
    return shown


SOURCE = Source(
    name="documents",
    kinds={
        Entry.Kind.DOCUMENT: (_("Documents"), ("documents", "documento", "documenti"))
    },
    index_events=index_events,
    rebuild=rebuild,
    readable=readable,
    present=present,
    order=50,
)
