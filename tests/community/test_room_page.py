"""The chat page of a room: messages oldest first, grouped by author and day, the
latest fifty with older ones a click away, permalinks into it; reading writes nothing
and the page's queries do not grow with its messages.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import ReadPosition, Thread
from community.services import rooms
from tests.community.room_helpers import (
    community_with_room,
    day_labels,
    message_items,
    post_url,
    promote_url,
    read_url,
    room_url,
    say,
    viewer,
)
from tests.community.thread_helpers import login, thread_url
from tests.support.factories import OrganisationFactory, PostFactory, UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


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
    assert not ReadPosition.objects.filter(user=member).exists()


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


# --- query counts ----------------------------------------------------------------------

# Upper bounds, the same for 5 and for 50 rows: the room, its stream head, its messages
# and the room list; signed in, also the session, the user, the membership and the
# navigation (communities, workspaces and the moderation counts).
# One of them reads the messages' reactions.
ROOM_PAGE_QUERIES = {"anonymous": 5, "member": 11}


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
    rooms.post_promote(actor=owner, post=promoted, title="Da continuare")
    for n in range(4):
        rooms.room_create(actor=owner, community=community, name=f"Stanza {n}")
    viewer(client, community, role)

    with django_assert_max_num_queries(ROOM_PAGE_QUERIES[role]):
        response = client.get(room_url(room))

    assert response.status_code == 200
    assert len(message_items(response.content.decode())) == rows
    assert "Da continuare" in response.content.decode()
