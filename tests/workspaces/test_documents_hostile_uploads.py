"""Hostile uploads through the real upload view: each is refused with a message that
names the reason and leaves nothing on disk, or is stored safely (a clean name, a
random storage name) and only ever served as an attachment."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.support.workspaces import workspace_roles
from tests.workspaces import hostile_files as files
from tests.workspaces.document_helpers import document_url, post_files, sha256
from workspaces import storage
from workspaces.models import Document, DocumentVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, workspace, english):
    person = workspace_roles(workspace).member
    client.force_login(person)
    return person


@pytest.fixture
def temp_dir(settings, tmp_path):
    """Where uploads stream to before they are checked."""
    path = tmp_path / "uploads"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    return path


def files_under(path):
    path = Path(path)
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def stored_versions(workspace):
    return DocumentVersion.objects.filter(document__workspace=workspace)


def test_an_oversized_file_is_stopped_while_streaming_and_leaves_nothing_on_disk(
    client, settings, workspace, member, temp_dir, monkeypatch
):
    settings.UPLOAD_MAX_BYTES = 200_000
    handlers = []

    class Watched(storage.DocumentUploadHandler):
        def __init__(self, request=None):
            super().__init__(request)
            handlers.append(self)

    monkeypatch.setattr(storage, "DocumentUploadHandler", Watched)
    big = b"a" * 2_000_000

    response = post_files(
        client, workspace, {"small.txt": b"fine\n", "huge.txt": big}, json=True
    )

    assert response.status_code == 413
    (message,) = response.json()["errors"]["files"]
    assert "huge.txt" in message and "larger than" in message
    # Parsing stopped at the first chunk past the limit, not at the end of the file.
    (handler,) = handlers
    assert handler.received <= settings.UPLOAD_MAX_BYTES + storage.CHUNK_SIZE
    # Nothing stored, not even the small file sent with it; no temporary file left.
    assert not stored_versions(workspace).exists()
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temp_dir) == []


def test_an_oversized_file_shows_its_refusal_on_the_plain_form(
    client, settings, workspace, member, temp_dir
):
    settings.UPLOAD_MAX_BYTES = 50_000

    response = post_files(client, workspace, {"huge.csv": b"1,2\n" * 50_000})

    assert response.status_code == 413
    assert "larger than" in response.text and "huge.csv" in response.text
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temp_dir) == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", files.HTML_PAGE, "HTML"),
        ("logo.svg", files.SVG_WITH_SCRIPT, "web page"),
        ("logo.txt", files.SVG_WITH_SCRIPT, "SVG"),
        ("empty.pdf", b"", "empty"),
        ("invoice\u202egpj.exe", b"MZ" + b"\x00" * 64, ".exe"),
        ("report.pdf", files.PDF_HTML_POLYGLOT, "web page markup"),
        ("bomb.zip", files.zip_bomb(), "ZIP bomb"),
        ("slip.zip", files.zip_slip(), "outside its folder"),
        ("link.zip", files.zip_symlink(), "symbolic link"),
        ("run.txt", files.SHELL_SCRIPT, "Scripts"),
        ("setup.pdf", files.WINDOWS_PROGRAM, "Windows program"),
    ],
)
def test_hostile_files_are_refused_with_their_reason_and_nothing_is_kept(
    client, settings, workspace, member, temp_dir, name, content, reason
):
    response = post_files(client, workspace, {name: content}, json=True)

    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["files"])
    assert reason in message
    assert not Document.objects.filter(workspace=workspace).exists()
    assert files_under(settings.MEDIA_ROOT) == []
    assert files_under(temp_dir) == []


def test_one_refused_file_refuses_the_whole_upload_with_each_reason(
    client, settings, workspace, member
):
    response = post_files(
        client,
        workspace,
        {"ok.txt": b"fine\n", "page.html": files.HTML_PAGE, "x.svg": b"<svg/>"},
    )

    assert response.status_code == 400
    assert "page.html" in response.text and "x.svg" in response.text
    assert not Document.objects.filter(workspace=workspace).exists()
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/cron.d/evil.txt", "evil.txt"),
        ("evil\x00.txt", "evil.txt"),
        ("notes\u202e.txt", "notes.txt"),
        ("a" * 300 + ".txt", "a" * 251 + ".txt"),
    ],
)
def test_dangerous_names_are_stored_cleaned_under_a_random_storage_name(
    client, settings, workspace, member, sent, kept
):
    response = post_files(client, workspace, {sent: b"plain text\n"})

    assert response.status_code == 302
    version = stored_versions(workspace).get()
    assert version.original_name == kept
    assert re.fullmatch(rf"workspaces/{workspace.pk}/[0-9a-f]{{32}}", version.file.name)
    assert files_under(settings.MEDIA_ROOT) == [
        Path(settings.MEDIA_ROOT) / version.file.name
    ]
    download = client.get(document_url("document-download", version.document, 1))
    assert download["Content-Disposition"] == f'attachment; filename="{kept}"'


def test_non_ascii_names_are_offered_with_rfc_5987_encoding(client, workspace, member):
    post_files(client, workspace, {'città "nuova".pdf': files.pdf()})
    version = stored_versions(workspace).get()

    response = client.get(document_url("document-download", version.document, 1))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''citt%C3%A0%20%22nuova%22.pdf"
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", files.pdf(), "application/pdf"),
        ("chart.png", files.png_bytes(), "image/png"),
        ("people.csv", files.CSV_TEXT, "text/csv"),
        ("notes.md", b"# <b>bold</b> words\n", "text/markdown"),
        ("contract.docx", files.docx_bytes(), None),
        ("minutes.odt", files.odt_bytes(), "application/vnd.oasis.opendocument.text"),
        (
            "data.zip",
            files.zip_bytes({"index.html": files.HTML_PAGE}),
            "application/zip",
        ),
    ],
)
def test_accepted_files_are_only_ever_served_as_attachments(
    client, workspace, member, name, content, content_type
):
    post_files(client, workspace, {name: content})
    version = stored_versions(workspace).get()

    response = client.get(document_url("document-download", version.document, 1))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert (
        "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]
    )
    if content_type:
        assert response["Content-Type"] == content_type
    assert b"".join(response.streaming_content) == content


def test_a_pixel_flood_png_is_stored_but_gets_no_preview_and_says_why(
    client, workspace, member, django_capture_on_commit_callbacks
):
    flood = files.pixel_flood_png()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_files(client, workspace, {"flood.png": flood})
    assert response.status_code == 302
    version = stored_versions(workspace).get()

    page = client.get(document_url("document-detail", version.document))
    preview = client.get(document_url("document-preview", version.document, 1))

    version.refresh_from_db()
    assert version.preview_state == DocumentVersion.Preview.FAILED
    assert version.preview_problem == DocumentVersion.PreviewProblem.TOO_LARGE
    assert not version.preview
    assert preview.status_code == 404
    assert "too many pixels" in page.text or "troppi pixel" in page.text
    assert "document-preview" not in page.text
    # The original still downloads, as an attachment.
    download = client.get(document_url("document-download", version.document, 1))
    assert download["Content-Disposition"].startswith("attachment;")
    assert sha256(b"".join(download.streaming_content)) == sha256(flood)


def test_previews_are_new_pngs_served_with_nosniff_never_the_original(
    client, workspace, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, workspace, {"report.pdf": files.pdf()})
    version = stored_versions(workspace).get()

    page = client.get(document_url("document-detail", version.document))
    response = client.get(document_url("document-preview", version.document, 1))

    preview_url = document_url("document-preview", version.document, 1)
    assert f'src="{preview_url}"' in page.text
    # The page embeds no link that would show the original inline.
    download_url = document_url("document-download", version.document, 1)
    assert f'src="{download_url}"' not in page.text
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\x89PNG") and b"%PDF" not in body


def test_an_upload_view_reads_no_body_for_a_stranger(
    client, settings, workspace, temp_dir
):
    client.force_login(workspace_roles(workspace).stranger)

    response = post_files(client, workspace, {"x.txt": b"x\n"})

    assert response.status_code == 404
    assert files_under(temp_dir) == [] and files_under(settings.MEDIA_ROOT) == []


def test_uploads_count_against_the_upload_rate_limit(
    client, settings, workspace, member
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (2, 3600)}

    answers = [
        post_files(client, workspace, {f"n{number}.txt": b"x\n"}, json=True)
        for number in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 400]
    assert "too often" in " ".join(answers[2].json()["errors"]["__all__"])
    assert Document.objects.filter(workspace=workspace).count() == 2
    assert len(files_under(settings.MEDIA_ROOT)) == 2


def test_the_page_explains_the_limit_and_the_accepted_types(
    client, settings, workspace, member
):
    settings.UPLOAD_MAX_BYTES = 25 * 1024 * 1024

    response = client.get(reverse("workspaces:document-list", args=[workspace.pk]))

    assert "25,0" in response.text or "25.0" in response.text
    assert "OpenDocument" in response.text
