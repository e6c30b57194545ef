"""Sanctions decided from the review queue, live against the real socket consumer: a
member banned from a private community stops receiving its thread at once (and
cannot subscribe again), while its moderators keep receiving; a silenced member's
socket refuses their messages saying until when."""

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from community.models import Community, Report, ReviewItem
from community.services import reports, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.roles import english_member, member_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

AFTER_BAN = "Scritto dopo l'esclusione"


@sync_to_async
def _reported_in_private():
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    author = english_member(community)
    post = threads.post_reply(actor=author, thread=thread, body="Offerta SPAM123")
    reports.post_report(
        actor=member_of(community), post=post, reason=Report.Reason.SPAM
    )
    return community, owner, thread, author, ReviewItem.objects.get(post=post)


def _decide(owner, item, decision, **kwargs):
    return reports.review_decide(actor=owner, item=item, decision=decision, **kwargs)


async def test_a_member_banned_from_the_queue_stops_receiving_at_once():
    community, owner, thread, author, item = await _reported_in_private()
    stream = f"thread:{thread.pk}"
    banned = await connect(author)
    assert (await subscribe(banned, stream))[0]["op"] == "subscribed"
    moderator = await connect(owner)
    await subscribe(moderator, stream)

    await sync_to_async(_decide)(owner, item, ReviewItem.Decision.BANNED, reason="Spam")
    cut = await frames(banned)
    await sync_to_async(threads.post_reply)(actor=owner, thread=thread, body=AFTER_BAN)
    after = await frames(banned)
    again = await subscribe(banned, stream)
    seen = await frames(moderator)
    for socket in (banned, moderator):
        await socket.disconnect()

    assert [f["ref"] for f in cut if f.get("op") == "error"] == [stream]
    assert AFTER_BAN not in str(after)
    assert [f["op"] for f in again] == ["error"]
    assert AFTER_BAN in str(seen)


async def test_a_member_silenced_from_the_queue_is_refused_over_the_socket_until_when():
    community, owner, thread, author, item = await _reported_in_private()
    socket = await connect(author)
    await subscribe(socket, f"thread:{thread.pk}")
    until = timezone.now() + timezone.timedelta(days=2)

    await sync_to_async(_decide)(
        owner, item, ReviewItem.Decision.SILENCED, reason="Toni", until=until
    )
    await frames(socket)
    refused = await send_post(socket, thread.pk, "Ci riprovo")
    await socket.disconnect()

    assert refused["op"] == "error" and refused["code"] == "forbidden"
    assert str(until.year) in refused["message"]
    assert await sync_to_async(thread.posts.filter(body="Ci riprovo").exists)() is False
