"""A post at the length limit fits in one live frame whatever its characters, and the
system checks keep LIVE_MAX_FRAME_BYTES large enough for it and for its live event."""

import json
from uuid import uuid4

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from community.checks import live_frame_fits_the_longest_post, post_event_bytes
from community.models import Post
from config.asgi import application
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.factories import MembershipFactory, ThreadFactory
from tests.support.roles import member_of


def test_the_default_frame_limit_carries_the_longest_post_and_its_event(settings):
    assert live_frame_fits_the_longest_post(None) == []
    assert settings.LIVE_MAX_FRAME_BYTES >= post_event_bytes(
        settings.POST_BODY_MAX_LENGTH
    )


def test_a_frame_limit_too_small_for_the_longest_post_fails_the_checks(settings):
    settings.POST_BODY_MAX_LENGTH = 20_000
    settings.LIVE_MAX_FRAME_BYTES = 6 * 20_000 + 1023

    errors = live_frame_fits_the_longest_post(None)

    assert [error.id for error in errors] == ["community.E001"]
    assert "at least 121024" in errors[0].hint
    with pytest.raises(SystemCheckError, match="community.E001"):
        call_command("check")


def test_a_frame_limit_too_small_for_a_long_posts_event_warns(settings):
    settings.POST_BODY_MAX_LENGTH = 20_000
    settings.LIVE_MAX_FRAME_BYTES = 6 * 20_000 + 1024

    warnings = live_frame_fits_the_longest_post(None)

    assert [warning.id for warning in warnings] == ["community.W001"]
    assert "at least 736384" in warnings[0].hint
    call_command("check")  # a warning does not stop the site
    with pytest.raises(SystemCheckError, match="community.W001"):
        call_command("check", fail_level="WARNING")

    settings.LIVE_MAX_FRAME_BYTES = post_event_bytes(20_000)
    assert live_frame_fits_the_longest_post(None) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_post_at_the_limit_in_the_widest_json_is_acknowledged_over_the_socket(
    settings,
):
    """Control characters take 6 bytes each in JSON: the longest frame a post makes."""
    membership = await sync_to_async(MembershipFactory)()
    thread = await sync_to_async(ThreadFactory)(community=membership.community)
    body = "\x01" * settings.POST_BODY_MAX_LENGTH
    frame = {"op": "post", "thread": thread.pk, "body": body, "client_id": str(uuid4())}
    # As browsers send it: UTF-8, only what JSON must escape escaped.
    raw = json.dumps(frame, ensure_ascii=False)
    assert len(raw.encode()) > 6 * settings.POST_BODY_MAX_LENGTH

    ws = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    ws.scope["user"] = membership.user
    assert (await ws.connect())[0]
    await ws.send_to(text_data=raw)
    answer = await ws.receive_json_from(timeout=10)
    await ws.disconnect()

    assert (answer["op"], answer["client_id"]) == ("ack", frame["client_id"])
    stored = await sync_to_async(Post.objects.get)(pk=answer["post"])
    assert stored.body == body


@pytest.mark.django_db
def test_pages_tell_live_js_the_frame_limit(client, settings):
    settings.LIVE_MAX_FRAME_BYTES = 150_000
    community, _owner, thread = community_with_thread()

    html = login(client, member_of(community)).get(thread_url(thread)).content.decode()

    assert 'data-live-max-frame-bytes="150000"' in html
