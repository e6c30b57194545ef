"""The export ZIP: current documents byte for byte, the discussion, tasks, activity."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from tests.support.factories import PostFactory, ThreadFactory
from tests.support.workspaces import make_workspace
from workspaces.models import Document, DocumentVersion, Task, WorkspaceExport
from workspaces.services import exports
from workspaces.services import tasks as task_services
from workspaces.tasks import build_workspace_export

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

State = WorkspaceExport.State


@pytest.fixture
def workspace():
    return make_workspace(name="Hydrogen valves")


def _document(workspace, author, title, *contents, deleted=False, name="report.pdf"):
    """A document with one version per content, stored as an upload would be."""
    document = Document.objects.create(
        workspace=workspace,
        title=title,
        created_by=author,
        updated_at=timezone.now(),
        deleted_at=timezone.now() if deleted else None,
        version_count=len(contents),
    )
    for number, content in enumerate(contents, start=1):
        stored = default_storage.save(
            f"documents/{title}-{number}.bin", ContentFile(content)
        )
        DocumentVersion.objects.create(
            document=document,
            number=number,
            file=stored,
            original_name=name,
            content_type="application/octet-stream",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=author,
        )
    return document


def _build(actor, workspace):
    export = exports.export_request(actor=actor, workspace=workspace)
    build_workspace_export.enqueue(export.pk)
    export.refresh_from_db()
    return export


def _archive(export):
    with export.file.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _csv(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


@pytest.fixture
def filled(workspace, people):
    lead = people["lead"]
    pdf_v1, pdf_v2 = b"%PDF-1.4 first draft", b"%PDF-1.4 signed version \x00\xff"
    _document(workspace, lead, "Term sheet", pdf_v1, pdf_v2, name="term-sheet.pdf")
    _document(workspace, lead, "Data", b"a,b\n1,2\n", name="../../etc/data.csv")
    _document(workspace, lead, "Withdrawn", b"old", deleted=True, name="withdrawn.pdf")
    thread = ThreadFactory(community=workspace.community, title="Supplier shortlist")
    PostFactory(thread=thread, author=lead, body="Welcome **partners**!")
    PostFactory(thread=thread, author=people["member"], body="Glad to be here.")
    PostFactory(thread=thread, author=people["member"], body="Spam", is_hidden=True)
    task_services.task_create(
        actor=lead,
        workspace=workspace,
        title='=HYPERLINK("http://evil")',
        assignee=people["member"],
        due_date=timezone.localdate(),
    )
    task_services.task_create(
        actor=people["member"],
        workspace=workspace,
        title="Book the lab",
        status=Task.Status.DOING,
    )
    return {"pdf_v2": pdf_v2}


def test_the_zip_holds_current_documents_discussion_tasks_and_activity(
    workspace, people, filled
):
    export = _build(people["lead"], workspace)

    assert export.state == State.READY
    assert export.progress == 100
    assert export.size == default_storage.size(export.file.name) > 0
    assert export.file.name.startswith("exports/")
    archive = _archive(export)
    names = archive.namelist()
    documents = sorted(n for n in names if n.startswith("documents/"))
    assert len(documents) == 2
    term_sheet = next(n for n in documents if n.endswith("term-sheet.pdf"))
    assert archive.read(term_sheet) == filled["pdf_v2"]
    data = next(n for n in documents if n != term_sheet)
    assert ".." not in data and data.count("/") == 1
    assert archive.read(data) == b"a,b\n1,2\n"
    assert not any("withdrawn" in name for name in names)

    markdown = next(n for n in names if n.endswith("Supplier shortlist.md"))
    text = archive.read(markdown).decode()
    assert text.startswith("# Supplier shortlist")
    assert "Welcome **partners**!" in text and "Glad to be here." in text
    assert "Spam" not in text
    html = archive.read(markdown.removesuffix(".md") + ".html").decode()
    assert "<strong>partners</strong>" in html and "Spam" not in html
    assert "<title>Supplier shortlist</title>" in html
    # The workspace's own "Kick-off" thread is there too.
    assert any(n.startswith("discussion/") and "Kick-off" in n for n in names)

    tasks = _csv(archive, "tasks.csv")
    assert [row["title"] for row in tasks] == [
        "Book the lab",
        '\'=HYPERLINK("http://evil")',
    ]
    assert tasks[1]["assignee"] == people["member"].name
    assert tasks[1]["due_date"] == timezone.localdate().isoformat()
    activity = _csv(archive, "activity.csv")
    types = [row["type"] for row in activity]
    assert types[0] == "workspace.created"
    assert types.count("task.created") == 2
    created = next(row for row in activity if row["type"] == "task.created")
    assert created["actor"] == people["lead"].name
    assert "README.txt" in names


def test_only_leads_export_and_archived_workspaces_can_be_exported(workspace, people):
    for role in ("member", "guest", "staff", "stranger", "removed"):
        with pytest.raises(PermissionDenied, match="leads can export"):
            exports.export_request(actor=people[role], workspace=workspace)
    assert not WorkspaceExport.objects.exists()

    workspace.archived_at = timezone.now()
    workspace.save()
    assert _build(people["lead"], workspace).state == State.READY


def test_a_second_request_while_one_is_queued_returns_it(workspace, people):
    first = exports.export_request(actor=people["lead"], workspace=workspace)
    again = exports.export_request(actor=people["lead"], workspace=workspace)
    assert first == again
    assert WorkspaceExport.objects.count() == 1


def test_a_failed_build_says_so_and_keeps_no_file(workspace, people, filled):
    DocumentVersion.objects.update(file="documents/missing.bin")
    export = _build(people["lead"], workspace)

    assert export.state == State.FAILED
    # A code, read in the reader's language when shown.
    assert export.error == "build_failed"
    assert "could not be built" in str(export.error_message)
    with translation.override("it"):
        assert "Non è stato possibile" in str(export.error_message)
    assert not export.file


def test_the_readme_is_in_the_language_of_the_lead_who_asked(workspace, people):
    lead = people["lead"]
    lead.language = "it"
    lead.save(update_fields=["language"])
    # The worker runs in English here (the autouse fixture).
    readme = _archive(_build(lead, workspace)).read("README.txt").decode()
    assert readme.startswith("Esportazione dello spazio di lavoro “Hydrogen valves”")


def test_asking_for_an_export_is_in_the_leads_activity_only(workspace, people):
    from workspaces.queries import workspaces as workspace_queries

    export = exports.export_request(actor=people["lead"], workspace=workspace)

    def types(role):
        events, _older = workspace_queries.activity(people[role], workspace)
        return [(event.type, event.data) for event in events]

    assert ("export.requested", {"export": export.pk}) in types("lead")
    for role in ("member", "guest", "staff"):
        assert all(kind != "export.requested" for kind, _data in types(role))


def test_progress_is_written_as_the_export_is_built(workspace, people, filled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    export = exports.export_request(actor=people["lead"], workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        exports.export_build(export.pk)

    table = WorkspaceExport._meta.db_table
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(f'UPDATE "{table}" SET "progress"')
    ]
    # Two documents, two threads (the Kick-off and "Supplier shortlist"), a room,
    # tasks and activity: one write per step whose percentage changed.
    assert len(updates) >= 5
    export.refresh_from_db()
    assert export.progress == 100 and export.state == State.READY
