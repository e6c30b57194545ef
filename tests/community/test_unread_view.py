"""The Unread view: threads and rooms with posts after my read position, across my
communities and workspaces, without muted ones, newest first, with counts; new threads
since I joined; dismissing; "jump to first unread"; what a reader who lost access no
longer sees; and its query count, the same for 3 rows and for 30."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community, Membership, ReadPosition, Thread
from community.queries import unread as unread_queries
from community.services import levels, memberships, reading, threads
from tests.community.room_helpers import say
from tests.community.thread_helpers import add_replies, login, thread_url
from tests.support.factories import CommunityFactory, ThreadFactory
from tests.support.roles import member_of, person_in
from tests.support.workspaces import add_participant, make_workspace, person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility
UNREAD = reverse("community:unread")


def joined_long_ago(person, community):
    """`person` joined `community` a month ago (threads started since are new)."""
    Membership.objects.filter(user=person, community=community).update(
        created_at=timezone.now() - timedelta(days=30)
    )


def start(community, author, title, replies=0, by=None):
    thread = threads.thread_create(
        actor=author, community=community, title=title, body=f"{title}: primo"
    )
    for n in range(replies):
        threads.post_reply(actor=by or author, thread=thread, body=f"{title} {n}")
    thread.refresh_from_db()
    return thread


def listed(client):
    """{title: unread count} of the first page of the Unread view, in order."""
    html = client.get(UNREAD).content.decode()
    rows = re.findall(
        r'class="row-main__title" href="[^"]*">(?:<span aria-hidden="true">#</span>)?'
        r"([^<]+)</a>.*?data-unread-count>(\d+)<",
        html,
        re.S,
    )
    return {title: int(count) for title, count in rows}


@pytest.fixture
def reader(db):
    """A member of a public community (joined a month ago) with its owner."""
    community = CommunityFactory(name="Manifattura")
    owner = person_in(community, "owner")
    person = member_of(community)
    joined_long_ago(person, community)
    return community, owner, person


def test_threads_with_posts_after_my_position_are_listed_with_their_counts(
    client, reader
):
    community, owner, person = reader
    read_half = start(community, owner, "Letto a metà", replies=5)
    read_all = start(community, owner, "Letto tutto", replies=2)
    reading.read_mark(user=person, thread=read_half, number=3)
    reading.read_mark(user=person, thread=read_all, number=3)
    login(client, person)

    assert listed(client) == {"Letto a metà": 3}
    threads.post_reply(actor=owner, thread=read_all, body="Novità")
    rows = listed(client)
    assert list(rows) == ["Letto tutto", "Letto a metà"]  # newest activity first
    assert rows == {"Letto tutto": 1, "Letto a metà": 3}


def test_new_threads_since_i_joined_are_listed_as_new_older_ones_are_not(
    client, reader
):
    community, owner, person = reader
    old = start(community, owner, "Di prima")
    Thread.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    stale = start(community, owner, "Troppo vecchio")
    Thread.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=unread_queries.NEW_DAYS + 1)
    )
    start(community, owner, "Appena aperto", replies=1)
    login(client, person)

    html = client.get(UNREAD).content.decode()

    assert listed(client) == {"Appena aperto": 2}
    assert "data-new" in html
    assert "Di prima" not in html and "Troppo vecchio" not in html


def test_rooms_count_every_message_after_my_position(client, reader):
    community, owner, person = reader
    from community.services import rooms

    room = rooms.room_create(actor=owner, community=community, name="caffè")
    for n in range(3):
        say(room, owner, f"Messaggio {n}")
    login(client, person)

    assert listed(client) == {"caffè": 3}
    reading.read_mark(user=person, thread=room, number=2)
    assert listed(client) == {"caffè": 1}


def test_my_own_posts_are_never_unread_to_me(client, reader):
    community, owner, person = reader
    thread = start(community, owner, "Mio", replies=0)
    threads.post_reply(actor=person, thread=thread, body="Rispondo")
    login(client, person)

    assert listed(client) == {}


@pytest.mark.parametrize(
    "community_level, thread_level, shown",
    [
        ("tracking", "", True),
        ("watching", "", True),
        ("muted", "", False),  # left to a muted community
        ("tracking", "muted", False),  # muted itself
        ("muted", "tracking", True),  # chosen, in a muted community
        ("muted", "watching", True),
        ("watching", "muted", False),
    ],
)
def test_each_level_decides_whether_a_thread_is_listed(
    client, reader, community_level, thread_level, shown
):
    community, owner, person = reader
    thread = start(community, owner, "Sensori", replies=2)
    reading.read_mark(user=person, thread=thread, number=1)
    levels.community_level_set(actor=person, community=community, level=community_level)
    if thread_level:
        levels.thread_level_set(actor=person, thread=thread, level=thread_level)
    login(client, person)

    assert listed(client) == ({"Sensori": 2} if shown else {})


def test_a_watched_public_thread_is_listed_for_a_non_member(client):
    community = CommunityFactory()
    owner = person_in(community, "owner")
    thread = start(community, owner, "Aperto a tutti")
    outsider = person_in(community, "outsider")
    login(client, outsider)
    client.get(thread_url(thread))  # read it
    other = start(community, owner, "Non seguito")
    reading.read_mark(user=outsider, thread=other, number=1)
    threads.post_reply(actor=owner, thread=other, body="Altro")

    assert listed(client) == {}  # read, and not a member: nothing followed
    levels.thread_level_set(actor=outsider, thread=thread, level="watching")
    threads.post_reply(actor=owner, thread=thread, body="Seguito")

    assert listed(client) == {"Aperto a tutti": 1}


def test_workspace_threads_and_rooms_are_listed(client):
    workspace = make_workspace(name="Progetto Beta")
    lead = workspace.created_by
    partner = person_of()
    add_participant(workspace, partner)
    joined_long_ago(partner, workspace.community)
    kickoff = workspace.community.threads.get(kind=Thread.Kind.DISCUSSION)
    general = workspace.community.threads.get(kind=Thread.Kind.ROOM)
    reading.read_mark(user=partner, thread=kickoff, number=kickoff.post_count)
    threads.post_reply(actor=lead, thread=kickoff, body="Aggiornamento")
    say(general, lead, "Buongiorno")
    login(client, partner)

    html = client.get(UNREAD).content.decode()

    assert listed(client) == {general.title: 1, kickoff.title: 1}
    assert "Workspace: " in html


def test_a_private_community_i_left_disappears_with_my_watched_threads(client):
    community = CommunityFactory(visibility=Visibility.PRIVATE)
    owner = person_in(community, "owner")
    person = member_of(community)
    thread = start(community, owner, "Riservato")
    threads.post_reply(actor=person, thread=thread, body="Ci sono")  # watching now
    threads.post_reply(actor=owner, thread=thread, body="Novità")
    login(client, person)
    assert listed(client) == {"Riservato": 1}

    memberships.community_leave(actor=person, community=community)

    assert listed(client) == {}
    assert ReadPosition.objects.filter(user=person, level="watching").exists()


def test_a_removed_workspace_participant_no_longer_sees_its_threads(client):
    from workspaces.services import people

    workspace = make_workspace()
    partner = person_of()
    participant = add_participant(workspace, partner)
    kickoff = workspace.community.threads.get(kind=Thread.Kind.DISCUSSION)
    threads.post_reply(actor=partner, thread=kickoff, body="Presente")
    threads.post_reply(actor=workspace.created_by, thread=kickoff, body="Benvenuto")
    login(client, partner)
    assert kickoff.title in listed(client)

    people.participant_remove(actor=workspace.created_by, participant=participant)

    assert listed(client) == {}


def test_the_empty_state_and_the_login_requirement(client, reader):
    community, owner, person = reader

    assert client.get(UNREAD).status_code == 302
    login(client, person)
    html = client.get(UNREAD).content.decode()
    assert "You are all caught up." in html
    assert 'data-unread-actions hidden' in html


def test_dismissing_a_row_and_all_rows(client, reader):
    community, owner, person = reader
    first = start(community, owner, "Primo", replies=2)
    second = start(community, owner, "Secondo", replies=2)
    login(client, person)
    assert set(listed(client)) == {"Primo", "Secondo"}

    response = client.post(reverse("community:unread-dismiss"), {"thread": first.pk})
    assert response.status_code == 302
    assert listed(client) == {"Secondo": 3}
    assert ReadPosition.objects.get(user=person, thread=first).last_read_number == 3

    client.post(reverse("community:unread-dismiss"), {"all": "1"})
    assert listed(client) == {}
    assert ReadPosition.objects.get(user=person, thread=second).last_read_number == 3


def test_dismissing_a_thread_one_cannot_read_is_a_404(client, reader):
    community, owner, person = reader
    hidden = CommunityFactory(visibility=Visibility.PRIVATE)
    secret = start(hidden, person_in(hidden, "owner"), "Segreto")
    login(client, person)

    response = client.post(reverse("community:unread-dismiss"), {"thread": secret.pk})

    assert response.status_code == 404
    assert not ReadPosition.objects.filter(user=person, thread=secret).exists()


def test_marking_a_community_read_empties_its_rows(client, reader):
    community, owner, person = reader
    start(community, owner, "Uno", replies=1)
    elsewhere = CommunityFactory(name="Altrove")
    other_owner = person_in(elsewhere, "owner")
    Membership.objects.create(user=person, community=elsewhere)
    joined_long_ago(person, elsewhere)
    start(elsewhere, other_owner, "Altrove", replies=1)
    login(client, person)

    client.post(reverse("community:community-read", args=[community.slug]))

    assert listed(client) == {"Altrove": 2}


# --- jump to first unread ----------------------------------------------------------------


def test_jump_to_first_unread_leads_to_the_post_after_my_position(client, reader):
    community, owner, person = reader
    thread = start(community, owner, "Lungo")
    add_replies(thread, 44)
    thread.refresh_from_db()
    login(client, person)
    client.get(thread_url(thread))  # page 1: read up to #30

    page = client.get(thread_url(thread)).content.decode()
    jump = re.search(r'href="([^"]+)" data-first-unread', page).group(1)
    landed = client.get(jump)

    post_31 = thread.posts.get(number=31)
    assert landed.status_code == 302
    assert landed["Location"] == f"{thread_url(thread)}?page=2#p{post_31.pk}"
    # The unread view's row leads there too.
    assert jump in client.get(UNREAD).content.decode()


def test_no_jump_link_without_unread_posts_or_on_a_first_visit(client, reader):
    community, owner, person = reader
    thread = start(community, owner, "Breve", replies=3)
    login(client, person)

    first_visit = client.get(thread_url(thread)).content.decode()
    read_all = client.get(thread_url(thread)).content.decode()

    assert "data-first-unread" not in first_visit
    assert "data-first-unread" not in read_all


def test_the_thread_page_never_moves_a_position_backwards(client, reader):
    community, owner, person = reader
    thread = start(community, owner, "Lungo")
    add_replies(thread, 40)
    login(client, person)
    client.get(thread_url(thread, page=2))

    client.get(thread_url(thread, page=1))

    assert ReadPosition.objects.get(user=person, thread=thread).last_read_number == 41


def test_a_thread_read_mark_moves_forward_only_and_not_past_the_end(client, reader):
    community, owner, person = reader
    thread = start(community, owner, "Vivo", replies=4)
    login(client, person)
    url = reverse("community:thread-read", args=[community.slug, thread.pk])

    fetch = {"X-Requested-With": "fetch"}
    assert client.post(url, {"number": 3}, headers=fetch).status_code == 204
    assert client.post(url, {"number": 1}, headers=fetch).status_code == 204
    assert client.post(url, {"number": "x"}, headers=fetch).status_code == 400
    assert ReadPosition.objects.get(user=person, thread=thread).last_read_number == 3
    client.post(url, {"number": 99}, headers=fetch)
    assert ReadPosition.objects.get(user=person, thread=thread).last_read_number == 5


# --- query counts -------------------------------------------------------------------------

# The user (their session is cached), the navigation (one statement), the sidebar's
# workspaces, the rows' count, the rows with their communities and last posters (one
# statement), the rows' recent participants, the community streams the page follows.
UNREAD_QUERIES = 7


@pytest.mark.parametrize("rows", [3, 30])
def test_the_unread_view_costs_the_same_queries_for_3_and_30_rows(
    client, django_assert_num_queries, reader, rows
):
    community, owner, person = reader
    others = [person_of() for _ in range(3)]
    for n in range(rows):
        # Threads of three people of three organisations, started since I joined.
        ThreadFactory(
            community=community,
            title=f"Tema {n}",
            author=others[n % 3],
            last_poster=others[(n + 1) % 3],
            post_count=2,
        )
    login(client, person)
    client.get(UNREAD)

    with django_assert_num_queries(UNREAD_QUERIES):
        response = client.get(UNREAD)

    assert response.content.decode().count("data-unread-row=") == rows


def test_the_unread_view_is_paginated(client, reader):
    community, owner, person = reader
    for n in range(unread_queries.UNREAD_PAGE_SIZE + 1):
        ThreadFactory(community=community, title=f"Riga {n:02d}", post_count=1)
    login(client, person)

    first = client.get(UNREAD).content.decode()
    second = client.get(UNREAD + "?page=2").content.decode()

    assert first.count("data-unread-row=") == unread_queries.UNREAD_PAGE_SIZE
    assert second.count("data-unread-row=") == 1
    assert "31 threads and rooms with unread posts" in first
    assert client.get(UNREAD + "?page=3").status_code == 404
