"""Topic rooms: opening rooms, the chat page, read positions and promoting messages.

Who may do what is a parametrised matrix over roles and visibilities, like the thread
matrix; query counts of the room page and the community's room list are pinned at 5
and at 50 rows with the same bound.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import queries, services
from community.models import Community, Event, Post, ReadPosition, Thread
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    UserFactory,
)
from tests.support.roles import (
    MODERATORS,
    READERS,
    ROLES,
    VISIBILITIES,
    expected_status,
    member_of,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


# --- helpers ---------------------------------------------------------------------------


def community_with_room(visibility=Visibility.PUBLIC, name="Generale"):
    """A community (with one discussion), its owner, and a room the owner opened."""
    community, owner, _thread = community_with_thread(visibility)
    room = services.room_create(actor=owner, community=community, name=name)
    return community, owner, room


def room_url(room, **query):
    url = reverse("community:room-detail", args=[room.community.slug, room.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def post_url(room):
    return reverse("community:room-post", args=[room.community.slug, room.pk])


def read_url(room):
    return reverse("community:room-read", args=[room.community.slug, room.pk])


def promote_url(post):
    return reverse("community:post-promote", args=[post.pk])


def say(room, author, body, *, minutes_ago=None):
    """A room message through the service; `minutes_ago` backdates it."""
    post = services.post_reply(actor=author, thread=room, body=body)
    if minutes_ago is not None:
        when = timezone.now() - timedelta(minutes=minutes_ago)
        Post.objects.filter(pk=post.pk).update(created_at=when)
        post.created_at = when
    return post


def events(stream):
    return list(Event.objects.filter(stream=stream).order_by("seq"))


def message_items(html):
    """(post id, grouped?) for each message of a room page, in page order."""
    return [
        (int(pk), "room-message--grouped" in classes)
        for classes, pk in re.findall(
            r'<li class="(room-message[^"]*)" id="p\d+" data-post="(\d+)"', html
        )
    ]


def day_labels(html):
    return re.findall(r'<h3 class="room-day__label">([^<]*)</h3>', html)


# --- opening rooms ---------------------------------------------------------------------


def test_owner_opens_a_room_and_the_community_stream_announces_it():
    community, owner, _thread = community_with_thread()

    room = services.room_create(actor=owner, community=community, name="  #Idrogeno ")

    assert room.kind == Thread.Kind.ROOM and room.title == "Idrogeno"
    assert room.post_count == 0 and room.author == owner
    created = events(f"community:{community.pk}")[-1]
    assert created.type == "thread.created"
    assert created.payload["id"] == room.pk and created.payload["kind"] == "room"


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_moderators_and_staff_open_rooms(role):
    community, owner, _thread = community_with_thread()

    room = services.room_create(
        actor=person_in(community, role), community=community, name="Eventi"
    )

    assert room.kind == Thread.Kind.ROOM


@pytest.mark.parametrize("role", ["member", "outsider", "banned"])
def test_members_cannot_open_rooms(role):
    community, owner, _thread = community_with_thread()

    with pytest.raises(PermissionDenied):
        services.room_create(
            actor=person_in(community, role), community=community, name="Eventi"
        )
    assert not Thread.objects.filter(kind=Thread.Kind.ROOM).exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Give the room a name."),
        ("  # ", "Give the room a name."),
        ("x" * 81, "at most 80 characters"),
        ("GENERALE", "already has a room with this name"),
    ],
)
def test_room_names_are_required_short_and_unique_whatever_the_case(name, message):
    community, owner, _room = community_with_room(name="Generale")

    with pytest.raises(ValidationError) as error:
        services.room_create(actor=owner, community=community, name=name)

    assert message in " ".join(error.value.message_dict["name"])
    assert Thread.objects.filter(kind=Thread.Kind.ROOM).count() == 1


def test_the_same_name_is_free_in_another_community_and_for_discussions():
    community, owner, room = community_with_room(name="Sensori per la manifattura")
    other, other_owner, _thread = community_with_thread()

    twin = services.room_create(actor=other_owner, community=other, name="generale")
    longest = services.room_create(actor=owner, community=community, name="y" * 80)

    assert twin.community == other and len(longest.title) == 80


def test_the_new_room_form_opens_the_room(client):
    community, owner, _thread = community_with_thread()
    login(client, owner)
    url = reverse("community:room-create", args=[community.slug])

    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Bandi e finanziamenti"})

    room = Thread.objects.get(kind=Thread.Kind.ROOM)
    assert response.status_code == 302 and response["Location"] == room_url(room)
    again = client.post(url, {"name": "bandi E finanziamenti"})
    assert again.status_code == 200
    assert "already has a room with this name" in again.content.decode()


# --- the chat page ---------------------------------------------------------------------


def test_messages_show_oldest_first_grouped_by_author_within_five_minutes(client):
    community, owner, room = community_with_room()
    anna, bruno = member_of(community), member_of(community)
    # Yesterday around noon, so no midnight falls between the messages whenever it runs.
    now = timezone.localtime()
    noon = now.hour * 60 + now.minute + 12 * 60
    first = say(room, anna, "Buongiorno", minutes_ago=noon + 30)
    second = say(room, anna, "Qualcuno va alla fiera?", minutes_ago=noon + 28)
    late = say(room, anna, "Io ci vado", minutes_ago=noon + 20)  # 8 minutes later
    other = say(room, bruno, "Anch'io", minutes_ago=noon + 19)
    again = say(room, anna, "Ci vediamo là", minutes_ago=noon + 18)

    html = client.get(room_url(room)).content.decode()

    assert message_items(html) == [
        (first.pk, False),
        (second.pk, True),
        (late.pk, False),
        (other.pk, False),
        (again.pk, False),
    ]
    assert html.count(anna.name) >= 4  # screen readers still hear every author
    assert "Qualcuno va alla fiera?" in html


def test_days_are_separated_today_yesterday_or_by_date(client):
    community, owner, room = community_with_room()
    anna = member_of(community)
    now = timezone.localtime()
    minutes_into_today = now.hour * 60 + now.minute
    say(room, anna, "Tre giorni fa", minutes_ago=minutes_into_today + 3 * 24 * 60)
    say(room, anna, "Ieri", minutes_ago=minutes_into_today + 12 * 60)
    say(room, anna, "Ieri, poco dopo", minutes_ago=minutes_into_today + 12 * 60 - 1)
    say(room, anna, "Oggi", minutes_ago=0)

    html = client.get(room_url(room)).content.decode()

    three_days_ago = (now - timedelta(days=3)).date()
    labels = day_labels(html)
    assert labels[1:] == ["Yesterday", "Today"]
    assert str(three_days_ago.year) in labels[0]
    # A day separator also ends a group: "Oggi" shows its author again.
    grouped = [flag for _pk, flag in message_items(html)]
    assert grouped == [False, False, True, False]


def test_the_latest_fifty_messages_and_a_link_to_older_ones(client):
    community, owner, room = community_with_room()
    authors = [member_of(community) for _ in range(3)]
    posts = [say(room, authors[n % 3], f"Messaggio {n}") for n in range(55)]
    login(client, authors[0])

    html = client.get(room_url(room)).content.decode()

    shown = [pk for pk, _grouped in message_items(html)]
    assert shown == [post.pk for post in posts[5:]]
    assert 'href="?before=6"' in html and "Load older messages" in html
    assert "data-latest" in html and 'id="composer"' in html

    older = client.get(room_url(room, before=6)).content.decode()
    assert [pk for pk, _ in message_items(older)] == [post.pk for post in posts[:5]]
    assert "This is the beginning of #Generale." in older
    assert "Jump to the latest messages" in older and 'id="composer"' not in older


def test_an_empty_room_invites_the_first_message(client):
    community, owner, room = community_with_room()

    login(client, owner)
    html = client.get(room_url(room)).content.decode()

    assert "No messages yet: say hello to the room." in html
    assert 'id="composer"' in html


def test_reading_a_room_writes_nothing(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    say(room, owner, "Benvenuti")
    login(client, member)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(room_url(room))

    assert response.status_code == 200
    reads = ("SELECT", "SAVEPOINT", "RELEASE")
    statements = [query["sql"].lstrip().upper() for query in captured.captured_queries]
    writes = [sql for sql in statements if not sql.startswith(reads)]
    assert writes == []
    assert not ReadPosition.objects.exists()


def test_rooms_and_discussions_send_each_other_to_their_own_page(client):
    community, owner, room = community_with_room()
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)

    to_room = client.get(thread_url(room))
    to_discussion = client.get(room_url(discussion))

    assert to_room.status_code == 302 and to_room["Location"] == room_url(room)
    assert to_discussion.status_code == 302
    assert to_discussion["Location"] == thread_url(discussion)
    assert room.get_absolute_url() == room_url(room)


def test_wrong_ids_and_slugs_answer_404(client):
    # A room under another community's slug moves: see test_thread_addresses.py.
    community, owner, room = community_with_room()
    login(client, owner)

    for url in (
        reverse("community:room-detail", args=[community.slug, room.pk + 100]),
        reverse("community:room-create", args=["nowhere"]),
    ):
        assert client.get(url).status_code == 404, url
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)
    assert client.post(post_url(discussion), {"body": "x"}).status_code == 404
    assert client.post(read_url(discussion), {"number": 1}).status_code == 404
    first = discussion.posts.get()
    assert client.get(promote_url(first)).status_code == 404


def test_sending_without_javascript_posts_and_comes_back_to_the_room(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    login(client, member)

    response = client.post(post_url(room), {"body": "Ciao a tutti"})

    post = room.posts.get()
    assert response.status_code == 302
    assert response["Location"] == room_url(room) + "#composer"
    assert post.author == member and post.number == 1
    assert events(room.stream)[-1].type == "post.created"
    # Whoever wrote has read the room up to their own message.
    assert ReadPosition.objects.get(user=member, thread=room).last_read_number == 1
    page = client.get(room_url(room)).content.decode()
    assert "Ciao a tutti" in page


def test_an_empty_message_shows_the_error_in_the_room(client):
    community, owner, room = community_with_room()
    login(client, member_of(community))

    response = client.post(post_url(room), {"body": "   "})

    assert response.status_code == 200
    assert "Write something first." in response.content.decode()
    assert not room.posts.exists()


def test_a_resent_message_is_stored_once(client):
    community, owner, room = community_with_room()
    login(client, member_of(community))
    form = {
        "body": "Una volta sola",
        "client_id": "3f0b1c2e-5d6a-4b7c-8d9e-0f1a2b3c4d5e",
    }

    client.post(post_url(room), form)
    client.post(post_url(room), form)

    assert room.posts.count() == 1


def test_live_fragments_of_room_messages_use_the_chat_layout():
    community, owner, room = community_with_room()
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)

    message = say(room, owner, "In diretta")
    reply = services.post_reply(actor=owner, thread=discussion, body="Risposta")

    room_html = events(room.stream)[-1].payload["html"]
    thread_html = events(discussion.stream)[-1].payload["html"]
    assert set(room_html) == {"it", "en"}
    assert room_html["en"].startswith('<li class="room-message"')
    assert f'data-post="{message.pk}"' in room_html["en"]
    for action in ("edit", "delete", "promote"):
        assert f'data-action="{action}"' in room_html["en"]
    assert 'class="post' in thread_html["en"]
    assert f'data-post="{reply.pk}"' in thread_html["en"]


def test_permalinks_of_room_messages_open_the_room_page_that_shows_them(client):
    community, owner, room = community_with_room()
    authors = [member_of(community) for _ in range(3)]
    posts = [say(room, authors[n % 3], f"Messaggio {n}") for n in range(60)]

    recent = client.get(reverse("community:post-permalink", args=[posts[-1].pk]))
    old = client.get(reverse("community:post-permalink", args=[posts[2].pk]))

    assert recent["Location"] == room_url(room) + f"#p{posts[-1].pk}"
    assert old["Location"] == room_url(room, before=4) + f"#p{posts[2].pk}"
    page = client.get(room_url(room, before=4)).content.decode()
    assert f'id="p{posts[2].pk}"' in page


def test_editing_and_deleting_a_room_message_come_back_to_the_room(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    post = say(room, member, "Refuso")
    login(client, member)

    edited = client.post(
        reverse("community:post-edit", args=[post.pk]), {"body": "Fix"}
    )
    deleted = client.post(reverse("community:post-delete", args=[post.pk]))

    assert edited["Location"] == room_url(room) + f"#p{post.pk}"
    assert deleted["Location"] == room_url(room) + f"#p{post.pk}"
    html = client.get(room_url(room)).content.decode()
    assert "This message was deleted by its author." in html


# --- the community's rooms -------------------------------------------------------------


def test_rooms_are_listed_beside_the_threads_but_not_among_them(client):
    community, owner, room = community_with_room(name="Caffè")
    services.room_create(actor=owner, community=community, name="bandi")

    html = client.get(community.get_absolute_url()).content.decode()

    threads = html.split('<ul class="rows thread-list">')[1].split("</ul>")[0]
    assert "Caffè" not in threads and "Sensori per la manifattura" in threads
    rooms = html.split('class="room-list__items"')[1].split("</ul>")[0]
    assert rooms.index("bandi") < rooms.index("Caffè")
    assert room_url(room) in rooms
    assert "New room" not in html  # visitors do not open rooms
    assert "unread" not in rooms  # nor have read positions


def test_members_see_unread_counts_and_moderators_the_new_room_link(client):
    community, owner, room = community_with_room()
    quiet = services.room_create(actor=owner, community=community, name="Silenzio")
    member = member_of(community)
    for n in range(5):
        say(room, owner, f"Novità {n}")
    services.room_read_mark(user=member, thread=room, number=2)

    login(client, member)
    html = client.get(community.get_absolute_url()).content.decode()
    assert "3 unread messages" in html
    assert f'data-room-link="{quiet.pk}"><span class="room-list__name">' in html
    assert "New room" not in html

    login(client, owner)
    owner_html = client.get(community.get_absolute_url()).content.decode()
    assert "5 unread messages" in owner_html
    assert reverse("community:room-create", args=[community.slug]) in owner_html


def test_unread_counts_above_ninety_nine_are_shortened(client):
    community, owner, room = community_with_room()
    Thread.objects.filter(pk=room.pk).update(post_count=150)
    login(client, member_of(community))

    html = client.get(community.get_absolute_url()).content.decode()

    assert '<span aria-hidden="true">99+</span>' in html
    assert "150 unread messages" in html


# --- read positions --------------------------------------------------------------------


def test_read_positions_never_move_backwards_nor_past_the_last_message():
    community, owner, room = community_with_room()
    member = member_of(community)
    for n in range(4):
        say(room, owner, f"Messaggio {n}")
    events_before = Event.objects.count()

    assert services.room_read_mark(user=member, thread=room, number=3) == 3
    assert services.room_read_mark(user=member, thread=room, number=1) == 3
    assert services.room_read_mark(user=member, thread=room, number="2") == 3
    assert services.room_read_mark(user=member, thread=room, number=99) == 4

    position = ReadPosition.objects.get(user=member, thread=room)
    assert position.last_read_number == 4
    assert Event.objects.count() == events_before  # private bookkeeping


@pytest.mark.parametrize("number", [0, -3, "", "tre", None])
def test_read_positions_refuse_numbers_that_are_not_messages(number):
    community, owner, room = community_with_room()
    say(room, owner, "Uno")

    with pytest.raises(ValidationError):
        services.room_read_mark(user=owner, thread=room, number=number)
    assert not ReadPosition.objects.exists()


def test_strangers_keep_no_read_position_in_a_private_room():
    community, owner, room = community_with_room(Visibility.PRIVATE)
    say(room, owner, "Riservato")

    with pytest.raises(PermissionDenied):
        services.room_read_mark(user=UserFactory(), thread=room, number=1)


def test_the_read_endpoint_answers_scripts_and_forms(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    for n in range(3):
        say(room, owner, f"Messaggio {n}")
    login(client, member)

    scripted = client.post(
        read_url(room), {"number": 2}, headers={"X-Requested-With": "fetch"}
    )
    form = client.post(read_url(room), {"number": 3})
    bad = client.post(
        read_url(room), {"number": "x"}, headers={"X-Requested-With": "fetch"}
    )

    assert scripted.status_code == 204
    assert form.status_code == 302 and form["Location"] == room_url(room)
    assert bad.status_code == 400
    assert ReadPosition.objects.get(user=member).last_read_number == 3
    assert client.get(read_url(room)).status_code == 405


# --- promoting a message to a thread ---------------------------------------------------


def test_a_promoted_message_becomes_a_thread_with_backlinks_both_ways(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    message = say(room, member, "Serve un partner per un bando **Horizon**.")
    stream_before = len(events(f"community:{community.pk}"))

    thread = services.post_promote(
        actor=member, post=message, title="Partner per Horizon", body="Chi c'è?"
    )

    thread.refresh_from_db()
    message.refresh_from_db()
    assert thread.kind == Thread.Kind.DISCUSSION and thread.community == community
    assert thread.promoted_from == message and message.promoted_to == thread
    first = thread.posts.get()
    permalink = reverse("community:post-permalink", args=[message.pk])
    assert first.author == member
    assert f"@{member.username} wrote in [#Generale]({permalink}):" in first.body
    assert "> Serve un partner per un bando **Horizon**." in first.body
    assert first.body.endswith("Chi c'è?")
    assert (
        f'href="{permalink}"' in first.body_html and "<blockquote>" in first.body_html
    )

    community_events = events(f"community:{community.pk}")[stream_before:]
    assert [e.type for e in community_events] == ["thread.created"]
    assert community_events[0].payload["id"] == thread.pk
    assert [e.type for e in events(thread.stream)] == ["post.created"]
    promoted = events(room.stream)[-1]
    assert promoted.type == "post.promoted"
    assert promoted.payload["id"] == message.pk
    assert promoted.payload["promoted_to"] == {
        "id": thread.pk,
        "title": "Partner per Horizon",
        "url": thread_url(thread),
    }
    assert "continued in" in promoted.payload["html"]["en"]
    assert thread_url(thread) in promoted.payload["html"]["en"]

    # The room shows where the conversation went; the thread links back to the room.
    room_html = client.get(room_url(room)).content.decode()
    assert f'continued in <a href="{thread_url(thread)}">Partner per Horizon</a>' in (
        room_html
    )
    assert client.get(thread_url(thread)).status_code == 200
    back = client.get(permalink)
    assert back["Location"] == room_url(room) + f"#p{message.pk}"


def test_a_message_continues_in_one_thread_only(client):
    community, owner, room = community_with_room()
    message = say(room, owner, "Idea")
    thread = services.post_promote(actor=owner, post=message, title="Idea")

    with pytest.raises(ValidationError):
        services.post_promote(actor=owner, post=message, title="Di nuovo")
    login(client, owner)
    response = client.get(promote_url(message))
    assert response.status_code == 302 and response["Location"] == thread_url(thread)
    assert Thread.objects.filter(promoted_from=message).count() == 1
    html = client.get(room_url(room)).content.decode()
    assert f'href="{promote_url(message)}"' not in html


def test_a_bad_title_creates_nothing():
    community, owner, room = community_with_room()
    message = say(room, owner, "Idea")
    before = Event.objects.count()

    with pytest.raises(ValidationError) as error:
        services.post_promote(actor=owner, post=message, title="   ")

    assert "title" in error.value.message_dict
    assert Event.objects.count() == before
    assert not Thread.objects.filter(promoted_from=message).exists()


def test_a_long_many_lined_message_promotes_with_part_of_it_quoted(settings):
    """Every quoted line gains "> ": the quote is cut to the limit, not the thread refused."""
    settings.POST_BODY_MAX_LENGTH = 300
    community, owner, room = community_with_room()
    message = say(room, owner, "riga\n" * 60)

    thread = services.post_promote(actor=owner, post=message, title="Continua")

    first = thread.posts.get()
    assert len(first.body) == 300
    assert first.body.endswith("…")
    assert first.body.count("> riga") > 30


def test_a_note_at_its_limit_is_kept_whole_and_the_quote_shortened(settings):
    settings.POST_BODY_MAX_LENGTH = 300
    community, owner, room = community_with_room()
    message = say(room, owner, "riga\n" * 60)
    limit = services.promotion_note_max_length(message)
    assert 200 < limit < 300

    thread = services.post_promote(
        actor=owner, post=message, title="Continua", body="n" * limit
    )

    first = thread.posts.get()
    assert len(first.body) == 300
    assert first.body.endswith("\n\n> …\n\n" + "n" * limit)
    with pytest.raises(ValidationError) as error:
        services.post_promote(
            actor=owner, post=say(room, owner, "altro"), title="Ancora", body="n" * 300
        )
    assert "The note is too long" in error.value.message_dict["body"][0]


def test_only_the_author_or_a_moderator_promotes_and_only_room_messages():
    community, owner, room = community_with_room()
    author, other = member_of(community), member_of(community)
    message = say(room, author, "Mio")

    with pytest.raises(PermissionDenied):
        services.post_promote(actor=other, post=message, title="Non mio")
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)
    with pytest.raises(PermissionDenied):
        services.post_promote(actor=owner, post=discussion.posts.get(), title="No")
    services.post_delete(actor=author, post=message)
    with pytest.raises(PermissionDenied):
        services.post_promote(actor=author, post=message, title="Cancellato")


def test_the_promote_form_suggests_a_title_and_starts_the_thread(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    message = say(room, member, "Qualcuno conosce  un laboratorio\nper prove EMC?")
    login(client, member)

    form = client.get(promote_url(message)).content.decode()
    assert 'value="Qualcuno conosce un laboratorio per prove EMC?"' in form
    assert "prove EMC?" in form

    empty = client.post(promote_url(message), {"title": ""})
    assert empty.status_code == 200
    assert not Thread.objects.filter(promoted_from=message).exists()
    response = client.post(promote_url(message), {"title": "Laboratori EMC"})
    thread = Thread.objects.get(promoted_from=message)
    assert response.status_code == 302 and response["Location"] == thread_url(thread)


# --- permissions matrix ----------------------------------------------------------------


ACTIONS = {
    # name: (needs login, status when allowed, who is allowed once past the gate)
    "read room": (False, 200, set(ROLES)),
    "read older messages": (False, 200, set(ROLES)),
    "open message permalink": (False, 302, set(ROLES)),
    "new room form": (True, 200, MODERATORS),
    "open room": (True, 302, MODERATORS),
    "send message": (True, 302, READERS),
    "mark as read": (True, 302, set(ROLES)),
    "promote form for someone's message": (True, 200, MODERATORS),
    "promote someone's message": (True, 302, MODERATORS),
    "edit someone's message": (True, 200, set()),
    "delete someone's message": (True, 302, set()),
}


def perform(client, action, room, post):
    community = room.community
    match action:
        case "read room":
            return client.get(room_url(room))
        case "read older messages":
            return client.get(room_url(room, before=post.number))
        case "open message permalink":
            return client.get(reverse("community:post-permalink", args=[post.pk]))
        case "new room form":
            return client.get(reverse("community:room-create", args=[community.slug]))
        case "open room":
            return client.post(
                reverse("community:room-create", args=[community.slug]),
                {"name": "Nuova stanza"},
            )
        case "send message":
            return client.post(post_url(room), {"body": "Ciao"})
        case "mark as read":
            return client.post(read_url(room), {"number": post.number})
        case "promote form for someone's message":
            return client.get(promote_url(post))
        case "promote someone's message":
            return client.post(promote_url(post), {"title": "Continua qui"})
        case "edit someone's message":
            return client.post(
                reverse("community:post-edit", args=[post.pk]), {"body": "Modifica"}
            )
        case "delete someone's message":
            return client.post(reverse("community:post-delete", args=[post.pk]))


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_room_permission_matrix(client, role, visibility, action):
    community, owner, room = community_with_room(visibility)
    author = member_of(community)
    post = say(room, author, "Originale")
    person = owner if role == "owner" else person_in(community, role)
    threads_before = Thread.objects.count()
    posts_before = Post.objects.count()

    response = perform(login(client, person), action, room, post)

    status = expected_status(ACTIONS[action], visibility, role)
    assert response.status_code == status, (role, visibility, action)
    if status == 302 and role == "anonymous" and ACTIONS[action][0]:
        assert response["Location"].startswith(reverse("account_login"))
    writes = {"open room", "send message", "promote someone's message"}
    if status != 302 or action not in writes:
        assert Thread.objects.count() == threads_before
        assert Post.objects.count() == posts_before
    if status != 302 or action not in {"mark as read", "send message"}:
        assert not ReadPosition.objects.exists()
    post.refresh_from_db()
    assert post.body == "Originale" and not post.is_deleted


def test_authors_promote_their_own_messages_but_muted_ones_cannot(client):
    community, owner, room = community_with_room()
    author = member_of(community)
    post = say(room, author, "Mio")
    login(client, author)

    assert client.get(promote_url(post)).status_code == 200
    author.memberships.update(muted_until=timezone.now() + timedelta(days=1))
    assert client.get(promote_url(post)).status_code == 403


def test_the_room_page_offers_each_viewer_only_their_actions(client):
    community, owner, room = community_with_room()
    author, other = member_of(community), member_of(community)
    post = say(room, author, "Mio")

    def actions(user):
        login(client, user)
        html = client.get(room_url(room)).content.decode()
        item = html.split(f'data-post="{post.pk}"')[1].split("</li>")[0]
        return set(re.findall(r'data-action="(\w+)"', item))

    assert actions(author) == {"edit", "delete", "promote"}
    assert actions(other) == set()
    assert actions(owner) == {"promote"}


# --- query counts ----------------------------------------------------------------------

# Upper bounds, the same for 5 and for 50 rows: the room, its stream head, its messages
# and the room list; signed in, also the session, the user, the membership and the
# navigation. The community page is its own test's bound plus the room list.
ROOM_PAGE_QUERIES = {"anonymous": 4, "member": 8}
COMMUNITY_PAGE_QUERIES = {"anonymous": 6, "member": 11}


def viewer(client, community, role):
    if role == "anonymous":
        return None
    user = UserFactory()
    MembershipFactory(user=user, community=community)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", sorted(ROOM_PAGE_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_room_page_queries_do_not_grow_with_messages(
    client, django_assert_max_num_queries, role, rows
):
    community, owner, room = community_with_room()
    organisations = OrganisationFactory.create_batch(3)
    authors = [UserFactory(organisation=organisations[n]) for n in range(3)]
    for n in range(rows):
        PostFactory(thread=room, author=authors[n % 3], number=n + 1)
    Thread.objects.filter(pk=room.pk).update(post_count=rows)
    room.refresh_from_db()
    promoted = room.posts.get(number=2)
    services.post_promote(actor=owner, post=promoted, title="Da continuare")
    for n in range(4):
        services.room_create(actor=owner, community=community, name=f"Stanza {n}")
    viewer(client, community, role)

    with django_assert_max_num_queries(ROOM_PAGE_QUERIES[role]):
        response = client.get(room_url(room))

    assert response.status_code == 200
    assert len(message_items(response.content.decode())) == rows
    assert "Da continuare" in response.content.decode()


@pytest.mark.parametrize("role", sorted(COMMUNITY_PAGE_QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_community_room_list_queries_do_not_grow_with_rooms(
    client, django_assert_max_num_queries, role, rows
):
    community = CommunityFactory()
    owner = person_in(community, "owner")
    rooms = [
        Thread.objects.create(
            community=community,
            title=f"Stanza {n}",
            kind=Thread.Kind.ROOM,
            author=owner,
            last_activity_at=timezone.now(),
            post_count=n,
        )
        for n in range(rows)
    ]
    user = viewer(client, community, role)
    if user is not None:
        for room in rooms[::2]:
            ReadPosition.objects.create(user=user, thread=room, last_read_number=1)

    with django_assert_max_num_queries(COMMUNITY_PAGE_QUERIES[role]):
        response = client.get(community.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("data-room-link=") == rows
    if user is not None:
        assert "3 unread messages" in html  # "Stanza 3": none of its 3 read


def test_queries_helper_lists_rooms_with_unread_counts_in_one_query(
    django_assert_num_queries,
):
    community, owner, room = community_with_room()
    member = member_of(community)
    for n in range(3):
        say(room, owner, f"Messaggio {n}")
    services.room_read_mark(user=member, thread=room, number=1)
    from community import permissions

    permissions.membership_of(member, community)  # the page has it already

    with django_assert_num_queries(1):
        rooms = queries.community_rooms(member, community)

    assert [(r.title, r.unread) for r in rooms] == [("Generale", 2)]
