"""Slow mode per thread and room: who sets it (audit, live event), how it refuses
over HTTP (429 saying how long) and the socket (error frame with `retry_after`,
grouped writes too), moderators exempt, the composer showing the wait, and the
community's default for new threads and rooms."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from community import live as community_live
from community.models import AuditEntry, Post
from community.services import reports, rooms, rules, threads
from live.models import Event
from tests.community.thread_helpers import community_with_thread, login
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.roles import (
    MODERATION_TOOL_ROLES,
    english_member,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _slow(thread, owner, seconds=60):
    rules.thread_slow_mode_set(actor=owner, thread=thread, seconds=seconds)
    thread.refresh_from_db()
    return thread


def _reply(client, thread, body="Un messaggio"):
    return client.post(
        reverse("community:thread-reply", args=[thread.community.slug, thread.pk]),
        {"body": body, "client_id": str(uuid.uuid4())},
    )


@pytest.mark.parametrize(
    "role, allowed", [*MODERATION_TOOL_ROLES, ("anonymous", False)]
)
def test_who_sets_slow_mode_from_the_thread_page(client, role, allowed):
    community, owner, thread = community_with_thread()
    login(client, person_in(community, role))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert ("data-slow-mode-form" in page) is allowed
    response = client.post(
        reverse("community:thread-slow-mode", args=[thread.pk]), {"seconds": "30"}
    )
    thread.refresh_from_db()
    assert (thread.slow_mode_seconds == 30) is allowed
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.THREAD_SLOW_MODE, thread_id_ref=thread.pk
    ).exists() is allowed
    if role != "anonymous":
        assert response.status_code == (302 if allowed else 403)


def test_a_moderator_of_another_community_cannot_set_it(client):
    community, owner, thread = community_with_thread()
    other, _o, _t = community_with_thread()
    login(client, member_of(other, "moderator"))
    response = client.post(
        reverse("community:thread-slow-mode", args=[thread.pk]), {"seconds": "30"}
    )
    thread.refresh_from_db()
    assert response.status_code == 403 and thread.slow_mode_seconds == 0


def test_the_change_is_an_event_on_the_thread_stream_and_unchanged_is_nothing():
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 30)
    _slow(thread, owner, 30)
    events = Event.objects.filter(stream=f"thread:{thread.pk}", type="thread.slow_mode")
    assert [event.payload["slow_mode_seconds"] for event in events] == [30]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.THREAD_SLOW_MODE).count() == 1


def test_a_second_reply_too_soon_is_refused_saying_how_long_to_wait(client):
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 60)
    member = member_of(community)
    login(client, member)
    assert _reply(client, thread).status_code == 302
    response = _reply(client, thread, "Ancora io")
    body = response.content.decode()
    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 60
    assert "Slow mode is on here: one message every 60 seconds." in body
    assert "Try again in" in body
    assert thread.posts.count() == 2
    # The thread page says how long, without JavaScript.
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "You can write again in" in page


def test_slow_mode_applies_per_member_and_per_thread():
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 60)
    other_thread = threads.thread_create(
        actor=owner, community=community, title="Altro", body="Testo"
    )
    first, second = member_of(community), member_of(community)
    threads.post_reply(actor=first, thread=thread, body="uno")
    threads.post_reply(actor=second, thread=thread, body="due")
    threads.post_reply(actor=first, thread=other_thread, body="tre")
    with pytest.raises(rules.SlowModeWait):
        threads.post_reply(actor=first, thread=thread, body="quattro")


@pytest.mark.parametrize("role", ["owner", "moderator", "staff"])
def test_moderators_are_exempt(role):
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 600)
    person = person_in(community, role)
    for n in range(3):
        threads.post_reply(actor=person, thread=thread, body=f"Messaggio {n}")
    assert thread.posts.count() == 4


def test_the_wait_ends_when_its_time_has_passed(monkeypatch):
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 10)
    member = member_of(community)
    threads.post_reply(actor=member, thread=thread, body="uno")
    with pytest.raises(rules.SlowModeWait):
        threads.post_reply(actor=member, thread=thread, body="due")
    # The cache entry expires with the wait; a stale one is not honoured either.
    key = f"slow:{thread.pk}:{member.pk}"
    cache.set(key, cache.get(key) - 11, timeout=10)
    threads.post_reply(actor=member, thread=thread, body="tre")
    assert thread.posts.count() == 3


def test_new_threads_and_rooms_start_with_the_community_default():
    community, owner, thread = community_with_thread()
    reports.moderation_settings_change(
        actor=owner, community=community, report_threshold=3, slow_mode_default=45
    )
    new = threads.thread_create(actor=owner, community=community, title="Nuovo", body="x")
    room = rooms.room_create(actor=owner, community=community, name="caffè")
    assert new.slow_mode_seconds == 45 and room.slow_mode_seconds == 45
    thread.refresh_from_db()
    assert thread.slow_mode_seconds == 0  # existing threads keep theirs
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SETTINGS_CHANGED).count() == 1


def test_the_room_form_refuses_with_429_and_the_wait(client):
    community, owner, thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="chiacchiere")
    _slow(room, owner, 120)
    member = member_of(community)
    login(client, member)
    url = reverse("community:room-post", args=[community.slug, room.pk])
    client.post(url, {"body": "ciao", "client_id": str(uuid.uuid4())})
    response = client.post(url, {"body": "ciao ancora", "client_id": str(uuid.uuid4())})
    assert response.status_code == 429
    assert "Try again in 2 minutes." in response.content.decode()
    assert Post.objects.filter(thread=room).count() == 1


def test_grouped_socket_writes_obey_slow_mode():
    community, owner, thread = community_with_thread()
    _slow(thread, owner, 60)
    member = member_of(community)
    answers = community_live._post_group(
        [(member, "en", thread.pk, f"messaggio {n}", uuid.uuid4()) for n in range(3)]
    )
    assert [answer[1] for answer in answers] == [None, "slow_mode", "slow_mode"]
    assert all(0 < answer[3]["retry_after"] <= 60 for answer in answers[1:])
    assert thread.posts.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_over_the_socket_the_refusal_carries_retry_after_and_changes_are_live():
    community, owner, thread = await sync_to_async(community_with_thread)()
    member = await sync_to_async(english_member)(community)
    reader = await sync_to_async(member_of)(community)
    watching = await connect(reader)
    await subscribe(watching, f"thread:{thread.pk}")

    moderator = Client()
    await sync_to_async(moderator.force_login)(owner)
    await sync_to_async(moderator.post)(
        reverse("community:thread-slow-mode", args=[thread.pk]), {"seconds": "30"}
    )
    seen = await frames(watching)
    await watching.disconnect()
    changes = [frame for frame in seen if frame.get("type") == "thread.slow_mode"]
    assert changes and changes[0]["data"]["slow_mode_seconds"] == 30

    socket = await connect(member)
    first = await send_post(socket, thread.pk, "primo")
    second = await send_post(socket, thread.pk, "secondo")
    await socket.disconnect()
    assert first["op"] == "ack"
    assert second["op"] == "error" and second["code"] == "slow_mode"
    assert 25 <= second["retry_after"] <= 30
    assert "Try again in" in second["message"]
