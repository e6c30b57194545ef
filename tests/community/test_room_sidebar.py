"""The room page's sidebar: the rooms of every community I am an active member of,
grouped by community kind and community, with unread counts and the current room
marked, in a constant number of queries; and the thread lists' participants."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Community, Membership, ReadPosition
from community.queries import thread_lists
from community.services import rooms, threads
from tests.community.room_helpers import community_with_room, room_url, say
from tests.community.thread_helpers import add_replies, community_with_thread, login
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.support.roles import member_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _sidebar(html):
    return html.split("data-room-sidebar")[1].split("</nav>")[0]


def _rooms(sidebar):
    """(room name, unread shown) in sidebar order."""
    return [
        (name, int(unread) if unread else 0)
        for name, unread in re.findall(
            r'<span aria-hidden="true">#</span>([^<]+)</span>'
            r'(?:<span class="badge[^"]*" data-unread><span aria-hidden="true">(\d+))?',
            sidebar,
        )
    ]


def _community_with_rooms(person, *names, kind=Community.Kind.COMMUNITY, state="active"):
    community = CommunityFactory(kind=kind)
    owner = UserFactory()
    MembershipFactory(user=owner, community=community, role=Membership.Role.OWNER)
    if person is not None:
        MembershipFactory(user=person, community=community, state=state)
    made = [rooms.room_create(actor=owner, community=community, name=name) for name in names]
    return community, owner, made


def test_the_sidebar_lists_every_active_membership_s_rooms_by_kind(client):
    me = UserFactory()
    here, owner, (lobby, library) = _community_with_rooms(me, "Atrio", "Biblioteca")
    other, other_owner, (news,) = _community_with_rooms(me, "Notizie")
    for n in range(3):
        say(news, other_owner, f"Novità {n}")
    ReadPosition.objects.create(user=me, thread=news, last_read_number=1)
    workspace, _, (desk,) = _community_with_rooms(
        me, "Scrivania", kind=Community.Kind.WORKSPACE
    )
    _community_with_rooms(me, "In attesa", state=Membership.State.PENDING)
    _community_with_rooms(me, "Bandito", state=Membership.State.BANNED)
    _community_with_rooms(None, "Altrui")

    html = login(client, me).get(room_url(lobby)).content.decode()
    sidebar = _sidebar(html)

    assert _rooms(sidebar) == [
        ("Atrio", 0),  # the current community first
        ("Biblioteca", 0),
        ("Notizie", 2),
        ("Scrivania", 0),
    ]
    # Grouped by kind (its label), then by community.
    assert re.findall(r'<h3 class="room-sidebar__kind"[^>]*>([^<]+)</h3>', sidebar) == [
        "Community",
        "Workspace",
    ]
    names = re.findall(r'<h4 class="room-sidebar__name"><a [^>]*>([^<]+)</a>', sidebar)
    assert names == [here.name, other.name, workspace.name]
    assert f'data-room-link="{lobby.pk}" aria-current="page"' in sidebar
    assert "2 unread messages" in sidebar


def test_visitors_and_non_members_see_the_room_s_own_community(client):
    community, owner, room = community_with_room(name="Caffè")
    say(room, owner, "Ciao")

    sidebar = _sidebar(client.get(room_url(room)).content.decode())
    assert _rooms(sidebar) == [("Caffè", 0)]  # no read positions for visitors

    me = UserFactory()
    _community_with_rooms(me, "Mia")
    sidebar = _sidebar(login(client, me).get(room_url(room)).content.decode())
    assert [name for name, _ in _rooms(sidebar)] == ["Caffè", "Mia"]


def _sidebar_url(room):
    return reverse("community:room-sidebar", args=[room.community.slug, room.pk])


def test_the_sidebar_reads_itself_again_with_the_same_counts_and_rule(client):
    me = UserFactory()
    here, owner, (lobby, library) = _community_with_rooms(me, "Atrio", "Biblioteca")
    other, other_owner, (news,) = _community_with_rooms(me, "Notizie")

    page = _sidebar(login(client, me).get(room_url(lobby)).content.decode())
    # It follows the streams of the communities it lists, for room_layout.js.
    assert f"community:{here.pk} " in page and f"community:{other.pk} " in page
    assert f'data-sidebar-url="{_sidebar_url(lobby)}"' in page

    say(news, other_owner, "Novità")
    say(lobby, owner, "Qui")
    answer = client.get(_sidebar_url(lobby), HTTP_X_REQUESTED_WITH="fetch").json()
    assert _rooms(_sidebar(answer["html"])) == [
        ("Atrio", 1),  # the page keeps its own count (room_layout.js)
        ("Biblioteca", 0),
        ("Notizie", 1),
    ]

    # Whoever may not read the room may not read its sidebar either.
    private, _, (secret,) = _community_with_rooms(None, "Segreta")
    private.visibility = Community.Visibility.PRIVATE
    private.save(update_fields=["visibility"])
    assert client.get(_sidebar_url(secret)).status_code == 404
    client.logout()
    assert client.get(_sidebar_url(secret)).status_code == 404


def test_the_sidebar_offers_a_new_room_to_moderators_on_the_page_and_read_again(client):
    me = UserFactory()
    here, owner, (lobby,) = _community_with_rooms(me, "Atrio")
    create = reverse("community:room-create", args=[here.slug])

    for person, offered in ((owner, True), (me, False)):
        login(client, person)
        page = _sidebar(client.get(room_url(lobby)).content.decode())
        answer = client.get(_sidebar_url(lobby), HTTP_X_REQUESTED_WITH="fetch").json()
        assert (create in page) is offered
        assert (create in _sidebar(answer["html"])) is offered


@pytest.mark.parametrize("communities", [1, 8])
def test_the_room_page_costs_the_same_queries_whatever_the_sidebar_lists(
    client, communities
):
    me = UserFactory()
    first, _, (room,) = _community_with_rooms(me, "Atrio")
    for n in range(communities):
        _, owner, made = _community_with_rooms(me, *(f"Stanza {n}-{k}" for k in range(3)))
        say(made[0], owner, "Ciao")
    login(client, me).get(room_url(room))  # the read position, once

    with CaptureQueriesContext(connection) as queries:
        html = client.get(room_url(room)).content.decode()
    assert len(_rooms(_sidebar(html))) == 1 + 3 * communities
    # Pinned for one community and for eight.
    assert len(queries.captured_queries) == ROOM_PAGE_QUERIES


# The session and the user, the thread with the reader's position, the navigation,
# the messages with the stream head, the sidebar's rooms in one query and the
# person's direct conversations in another (their people in a third, when there are
# some): the same for one community's rooms and for eight's.
ROOM_PAGE_QUERIES = 8


def test_thread_rows_show_the_five_latest_posters_in_one_query(client):
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(7)]
    add_replies(thread, 7, authors=people)
    threads.post_reply(actor=people[0], thread=thread, body="Ancora io")
    plain = threads.thread_create(actor=owner, community=community, title="B", body="b")

    with CaptureQueriesContext(connection) as queries:
        listed = thread_lists.participants_attach([thread, plain])
    assert len(queries.captured_queries) == 1
    shown = [person.pk for person in listed[0].participants]
    # The latest first, each once, five at most.
    assert shown == [people[0].pk, people[6].pk, people[5].pk, people[4].pk, people[3].pk]
    assert [person.pk for person in listed[1].participants] == [owner.pk]

    html = client.get(community.get_absolute_url()).content.decode()
    row = html.split(f'data-thread-row="{thread.pk}"')[1].split("</li>\n")[0]
    assert row.count("data-participant") == 5
    assert f'title="{people[0].name}"' in row
