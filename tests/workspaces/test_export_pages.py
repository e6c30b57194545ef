"""The export page and download: leads only; everyone else 403 or 404."""

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.support.workspaces import ROLES, make_workspace
from workspaces.models import WorkspaceExport
from workspaces.services import tasks as task_services

pytestmark = pytest.mark.django_db

SEE_WORKSPACE = {"guest", "member", "lead", "staff"}
REFUSAL = "Only the workspace's leads can export it"


@pytest.fixture
def workspace():
    return make_workspace(name="Valve licence")


def _as(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _export_url(workspace):
    return reverse("workspaces:export-list", args=[workspace.pk])


def _ready_export(client, workspace, lead):
    task_services.task_create(actor=lead, workspace=workspace, title="Sign the licence")
    response = _as(client, lead).post(_export_url(workspace), follow=True)
    assert response.status_code == 200
    return WorkspaceExport.objects.get(workspace=workspace)


def test_a_lead_prepares_an_export_and_downloads_it(client, workspace, people):
    export = _ready_export(client, workspace, people["lead"])

    assert export.state == WorkspaceExport.State.READY
    page = client.get(_export_url(workspace)).content.decode()
    download = reverse("workspaces:export-download", args=[workspace.pk, export.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="valve-licence-'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "Sign the licence" in archive.read("tasks.csv").decode()


def test_the_export_download_streams_chunk_by_chunk_with_private_headers(
    client, workspace, people
):
    export = _ready_export(client, workspace, people["lead"])
    download = reverse("workspaces:export-download", args=[workspace.pk, export.pk])

    response = client.get(download)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    # Under ASGI the body is read a block at a time as it is sent, never as a whole.
    response.block_size = 512

    async def chunks():
        return [chunk async for chunk in response]

    sent = async_to_sync(chunks)()
    assert len(sent) > 1 and max(len(chunk) for chunk in sent) <= 512
    with export.file.open("rb") as stored:
        assert b"".join(sent) == stored.read()


def test_a_failed_export_is_explained_in_the_readers_language(
    client, workspace, people
):
    WorkspaceExport.objects.create(
        workspace=workspace,
        requested_by=people["lead"],
        state=WorkspaceExport.State.FAILED,
        error="build_failed",
    )
    client = _as(client, people["lead"])
    assert "could not be built" in client.get(_export_url(workspace)).content.decode()
    italian = client.get(_export_url(workspace), HTTP_ACCEPT_LANGUAGE="it")
    assert "Non è stato possibile preparare" in italian.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_leads_reach_the_export_page_and_downloads(
    client, workspace, people, role
):
    export = _ready_export(client, workspace, people["lead"])
    client.logout()
    client = _as(client, people[role])
    download = reverse("workspaces:export-download", args=[workspace.pk, export.pk])

    page = client.get(_export_url(workspace))
    request = client.post(_export_url(workspace))
    fetched = client.get(download)

    if role == "lead":
        assert page.status_code == 200 and fetched.status_code == 200
        assert WorkspaceExport.objects.count() == 2
        return
    assert WorkspaceExport.objects.count() == 1
    expected = 403 if role in SEE_WORKSPACE else 404
    for response in (page, request, fetched):
        assert response.status_code == expected
        assert b"PK" not in response.content[:2]
    if expected == 403:
        assert escape(REFUSAL) in page.content.decode()


def test_archived_workspaces_can_still_be_exported(client, workspace, people):
    task_services.task_create(actor=people["lead"], workspace=workspace, title="Done")
    workspace.archived_at = timezone.now()
    workspace.save()
    _as(client, people["lead"]).post(_export_url(workspace))
    export = WorkspaceExport.objects.get(workspace=workspace)
    assert export.state == WorkspaceExport.State.READY


def test_an_export_not_ready_is_not_downloadable_and_shows_its_progress(
    client, workspace, people
):
    export = WorkspaceExport.objects.create(
        workspace=workspace,
        requested_by=people["lead"],
        state=WorkspaceExport.State.RUNNING,
        progress=40,
    )
    client = _as(client, people["lead"])
    page = client.get(_export_url(workspace)).content.decode()
    assert "40%" in page and "data-pending" in page
    fragment = client.get(
        _export_url(workspace), HTTP_X_REQUESTED_WITH="fetch"
    ).json()
    assert fragment["pending"] is True and "40%" in fragment["html"]
    download = reverse("workspaces:export-download", args=[workspace.pk, export.pk])
    assert client.get(download).status_code == 404


def test_an_export_of_another_workspace_is_not_found(client, workspace, people):
    other = make_workspace(name="Elsewhere")
    foreign = _ready_export(client, other, other.participants.get().user)
    client.logout()
    client = _as(client, people["lead"])
    url = reverse("workspaces:export-download", args=[workspace.pk, foreign.pk])
    assert client.get(url).status_code == 404
