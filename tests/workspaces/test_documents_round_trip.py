"""Every version of a document downloads exactly the bytes that were uploaded: the
SHA-256 computed while the upload streamed in matches the bytes sent and the bytes
served back, through the plain form and the page's script alike."""

import os

import pytest

from tests.support.workspaces import make_workspace, workspace_roles
from tests.workspaces import hostile_files as files
from tests.workspaces.document_helpers import (
    document_url,
    post_files,
    post_version,
    sha256,
)
from workspaces.models import Document

pytestmark = pytest.mark.django_db


def test_every_version_downloads_exactly_the_bytes_uploaded(client, settings, tmp_path):
    # Files past the in-memory limit stream to a temporary file first.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    temp_dir = tmp_path / "uploads"
    temp_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp_dir)
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    big_text = b"".join(
        b"%08d,%s\n" % (n, os.urandom(8).hex().encode()) for n in range(40_000)
    )
    versions = [
        ("plan.pdf", files.pdf("First draft")),
        ("plan.pdf", files.pdf("Second draft, longer") * 1),
        ("plan.zip", files.zip_bytes({"plan.csv": big_text})),
        ("plan.csv", big_text),
        ("plan.png", files.png_bytes(size=(800, 600))),
    ]
    client.force_login(roles.member)
    name, content = versions[0]
    assert (
        post_files(client, workspace, {name: content}, title="Plan").status_code == 302
    )
    document = Document.objects.get(workspace=workspace, title="Plan")
    for number, (name, content) in enumerate(versions[1:], start=2):
        uploader = roles.lead if number % 2 else roles.member
        client.force_login(uploader)
        response = post_version(client, document, name, content, json=number == 3)
        assert response.status_code in (201, 302), response.content

    client.force_login(roles.guest)
    for number, (name, content) in enumerate(versions, start=1):
        stored = document.versions.get(number=number)
        response = client.get(document_url("document-download", document, number))
        served = b"".join(response.streaming_content)
        assert stored.sha256 == sha256(content) == sha256(served)
        assert stored.size == len(content) == int(response["Content-Length"])
        assert stored.original_name == name
    assert document.versions.count() == len(versions)
    assert not os.listdir(temp_dir)


def test_several_files_in_one_form_become_several_documents_with_their_own_bytes(
    client,
):
    workspace = make_workspace()
    client.force_login(workspace.created_by)
    sent = {"a.csv": files.CSV_TEXT, "b.md": files.MARKDOWN_TEXT, "c.pdf": files.pdf()}

    response = post_files(client, workspace, sent, title="Kick-off", category="data")

    assert response.status_code == 302
    documents = Document.objects.filter(workspace=workspace).order_by("title")
    assert [d.title for d in documents] == [
        "Kick-off — a",
        "Kick-off — b",
        "Kick-off — c",
    ]
    assert {d.category for d in documents} == {"data"}
    for document, content in zip(documents, sent.values(), strict=True):
        response = client.get(document_url("document-download", document, 1))
        assert sha256(b"".join(response.streaming_content)) == sha256(content)


def test_downloads_stream_chunk_by_chunk_under_asgi(client):
    """Django would read a file iterator whole before sending it over ASGI; the
    download view's response reads one chunk at a time instead."""
    import asyncio
    import warnings

    workspace = make_workspace()
    client.force_login(workspace.created_by)
    content = b"x,y\n" * 300_000  # 1.2 MB of CSV
    post_files(client, workspace, {"big.csv": content})
    document = Document.objects.get(workspace=workspace)
    response = client.get(document_url("document-download", document, 1))

    async def collect():
        return [chunk async for chunk in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it must read it whole
        chunks = asyncio.run(collect())

    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= 256 * 1024
    assert b"".join(chunks) == content
