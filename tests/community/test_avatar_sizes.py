"""Avatars at the sizes pages show them: drawn once from the uploaded picture, served
with the version in the address and cached for good; initials where there is none;
beside people's names in posts, rooms, member lists and the header."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.services import accounts, threads
from tests.community.room_helpers import community_with_room, room_url
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def picture(fmt="PNG", size=(400, 300)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (15, 107, 92)).save(buffer, format=fmt)
    return SimpleUploadedFile("me.png", buffer.getvalue())


def with_avatar(person, fmt="PNG"):
    accounts.profile_update(
        actor=person,
        display_name=person.display_name or "Giulia Bianchi",
        bio="",
        expertise=[],
        language="en",
        time_zone="Europe/Rome",
        avatar=picture(fmt),
    )
    person.refresh_from_db()
    return person


def sized_url(person, size, version=None):
    return reverse(
        "community:avatar-sized",
        args=[person.username, size, version or person.avatar_version],
    )


@pytest.mark.parametrize("size", accounts.AVATAR_SIZES)
@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_each_size_is_served_at_that_size_and_cached_for_good(
    client, user, size, fmt, mime
):
    with_avatar(user, fmt)

    response = client.get(sized_url(user, size))

    assert response.status_code == 200
    assert response["Content-Type"] == mime
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert max(image.size) == size and image.size[0] > image.size[1]
    assert response["X-Content-Type-Options"] == "nosniff"
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control
    assert "max-age=31536000" in cache_control
    assert response["ETag"] == f'"{user.avatar_version}-{size}"'


def test_a_size_is_drawn_once_then_read_from_storage(client, user, monkeypatch):
    with_avatar(user)
    client.get(sized_url(user, 64))
    drawn = []
    original = Image.Image.thumbnail
    monkeypatch.setattr(
        Image.Image,
        "thumbnail",
        lambda self, *a, **k: drawn.append(1) or original(self, *a, **k),
    )

    again = client.get(sized_url(user, 64))

    assert again.status_code == 200 and drawn == []


def test_a_browser_that_has_it_gets_304(client, user):
    with_avatar(user)
    first = client.get(sized_url(user, 32))

    again = client.get(sized_url(user, 32), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert "immutable" in again["Cache-Control"]


def test_an_old_address_moves_to_the_current_picture(client, user):
    with_avatar(user)
    old = user.avatar_version
    with_avatar(user, "JPEG")
    assert user.avatar_version != old

    response = client.get(sized_url(user, 64, version=old))

    assert response.status_code == 302
    assert response["Location"] == sized_url(user, 64)
    assert "immutable" not in response["Cache-Control"]


@pytest.mark.parametrize("size", [0, 33, 512, 4096])
def test_sizes_not_offered_and_people_without_avatar_answer_404(client, user, size):
    assert client.get(sized_url(user, 64, version="0" * 16)).status_code == 404
    with_avatar(user)

    assert client.get(sized_url(user, size)).status_code == 404


def test_replacing_the_avatar_removes_its_sizes(
    client, user, django_capture_on_commit_callbacks
):
    with_avatar(user)
    client.get(sized_url(user, 128))
    storage = user.avatar.storage
    drawn = accounts.avatar_sized(user, 128)
    assert storage.exists(drawn)

    with django_capture_on_commit_callbacks(execute=True):
        with_avatar(user, "JPEG")

    assert not storage.exists(drawn)


def test_names_in_rooms_and_the_header_show_the_sized_avatar_or_initials(client):
    community, owner, room = community_with_room()
    pictured = with_avatar(member_of(community))
    plain = member_of(community)
    threads.post_reply(actor=pictured, thread=room, body="Con foto")
    threads.post_reply(actor=plain, thread=room, body="Senza foto")
    client.force_login(pictured)

    page = client.get(room_url(room)).content.decode()

    # md in the room (64, and 128 for sharp screens), sm in the header (32 and 64).
    assert f'src="{sized_url(pictured, 64)}" srcset="{sized_url(pictured, 128)} 2x"' in page
    assert f'src="{sized_url(pictured, 32)}" srcset="{sized_url(pictured, 64)} 2x"' in page
    assert f">{plain.initials}</span>" in page


def test_moderators_member_list_shows_avatars(client):
    community, owner, room = community_with_room()
    pictured = with_avatar(member_of(community))
    client.force_login(owner)

    page = client.get(
        reverse("community:moderation-members", args=[community.slug])
    ).content.decode()

    assert sized_url(pictured, 32) in page
