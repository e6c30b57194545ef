"""Files in the first post of a new thread: uploaded from the new-thread form for the
community (its thread does not exist yet), who may upload them, the thread started
with them, the uploads it refuses, a thread held for review, and the prune."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.models import Attachment, Community, HeldPost, Thread
from community.services import attachments, threads
from tests.community.room_helpers import community_with_room
from tests.community.test_attachments import (
    HOSTILE,
    assert_refused_or_redrawn,
    stored_files,
)
from tests.community.thread_helpers import login
from tests.support.factories import CommunityFactory, MembershipFactory
from tests.support.roles import member_of, person_in
from tests.workspaces import hostile_files as files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


def upload_url(community):
    return reverse("community:community-attachment-upload", args=[community.slug])


def create_url(community):
    return reverse("community:thread-create", args=[community.slug])


def upload(client, community, name, content):
    return client.post(
        upload_url(community), {"file": SimpleUploadedFile(name, content)}
    )


def pending(person, community, name="foto.png", content=None):
    """An upload for a new thread in `community`, through the service."""
    return attachments.attachment_upload(
        actor=person,
        community=community,
        upload=SimpleUploadedFile(name, content or files.png_bytes()),
    )


def start(client, community, ids, **fields):
    data = {"title": "Prototipo del sensore", "body": "Le foto del banco prova", "tags": ""}
    data.update(fields)
    return client.post(create_url(community), {**data, "attachments": ids})


@pytest.fixture
def setting():
    community = CommunityFactory(slug="sensori")
    return community, member_of(community)


# --- uploading for a new thread -----------------------------------------------------


def test_a_member_uploads_a_file_for_the_thread_they_are_starting(client, setting):
    community, member = setting
    login(client, member)

    response = upload(client, community, "banco.png", files.png_bytes())

    assert response.status_code == 201, response.content
    data = response.json()
    attachment = Attachment.objects.get(pk=data["id"])
    assert attachment.community == community and attachment.thread is None
    assert attachment.post is None and attachment.uploaded_by == member
    assert data["thumbnail_url"] and data["discard_url"]
    assert client.get(attachment.get_absolute_url()).status_code == 200
    assert client.get(attachment.thumbnail_url).status_code == 200
    # Pending: nobody else opens it, not even another member.
    login(client, member_of(community))
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert client.get(attachment.thumbnail_url).status_code == 404


@pytest.mark.parametrize(
    "visibility, role, status",
    [
        (Visibility.PUBLIC, "member", 201),
        (Visibility.PUBLIC, "moderator", 201),
        (Visibility.PRIVATE, "member", 201),
        (Visibility.PUBLIC, "anonymous", 403),
        (Visibility.PUBLIC, "outsider", 403),
        (Visibility.PUBLIC, "banned", 403),
        (Visibility.PUBLIC, "muted", 403),
        (Visibility.RESTRICTED, "pending", 403),
        # A private community's stranger learns nothing, not even that it exists.
        (Visibility.PRIVATE, "outsider", 404),
        (Visibility.PRIVATE, "banned", 404),
    ],
)
def test_only_who_may_start_a_thread_uploads_for_one(
    client, settings, visibility, role, status
):
    community = CommunityFactory(visibility=visibility)
    login(client, person_in(community, role))

    response = upload(client, community, "foto.png", files.png_bytes())

    assert response.status_code == status, response.content
    if status == 201:
        assert Attachment.objects.get().community == community
    else:
        assert response.json()["errors"]["file"]
        assert not Attachment.objects.exists()
        assert stored_files(settings) == []


@pytest.mark.parametrize("name, content, reason", HOSTILE)
def test_hostile_files_are_refused_for_a_new_thread_too(
    client, setting, settings, name, content, reason
):
    community, member = setting
    login(client, member)

    response = upload(client, community, name, content)

    assert_refused_or_redrawn(client, response, name, reason, settings)


def test_a_file_past_the_upload_limit_is_stopped_for_a_new_thread(
    client, setting, settings
):
    settings.UPLOAD_MAX_BYTES = 100_000
    community, member = setting
    login(client, member)

    response = upload(client, community, "grande.txt", b"a" * 1_000_000)

    assert response.status_code == 413
    assert not Attachment.objects.exists()


def test_new_thread_uploads_share_the_upload_rate_limit(client, setting, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (1, 3600)}
    community, member = setting
    login(client, member)
    assert upload(client, community, "a.png", files.png_bytes()).status_code == 201

    response = upload(client, community, "b.png", files.png_bytes())

    assert response.status_code == 429


# --- starting the thread with them --------------------------------------------------


def test_a_new_thread_starts_with_its_image_and_file_shown_as_in_replies(
    client, setting
):
    community, member = setting
    login(client, member)
    image_id = upload(client, community, "banco.png", files.png_bytes()).json()["id"]
    pdf_id = upload(client, community, "scheda.pdf", files.pdf()).json()["id"]

    response = start(client, community, [image_id, pdf_id])

    thread = Thread.objects.get(title="Prototipo del sensore")
    assert response.status_code == 302 and response.url == thread.get_absolute_url()
    post = thread.posts.get()
    assert post.attachment_count == 2
    image, pdf = Attachment.objects.filter(pk__in=[image_id, pdf_id]).order_by("pk")
    for attachment in (image, pdf):
        assert attachment.post == post
        assert attachment.thread == thread and attachment.community is None
    page = client.get(thread.get_absolute_url()).content.decode()
    assert image.thumbnail_url in page and "data-attachment-image" in page
    assert f'href="{pdf.get_absolute_url()}"' in page and "data-attachment-file" in page
    # Sent: now the thread's readers download them.
    client.logout()
    assert client.get(image.get_absolute_url()).status_code == 200
    assert client.get(pdf.get_absolute_url()).status_code == 200


def test_a_new_thread_may_be_files_alone(client, setting):
    community, member = setting
    login(client, member)
    image_id = upload(client, community, "banco.png", files.png_bytes()).json()["id"]

    response = start(client, community, [image_id], body="")

    assert response.status_code == 302
    post = Thread.objects.get().posts.get()
    assert post.body == "" and post.attachment_count == 1


def test_the_new_thread_form_offers_the_file_upload(client, setting):
    community, member = setting
    login(client, member)

    page = client.get(create_url(community)).content.decode()

    assert f'data-upload-url="{upload_url(community)}"' in page
    assert "composer_attachments.js" in page


@pytest.mark.parametrize(
    "whose",
    ["someone else's", "for a thread", "another community's", "sent already", "none"],
)
def test_an_upload_not_yours_for_this_community_refuses_the_thread(
    client, setting, whose
):
    community, member = setting
    other = {
        "someone else's": lambda: pending(member_of(community), community),
        "for a thread": lambda: attachments.attachment_upload(
            actor=member,
            thread=thread_of(community, member),
            upload=SimpleUploadedFile("a.png", files.png_bytes()),
        ),
        "another community's": lambda: pending(member, member_community(member)),
        "sent already": lambda: sent_upload(community, member),
        "none": lambda: None,
    }[whose]()
    attachment_id = other.pk if other else 999_999
    before = (Thread.objects.count(), HeldPost.objects.count())
    login(client, member)

    response = start(client, community, [attachment_id], title="Con file altrui")

    assert response.status_code == 200
    assert "no longer available" in response.content.decode()
    assert not Thread.objects.filter(title="Con file altrui").exists()
    assert (Thread.objects.count(), HeldPost.objects.count()) == before
    if other is not None:
        untouched = Attachment.objects.get(pk=other.pk)
        assert (untouched.post_id, untouched.thread_id, untouched.community_id) == (
            other.post_id,
            other.thread_id,
            other.community_id,
        )
        # Not offered again in the form either: it is not this person's to send here.
        assert f'data-attachment-id="{other.pk}"' not in response.content.decode()


def thread_of(community, member):
    return threads.thread_create(
        actor=member, community=community, title="Esistente", body="Già qui"
    )


def member_community(member):
    elsewhere = CommunityFactory()
    MembershipFactory(user=member, community=elsewhere)
    return elsewhere


def sent_upload(community, member):
    attachment = pending(member, community)
    threads.thread_create(
        actor=member,
        community=community,
        title="Primo",
        body="Con foto",
        attachments=[attachment.pk],
    )
    attachment.refresh_from_db()
    return attachment


def test_a_refused_thread_form_still_holds_its_files(client, setting):
    community, member = setting
    login(client, member)
    image_id = upload(client, community, "banco.png", files.png_bytes()).json()["id"]

    response = start(client, community, [image_id], title="")

    assert response.status_code == 200 and not Thread.objects.exists()
    page = response.content.decode()
    assert f'data-attachment-id="{image_id}"' in page
    assert f'<input type="hidden" name="attachments" value="{image_id}">' in page
    # Only once, inside the files box (where "Remove" takes it out).
    assert page.count(f'name="attachments" value="{image_id}"') == 1
    assert Attachment.objects.get(pk=image_id).post is None


def test_too_many_files_refuse_the_thread(setting, settings):
    settings.ATTACHMENTS_PER_POST = 1
    community, member = setting
    ids = [pending(member, community).pk, pending(member, community).pk]

    with pytest.raises(ValidationError, match="at most 1 file"):
        threads.thread_create(
            actor=member, community=community, title="Due", body="x", attachments=ids
        )
    assert not Thread.objects.exists()


# --- held for review ----------------------------------------------------------------


def test_a_thread_held_for_review_is_refused_with_its_files_kept_to_remove(
    client, setting
):
    community, member = setting
    community.first_posts_approval = 1
    community.save()
    login(client, member)
    image_id = upload(client, community, "banco.png", files.png_bytes()).json()["id"]

    response = start(client, community, [image_id])

    assert response.status_code == 200
    page = response.content.decode()
    assert "approved by a moderator first" in page
    assert f'data-attachment-id="{image_id}"' in page
    assert not Thread.objects.exists() and not HeldPost.objects.exists()
    assert Attachment.objects.get(pk=image_id).post is None

    # Without the files it waits for the moderator, as any first thread.
    response = start(client, community, [])

    assert response.status_code == 302
    assert HeldPost.objects.get().title == "Prototipo del sensore"


# --- uploads never sent -------------------------------------------------------------


def test_new_thread_uploads_never_sent_are_pruned_with_their_files(
    setting, settings, django_capture_on_commit_callbacks
):
    community, member = setting
    old = pending(member, community)
    recent = pending(member, community)
    long_ago = timezone.now() - timedelta(hours=settings.ATTACHMENT_PENDING_HOURS + 1)
    Attachment.objects.filter(pk=old.pk).update(created_at=long_ago)
    old_files = {old.file, old.thumbnail}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_attachments", stdout=io.StringIO())

    assert list(Attachment.objects.values_list("pk", flat=True)) == [recent.pk]
    stored = {str(path) for path in stored_files(settings)}
    assert not any(name in path for name in old_files for path in stored)
    assert len(stored) == 2  # the recent one's image and thumbnail


def test_an_expired_new_thread_upload_can_no_longer_be_sent(setting, settings):
    community, member = setting
    attachment = pending(member, community)
    long_ago = timezone.now() - timedelta(hours=settings.ATTACHMENT_PENDING_HOURS + 1)
    Attachment.objects.filter(pk=attachment.pk).update(created_at=long_ago)

    with pytest.raises(ValidationError, match="no longer available"):
        threads.thread_create(
            actor=member,
            community=community,
            title="Tardi",
            body="x",
            attachments=[attachment.pk],
        )
    assert not Thread.objects.exists()


def test_a_room_upload_is_unchanged_by_new_thread_uploads(setting):
    """A thread's uploads still go only to their thread (the two kinds stay apart)."""
    community, owner, room = community_with_room()
    member = member_of(community)
    attachment = attachments.attachment_upload(
        actor=member,
        thread=room,
        upload=SimpleUploadedFile("a.png", files.png_bytes()),
    )

    with pytest.raises(ValidationError, match="no longer available"):
        threads.thread_create(
            actor=member,
            community=community,
            title="Dalla stanza",
            body="x",
            attachments=[attachment.pk],
        )
    assert Attachment.objects.get(pk=attachment.pk).thread == room
