"""A silenced member's composer says why and until when (in their time zone), on
thread pages and rooms, and posting and typing are refused over HTTP and the
socket; rate limits on posting, reporting and joining answer 429 saying when to
retry; the settings page's permission matrix and audit rows."""

import uuid
import zoneinfo
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from community.models import AuditEntry, Community, Membership, Post
from community.services import moderation, rooms, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.factories import CommunityFactory
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

UNTIL = datetime(2031, 3, 4, 17, 30, tzinfo=UTC)


def _silenced(zone="America/New_York"):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    member.time_zone = zone
    member.language = "en"
    member.save(update_fields=["time_zone", "language"])
    membership = Membership.objects.get(user=member, community=community)
    membership.community = community
    moderation.membership_mute(
        actor=owner, membership=membership, until=UNTIL, reason="Toni offensivi"
    )
    return community, owner, thread, member


def _local(zone):
    with translation.override("en"):
        return date_format(
            timezone.localtime(UNTIL, zoneinfo.ZoneInfo(zone)), "DATETIME_FORMAT"
        )


@pytest.mark.parametrize("kind", ["discussion", "room"])
def test_the_composer_says_why_and_until_when_in_the_readers_time_zone(client, kind):
    community, owner, thread, member = _silenced()
    if kind == "room":
        thread = rooms.room_create(actor=owner, community=community, name="sala")
    login(client, member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "data-silenced" in page
    assert f"silenced you in this community until {_local('America/New_York')}" in page
    assert "Toni offensivi" in page
    assert 'id="composer"' not in page


def test_posting_is_refused_over_http_saying_until_when(client):
    community, owner, thread, member = _silenced("Asia/Tokyo")
    login(client, member)
    response = client.post(
        reverse("community:thread-reply", args=[community.slug, thread.pk]),
        {"body": "Ciao", "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 403
    assert _local("Asia/Tokyo") in response.content.decode()
    assert thread.posts.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_posting_and_typing_are_refused_over_the_socket():
    community, owner, thread, member = await sync_to_async(_silenced)()
    room = await sync_to_async(rooms.room_create)(
        actor=owner, community=community, name="sala"
    )
    socket = await connect(member)
    await subscribe(socket, f"thread:{room.pk}")
    refused = await send_post(socket, room.pk, "Ciao")
    await socket.send_json_to({"op": "typing", "thread": room.pk})
    typing = await frames(socket)
    await socket.disconnect()
    assert refused["op"] == "error" and refused["code"] == "forbidden"
    assert _local("America/New_York") in refused["message"]
    assert [frame["code"] for frame in typing if frame["op"] == "error"] == ["forbidden"]
    assert await sync_to_async(Post.objects.filter(thread=room).count)() == 0


# --- rate limits -------------------------------------------------------------------------


def test_reporting_too_often_answers_429_saying_when(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": (1, 3600)}
    community, owner, thread = community_with_thread()
    author, reporter = member_of(community), member_of(community)
    posts = [threads.post_reply(actor=author, thread=thread, body=f"n{n}") for n in range(2)]
    login(client, reporter)
    first = client.post(reverse("community:post-report", args=[posts[0].pk]), {"reason": "spam"})
    second = client.post(reverse("community:post-report", args=[posts[1].pk]), {"reason": "spam"})
    assert first.status_code == 302
    assert second.status_code == 429
    assert 0 < int(second["Retry-After"]) <= 3600
    assert "Try again in" in second.content.decode()


def test_joining_too_often_answers_429_saying_when(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join": (1, 600)}
    first, second = CommunityFactory(), CommunityFactory()
    person = person_in(CommunityFactory(), "member")
    login(client, person)
    assert client.post(reverse("community:community-join", args=[first.slug])).status_code == 302
    response = client.post(reverse("community:community-join", args=[second.slug]))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "too often" in response.content.decode()
    assert not Membership.objects.filter(user=person, community=second).exists()


# --- the settings page -----------------------------------------------------------------


@pytest.mark.parametrize(
    "role, sees, changes",
    [
        ("owner", 200, True),
        ("staff", 200, True),
        ("moderator", 200, False),
        ("member", 403, False),
        ("muted", 403, False),
        ("banned", 404, False),
        ("outsider", 403, False),
    ],
)
def test_the_settings_page_matrix(client, role, sees, changes):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    person_in(community, "owner")
    login(client, person_in(community, role))
    url = reverse("community:moderation-settings", args=[community.slug])
    assert client.get(url).status_code in ((sees,) if sees != 404 else (403, 404))
    client.post(
        url,
        {"report_threshold": "4", "slow_mode_default": "20", "first_posts_approval": "2"},
    )
    community.refresh_from_db()
    assert (
        (community.report_threshold, community.slow_mode_default, community.first_posts_approval)
        == ((4, 20, 2) if changes else (3, 0, 0))
    )
    # One audit row per setting changed.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGED).count() == (
        3 if changes else 0
    )


def test_the_settings_form_says_what_is_wrong(client):
    community, owner, thread = community_with_thread()
    owner.language = "en"
    owner.save(update_fields=["language"])
    login(client, owner)
    page = client.post(
        reverse("community:moderation-settings", args=[community.slug]),
        {"report_threshold": "3", "slow_mode_default": "-5", "first_posts_approval": "99"},
    ).content.decode()
    assert "greater than or equal to 0" in page
    assert "less than or equal to 20" in page
    community.refresh_from_db()
    assert community.slow_mode_default == 0 and community.first_posts_approval == 0


def test_a_visitor_is_sent_to_log_in():
    community, owner, thread = community_with_thread()
    response = Client().get(reverse("community:moderation-settings", args=[community.slug]))
    assert response.status_code == 302 and "login" in response["Location"]
