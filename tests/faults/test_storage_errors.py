"""The disk fills up while a file is being stored: avatars, workspace documents and
their versions, post attachments, workspace exports.

A storage that writes part of a file and then fails with ENOSPC, as a full disk does,
stands in for the real one. Through the real views: the person sees the form again
with a clear, translated message (never a 500), nothing partial stays under
MEDIA_ROOT, no row is written (the previous avatar stays and is still shown), and
once there is room again the same upload works.
"""

import errno
import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from community import uploads
from community.models import Attachment, User
from live.models import Event
from tests.community.room_helpers import community_with_room
from tests.support.roles import member_of
from tests.support.workspaces import make_workspace, workspace_roles
from tests.workspaces import hostile_files as files
from tests.workspaces.document_helpers import make_document, post_files, post_version
from workspaces.models import Document, DocumentVersion, WorkspaceExport
from workspaces.services import exports

pytestmark = [
    pytest.mark.faults,
    pytest.mark.slow,
    pytest.mark.xdist_group(__name__),
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
]

DISK_FULL = (
    "The server could not store the file (disk full). Nothing was saved; "
    "try again later."
)
PART = 1000  # bytes of a file that reach the disk before it is full


class FillingDiskStorage(FileSystemStorage):
    """The file-system storage on a disk that fills up: after `files_left` more
    files (None: never), each file written stops with ENOSPC after its first PART
    bytes, which stay on disk, as a write() that runs out of space leaves them."""

    files_left = None

    def _save(self, name, content):
        if self.files_left is None or self.files_left > 0:
            if self.files_left is not None:
                self.files_left -= 1
            return super()._save(name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        path.write_bytes(content.read(PART))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def disk(settings):
    """The default storage, on a disk that fills up when told (`disk.files_left`)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FillingDiskStorage"},
    }
    default_storage.files_left = None  # Django made the storage anew for the setting
    assert isinstance(default_storage._wrapped, FillingDiskStorage)
    return default_storage


def media_files(settings):
    """Every file under MEDIA_ROOT, by path relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def image(color, name="me.png", size=(300, 300)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


# --- avatars ---------------------------------------------------------------------------


def profile_post(client, person, avatar, display_name="Giulia Bianchi"):
    return client.post(
        reverse("community:profile-edit"),
        {
            "display_name": display_name,
            "bio": "",
            "expertise": "",
            "language": "en",
            "time_zone": "Europe/Rome",
            "avatar": avatar,
        },
    )


def test_a_new_avatar_on_a_full_disk_keeps_the_old_one_and_the_next_upload_works(
    client, user, disk, settings
):
    client.force_login(user)
    assert profile_post(client, user, image("teal")).status_code == 302
    user.refresh_from_db()
    before = user.avatar.name
    shown = client.get(reverse("community:avatar", args=[user.username]))
    old_picture = b"".join(shown.streaming_content)
    files_before = media_files(settings)
    events_before = Event.objects.count()

    disk.files_left = 0
    response = profile_post(client, user, image("orange"), display_name="Altro nome")

    assert response.status_code == 200  # the form again, not a 500
    assert DISK_FULL in response.text
    assert DISK_FULL in response.context["form"].errors["avatar"]
    user.refresh_from_db()
    assert user.avatar.name == before
    assert user.display_name != "Altro nome"  # nothing of the profile changed
    assert Event.objects.count() == events_before
    assert media_files(settings) == files_before  # nothing partial left
    profile = client.get(reverse("community:profile", args=[user.username]))
    assert reverse("community:avatar", args=[user.username]) in profile.text
    shown = client.get(reverse("community:avatar", args=[user.username]))
    assert b"".join(shown.streaming_content) == old_picture

    disk.files_left = None
    assert profile_post(client, user, image("orange")).status_code == 302
    user.refresh_from_db()
    assert user.avatar.name != before
    assert Path(user.avatar.path).read_bytes() != old_picture


def test_a_sized_avatar_the_disk_has_no_room_for_serves_the_stored_one(
    client, user, disk, settings
):
    client.force_login(user)
    profile_post(client, user, image("teal"))
    user = User.objects.get(pk=user.pk)
    files_before = media_files(settings)

    disk.files_left = 0
    url = reverse(
        "community:avatar-sized", args=[user.username, 64, user.avatar_version]
    )
    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == Path(user.avatar.path).read_bytes()
    assert media_files(settings) == files_before  # no partial copy served later
    disk.files_left = None
    again = client.get(url)
    with Image.open(io.BytesIO(b"".join(again.streaming_content))) as drawn:
        assert max(drawn.size) == 64


# --- workspace documents ---------------------------------------------------------------


@pytest.fixture
def workspace():
    return make_workspace()


@pytest.fixture
def roles(workspace):
    return workspace_roles(workspace)


@pytest.mark.parametrize("stored_first", [0, 1])
def test_documents_on_a_full_disk_leave_nothing_and_the_next_upload_works(
    client, workspace, roles, disk, settings, stored_first
):
    """Two files in one upload; the disk fills up on the first, or on the second
    once the first is stored: neither is kept."""
    client.force_login(roles.member)
    sent = {"plan.pdf": files.pdf("Plan"), "budget.pdf": files.pdf("Budget " * 400)}

    disk.files_left = stored_first
    response = post_files(client, workspace, sent)

    assert response.status_code == 400  # the form again, with the reason
    assert DISK_FULL in response.text
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert not Event.objects.filter(type="document.uploaded").exists()
    assert media_files(settings) == set()

    answer = post_files(client, workspace, sent, json=True)
    assert answer.status_code == 400
    assert DISK_FULL in str(answer.json())
    assert media_files(settings) == set()

    disk.files_left = None
    assert post_files(client, workspace, sent).status_code == 302
    assert Document.objects.count() == 2
    stored = {Path(v.file.name) for v in DocumentVersion.objects.all()}
    assert stored == media_files(settings)


def test_a_new_version_on_a_full_disk_leaves_the_document_as_it_was(
    client, workspace, roles, disk, settings
):
    document = make_document(workspace, roles.member, "plan.pdf", files.pdf("v1"))
    client.force_login(roles.lead)
    files_before = media_files(settings)

    disk.files_left = 0
    response = post_version(client, document, "plan-v2.pdf", files.pdf("v2" * 500))

    assert response.status_code == 400
    assert DISK_FULL in response.text
    document.refresh_from_db()
    assert document.version_count == 1
    assert list(document.versions.values_list("number", flat=True)) == [1]
    assert not Event.objects.filter(type="document.versioned").exists()
    assert media_files(settings) == files_before

    disk.files_left = None
    assert (
        post_version(client, document, "plan-v2.pdf", files.pdf("v2")).status_code
        == 302
    )
    document.refresh_from_db()
    assert document.version_count == 2


def test_an_export_the_disk_has_no_room_for_fails_and_leaves_no_partial_zip(
    workspace, roles, disk, settings
):
    make_document(workspace, roles.lead, "plan.pdf", files.pdf("Plan " * 400))
    files_before = media_files(settings)

    disk.files_left = 0
    export = exports.export_request(actor=roles.lead, workspace=workspace)
    exports.export_build(export.pk)

    export.refresh_from_db()
    assert export.state == WorkspaceExport.State.FAILED
    assert not export.file
    assert media_files(settings) == files_before

    disk.files_left = None
    again = exports.export_request(actor=roles.lead, workspace=workspace)
    exports.export_build(again.pk)
    again.refresh_from_db()
    assert again.state == WorkspaceExport.State.READY
    assert media_files(settings) == files_before | {Path(again.file.name)}


# --- post attachments ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, stored_first",
    [
        ("foto.jpg", files.jpeg_bytes((900, 700)), 0),
        ("foto.jpg", files.jpeg_bytes((900, 700)), 1),  # the thumbnail fails
        ("relazione.pdf", files.pdf("Relazione " * 300), 0),
    ],
)
def test_an_attachment_on_a_full_disk_leaves_nothing_and_the_next_one_works(
    client, disk, settings, name, content, stored_first
):
    community, _owner, room = community_with_room()
    member = member_of(community)
    client.force_login(member)
    url = reverse("community:attachment-upload", args=[room.pk])

    disk.files_left = stored_first
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert DISK_FULL in " ".join(response.json()["errors"]["file"])
    assert not Attachment.objects.exists()
    assert media_files(settings) == set()

    disk.files_left = None
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 201
    assert Attachment.objects.count() == 1
    assert media_files(settings)


# --- the message -----------------------------------------------------------------------


def test_the_message_names_a_full_disk_apart_from_other_storage_errors_in_italian():
    full = OSError(errno.ENOSPC, "No space left on device")
    broken = OSError(errno.EIO, "Input/output error")
    with translation.override("it"):
        assert uploads.storage_failed_message(full) == (
            "Il server non è riuscito a salvare il file (disco pieno). Non è stato "
            "salvato nulla; riprova più tardi."
        )
        assert uploads.storage_failed_message(broken) == (
            "Il server non è riuscito a salvare il file. Non è stato salvato nulla; "
            "riprova più tardi."
        )
