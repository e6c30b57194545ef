"""First-posts approval: a new member's first posts (replies, new threads, room
messages) wait for a moderator, seen only by their author (marked) and the
moderators, never broadcast, replayed or counted; released, they are published live
as if just sent; rejected, the author is told."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from community.models import AuditEntry, HeldPost, ModerationNotice, Post, Thread
from community.services import reports, rooms, rules, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.live.sockets import connect, frames, send_post, subscribe
from tests.support.roles import (
    MODERATION_TOOL_ROLES,
    english_member,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


SECRET = "Il mio primo messaggio segreto"


def _approving(first_posts=2):
    community, owner, thread = community_with_thread()
    reports.moderation_settings_change(
        actor=owner, community=community, report_threshold=3,
        first_posts_approval=first_posts,
    )
    community.refresh_from_db()
    thread.refresh_from_db()
    return community, owner, thread


def _page(user, thread):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(client, user)
    return client.get(thread.get_absolute_url()).content.decode()


def test_a_new_members_reply_waits_seen_only_by_them_marked():
    community, owner, thread = _approving()
    newcomer, reader = member_of(community), member_of(community)
    held = threads.post_reply(actor=newcomer, thread=thread, body=SECRET)
    assert isinstance(held, HeldPost) and held.why == HeldPost.Why.FIRST_POSTS
    thread.refresh_from_db()
    assert thread.post_count == 1 and thread.posts.count() == 1
    own = _page(newcomer, thread)
    assert SECRET in own and "Awaiting approval" in own
    assert SECRET not in _page(reader, thread)
    assert SECRET not in Client().get(thread.get_absolute_url()).content.decode()
    # Nothing about it on the thread's stream.
    from live.models import Event

    assert SECRET not in json.dumps(
        list(Event.objects.filter(stream=thread.stream).values_list("payload", flat=True))
    )


def test_moderators_and_old_hands_are_not_held():
    community, owner, thread = _approving(first_posts=1)
    moderator = member_of(community, "moderator")
    assert isinstance(threads.post_reply(actor=moderator, thread=thread, body="ok"), Post)
    assert isinstance(threads.post_reply(actor=owner, thread=thread, body="ok"), Post)


def test_after_n_approved_posts_a_member_posts_freely():
    community, owner, thread = _approving(first_posts=2)
    newcomer = member_of(community)
    for n in range(2):
        held = threads.post_reply(actor=newcomer, thread=thread, body=f"Primo {n}")
        threads.held_release(actor=owner, held=held)
    free = threads.post_reply(actor=newcomer, thread=thread, body="Ora libero")
    assert isinstance(free, Post)
    assert list(thread.posts.values_list("body", flat=True)) == [
        "Chi lavora su **sensori** a basso costo?", "Primo 0", "Primo 1", "Ora libero",
    ]


def test_a_resent_held_reply_is_held_once():
    community, owner, thread = _approving()
    newcomer = member_of(community)
    client_id = uuid.uuid4()
    first = threads.post_reply(actor=newcomer, thread=thread, body=SECRET, client_id=client_id)
    again = threads.post_reply(actor=newcomer, thread=thread, body=SECRET, client_id=client_id)
    assert first.pk == again.pk and HeldPost.objects.count() == 1


def test_a_new_thread_waits_whole_and_is_created_on_release(client):
    community, owner, thread = _approving()
    newcomer = member_of(community)
    login(client, newcomer)
    response = client.post(
        reverse("community:thread-create", args=[community.slug]),
        {"title": "Cerco partner", "body": SECRET, "tags": "", "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    assert response["Location"] == community.get_absolute_url()
    assert not Thread.objects.filter(title="Cerco partner").exists()
    community.refresh_from_db()
    assert community.thread_count == 1 and community.held_open_count == 1
    held = HeldPost.objects.get()
    assert held.thread is None and held.title == "Cerco partner"

    moderator = Client()
    login(moderator, owner)
    moderator.post(
        reverse("community:held-decide", args=[community.slug, held.pk]),
        {"decision": "release"},
    )
    created = Thread.objects.get(title="Cerco partner")
    assert created.author == newcomer and created.posts.get().body == SECRET
    held.refresh_from_db()
    assert held.status == HeldPost.Status.RELEASED and held.thread == created
    community.refresh_from_db()
    assert community.thread_count == 2 and community.held_open_count == 0
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.HELD_RELEASED, member=newcomer
    ).exists()


def test_a_rejected_post_is_never_shown_and_its_author_is_told(client):
    community, owner, thread = _approving()
    newcomer = member_of(community)
    held = threads.post_reply(actor=newcomer, thread=thread, body=SECRET)
    login(client, owner)
    client.post(
        reverse("community:held-decide", args=[community.slug, held.pk]),
        {"decision": "reject", "reason": "Pubblicità"},
    )
    held.refresh_from_db()
    assert held.status == HeldPost.Status.REJECTED and held.post is None
    assert thread.posts.count() == 1
    assert SECRET not in _page(newcomer, thread)
    notice = ModerationNotice.objects.get(user=newcomer)
    assert notice.kind == ModerationNotice.Kind.HELD_REJECTED and notice.reason == "Pubblicità"
    mine = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(mine, newcomer)
    body = mine.get(reverse("community:my-moderation")).content.decode()
    assert "did not approve a post of yours" in body and "Pubblicità" in body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.HELD_REJECTED).exists()
    # Deciding twice answers clearly.
    with pytest.raises(ValidationError, match="already decided"):
        threads.held_release(actor=owner, held=held)


@pytest.mark.parametrize("role, allowed", MODERATION_TOOL_ROLES)
def test_who_sees_and_decides_held_posts(client, role, allowed):
    community, owner, thread = _approving()
    newcomer = member_of(community)
    held = threads.post_reply(actor=newcomer, thread=thread, body=SECRET)
    login(client, person_in(community, role))
    listing = client.get(reverse("community:held-posts", args=[community.slug]))
    assert listing.status_code == (200 if allowed else 403)
    assert (SECRET in listing.content.decode()) is allowed
    client.post(
        reverse("community:held-decide", args=[community.slug, held.pk]),
        {"decision": "release"},
    )
    assert thread.posts.filter(body=SECRET).exists() is allowed


def test_a_moderator_of_another_community_decides_nothing_here():
    community, owner, thread = _approving()
    other, _o, _t = community_with_thread()
    held = threads.post_reply(actor=member_of(community), thread=thread, body=SECRET)
    with pytest.raises(PermissionDenied):
        rules.held_reject(actor=member_of(other, "moderator"), held=held)


def test_the_held_list_pages_without_more_queries(client, django_assert_max_num_queries):
    community, owner, thread = _approving(first_posts=5)
    for n in range(30):
        threads.post_reply(actor=member_of(community), thread=thread, body=f"Messaggio {n}")
    login(client, owner)
    url = reverse("community:held-posts", args=[community.slug])
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert page.content.decode().count("data-held-post=") == 25
    assert "Messaggio 26" in client.get(url + "?page=2").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_held_room_message_is_acked_as_held_and_published_live_on_release():
    community, owner, thread = await sync_to_async(_approving)()
    room = await sync_to_async(rooms.room_create)(
        actor=owner, community=community, name="benvenuti"
    )
    newcomer = await sync_to_async(english_member)(community)
    reader = await sync_to_async(member_of)(community)
    stream = f"thread:{room.pk}"
    reader_socket = await connect(reader)
    await subscribe(reader_socket, stream)
    author_socket = await connect(newcomer)

    answer = await send_post(author_socket, room.pk, SECRET)
    assert answer["op"] == "ack" and answer["post"] is None and answer["held"]
    assert "awaiting a moderator's approval" in answer["message"]
    assert SECRET not in json.dumps(await frames(reader_socket))
    late = await connect(reader)
    replay = await subscribe(late, stream, after=0)
    await late.disconnect()
    assert SECRET not in json.dumps(replay)
    room_page = await sync_to_async(_page)(reader, room)
    assert SECRET not in room_page
    assert "Awaiting approval" in await sync_to_async(_page)(newcomer, room)

    held = await sync_to_async(HeldPost.objects.get)(pk=answer["held"])
    await sync_to_async(threads.held_release)(actor=owner, held=held)
    published = await frames(reader_socket)
    await reader_socket.disconnect()
    await author_socket.disconnect()
    created = [frame for frame in published if frame.get("type") == "post.created"]
    assert len(created) == 1 and SECRET in created[0]["data"]["body_html"]
    assert await sync_to_async(Post.objects.filter(thread=room, body=SECRET).count)() == 1


def test_a_promoted_message_of_a_new_member_is_refused_not_held():
    community, owner, thread = _approving(first_posts=2)
    room = rooms.room_create(actor=owner, community=community, name="sala")
    newcomer = member_of(community)
    held = threads.post_reply(actor=newcomer, thread=room, body="Idea da sviluppare")
    message = threads.held_release(actor=owner, held=held).post
    with pytest.raises(ValidationError, match="approves your first posts"):
        rooms.post_promote(actor=newcomer, post=message, title="Sviluppiamola")
    assert HeldPost.objects.count() == 1  # the message's own, approved
    assert not Thread.objects.filter(title="Sviluppiamola").exists()


def test_workspace_discussions_never_hold_posts():
    from tests.support.workspaces import make_workspace, workspace_roles

    workspace = make_workspace()
    people = workspace_roles(workspace)
    community = workspace.community
    rules.watched_word_add(
        actor=people.lead, community=community, word="riservato", action="hold"
    )
    community.refresh_from_db()
    thread = community.threads.first()
    thread.community = community
    with pytest.raises(ValidationError, match="reviews messages with “riservato”"):
        threads.post_reply(actor=people.member, thread=thread, body="Documento riservato")
    assert not HeldPost.objects.exists()
    assert not rules.needs_approval(people.member, community)


def test_the_authors_held_posts_cost_one_query_however_many(client):
    community, owner, thread = _approving(first_posts=20)
    newcomer = member_of(community)
    login(client, newcomer)
    threads.post_reply(actor=newcomer, thread=thread, body="Primo in attesa")
    client.get(thread.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(thread.get_absolute_url())
    for n in range(5):
        threads.post_reply(actor=newcomer, thread=thread, body=f"Altro {n}")
    with CaptureQueriesContext(connection) as six:
        page = client.get(thread.get_absolute_url()).content.decode()
    assert page.count('data-held="') == 6
    assert len(six) == len(one)


def test_the_navigation_counts_held_posts_and_the_combined_queue_links_them(client):
    community, owner, thread = _approving()
    for n in range(2):
        threads.post_reply(actor=member_of(community), thread=thread, body=f"Nuovo {n}")
    other, other_owner, _t = _approving()
    login(client, owner)
    page = client.get(reverse("community:review-combined")).content.decode()
    assert 'data-review-open>2<' in page
    assert reverse("community:held-posts", args=[community.slug]) in page
    assert reverse("community:held-posts", args=[other.slug]) not in page
    elsewhere = Client()
    login(elsewhere, other_owner)
    # Nothing waits there: the badge is kept for live updates, hidden and at zero.
    assert "data-review-open hidden>0<" in elsewhere.get(
        reverse("community:review-combined")
    ).content.decode()
