"""What readers read in place of a hidden post says who hid it: members' reports
(pending a moderator's review) or a moderator. On the thread and room pages (kept
fragments) and in the live frames (the live engine's own fragment cache), also when
the same post goes from one to the other."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from community import fragments
from community.models import Community
from community.services import moderation, reports, rooms, threads
from tests.community.thread_helpers import community_with_thread
from tests.live.sockets import connect, frames, subscribe
from tests.support.roles import member_of

SECRET = "Telefono privato 333 7654321"
BY_REPORTS_POST = (
    "This post is hidden after members' reports, until a moderator reviews it."
)
BY_REPORTS_MESSAGE = (
    "This message is hidden after members' reports, until a moderator reviews it."
)
BY_MODERATOR_POST = "This post was hidden by a moderator."
BY_MODERATOR_MESSAGE = "This message was hidden by a moderator."


def _reader_sees(user, url):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _hidden_by_reports(thread, author):
    """A post of `author` in `thread` that one report hides (threshold 1)."""
    Community.objects.filter(pk=thread.community_id).update(report_threshold=1)
    thread.community.report_threshold = 1
    post = threads.post_reply(actor=author, thread=thread, body=SECRET)
    reports.post_report(actor=member_of(thread.community), post=post, reason="spam")
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by_id is None
    return post


def _hide_by_hand(owner, post):
    """A moderator takes the post over: shows it again, then hides it themselves."""
    moderation.post_unhide(actor=owner, post=post)
    moderation.post_hide(actor=owner, post=post, reason="Dati personali")


@pytest.mark.django_db
def test_a_post_hidden_by_reports_says_so_then_a_moderators_hide_says_so():
    fragments.page_fragments.clear()
    community, owner, thread = community_with_thread()
    reader = member_of(community)
    post = _hidden_by_reports(thread, member_of(community))

    page = _reader_sees(reader, thread.get_absolute_url())
    assert SECRET not in page
    assert BY_REPORTS_POST in page and BY_MODERATOR_POST not in page

    _hide_by_hand(owner, post)
    page = _reader_sees(reader, thread.get_absolute_url())
    assert SECRET not in page
    assert BY_MODERATOR_POST in page and BY_REPORTS_POST not in page


@pytest.mark.django_db
def test_a_room_message_hidden_by_reports_says_so():
    fragments.page_fragments.clear()
    community, owner, _thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="generale")
    reader = member_of(community)
    message = _hidden_by_reports(room, member_of(community))

    page = _reader_sees(reader, room.get_absolute_url())
    assert SECRET not in page
    assert BY_REPORTS_MESSAGE in page and BY_MODERATOR_MESSAGE not in page

    _hide_by_hand(owner, message)
    page = _reader_sees(reader, room.get_absolute_url())
    assert BY_MODERATOR_MESSAGE in page and BY_REPORTS_MESSAGE not in page


def _hidden_html(received, post_id):
    return [
        frame["data"]["html"]["en"]
        for frame in received
        if frame.get("type") == "post.hidden" and frame["data"].get("id") == post_id
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_live_frames_say_who_hid_the_post():
    community, owner, thread = await sync_to_async(community_with_thread)()
    reader = await sync_to_async(member_of)(community)
    reader.language = "en"
    await sync_to_async(reader.save)(update_fields=["language"])
    author = await sync_to_async(member_of)(community)
    socket = await connect(reader)
    await subscribe(socket, f"thread:{thread.pk}")

    post = await sync_to_async(_hidden_by_reports)(thread, author)
    by_reports = _hidden_html(await frames(socket), post.pk)
    await sync_to_async(_hide_by_hand)(owner, post)
    by_hand = _hidden_html(await frames(socket), post.pk)
    await socket.disconnect()

    assert len(by_reports) == 1 and len(by_hand) == 1
    assert BY_REPORTS_POST in by_reports[0] and BY_MODERATOR_POST not in by_reports[0]
    assert BY_MODERATOR_POST in by_hand[0] and BY_REPORTS_POST not in by_hand[0]
    assert "333 7654321" not in by_reports[0] + by_hand[0]
