"""Files and images sent with posts and room messages: the composer's upload (the
workspace documents' checks, hostile files included), sending them with a message,
who may download them now (after a hide or a delete too), and uploads never sent."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from community.models import Attachment, Community, Post
from community.services import attachments, moderation, thread_tools, threads
from tests.community.room_helpers import community_with_room, post_url, room_url
from tests.community.thread_helpers import login, thread_url
from tests.support.roles import member_of, person_in
from tests.workspaces import hostile_files as files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


def upload_url(thread):
    return reverse("community:attachment-upload", args=[thread.pk])


def upload(client, thread, name, content):
    return client.post(upload_url(thread), {"file": SimpleUploadedFile(name, content)})


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def photo_with_location(size=(1600, 1200)):
    """A JPEG carrying EXIF with a GPS position and a camera's orientation."""
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera Segreta"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 28.0, 0.0), 3: "E", 4: (9.0, 11.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def room_setting():
    community, owner, room = community_with_room()
    member = member_of(community)
    return community, owner, room, member


def pending(member, room, name="foto.jpg", content=None):
    """An upload through the service, not sent yet."""
    return attachments.attachment_upload(
        actor=member,
        thread=room,
        upload=SimpleUploadedFile(name, content or files.jpeg_bytes()),
    )


def sent(member, room, *, name="foto.jpg", content=None, body="Ecco"):
    attachment = pending(member, room, name, content)
    post = threads.post_reply(
        actor=member, thread=room, body=body, attachments=[attachment.pk]
    )
    attachment.refresh_from_db()
    return post, attachment


# --- uploading ----------------------------------------------------------------------


def test_an_image_is_stored_redrawn_without_its_metadata_with_a_thumbnail(
    client, room_setting, settings
):
    community, owner, room, member = room_setting
    login(client, member)

    response = upload(client, room, "vacanza.jpg", photo_with_location())

    assert response.status_code == 201
    data = response.json()
    attachment = Attachment.objects.get(pk=data["id"])
    assert data["kind"] == "image" and data["name"] == "vacanza.jpg"
    assert attachment.post is None and attachment.uploaded_by == member
    full = client.get(attachment.get_absolute_url())
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    redrawn = Image.open(io.BytesIO(b"".join(full.streaming_content)))
    assert redrawn.size == (1600, 1200)
    assert not redrawn.getexif(), "the GPS position and camera must be gone"
    thumb = client.get(data["thumbnail_url"])
    assert thumb.status_code == 200
    small = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert max(small.size) == settings.ATTACHMENT_THUMBNAIL_SIDE
    assert (attachment.thumbnail_width, attachment.thumbnail_height) == small.size
    assert thumb["X-Content-Type-Options"] == "nosniff"


def test_a_pending_upload_is_its_uploaders_alone(client, room_setting):
    community, owner, room, member = room_setting
    attachment = pending(member, room)

    login(client, owner)

    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert client.get(attachment.thumbnail_url).status_code == 404
    discard = reverse("community:attachment-discard", args=[attachment.pk])
    assert client.post(discard).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_uploader_removes_a_pending_upload_and_its_files(
    client, room_setting, settings, django_capture_on_commit_callbacks
):
    community, owner, room, member = room_setting
    attachment = pending(member, room)
    assert len(stored_files(settings)) == 2

    login(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community:attachment-discard", args=[attachment.pk])
        )

    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("role", ["anonymous", "outsider", "banned", "muted"])
def test_only_people_who_may_write_upload(client, role, settings):
    community, owner, room = community_with_room()
    login(client, person_in(community, role))

    response = upload(client, room, "foto.png", files.png_bytes())

    assert response.status_code == 403
    assert response.json()["errors"]["file"]
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_stranger_cannot_tell_a_private_room_exists(client):
    community, owner, room = community_with_room(Visibility.PRIVATE)
    login(client, person_in(community, "outsider"))

    response = upload(client, room, "foto.png", files.png_bytes())

    assert response.status_code == 404


HOSTILE = [
    ("pagina.html", files.HTML_PAGE, "web page"),
    ("disegno.svg", files.SVG_WITH_SCRIPT, "web page"),
    ("innocuo.txt", files.SVG_WITH_SCRIPT, "SVG"),
    ("report.pdf", files.PDF_HTML_POLYGLOT, "mixed files"),
    ("foto.png", files.png_bytes() + files.PNG_HTML_POLYGLOT_TAIL, None),
    ("setup.exe", files.WINDOWS_PROGRAM, "programs"),
    ("foto.jpg", files.WINDOWS_PROGRAM, "Windows program"),
    ("pulizia.txt", files.SHELL_SCRIPT, "Scripts"),
    ("archivio.zip", files.zip_bomb(), "ZIP bomb"),
    ("archivio.zip", files.zip_slip(), "outside its"),
    ("archivio.zip", files.zip_symlink(), "symbolic link"),
    ("nota.pdf", files.CSV_TEXT, "rename it"),
    ("vuoto.txt", b"", "empty"),
    # Images that decode to huge sizes: refused from their header, never expanded.
    ("enorme.png", files.pixel_flood_png(), "too large to show"),
    ("largo.png", files.pixel_flood_png(side=7_000), "too large to show"),
    ("rotto.png", files.png_bytes()[:60], "damaged"),
]


@pytest.mark.parametrize("name, content, reason", HOSTILE)
def test_hostile_files_are_refused_and_nothing_is_stored(
    client, room_setting, settings, name, content, reason
):
    community, owner, room, member = room_setting
    login(client, member)

    assert_refused_or_redrawn(client, upload(client, room, name, content), name, reason, settings)


def assert_refused_or_redrawn(client, response, name, reason, settings):
    """A hostile upload is refused, naming the file (and why), with nothing stored;
    a PNG with markup after its end may be kept, but only redrawn: the markup is gone
    from what is served."""
    if name == "foto.png" and response.status_code == 201:
        served = client.get(Attachment.objects.get().get_absolute_url())
        assert b"<script" not in b"".join(served.streaming_content)
        return
    assert response.status_code == 400, response.content
    (message,) = response.json()["errors"]["file"]
    assert name in message
    if reason:
        assert reason in message
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_file_past_the_upload_limit_is_stopped_while_streaming(
    client, room_setting, settings
):
    settings.UPLOAD_MAX_BYTES = 100_000
    community, owner, room, member = room_setting
    login(client, member)

    response = upload(client, room, "grande.txt", b"a" * 1_000_000)

    assert response.status_code == 413
    (message,) = response.json()["errors"]["file"]
    assert "larger than" in message
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_too_many_uploads_waiting_are_refused(client, room_setting, settings):
    settings.ATTACHMENTS_PENDING_MAX = 2
    community, owner, room, member = room_setting
    login(client, member)
    for _n in range(2):
        assert upload(client, room, "a.png", files.png_bytes()).status_code == 201

    response = upload(client, room, "b.png", files.png_bytes())

    assert response.status_code == 400
    assert "waiting to be sent" in response.json()["errors"]["file"][0]


def test_uploads_count_against_the_upload_rate_limit(client, room_setting, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (1, 3600)}
    community, owner, room, member = room_setting
    login(client, member)
    assert upload(client, room, "a.png", files.png_bytes()).status_code == 201

    response = upload(client, room, "b.png", files.png_bytes())

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


# --- sending ------------------------------------------------------------------------


def test_a_room_message_is_sent_with_its_image_and_shows_the_thumbnail(
    client, room_setting
):
    community, owner, room, member = room_setting
    login(client, member)
    attachment_id = upload(client, room, "grafico.png", files.png_bytes()).json()["id"]

    response = client.post(
        post_url(room), {"body": "Il grafico", "attachments": [attachment_id]}
    )

    assert response.status_code == 302
    post = room.posts.get()
    attachment = Attachment.objects.get(pk=attachment_id)
    assert attachment.post == post and post.attachment_count == 1
    page = login(client, owner).get(room_url(room)).content.decode()
    assert attachment.thumbnail_url in page
    assert f'href="{attachment.get_absolute_url()}"' in page


def test_files_alone_make_a_message(client, room_setting):
    community, owner, room, member = room_setting
    login(client, member)
    attachment_id = upload(client, room, "dati.csv", files.CSV_TEXT).json()["id"]

    response = client.post(post_url(room), {"body": "", "attachments": [attachment_id]})

    assert response.status_code == 302
    post = room.posts.get()
    assert post.body == "" and post.attachment_count == 1
    page = client.get(room_url(room)).content.decode()
    assert "dati.csv" in page and "data-attachment-file" in page


def test_a_reply_in_a_discussion_carries_its_files(client):
    from tests.community.thread_helpers import community_with_thread

    community, owner, thread = community_with_thread()
    member = member_of(community)
    login(client, member)
    attachment_id = upload(client, thread, "offerta.pdf", files.pdf()).json()["id"]

    response = client.post(
        reverse("community:thread-reply", args=[community.slug, thread.pk]),
        {"body": "In allegato l'offerta", "attachments": [attachment_id]},
    )

    assert response.status_code == 302
    page = client.get(thread_url(thread)).content.decode()
    assert "offerta.pdf" in page


@pytest.mark.parametrize("where", ["reply page", "room page"])
def test_a_refused_composer_still_holds_its_files_to_remove(client, where, settings):
    from tests.community.thread_helpers import community_with_thread

    if where == "reply page":
        community, owner, thread = community_with_thread()
        address = reverse("community:thread-reply", args=[community.slug, thread.pk])
    else:
        community, owner, thread = community_with_room()
        address = post_url(thread)
    member = member_of(community)
    login(client, member)
    image_id = upload(client, thread, "banco.png", files.png_bytes()).json()["id"]
    settings.POST_BODY_MAX_LENGTH = 20

    response = client.post(address, {"body": "x" * 40, "attachments": [image_id]})

    assert response.status_code == 200
    page = response.content.decode()
    # In the files box, with Remove, sent once more only from there.
    assert f'data-attachment-id="{image_id}"' in page and "Remove banco.png" in page
    assert page.count(f'name="attachments" value="{image_id}"') == 1
    assert Attachment.objects.get(pk=image_id).post is None


def test_someone_elses_upload_cannot_be_sent(room_setting):
    community, owner, room, member = room_setting
    theirs = pending(owner, room)

    with pytest.raises(Exception) as refused:
        threads.post_reply(
            actor=member, thread=room, body="Rubo", attachments=[theirs.pk]
        )

    assert "no longer available" in str(refused.value)
    assert not room.posts.exists()
    theirs.refresh_from_db()
    assert theirs.post is None


def test_an_upload_goes_only_to_the_thread_it_was_uploaded_for(room_setting):
    community, owner, room, member = room_setting
    from community.services import rooms

    other = rooms.room_create(actor=owner, community=community, name="Altro")
    attachment = pending(member, room)

    with pytest.raises(Exception, match="no longer available"):
        threads.post_reply(
            actor=member, thread=other, body="Qui", attachments=[attachment.pk]
        )


def test_an_upload_is_sent_once(room_setting):
    community, owner, room, member = room_setting
    post, attachment = sent(member, room)

    with pytest.raises(Exception, match="no longer available"):
        threads.post_reply(
            actor=member, thread=room, body="Di nuovo", attachments=[attachment.pk]
        )
    assert room.posts.count() == 1


def test_a_message_carries_at_most_the_limit_of_files(room_setting, settings):
    settings.ATTACHMENTS_PER_POST = 2
    community, owner, room, member = room_setting
    ids = [pending(member, room).pk for _n in range(3)]

    with pytest.raises(Exception, match="at most 2 files"):
        threads.post_reply(actor=member, thread=room, body="Tre", attachments=ids)
    assert not room.posts.exists()


def test_a_held_message_may_not_carry_files(room_setting):
    community, owner, room, member = room_setting
    community.first_posts_approval = 1
    community.save()
    from community.services import rules

    assert rules.needs_approval(member, community)
    attachment = pending(member, room)

    with pytest.raises(Exception, match="without files"):
        threads.post_reply(
            actor=member, thread=room, body="Primo", attachments=[attachment.pk]
        )


# --- who downloads what, now --------------------------------------------------------


@pytest.mark.parametrize(
    "visibility, role, status",
    [
        (Visibility.PUBLIC, "anonymous", 200),
        (Visibility.PUBLIC, "outsider", 200),
        (Visibility.PUBLIC, "member", 200),
        (Visibility.PRIVATE, "anonymous", 404),
        (Visibility.PRIVATE, "outsider", 404),
        (Visibility.PRIVATE, "pending", 404),
        (Visibility.PRIVATE, "banned", 404),
        (Visibility.PRIVATE, "member", 200),
        (Visibility.PRIVATE, "moderator", 200),
        (Visibility.RESTRICTED, "outsider", 404),
        (Visibility.RESTRICTED, "member", 200),
    ],
)
def test_downloads_follow_who_reads_the_thread(client, visibility, role, status):
    community, owner, room = community_with_room(visibility)
    author = member_of(community)
    post, image = sent(author, room)
    _post, document = sent(author, room, name="dati.csv", content=files.CSV_TEXT)
    login(client, person_in(community, role))

    assert client.get(image.get_absolute_url()).status_code == status
    assert client.get(image.thumbnail_url).status_code == status
    assert client.get(document.get_absolute_url()).status_code == status


def test_a_file_downloads_as_an_attachment_never_run_by_the_browser(
    client, room_setting
):
    community, owner, room, member = room_setting
    post, document = sent(member, room, name="note.md", content=files.MARKDOWN_TEXT)

    response = login(client, owner).get(document.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="note.md"' in response["Content-Disposition"]
    assert response["Content-Type"] == "text/markdown"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == files.MARKDOWN_TEXT


@pytest.mark.parametrize("role, status", [("member", 404), ("moderator", 200)])
def test_a_hidden_posts_files_are_for_moderators_only(client, room_setting, role, status):
    community, owner, room, member = room_setting
    post, image = sent(member, room)
    moderation.post_hide(actor=owner, post=post, reason="Fuori tema")
    login(client, person_in(community, role))

    assert client.get(image.get_absolute_url()).status_code == status
    assert client.get(image.thumbnail_url).status_code == status
    page = client.get(room_url(room)).content.decode()
    assert (image.thumbnail_url in page) is (status == 200)


def test_files_come_back_when_a_hidden_post_is_shown_again(client, room_setting):
    community, owner, room, member = room_setting
    post, image = sent(member, room)
    moderation.post_hide(actor=owner, post=post, reason="Fuori tema")
    moderation.post_unhide(actor=owner, post=Post.objects.get(pk=post.pk))

    response = login(client, member_of(community)).get(image.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_deleting_a_post_deletes_its_files_for_everyone(
    client, room_setting, settings, who, django_capture_on_commit_callbacks
):
    community, owner, room, member = room_setting
    post, image = sent(member, room)
    _other, kept = sent(member, room, body="Resta")
    assert len(stored_files(settings)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        if who == "author":
            threads.post_delete(actor=member, post=post)
        else:
            thread_tools.post_remove(actor=owner, post=post, reason="Spam")

    for viewer in (member, owner, person_in(community, "staff")):
        login(client, viewer)
        assert client.get(image.get_absolute_url()).status_code == 404
        assert client.get(image.thumbnail_url).status_code == 404
    assert not Attachment.objects.filter(pk=image.pk).exists()
    assert Post.objects.get(pk=post.pk).attachment_count == 0
    # The other message's files stay.
    assert len(stored_files(settings)) == 2
    assert client.get(kept.get_absolute_url()).status_code == 200


# --- uploads never sent -------------------------------------------------------------


def test_uploads_never_sent_are_pruned_with_their_files(
    room_setting, settings, django_capture_on_commit_callbacks
):
    community, owner, room, member = room_setting
    old = pending(member, room)
    recent = pending(member, room)
    _post, sent_one = sent(member, room)
    long_ago = timezone.now() - timedelta(hours=settings.ATTACHMENT_PENDING_HOURS + 1)
    Attachment.objects.filter(pk__in=[old.pk, sent_one.pk]).update(created_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_attachments", stdout=io.StringIO())

    assert set(Attachment.objects.values_list("pk", flat=True)) == {
        recent.pk,
        sent_one.pk,
    }
    assert not any(old.file in str(path) for path in stored_files(settings))
    assert len(stored_files(settings)) == 4


def test_an_expired_upload_can_no_longer_be_sent(room_setting, settings):
    community, owner, room, member = room_setting
    attachment = pending(member, room)
    long_ago = timezone.now() - timedelta(hours=settings.ATTACHMENT_PENDING_HOURS + 1)
    Attachment.objects.filter(pk=attachment.pk).update(created_at=long_ago)

    with pytest.raises(Exception, match="no longer available"):
        threads.post_reply(
            actor=member, thread=room, body="Tardi", attachments=[attachment.pk]
        )


# --- pages --------------------------------------------------------------------------


def test_the_room_page_reads_attachments_in_one_query_whatever_their_number(
    client, room_setting, django_assert_num_queries
):
    community, owner, room, member = room_setting
    sent(member, room)
    login(client, owner)
    client.get(room_url(room))  # warm the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(room_url(room))
    for n in range(4):
        sent(member, room, body=f"Altra {n}")
        sent(member, room, name="dati.csv", content=files.CSV_TEXT, body=f"File {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(room_url(room))

    assert len(many) == len(few)
