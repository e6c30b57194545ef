"""Profile pages, the profile editor, avatars and the language choice, as people see them."""

import io
import os
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.models import Community, Membership, User
from community.services import accounts
from live.models import Event
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.django_db


def _image(fmt="PNG", size=(64, 64), name="me.png", noise=False):
    image = Image.new("RGB", size, (15, 107, 92))
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _profile_data(**overrides):
    data = {
        "display_name": "Giulia Bianchi",
        "bio": "Robotica collaborativa.",
        "expertise": "robotica, additive manufacturing",
        "language": "it",
        "time_zone": "Europe/Rome",
    }
    data.update(overrides)
    return data


def _html(response):
    return response.content.decode()


# --- the profile page -----------------------------------------------------------------


def test_profile_shows_name_organisation_bio_expertise_and_member_since(client):
    organisation = OrganisationFactory(name="Politecnico di Milano", slug="polimi")
    person = UserFactory(
        username="giulia",
        display_name="Giulia Bianchi",
        bio="Lavoro su cobot e visione.",
        organisation=organisation,
    )
    AffiliationFactory(user=person, organisation=organisation)
    person.expertise.add("robotica", "visione artificiale")

    response = client.get(reverse("community:profile", args=["giulia"]))

    html = _html(response)
    assert response.status_code == 200
    assert "Giulia Bianchi" in html and "@giulia" in html
    assert 'href="/o/polimi/"' in html and "Politecnico di Milano" in html
    assert "Lavoro su cobot e visione." in html
    assert "robotica" in html and "visione artificiale" in html
    joined = person.date_joined.astimezone(zoneinfo.ZoneInfo("Europe/Rome"))
    assert f'<time datetime="{joined.isoformat()}"' in html


def test_unknown_and_inactive_people_answer_404(client):
    UserFactory(username="gone", is_active=False)

    assert client.get(reverse("community:profile", args=["nobody"])).status_code == 404
    assert client.get(reverse("community:profile", args=["gone"])).status_code == 404


def test_profile_without_bio_posts_or_communities_shows_empty_states(client):
    UserFactory(username="quiet", bio="")

    html = _html(client.get(reverse("community:profile", args=["quiet"])))

    assert 'class="empty-state"' in html
    assert 'class="rows profile-posts"' not in html
    assert 'class="profile-communities"' not in html


def test_only_the_owner_sees_the_edit_link(client):
    person = UserFactory(username="owner")
    edit_url = reverse("community:profile-edit")

    assert edit_url not in _html(
        client.get(reverse("community:profile", args=["owner"]))
    )
    client.force_login(person)
    assert edit_url in _html(client.get(reverse("community:profile", args=["owner"])))


@pytest.fixture
def member_of_three():
    """A person in a public, a restricted and a private community."""
    person = UserFactory(username="maria")
    communities = {
        visibility: CommunityFactory(
            name=f"{visibility.title()} Lab", visibility=visibility
        )
        for visibility in Community.Visibility.values
    }
    for community in communities.values():
        MembershipFactory(user=person, community=community)
    return person, communities


@pytest.mark.parametrize(
    "viewer_kind, listed",
    [
        ("anonymous", {"public"}),
        ("stranger", {"public"}),
        ("fellow-private", {"public", "private"}),
        ("fellow-restricted", {"public", "restricted"}),
        ("staff", {"public", "restricted", "private"}),
    ],
)
def test_profile_lists_only_memberships_whose_member_list_the_viewer_may_see(
    client, member_of_three, viewer_kind, listed
):
    """A restricted community is known to exist, but who is in it is for its members."""
    person, communities = member_of_three
    if viewer_kind != "anonymous":
        viewer = UserFactory(is_staff=viewer_kind == "staff")
        if viewer_kind.startswith("fellow-"):
            fellow_of = communities[viewer_kind.removeprefix("fellow-")]
            MembershipFactory(user=viewer, community=fellow_of)
        client.force_login(viewer)

    html = _html(client.get(reverse("community:profile", args=[person.username])))

    for visibility, community in communities.items():
        shown = visibility in listed
        assert (f"{visibility.title()} Lab" in html) is shown, visibility
        assert (community.get_absolute_url() in html) is shown, visibility


def test_profile_hides_pending_invited_and_banned_memberships(client):
    person = UserFactory(username="luca")
    for state in ("pending", "invited", "banned"):
        MembershipFactory(
            user=person,
            community=CommunityFactory(name=f"Lab {state}", visibility="restricted"),
            state=state,
        )

    html = _html(client.get(reverse("community:profile", args=["luca"])))

    assert "Lab pending" not in html and "Lab invited" not in html
    assert "Lab banned" not in html


@pytest.mark.parametrize(
    "viewer_kind, visible",
    [
        ("anonymous", {"public"}),
        ("stranger", {"public"}),
        ("member", {"public", "restricted", "private"}),
        ("staff", {"public", "restricted", "private"}),
    ],
)
def test_recent_posts_come_only_from_communities_the_viewer_may_read(
    client, member_of_three, viewer_kind, visible
):
    person, communities = member_of_three
    for visibility, community in communities.items():
        thread = ThreadFactory(community=community, title=f"Topic in {visibility}")
        PostFactory(thread=thread, author=person, body=f"Words in {visibility}")
    if viewer_kind != "anonymous":
        viewer = UserFactory(is_staff=viewer_kind == "staff")
        if viewer_kind == "member":
            for community in communities.values():
                MembershipFactory(user=viewer, community=community)
        client.force_login(viewer)

    html = _html(client.get(reverse("community:profile", args=[person.username])))

    for visibility in Community.Visibility.values:
        assert (f"Topic in {visibility}" in html) is (visibility in visible)
        assert (f"Words in {visibility}" in html) is (visibility in visible)


def test_deleted_and_hidden_posts_are_not_listed(client):
    person = UserFactory(username="sara")
    PostFactory(author=person, body="still here")
    PostFactory(author=person, body="taken back", is_deleted=True)
    PostFactory(author=person, body="hidden by mods", is_hidden=True)

    html = _html(client.get(reverse("community:profile", args=["sara"])))

    assert "still here" in html
    assert "taken back" not in html and "hidden by mods" not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_profile_page_queries_do_not_grow_with_rows(
    client, django_assert_max_num_queries, rows
):
    person = UserFactory(username="busy")
    for _ in range(rows):
        community = CommunityFactory()
        MembershipFactory(user=person, community=community)
        PostFactory(thread=ThreadFactory(community=community), author=person)
    viewer = UserFactory()
    client.force_login(viewer)

    # With the navigation's moderation counts.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("community:profile", args=["busy"]))

    assert response.status_code == 200


# --- editing the profile --------------------------------------------------------------


def test_profile_edit_saves_fields_and_records_an_event(client, user):
    client.force_login(user)

    response = client.post(reverse("community:profile-edit"), _profile_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("community:profile", args=[user.username])
    user.refresh_from_db()
    assert user.display_name == "Giulia Bianchi"
    assert user.bio == "Robotica collaborativa."
    assert sorted(user.expertise.names()) == ["additive manufacturing", "robotica"]
    event = Event.objects.get(stream=f"user:{user.pk}")
    assert event.type == "profile.updated"
    assert set(event.payload["changed"]) >= {"display_name", "bio", "expertise"}
    page = _html(client.get(response["Location"]))
    assert "Giulia Bianchi" in page and "additive manufacturing" in page


def test_profile_edit_form_shows_current_values(client, user):
    user.expertise.add("energia")
    client.force_login(user)

    html = _html(client.get(reverse("community:profile-edit")))

    assert f'value="{user.display_name}"' in html
    assert 'value="energia"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<option value="Europe/Rome" selected>' in html
    for name in ("display_name", "bio", "avatar", "expertise", "language", "time_zone"):
        assert f'for="id_{name}"' in html


def test_saving_an_unchanged_profile_records_no_new_event(client, user):
    client.force_login(user)
    client.post(reverse("community:profile-edit"), _profile_data())
    events = Event.objects.filter(stream=f"user:{user.pk}")
    assert events.count() == 1

    response = client.post(reverse("community:profile-edit"), _profile_data())

    assert response.status_code == 302
    assert events.count() == 1


def test_over_long_display_name_is_refused_and_nothing_changes(client, user):
    client.force_login(user)
    before = user.display_name

    response = client.post(
        reverse("community:profile-edit"),
        _profile_data(display_name="x" * 81, bio="new bio"),
    )

    assert response.status_code == 200
    assert 'class="field__error"' in _html(response)
    user.refresh_from_db()
    assert user.display_name == before and user.bio == ""


def test_unknown_time_zone_and_language_are_refused(client, user):
    client.force_login(user)

    response = client.post(
        reverse("community:profile-edit"),
        _profile_data(time_zone="Mars/Olympus_Mons", language="xx"),
    )

    assert _html(response).count('class="field__error"') == 2
    user.refresh_from_db()
    assert user.time_zone == "Europe/Rome"


def test_time_zone_choice_changes_how_times_are_shown(client, user):
    client.force_login(user)

    client.post(
        reverse("community:profile-edit"), _profile_data(time_zone="Asia/Tokyo")
    )

    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"
    response = client.get(reverse("community:profile", args=[user.username]))
    assert response.context["TIME_ZONE"] == "Asia/Tokyo"


def test_too_many_expertise_tags_are_refused(client, user):
    client.force_login(user)
    tags = ", ".join(f"tag{n}" for n in range(accounts.EXPERTISE_MAX_TAGS + 1))

    response = client.post(
        reverse("community:profile-edit"), _profile_data(expertise=tags)
    )

    assert 'class="field__error"' in _html(response)
    assert list(user.expertise.names()) == []


# --- avatars --------------------------------------------------------------------------


def _upload(client, user, upload, **data):
    client.force_login(user)
    return client.post(
        reverse("community:profile-edit"), {**_profile_data(**data), "avatar": upload}
    )


@pytest.mark.parametrize(
    "fmt, mime",
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("WEBP", "image/webp"),
        ("GIF", "image/gif"),
    ],
)
def test_avatar_upload_is_stored_under_a_random_name_and_served_typed(
    client, user, fmt, mime
):
    response = _upload(client, user, _image(fmt, name="Mario Rossi passport.png"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar
    assert "passport" not in user.avatar.name and "Mario" not in user.avatar.name
    served = client.get(reverse("community:avatar", args=[user.username]))
    assert served.status_code == 200
    # GIFs are stored as their first frame in PNG; the type comes from the bytes.
    assert served["Content-Type"] == ("image/png" if fmt == "GIF" else mime)
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")
    assert "max-age=" in served["Cache-Control"]
    body = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (64, 64)


def test_large_avatar_is_scaled_down_and_metadata_dropped(client, user):
    image = Image.new("RGB", (1600, 1200), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)

    _upload(client, user, SimpleUploadedFile("big.jpg", buffer.getvalue()))

    user.refresh_from_db()
    with user.avatar.open("rb") as handle:
        data = handle.read()
    stored = Image.open(io.BytesIO(data))
    assert max(stored.size) == 512
    assert b"SecretCam" not in data


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(
            SimpleUploadedFile("me.png", b"just some text\n" * 20),
            id="text-renamed-png",
        ),
        pytest.param(
            SimpleUploadedFile("me.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            id="svg",
        ),
        pytest.param(
            SimpleUploadedFile("me.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
            id="broken-png",
        ),
        pytest.param(
            SimpleUploadedFile("me.png", b"%PDF-1.4\n" + b"0" * 300), id="pdf"
        ),
    ],
)
def test_files_that_are_not_allowed_images_are_refused_and_nothing_changes(
    client, user, upload
):
    before = user.display_name

    response = _upload(client, user, upload, display_name="Changed Name")

    html = _html(response)
    assert response.status_code == 200
    assert 'class="field__error"' in html
    assert list(response.context["form"].errors) == ["avatar"]
    user.refresh_from_db()
    assert not user.avatar
    assert user.display_name == before
    assert not Event.objects.filter(stream=f"user:{user.pk}").exists()


def test_oversized_avatar_is_refused_with_a_clear_error(client, user, settings):
    settings.AVATAR_MAX_BYTES = 10_000

    response = _upload(client, user, _image(size=(200, 200), noise=True))

    assert response.status_code == 200
    assert [
        error.code for error in response.context["form"].errors.as_data()["avatar"]
    ] == ["avatar_too_large"]
    user.refresh_from_db()
    assert not user.avatar


def test_avatar_with_too_many_pixels_is_refused(client, user):
    response = _upload(client, user, _image(size=(5000, 10)))

    assert 'class="field__error"' in _html(response)
    assert "avatar" in response.context["form"].errors
    user.refresh_from_db()
    assert not user.avatar


def test_replacing_and_removing_the_avatar_deletes_the_old_files(
    client, user, django_capture_on_commit_callbacks
):
    _upload(client, user, _image())
    user.refresh_from_db()
    first = user.avatar.name
    storage = user.avatar.storage
    assert storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, user, _image(fmt="JPEG"))
    user.refresh_from_db()
    assert user.avatar.name != first
    assert not storage.exists(first)
    second = user.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community:profile-edit"),
            {**_profile_data(), "remove_avatar": "on"},
        )

    user.refresh_from_db()
    assert not user.avatar
    assert not storage.exists(second)
    assert (
        client.get(reverse("community:avatar", args=[user.username])).status_code == 404
    )


def test_avatar_view_answers_404_without_avatar_and_304_when_unchanged(client, user):
    assert (
        client.get(reverse("community:avatar", args=[user.username])).status_code == 404
    )
    assert client.get(reverse("community:avatar", args=["nobody"])).status_code == 404

    _upload(client, user, _image())
    client.logout()
    first = client.get(reverse("community:avatar", args=[user.username]))

    again = client.get(
        reverse("community:avatar", args=[user.username]),
        headers={"if-none-match": first["ETag"]},
    )

    assert again.status_code == 304


def test_avatar_type_is_sniffed_even_when_the_stored_file_was_tampered_with(
    client, user
):
    _upload(client, user, _image())
    user.refresh_from_db()
    with open(user.avatar.path, "wb") as handle:
        handle.write(b"<html><script>alert(1)</script></html>")

    response = client.get(reverse("community:avatar", args=[user.username]))

    assert response.status_code == 404


def test_profile_shows_the_uploaded_avatar(client, user):
    _upload(client, user, _image())

    html = _html(client.get(reverse("community:profile", args=[user.username])))

    assert reverse("community:avatar", args=[user.username]) in html


# --- the language choice --------------------------------------------------------------


def test_language_choice_sticks_to_the_person_across_sessions(client, user):
    client.force_login(user)
    client.post(reverse("community:set-language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    event = Event.objects.get(stream=f"user:{user.pk}")
    assert event.type == "profile.updated" and event.payload["changed"] == ["language"]

    fresh = client.__class__()
    fresh.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    html = _html(fresh.get(reverse("community:profile", args=[user.username])))

    assert '<html lang="en">' in html


def test_language_chosen_on_the_profile_applies_at_once(client, user):
    client.force_login(user)

    response = client.post(
        reverse("community:profile-edit"), _profile_data(language="en"), follow=True
    )

    assert '<html lang="en">' in _html(response)
    assert client.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"


def test_anonymous_language_choice_uses_the_cookie_only(client):
    response = client.post(
        reverse("community:set-language"), {"language": "en", "next": "/"}
    )

    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    assert not Event.objects.exists()


def test_set_language_service_refuses_unknown_languages(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        accounts.user_set_language(actor=user, language="xx")
    assert User.objects.get(pk=user.pk).language == ""


def test_mentions_link_to_profiles_that_resolve(client):
    UserFactory(username="giulia")
    post = PostFactory(body="Ciao @giulia")

    assert 'href="/u/giulia/"' in post.body_html
    assert client.get("/u/giulia/").status_code == 200


def test_membership_states_do_not_leak_counts(client, member_of_three):
    person, communities = member_of_three
    # A stranger sees the public community, and nothing hints at two more.
    html = _html(client.get(reverse("community:profile", args=[person.username])))
    listed = re.search(r'<ul class="profile-communities">(.*?)</ul>', html, re.S)

    assert listed and listed.group(1).count("<li>") == 1
    assert Membership.objects.filter(user=person).count() == 3


# --- the services, called directly (as consumers and commands will) --------------------


def test_profile_update_refuses_anonymous_callers():
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        accounts.profile_update(
            actor=AnonymousUser(),
            display_name="x",
            bio="",
            expertise=[],
            language="it",
            time_zone="Europe/Rome",
        )


def test_profile_update_checks_every_field_itself(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        accounts.profile_update(
            actor=user,
            display_name="y" * 81,
            bio="z" * 2001,
            expertise=["ok", "w" * 51],
            language="fr",
            time_zone="Nowhere/City",
        )

    assert set(caught.value.message_dict) == {
        "display_name",
        "bio",
        "expertise",
        "language",
        "time_zone",
    }
    fresh = User.objects.get(pk=user.pk)
    assert fresh.display_name == user.display_name and fresh.bio == ""
    assert user.display_name != "y" * 81  # the caller's object is untouched too
    assert not Event.objects.exists()


def test_avatar_uploads_are_rate_limited(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (1, 3600)}
    assert _upload(client, user, _image()).status_code == 302

    response = _upload(client, user, _image(fmt="JPEG"))

    assert response.status_code == 200
    assert 'class="form-errors"' in _html(response)


def test_avatar_answers_head_requests_and_refuses_posts(client, user):
    _upload(client, user, _image())
    url = reverse("community:avatar", args=[user.username])

    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
