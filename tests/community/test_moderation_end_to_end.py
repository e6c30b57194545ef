"""End to end, against the real socket consumer: three reports hide a post for every
open page at once, catch-up never gives its text back to readers, a moderator restores
it from the queue, the audit log shows both, and the reporters are told."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse

from community.models import Post, ReviewItem
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SECRET = "Telefono privato 333 7654321"


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _report(user, post):
    response = _client(user).post(
        reverse("community:post-report", args=[post.pk]), {"reason": "confidential"}
    )
    assert response.status_code == 302


def _types(received, post_id):
    return [
        frame["type"]
        for frame in received
        if frame.get("type", "").startswith("post.")
        and (frame.get("data") or {}).get("id") == post_id
    ]


async def test_three_reports_hide_live_a_moderator_restores_and_everyone_is_told():
    community, owner, thread = await sync_to_async(community_with_thread)()
    author = await sync_to_async(member_of)(community)
    reporters = [await sync_to_async(member_of)(community) for _ in range(3)]
    reader = await sync_to_async(member_of)(community)
    from community.services import threads

    post = await sync_to_async(threads.post_reply)(actor=author, thread=thread, body=SECRET)
    stream = f"thread:{thread.pk}"
    reader_socket = await connect(reader)
    await subscribe(reader_socket, stream)
    visitor_socket = await connect()
    await subscribe(visitor_socket, stream)

    for reporter in reporters[:2]:
        await sync_to_async(_report)(reporter, post)
    assert not (await sync_to_async(Post.objects.get)(pk=post.pk)).is_hidden
    await sync_to_async(_report)(reporters[2], post)

    live = {"reader": await frames(reader_socket), "visitor": await frames(visitor_socket)}
    for received in live.values():
        assert _types(received, post.pk) == ["post.hidden"]
        assert "333 7654321" not in json.dumps(received)
    assert (await sync_to_async(Post.objects.get)(pk=post.pk)).is_hidden

    # A reader catching up from the start never gets the text back.
    late = await connect(reader)
    replay = await subscribe(late, stream, after=0)
    await late.disconnect()
    assert "333 7654321" not in json.dumps(replay)
    reader_client = await sync_to_async(_client)(reader)
    page = await sync_to_async(reader_client.get)(thread.get_absolute_url())
    assert "333 7654321" not in page.content.decode()

    # The moderator restores it from the queue.
    item = await sync_to_async(ReviewItem.objects.get)(post=post)
    moderator = await sync_to_async(_client)(owner)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    detail = await sync_to_async(moderator.get)(url)
    assert "333 7654321" in detail.content.decode()
    await sync_to_async(moderator.post)(url, {"action": "claim"})
    await sync_to_async(moderator.post)(url, {"action": "decide", "decision": "restored"})
    restored = await frames(reader_socket)
    await reader_socket.disconnect()
    await visitor_socket.disconnect()
    assert _types(restored, post.pk) == ["post.unhidden"]
    assert not (await sync_to_async(Post.objects.get)(pk=post.pk)).is_hidden

    # The audit log shows both.
    log = await sync_to_async(moderator.get)(
        reverse("community:audit-log", args=[community.slug])
    )
    body = log.content.decode()
    assert "Hidden by members&#x27; reports" in body or "Hidden by members' reports" in body
    assert "Show post again" in body

    # Each reporter is told, on their next page view and on "My reports".
    reporter = await sync_to_async(_client)(reporters[0])
    home = await sync_to_async(reporter.get)(reverse("community:home"))
    assert "1 moderation notice" in home.content.decode()
    mine = await sync_to_async(reporter.get)(reverse("community:my-moderation"))
    assert "Outcome: Post restored" in mine.content.decode()
    assert "The moderators decided: Post restored." in mine.content.decode()
