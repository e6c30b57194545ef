"""Uploads through the real views and services, for the document tests."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workspaces.services import documents as services


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def upload_url(workspace):
    return reverse("workspaces:document-upload", args=[workspace.pk])


def document_url(name, document, *args):
    return reverse(
        f"workspaces:{name}", args=[document.workspace_id, document.pk, *args]
    )


def post_files(client, workspace, files, *, json=False, **fields):
    """POST `files` ({name: bytes}) to the upload view as the browser's form would
    (or as the page's script, with `json`)."""
    data = {"category": "other", "title": "", "note": "", **fields}
    data["files"] = [
        SimpleUploadedFile(name, content) for name, content in files.items()
    ]
    headers = {"Accept": "application/json"} if json else {}
    return client.post(upload_url(workspace), data, headers=headers)


def post_version(client, document, name, content, *, note="", json=False):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        document_url("document-version-upload", document),
        {"file": SimpleUploadedFile(name, content), "note": note},
        headers=headers,
    )


def make_document(
    workspace, actor, name="report.txt", content=b"Hello partners\n", **fields
):
    """A document uploaded through the service (version 1)."""
    fields.setdefault("category", "other")
    (document,) = services.document_upload(
        actor=actor,
        workspace=workspace,
        files=[ContentFile(content, name=name)],
        **fields,
    )
    document.workspace = workspace
    return document
