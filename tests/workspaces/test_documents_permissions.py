"""Who may list, read, upload, version, download, preview, delete and restore
documents, see the download log and comment: every role of a workspace against every
document view, outcomes checked (rows written or not, content shown or not)."""

import pytest
from django.urls import reverse

from tests.support.workspaces import (
    CONTRIBUTES,
    LEADS,
    ROLES,
    SEES,
    make_workspace,
    workspace_roles,
)
from tests.workspaces import hostile_files as files
from tests.workspaces.document_helpers import (
    document_url,
    make_document,
    post_files,
    post_version,
)
from workspaces.models import Document, DocumentDownload
from workspaces.services import documents as services
from workspaces.services import people
from workspaces.services import workspaces as workspace_services

pytestmark = pytest.mark.django_db

ALL = (*ROLES, "anonymous")
# Participants who comment on documents (staff read only).
COMMENTERS = frozenset({"guest", "member", "lead"})


@pytest.fixture
def setting(django_capture_on_commit_callbacks):
    """A workspace, its people, and a PNG document (with its preview built) uploaded
    by the member."""
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        document = make_document(
            workspace,
            roles.member,
            "chart.png",
            files.png_bytes(),
            title="Quarterly chart",
        )
    return workspace, roles, document


def login(client, roles, role):
    if role != "anonymous":
        client.force_login(getattr(roles, role))


@pytest.mark.parametrize("role", ALL)
def test_document_list_shows_documents_only_to_those_who_see_the_workspace(
    client, setting, role
):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.get(reverse("workspaces:document-list", args=[workspace.pk]))

    if role in SEES:
        assert response.status_code == 200
        assert "Quarterly chart" in response.text
    else:
        assert response.status_code == 404
        assert "Quarterly chart" not in response.text


@pytest.mark.parametrize("role", ALL)
def test_document_page_shows_versions_only_to_those_who_see_the_workspace(
    client, setting, role
):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.get(document_url("document-detail", document))

    if role in SEES:
        assert response.status_code == 200
        assert document.versions.get().sha256 in response.text
    else:
        assert response.status_code == 404
        assert "Quarterly chart" not in response.text


@pytest.mark.parametrize("role", ALL)
def test_only_leads_and_members_upload(client, setting, role, english):
    workspace, roles, _document = setting
    login(client, roles, role)

    response = post_files(client, workspace, {"notes.txt": b"minutes\n"})

    uploaded = Document.objects.filter(workspace=workspace, title="notes").exists()
    if role in CONTRIBUTES:
        assert response.status_code == 302
        assert uploaded
    elif role in SEES:
        assert response.status_code == 403
        assert "leads and members can upload" in response.text
        assert not uploaded
    else:
        assert response.status_code == 404
        assert not uploaded


@pytest.mark.parametrize("role", ALL)
def test_only_leads_and_members_upload_new_versions(client, setting, role):
    workspace, roles, document = setting
    login(client, roles, role)

    response = post_version(client, document, "chart.png", files.png_bytes(color="red"))

    document.refresh_from_db()
    if role in CONTRIBUTES:
        assert response.status_code == 302
        assert document.version_count == 2
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert document.version_count == 1


@pytest.mark.parametrize("role", ALL)
def test_downloads_are_served_and_recorded_for_those_who_see_the_workspace(
    client, setting, role
):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.get(document_url("document-download", document, 1))

    recorded = DocumentDownload.objects.filter(version__document=document)
    if role in SEES:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.png_bytes()
        assert response["Content-Disposition"].startswith("attachment")
        assert [download.user for download in recorded] == [getattr(roles, role)]
    else:
        assert response.status_code == 404
        assert not recorded.exists()


@pytest.mark.parametrize("role", ALL)
def test_previews_are_served_only_to_those_who_see_the_workspace(client, setting, role):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.get(document_url("document-preview", document, 1))

    if role in SEES:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    else:
        assert response.status_code == 404
    # Looking at a preview is not a download.
    assert not DocumentDownload.objects.exists()


@pytest.mark.parametrize("role", ALL)
def test_only_leads_delete_documents(client, setting, role):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.post(document_url("document-delete", document))

    document.refresh_from_db()
    if role in LEADS:
        assert response.status_code == 302
        assert document.deleted_at is not None
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert document.deleted_at is None


@pytest.mark.parametrize("role", ALL)
def test_only_leads_see_and_restore_deleted_documents(client, setting, role):
    workspace, roles, document = setting
    services.document_delete(actor=roles.lead, document=document)
    login(client, roles, role)

    page = client.get(document_url("document-detail", document))
    listed = client.get(
        reverse("workspaces:document-list", args=[workspace.pk]) + "?deleted=1"
    )
    response = client.post(document_url("document-restore", document))

    document.refresh_from_db()
    if role in LEADS:
        assert page.status_code == 200
        assert "Quarterly chart" in listed.text
        assert response.status_code == 302
        assert document.deleted_at is None
    else:
        # A deleted document is gone for everyone else: not found, not listed.
        assert page.status_code == 404
        assert "Quarterly chart" not in listed.text
        assert response.status_code == 404
        assert document.deleted_at is not None


@pytest.mark.parametrize("role", ALL)
def test_only_leads_see_the_download_log(client, setting, role):
    workspace, roles, document = setting
    services.document_download_record(
        actor=roles.guest, version=document.versions.get()
    )
    login(client, roles, role)

    response = client.get(reverse("workspaces:document-downloads", args=[workspace.pk]))

    if role in LEADS:
        assert response.status_code == 200
        assert 'class="downloads"' in response.text
        assert roles.guest.name in response.text
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert 'class="downloads"' not in response.text


@pytest.mark.parametrize("role", ALL)
def test_participants_guests_included_comment_on_documents(client, setting, role):
    workspace, roles, document = setting
    login(client, roles, role)

    response = client.post(
        document_url("document-comment", document), {"body": "Looks good to me."}
    )

    document.refresh_from_db()
    if role in COMMENTERS:
        assert response.status_code == 302
        assert document.thread.posts.get().body == "Looks good to me."
    else:
        assert response.status_code == (403 if role in SEES else 404)
        assert document.thread is None


def test_a_removed_member_s_download_links_stop_working(client, setting):
    workspace, roles, document = setting
    member = roles.member
    client.force_login(member)
    url = document_url("document-download", document, 1)
    preview = document_url("document-preview", document, 1)
    assert client.get(url).status_code == 200
    assert client.get(preview).status_code == 200

    people.participant_remove(
        actor=roles.lead, participant=workspace.participants.get(user=member)
    )

    assert client.get(url).status_code == 404
    assert client.get(preview).status_code == 404
    assert DocumentDownload.objects.filter(user=member).count() == 1


def test_an_archived_workspace_takes_no_upload_but_still_serves_downloads(
    client, setting
):
    workspace, roles, document = setting
    workspace_services.workspace_archive(actor=roles.lead, workspace=workspace)
    client.force_login(roles.member)

    refused = post_files(client, workspace, {"late.txt": b"too late\n"})
    downloaded = client.get(document_url("document-download", document, 1))

    assert refused.status_code == 403
    assert not Document.objects.filter(title="late").exists()
    assert downloaded.status_code == 200


def test_a_document_of_another_workspace_is_not_found_through_this_one(client, setting):
    workspace, roles, document = setting
    other = make_workspace(lead=roles.lead)
    client.force_login(roles.lead)

    response = client.get(
        reverse("workspaces:document-download", args=[other.pk, document.pk, 1])
    )

    assert response.status_code == 404
    assert not DocumentDownload.objects.exists()
