"""The community's room list with unread counts, and the read positions behind them:
they only move forward, refuse what is not a message, and cost one query a list.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import Community, ReadPosition, Thread
from community.queries import rooms as room_queries
from community.services import rooms as room_services
from live.models import Event
from tests.community.room_helpers import (
    community_with_room,
    read_url,
    room_url,
    say,
    viewer,
)
from tests.community.thread_helpers import login
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


def test_rooms_are_listed_beside_the_threads_but_not_among_them(client):
    community, owner, room = community_with_room(name="Caffè")
    room_services.room_create(actor=owner, community=community, name="bandi")

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
    quiet = room_services.room_create(actor=owner, community=community, name="Silenzio")
    member, writer = member_of(community), member_of(community)
    for n in range(5):
        say(room, writer, f"Novità {n}")
    room_services.room_read_mark(user=member, thread=room, number=2)

    login(client, member)
    html = client.get(community.get_absolute_url()).content.decode()
    assert "3 unread messages" in html
    assert f'data-room-link="{quiet.pk}"><span class="room-list__name">' in html
    assert "New room" not in html

    login(client, owner)
    owner_html = client.get(community.get_absolute_url()).content.decode()
    assert "5 unread messages" in owner_html
    # Whoever writes has read the room up to their own message.
    login(client, writer)
    writer_html = client.get(community.get_absolute_url()).content.decode()
    assert "unread messages" not in writer_html
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

    assert room_services.room_read_mark(user=member, thread=room, number=3) == 3
    assert room_services.room_read_mark(user=member, thread=room, number=1) == 3
    assert room_services.room_read_mark(user=member, thread=room, number="2") == 3
    assert room_services.room_read_mark(user=member, thread=room, number=99) == 4

    position = ReadPosition.objects.get(user=member, thread=room)
    assert position.last_read_number == 4
    assert Event.objects.count() == events_before  # private bookkeeping


@pytest.mark.parametrize("number", [0, -3, "", "tre", None])
def test_read_positions_refuse_numbers_that_are_not_messages(number):
    community, owner, room = community_with_room()
    member = member_of(community)
    say(room, owner, "Uno")

    with pytest.raises(ValidationError):
        room_services.room_read_mark(user=member, thread=room, number=number)
    assert not ReadPosition.objects.filter(user=member).exists()


def test_strangers_keep_no_read_position_in_a_private_room():
    community, owner, room = community_with_room(Visibility.PRIVATE)
    say(room, owner, "Riservato")

    with pytest.raises(PermissionDenied):
        room_services.room_read_mark(user=UserFactory(), thread=room, number=1)


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


# --- query counts ----------------------------------------------------------------------

# The community page is its own test's bound plus the room list, the same for 5 and
# for 50 rooms.
COMMUNITY_PAGE_QUERIES = {"anonymous": 6, "member": 11}


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
    room_services.room_read_mark(user=member, thread=room, number=1)
    from community import permissions

    permissions.membership_of(member, community)  # the page has it already

    with django_assert_num_queries(1):
        rooms = room_queries.community_rooms(member, community)

    assert [(r.title, r.unread) for r in rooms] == [("Generale", 2)]
