"""Writes that a view decided on a workspace loaded before it was archived are
refused by the services, which check again on the row they lock; and the upload
views, exempt from Django's CSRF middleware to stream their bodies, still refuse a
request without the token."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.workspaces.document_helpers import document_url, make_document, upload_url
from workspaces.models import Document, DocumentVersion, Milestone, Task, Workspace
from workspaces.services import documents, tasks, workspaces

pytestmark = pytest.mark.django_db


def files_under(path):
    path = Path(path)
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


@pytest.fixture
def stale(workspace, roles):
    """The workspace as a view loaded it, then archived by a lead meanwhile."""
    loaded = Workspace.objects.get(pk=workspace.pk)
    workspaces.workspace_archive(
        actor=roles.lead, workspace=Workspace.objects.get(pk=workspace.pk)
    )
    assert not loaded.is_archived
    return loaded


def test_an_upload_into_a_workspace_archived_meanwhile_is_refused(
    settings, roles, stale
):
    with pytest.raises(PermissionDenied):
        documents.document_upload(
            actor=roles.member,
            workspace=stale,
            files=[ContentFile(b"Bozza\n", name="bozza.txt")],
        )

    assert not Document.objects.filter(workspace=stale).exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_new_version_in_a_workspace_archived_meanwhile_is_refused(
    settings, workspace, roles
):
    document = make_document(workspace, roles.member)
    on_disk = files_under(settings.MEDIA_ROOT)
    loaded = Document.objects.select_related("workspace").get(pk=document.pk)
    workspaces.workspace_archive(actor=roles.lead, workspace=workspace)

    with pytest.raises(PermissionDenied):
        documents.document_version_upload(
            actor=roles.member,
            document=loaded,
            file=ContentFile(b"Seconda\n", name="report.txt"),
        )

    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert files_under(settings.MEDIA_ROOT) == on_disk


def test_task_and_milestone_writes_in_a_workspace_archived_meanwhile_are_refused(
    workspace, roles
):
    member = roles.member
    task = tasks.task_create(actor=member, workspace=workspace, title="Prima")
    milestone = tasks.milestone_create(
        actor=member,
        workspace=workspace,
        title="Firma",
        due_date=datetime.date(2030, 1, 1),
    )
    loaded = Workspace.objects.get(pk=workspace.pk)
    task.workspace = loaded
    milestone.workspace = loaded
    workspaces.workspace_archive(
        actor=roles.lead, workspace=Workspace.objects.get(pk=workspace.pk)
    )

    writes = [
        lambda: tasks.task_create(actor=member, workspace=loaded, title="Seconda"),
        lambda: tasks.task_edit(actor=member, task=task, title="Rinominata"),
        lambda: tasks.task_move(actor=member, task=task, status="done"),
        lambda: tasks.task_delete(actor=member, task=task),
        lambda: tasks.milestone_create(
            actor=member,
            workspace=loaded,
            title="Chiusura",
            due_date=datetime.date(2030, 2, 1),
        ),
        lambda: tasks.milestone_edit(
            actor=member,
            milestone=milestone,
            title="Firma rinviata",
            due_date=datetime.date(2030, 3, 1),
        ),
        lambda: tasks.milestone_complete(actor=member, milestone=milestone),
        lambda: tasks.milestone_delete(actor=member, milestone=milestone),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()

    assert list(Task.objects.filter(workspace=workspace).values_list("title", "status")) == [
        ("Prima", "todo")
    ]
    assert list(
        Milestone.objects.filter(workspace=workspace).values_list(
            "title", "completed_at"
        )
    ) == [("Firma", None)]


def test_a_stage_change_in_a_workspace_archived_meanwhile_is_refused(roles, stale):
    with pytest.raises(PermissionDenied):
        workspaces.workspace_set_stage(actor=roles.lead, workspace=stale, stage="nda")

    assert Workspace.objects.get(pk=stale.pk).stage == "exploration"


# --- CSRF ---------------------------------------------------------------------------


@pytest.fixture
def csrf_client(roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles.member)
    return client


def _upload_form(**extra):
    """The upload form as the page posts it, one small file (and `extra` fields)."""
    return {
        "category": "other",
        "title": "",
        "note": "",
        "files": [SimpleUploadedFile("contratto.txt", b"Clausole\n")],
        **extra,
    }


def test_the_upload_view_refuses_a_post_without_the_csrf_token(
    settings, csrf_client, workspace
):
    response = csrf_client.post(
        upload_url(workspace),
        _upload_form(),
    )

    assert response.status_code == 403
    assert not Document.objects.filter(workspace=workspace).exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_the_version_upload_view_refuses_a_post_without_the_csrf_token(
    settings, csrf_client, workspace, roles
):
    document = make_document(workspace, roles.member)
    on_disk = files_under(settings.MEDIA_ROOT)

    response = csrf_client.post(
        document_url("document-version-upload", document),
        {"file": SimpleUploadedFile("report.txt", b"Seconda\n"), "note": ""},
    )

    assert response.status_code == 403
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert files_under(settings.MEDIA_ROOT) == on_disk


def test_with_the_token_the_same_upload_is_stored(settings, csrf_client, workspace):
    """The refusals above are about the token, not the request."""
    csrf_client.get(reverse("workspaces:document-list", args=[workspace.pk]))
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        upload_url(workspace),
        _upload_form(csrfmiddlewaretoken=token),
    )

    assert response.status_code in (200, 302)
    assert Document.objects.filter(workspace=workspace).count() == 1
