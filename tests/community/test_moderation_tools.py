"""Moderators' thread and room tools over the pages: who may lock, pin, rename, move,
split, merge, hide and delete (every role, outcomes checked), and what readers and
moderators see afterwards."""

import pytest
from django.test import Client
from django.urls import reverse

from community.models import (
    AuditEntry,
    Community,
    Membership,
    ModerationNotice,
    Post,
    ReviewItem,
    Thread,
)
from community.services import moderation, reports, rooms, threads
from tests.community.test_page_query_counts import THREAD_PAGE_QUERIES
from tests.community.thread_helpers import community_with_thread, thread_url
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in

pytestmark = pytest.mark.django_db

SECRET = "Il codice del prototipo è 4471-ZX"

ROLES = (
    "anonymous",
    "member",
    "moderator",
    "elsewhere",
    "owner",
    "staff",
    "muted",
    "banned",
)
ALLOWED = {"moderator", "owner", "staff"}


def _person(community, owner, role):
    """The person holding `role`; "elsewhere" moderates another community only."""
    if role == "owner":
        return owner
    if role == "elsewhere":
        return member_of(CommunityFactory(), "moderator")
    return person_in(community, role)


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _setup():
    community, owner, thread = community_with_thread()
    author = member_of(community)
    post = threads.post_reply(actor=author, thread=thread, body=SECRET)
    return community, owner, thread, author, post


def _moderate_url(thread):
    return reverse("community:thread-moderate", args=[thread.community.slug, thread.pk])


def _refused(response):
    """Refused as each role should be: log in first, 403, or 404 when unseen."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and "/accounts/login/" in response["Location"]
    )


# --- the permission matrix -----------------------------------------------------------


def _tool_lock(client, thread, post, extra):
    response = client.post(_moderate_url(thread), {"action": "lock"})
    thread.refresh_from_db()
    return response, thread.is_locked


def _tool_pin(client, thread, post, extra):
    response = client.post(_moderate_url(thread), {"action": "pin"})
    thread.refresh_from_db()
    return response, thread.is_pinned


def _tool_rename(client, thread, post, extra):
    response = client.post(
        _moderate_url(thread), {"action": "rename", "title": "Sensori, nuovo titolo"}
    )
    thread.refresh_from_db()
    return response, thread.title == "Sensori, nuovo titolo"


def _tool_hide(client, thread, post, extra):
    url = reverse("community:post-moderate", args=[post.pk])
    response = client.post(url, {"action": "hide", "reason": "Dati riservati"})
    post.refresh_from_db()
    return response, post.is_hidden


def _tool_remove(client, thread, post, extra):
    url = reverse("community:post-moderate", args=[post.pk])
    response = client.post(url, {"action": "remove", "reason": "Spam"})
    post.refresh_from_db()
    return response, post.is_removed


def _tool_split(client, thread, post, extra):
    url = reverse("community:thread-split", args=[thread.community.slug, thread.pk])
    response = client.post(url, {"title": "Il prototipo", "posts": [post.pk]})
    post.refresh_from_db()
    return response, post.thread_id != thread.pk


def _tool_merge(client, thread, post, extra):
    url = reverse("community:thread-merge", args=[thread.community.slug, thread.pk])
    response = client.post(url, {"target": str(extra["other"].pk)})
    return response, not Thread.objects.filter(pk=thread.pk).exists()


def _tool_move(client, thread, post, extra):
    url = reverse("community:thread-move", args=[thread.community.slug, thread.pk])
    response = client.post(url, {"community": extra["target"].pk})
    thread.refresh_from_db()
    return response, thread.community_id == extra["target"].pk


TOOLS = {
    "lock": _tool_lock,
    "pin": _tool_pin,
    "rename": _tool_rename,
    "hide": _tool_hide,
    "remove": _tool_remove,
    "split": _tool_split,
    "merge": _tool_merge,
    "move": _tool_move,
}


@pytest.mark.parametrize("tool", list(TOOLS))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_each_thread_tool(tool, role):
    community, owner, thread, _author, post = _setup()
    other = threads.thread_create(
        actor=owner, community=community, title="Altro thread", body="Altro"
    )
    target = CommunityFactory()
    person = _person(community, owner, role)
    # Everyone signed in moderates the target community: a move still needs the
    # rights in the thread's own community too.
    if person is not None and role != "staff":
        Membership.objects.update_or_create(
            user=person,
            community=target,
            defaults={
                "role": Membership.Role.MODERATOR,
                "state": Membership.State.ACTIVE,
            },
        )
    audit_before = AuditEntry.objects.count()

    response, changed = TOOLS[tool](
        _client(person), thread, post, {"other": other, "target": target}
    )

    if role in ALLOWED:
        assert response.status_code == 302, response
        assert changed
        assert AuditEntry.objects.count() > audit_before
    else:
        assert _refused(response) or (
            # A form page that lists nothing to choose refuses by its validation.
            response.status_code == 200 and tool == "move"
        ), response
        assert not changed
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("role", ROLES)
def test_the_moderate_menu_is_for_moderators_only(role):
    community, owner, thread, _author, post = _setup()
    person = _person(community, owner, role)

    html = _client(person).get(thread_url(thread)).content.decode()

    shown = "data-moderate-menu" in html
    assert shown == (role in ALLOWED)
    assert ('form="split-form"' in html) == (role in ALLOWED)
    assert (reverse("community:post-moderate", args=[post.pk]) in html) == (
        role in ALLOWED
    )


# --- hidden posts: marked for moderators, a placeholder for readers -------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_post_is_marked_for_moderators_and_a_placeholder_for_readers(role):
    community, owner, thread, _author, post = _setup()
    moderation.post_hide(actor=owner, post=post, reason="Dati riservati")
    person = _person(community, owner, role)
    client = _client(person)

    html = client.get(thread_url(thread)).content.decode()
    marked = client.get(reverse("community:post-marked", args=[post.pk]))

    if role in ALLOWED:
        assert SECRET in html
        assert "Hidden by a moderator:" in html and "Dati riservati" in html
        assert 'value="unhide"' in html
        assert marked.status_code == 200 and SECRET in marked.json()["html"]
    else:
        assert SECRET not in html
        assert "This post was hidden by a moderator." in html
        assert marked.status_code == 404 and SECRET not in marked.content.decode()


def test_the_restore_button_shows_the_post_again():
    community, owner, thread, _author, post = _setup()
    moderation.post_hide(actor=owner, post=post, reason="Dati riservati")

    response = _client(owner).post(
        reverse("community:post-moderate", args=[post.pk]), {"action": "unhide"}
    )

    post.refresh_from_db()
    assert response.status_code == 302 and not post.is_hidden
    assert SECRET in _client(None).get(thread_url(thread)).content.decode()


def test_a_hidden_room_message_is_marked_for_the_rooms_moderators():
    community, owner, _thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="generale")
    author = member_of(community)
    message = threads.post_reply(actor=author, thread=room, body=SECRET)
    moderation.post_hide(actor=owner, post=message, reason="Fuori tema")

    as_owner = _client(owner).get(room.get_absolute_url()).content.decode()
    as_reader = (
        _client(member_of(community)).get(room.get_absolute_url()).content.decode()
    )

    assert SECRET in as_owner and "Fuori tema" in as_owner
    assert SECRET not in as_reader
    assert "This message was hidden by a moderator." in as_reader


# --- deleting a post as a moderator ----------------------------------------------------


def test_a_removed_post_is_gone_everywhere_and_its_author_is_told():
    community, owner, thread, author, post = _setup()
    reporter = member_of(community)
    reports.post_report(actor=reporter, post=post, reason="spam")

    response = _client(owner).post(
        reverse("community:post-moderate", args=[post.pk]),
        {"action": "remove", "reason": "Pubblicità"},
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.is_removed and post.is_deleted
    for person in (owner, author, member_of(community), None):
        client = _client(person)
        page = client.get(thread_url(thread)).content.decode()
        assert SECRET not in page
        assert "This post was removed by a moderator." in page
        assert "deleted by its author" not in page
        history = client.get(reverse("community:post-history", args=[post.pk]))
        assert SECRET not in history.content.decode()
        marked = client.get(reverse("community:post-marked", args=[post.pk]))
        assert marked.status_code == 404
    item = ReviewItem.objects.get(post=post)
    assert (item.status, item.decision) == ("closed", "removed")
    queue = _client(owner).get(
        reverse("community:review-item", args=[community.slug, item.pk])
    )
    assert SECRET not in queue.content.decode()
    notice = ModerationNotice.objects.get(user=author, kind="post_removed")
    assert notice.reason == "Pubblicità"
    assert ModerationNotice.objects.filter(
        user=reporter, kind="report", decision="removed"
    ).exists()
    mine = _client(author).get(reverse("community:my-moderation")).content.decode()
    assert (
        "One of your posts was deleted by a moderator." in mine and "Pubblicità" in mine
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.POST_REMOVED)
    assert (entry.actor, entry.member, entry.reason) == (owner, author, "Pubblicità")


def test_the_review_queue_can_delete_the_post():
    community, owner, thread, author, post = _setup()
    reports.post_report(actor=member_of(community), post=post, reason="abusive")
    item = ReviewItem.objects.get(post=post)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    client = _client(owner)

    assert "Post deleted" in client.get(url).content.decode()
    client.post(url, {"action": "claim"})
    client.post(url, {"action": "decide", "decision": "removed", "reason": "Offensivo"})

    post.refresh_from_db()
    item.refresh_from_db()
    assert post.is_removed and item.decision == "removed"
    assert ModerationNotice.objects.filter(
        user=author, kind="post_removed", reason="Offensivo"
    ).exists()
    assert SECRET not in _client(None).get(thread_url(thread)).content.decode()


def test_a_post_deleted_already_cannot_be_removed_again():
    community, owner, thread, author, post = _setup()
    threads.post_delete(actor=author, post=post)

    response = _client(owner).post(
        reverse("community:post-moderate", args=[post.pk]), {"action": "remove"}
    )

    assert response.status_code == 403
    post.refresh_from_db()
    assert not post.is_removed


# --- rename ----------------------------------------------------------------------------


def test_renaming_follows_the_title_rules_and_is_audited_with_both_titles():
    community, owner, thread, _author, _post = _setup()
    client = _client(owner)

    too_long = client.post(
        _moderate_url(thread), {"action": "rename", "title": "x" * 300}, follow=True
    )
    thread.refresh_from_db()
    assert thread.title == "Sensori per la manifattura"
    assert "The title is too long" in too_long.content.decode()

    client.post(
        _moderate_url(thread), {"action": "rename", "title": "Sensori low cost"}
    )

    thread.refresh_from_db()
    assert thread.title == "Sensori low cost"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.THREAD_RENAMED)
    assert entry.reason == "Sensori per la manifattura → Sensori low cost"


def test_renaming_shows_the_title_rule_to_the_moderator():
    community, owner, thread, _author, _post = _setup()
    client = _client(owner)

    response = client.post(
        _moderate_url(thread), {"action": "rename", "title": " "}, follow=True
    )

    assert "Give the thread a title." in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == "Sensori per la manifattura"


def test_a_room_is_renamed_by_the_room_name_rules_and_locked():
    community, owner, _thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="generale")
    rooms.room_create(actor=owner, community=community, name="eventi")
    client = _client(owner)
    url = _moderate_url(room)

    taken = client.post(url, {"action": "rename", "title": "Eventi"}, follow=True)
    assert "This community already has a room with this name." in taken.content.decode()
    client.post(url, {"action": "rename", "title": "#annunci"})
    client.post(url, {"action": "lock"})

    room.refresh_from_db()
    assert (room.title, room.is_locked) == ("annunci", True)
    page = _client(member_of(community)).get(room.get_absolute_url()).content.decode()
    assert "This room is locked: no new messages." in page
    assert "data-moderate-menu" not in page
    assert "data-moderate-menu" in client.get(room.get_absolute_url()).content.decode()


# --- move ------------------------------------------------------------------------------


def test_the_move_form_lists_only_communities_the_moderator_moderates():
    community, owner, thread, _author, _post = _setup()
    mine = CommunityFactory(name="Energia pulita")
    Membership.objects.create(
        user=owner, community=mine, role=Membership.Role.MODERATOR
    )
    CommunityFactory(name="Altrui")
    url = reverse("community:thread-move", args=[community.slug, thread.pk])

    html = _client(owner).get(url).content.decode()

    assert "Energia pulita" in html and "Altrui" not in html


def test_a_moved_thread_keeps_its_posts_and_reports_and_its_old_address_leads_there():
    community, owner, thread, author, post = _setup()
    reports.post_report(actor=member_of(community), post=post, reason="off_topic")
    target = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    Membership.objects.create(user=owner, community=target, role=Membership.Role.OWNER)
    old_url = thread_url(thread)
    old_count = Community.objects.get(pk=community.pk).thread_count

    _client(owner).post(
        reverse("community:thread-move", args=[community.slug, thread.pk]),
        {"community": target.pk},
    )

    thread.refresh_from_db()
    assert thread.community_id == target.pk
    assert Post.objects.filter(thread=thread).count() == 2
    assert ReviewItem.objects.get(post=post).community_id == target.pk
    assert Community.objects.get(pk=community.pk).thread_count == old_count - 1
    assert Community.objects.get(pk=target.pk).thread_count == 1
    moved = _client(owner).get(old_url)
    assert moved.status_code == 302 and moved["Location"] == thread.get_absolute_url()
    # A reader of the old community who may not read the private one: not found.
    assert _client(member_of(community)).get(old_url).status_code == 404
    assert (
        _client(member_of(community))
        .get(reverse("community:post-permalink", args=[post.pk]))
        .status_code
        == 404
    )
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.THREAD_MOVED, community=target
    ).exists()


# --- split and merge -------------------------------------------------------------------


def _edit(post, body):
    return threads.post_edit(actor=post.author, post=post, body=body)


def _history(post):
    return list(post.revisions.order_by("pk").values_list("body", flat=True))


def test_split_moves_the_chosen_posts_once_with_their_history():
    community, owner, thread, author, post = _setup()
    others = [
        threads.post_reply(actor=author, thread=thread, body=f"Risposta {n}")
        for n in range(3)
    ]
    _edit(others[1], "Risposta 1, corretta")
    histories = {p.pk: _history(p) for p in Post.objects.all()}
    everyone = set(Post.objects.values_list("pk", flat=True))

    response = _client(owner).post(
        reverse("community:thread-split", args=[community.slug, thread.pk]),
        {"title": "Il prototipo", "posts": [post.pk, others[1].pk]},
    )

    new = Thread.objects.get(title="Il prototipo")
    assert response["Location"] == new.get_absolute_url()
    moved = list(new.posts.order_by("number"))
    stayed = list(thread.posts.order_by("number"))
    assert [p.pk for p in moved] == [post.pk, others[1].pk]
    assert [p.number for p in moved] == [1, 2]
    assert [p.number for p in stayed] == [1, 2, 3]
    assert {p.pk for p in moved + stayed} == everyone
    assert len(moved) + len(stayed) == len(everyone)
    assert {p.pk: _history(p) for p in Post.objects.all()} == histories
    thread.refresh_from_db()
    new.refresh_from_db()
    assert (thread.post_count, new.post_count) == (3, 2)
    assert new.author_id == author.pk
    # Permalinks lead to the post's new place.
    permalink = _client(None).get(
        reverse("community:post-permalink", args=[others[1].pk])
    )
    assert permalink["Location"].startswith(new.get_absolute_url())
    assert permalink["Location"].endswith(f"#p{others[1].pk}")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.THREAD_SPLIT)
    assert "Il prototipo" in entry.reason


@pytest.mark.parametrize(
    "posts, message",
    [
        ([], "Choose the posts to move to the new thread."),
        ("all", "Leave at least one post in this thread."),
        ("foreign", "Some of the chosen posts are not in this thread any more."),
    ],
)
def test_split_refuses_with_a_clear_message(posts, message):
    community, owner, thread, author, post = _setup()
    if posts == "all":
        posts = list(thread.posts.values_list("pk", flat=True))
    elif posts == "foreign":
        _c, _o, elsewhere = community_with_thread()
        posts = [post.pk, elsewhere.posts.get().pk]

    response = _client(owner).post(
        reverse("community:thread-split", args=[community.slug, thread.pk]),
        {"title": "Nuovo", "posts": posts},
        follow=True,
    )

    assert message in response.content.decode()
    assert not Thread.objects.filter(title="Nuovo").exists()
    assert thread.posts.count() == 2


def test_merge_interleaves_by_time_keeps_each_post_once_and_redirects():
    community, owner, thread, author, post = _setup()
    target = threads.thread_create(
        actor=author, community=community, title="Destinazione", body="Primo"
    )
    late = threads.post_reply(actor=author, thread=thread, body="Tardi nel sorgente")
    last = threads.post_reply(actor=owner, thread=target, body="Ultimo")
    _edit(late, "Tardi nel sorgente, corretto")
    everyone = set(
        Post.objects.filter(thread__in=[thread, target]).values_list("pk", flat=True)
    )
    histories = {p.pk: _history(p) for p in Post.objects.all()}
    by_time = list(
        Post.objects.filter(thread__in=[thread, target])
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    old_url = thread_url(thread)

    response = _client(owner).post(
        reverse("community:thread-merge", args=[community.slug, thread.pk]),
        {"target": f"http://testserver{thread_url(target)}"},
    )

    assert response.status_code == 302
    assert not Thread.objects.filter(pk=thread.pk).exists()
    merged = list(target.posts.order_by("number"))
    assert [p.pk for p in merged] == by_time
    assert [p.number for p in merged] == list(range(1, len(everyone) + 1))
    assert set(p.pk for p in merged) == everyone and len(merged) == len(everyone)
    assert {p.pk: _history(p) for p in Post.objects.all()} == histories
    target.refresh_from_db()
    assert target.post_count == len(everyone)
    assert target.last_poster_id == owner.pk and merged[-1].pk == last.pk
    # The old address (and its pages) lead to the target; permalinks keep working.
    redirect = _client(None).get(old_url)
    assert redirect.status_code == 302
    assert redirect["Location"] == target.get_absolute_url()
    permalink = _client(None).get(reverse("community:post-permalink", args=[late.pk]))
    assert permalink["Location"].endswith(f"#p{late.pk}")
    assert permalink["Location"].startswith(target.get_absolute_url())
    page = _client(None).get(target.get_absolute_url()).content.decode()
    assert SECRET in page and "Tardi nel sorgente, corretto" in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.THREAD_MERGED).exists()


def test_merging_twice_keeps_the_first_address_working():
    community, owner, first, _author, _post = _setup()
    second = threads.thread_create(
        actor=owner, community=community, title="B", body="b"
    )
    third = threads.thread_create(actor=owner, community=community, title="C", body="c")
    client = _client(owner)

    client.post(
        reverse("community:thread-merge", args=[community.slug, first.pk]),
        {"target": str(second.pk)},
    )
    client.post(
        reverse("community:thread-merge", args=[community.slug, second.pk]),
        {"target": f"#{third.pk}"},
    )

    assert client.get(thread_url(first))["Location"] == third.get_absolute_url()
    assert third.posts.count() == 4


def test_merge_refuses_a_target_the_moderator_does_not_moderate():
    community, owner, thread, _author, _post = _setup()
    _other_community, _other_owner, foreign = community_with_thread()

    response = _client(owner).post(
        reverse("community:thread-merge", args=[community.slug, thread.pk]),
        {"target": str(foreign.pk)},
    )

    assert response.status_code == 200
    assert "You can only merge a discussion into another discussion you moderate." in (
        response.content.decode()
    )
    assert Thread.objects.filter(pk=thread.pk).exists()


def test_merge_explains_an_address_it_cannot_read():
    community, owner, thread, _author, _post = _setup()
    client = _client(owner)
    url = reverse("community:thread-merge", args=[community.slug, thread.pk])

    bad = client.post(url, {"target": "domani"}).content.decode()
    missing = client.post(url, {"target": "99999"}).content.decode()

    assert "Paste the address of a thread" in bad
    assert "No such thread, or you may not see it." in missing


def test_the_queue_does_not_offer_to_delete_a_post_its_author_deleted():
    community, owner, thread, author, post = _setup()
    reports.post_report(actor=member_of(community), post=post, reason="spam")
    threads.post_delete(actor=author, post=post)
    item = ReviewItem.objects.get(post=post)
    url = reverse("community:review-item", args=[community.slug, item.pk])
    client = _client(owner)

    page = client.get(url).content.decode()
    response = client.post(url, {"action": "decide", "decision": "removed"}, follow=True)

    assert "Deleted by its author: the text is not shown." in page
    assert 'value="removed"' not in page and 'value="dismissed"' in page
    assert "You may not take this decision on this item." in response.content.decode()
    item.refresh_from_db()
    post.refresh_from_db()
    assert item.is_open and not post.is_removed


ROOM_TOOLS = {
    "lock": ({"action": "lock"}, lambda room: room.is_locked),
    "rename": (
        {"action": "rename", "title": "annunci"},
        lambda room: room.title == "annunci",
    ),
}


@pytest.mark.parametrize("tool", list(ROOM_TOOLS))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_lock_and_rename_a_room(tool, role):
    community, owner, _thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="generale")
    person = _person(community, owner, role)
    data, changed = ROOM_TOOLS[tool]

    response = _client(person).post(_moderate_url(room), data)

    room.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 302 and changed(room)
        assert AuditEntry.objects.filter(thread_id_ref=room.pk).exists()
    else:
        assert _refused(response) and not changed(room)
        assert not AuditEntry.objects.filter(thread_id_ref=room.pk).exists()


def test_a_room_moves_unless_the_target_has_one_of_the_same_name():
    community, owner, _thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="generale")
    author = member_of(community)
    message = threads.post_reply(actor=author, thread=room, body="Ciao")
    rooms.room_read_mark(user=author, thread=room, number=message.number)
    target = CommunityFactory()
    Membership.objects.create(user=owner, community=target, role=Membership.Role.OWNER)
    clash = rooms.room_create(actor=owner, community=target, name="Generale")
    url = reverse("community:thread-move", args=[community.slug, room.pk])

    refused = _client(owner).post(url, {"community": target.pk})
    assert "already has a room with this name: rename it first." in (
        refused.content.decode()
    )
    room.refresh_from_db()
    assert room.community_id == community.pk

    clash.delete()
    _client(owner).post(url, {"community": target.pk})

    room.refresh_from_db()
    assert room.community_id == target.pk
    assert room.posts.get() == message
    assert room.read_positions.get(user=author).last_read_number == message.number
    moved = _client(author).get(
        reverse("community:room-detail", args=[community.slug, room.pk])
    )
    assert moved["Location"] == room.get_absolute_url()


def test_the_menu_speaks_italian():
    community, owner, thread, _author, post = _setup()
    moderation.post_hide(actor=owner, post=post, reason="Dati riservati")
    client = _client(owner)

    html = client.get(thread_url(thread), HTTP_ACCEPT_LANGUAGE="it").content.decode()

    assert "Modera" in html and "Chiudi la discussione" in html
    assert "Nascosto da un moderatore:" in html


def test_staff_delete_in_the_admin_through_the_service_and_never_read_it_there():
    community, owner, thread, author, post = _setup()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = _client(staff)

    client.post(
        reverse("admin:community_post_changelist"),
        {"action": "post_remove", "_selected_action": [post.pk]},
        follow=True,
    )

    post.refresh_from_db()
    assert post.is_removed
    assert AuditEntry.objects.filter(action="post.removed", actor=staff).exists()
    page = client.get(reverse("admin:community_post_change", args=[post.pk]))
    assert page.status_code == 200 and SECRET not in page.content.decode()


@pytest.mark.parametrize("hidden", [2, 12])
def test_a_moderators_thread_page_costs_the_same_queries_however_many_are_hidden(
    django_assert_num_queries, hidden
):
    community, owner, thread = community_with_thread()
    author = member_of(community)
    posts = [
        threads.post_reply(actor=author, thread=thread, body=f"{SECRET} {n}")
        for n in range(12)
    ]
    for post in posts[:hidden]:
        moderation.post_hide(actor=owner, post=post, reason=f"Motivo {post.pk}")
    client = _client(owner)
    client.get(thread_url(thread))  # the session's first visit is not the case here

    # The member's page (THREAD_PAGE_QUERIES in test_page_query_counts) and nothing more.
    with django_assert_num_queries(THREAD_PAGE_QUERIES["member"]):
        response = client.get(thread_url(thread))

    html = response.content.decode()
    assert html.count("data-hidden-mark") == hidden
    assert f"Motivo {posts[hidden - 1].pk}" in html


def test_the_merge_form_suggests_the_communitys_other_discussions(
    django_assert_max_num_queries,
):
    community, owner, thread, _author, _post = _setup()
    others = [
        threads.thread_create(
            actor=owner, community=community, title=f"Tema {n}", body="x"
        )
        for n in range(5)
    ]
    client = _client(owner)
    url = reverse("community:thread-merge", args=[community.slug, thread.pk])
    client.get(url)

    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()

    for other in others:
        assert f'<option value="#{other.pk}">Tema' in html
        assert other.get_absolute_url() in html
    assert f'value="#{thread.pk}"' not in html
