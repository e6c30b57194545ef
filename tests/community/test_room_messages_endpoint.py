"""Older room messages for room.js: a JSON endpoint with the room page's checks.

`GET /c/<slug>/r/<pk>/messages/?before=<number>` answers `{"html", "older"}`: the
messages the room page shows before that number, rendered for this viewer, and the
address of the ones before them. Whoever may read the room page may read it; the
others get the page's 404 (invisible) or 403 (visible, unreadable), as JSON.
"""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import Community, Thread
from community.services import rooms, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.support.factories import OrganisationFactory, PostFactory, UserFactory
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility
ROLES = ["anonymous", "outsider", "pending", "member", "muted", "banned", "staff"]
VISIBILITIES = [Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE]


def community_with_room(visibility=Visibility.PUBLIC):
    community, owner, _thread = community_with_thread(visibility)
    room = rooms.room_create(actor=owner, community=community, name="Generale")
    return community, owner, room


def viewer(community, role):
    """A person in `role` ("muted": an active member muted for a day)."""
    if role != "muted":
        return person_in(community, role)
    person = member_of(community)
    person.memberships.update(muted_until=timezone.now() + timedelta(days=1))
    return person


def messages_url(room, before=None):
    url = reverse("community:room-messages", args=[room.community.slug, room.pk])
    return url if before is None else f"{url}?before={before}"


def room_url(room, before=None):
    url = reverse("community:room-detail", args=[room.community.slug, room.pk])
    return url if before is None else f"{url}?before={before}"


def message_ids(html):
    return [
        int(pk)
        for pk in re.findall(
            r'<li class="room-message[^"]*" id="p\d+" data-post="(\d+)"', html
        )
    ]


def say_many(room, count):
    authors = [member_of(room.community) for _ in range(count // 25 + 1)]
    return [
        threads.post_reply(
            actor=authors[n % len(authors)], thread=room, body=f"Messaggio {n + 1}"
        )
        for n in range(count)
    ]


# --- who may load older messages ---------------------------------------------------------


def expected_status(visibility, role):
    """The room page's own answer: public rooms are for everyone; restricted ones show
    that they exist (403) and private ones do not (404) to people who cannot read."""
    readers = {"member", "muted", "staff"}
    if visibility == Visibility.PUBLIC or role in readers:
        return 200
    if visibility == Visibility.PRIVATE and role != "pending":
        return 404
    return 403


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_older_messages_answer_whoever_may_read_the_room_page(client, role, visibility):
    community, owner, room = community_with_room(visibility)
    first = threads.post_reply(actor=owner, thread=room, body="Primo")
    second = threads.post_reply(actor=owner, thread=room, body="Secondo")
    login(client, viewer(community, role))

    response = client.get(messages_url(room, before=second.number))
    page = client.get(room_url(room, before=second.number))

    status = expected_status(visibility, role)
    assert response.status_code == page.status_code == status, (role, visibility)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if status == 200:
        assert message_ids(body["html"]) == [first.pk]
        assert body["older"] is None
    else:
        assert set(body) == {"error"} and body["error"]
        assert "Primo" not in response.content.decode()


def test_a_missing_room_and_a_private_one_answer_alike(client):
    community, owner, room = community_with_room(Visibility.PRIVATE)
    threads.post_reply(actor=owner, thread=room, body="Segreto")
    login(client, UserFactory())
    missing = reverse("community:room-messages", args=[community.slug, room.pk + 1000])

    hidden = client.get(messages_url(room))
    absent = client.get(missing)

    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()


def test_a_restricted_room_says_why_it_refuses(client):
    community, owner, room = community_with_room(Visibility.RESTRICTED)
    login(client, UserFactory())

    response = client.get(messages_url(room))

    assert response.status_code == 403
    assert response.json() == {
        "error": "Only the members of this community can read it."
    }


def test_discussions_have_no_older_messages_endpoint(client):
    community, owner, _room = community_with_room()
    discussion = community.threads.get(kind=Thread.Kind.DISCUSSION)

    response = client.get(
        reverse("community:room-messages", args=[community.slug, discussion.pk])
    )

    assert response.status_code == 404


def test_a_room_under_another_communitys_slug_moves_home(client):
    community, owner, room = community_with_room()
    other = community_with_room()[0]

    response = client.get(
        reverse("community:room-messages", args=[other.slug, room.pk]) + "?before=3"
    )

    assert response.status_code == 302
    assert response["Location"] == messages_url(room, before=3)


# --- what it answers --------------------------------------------------------------------


def test_older_messages_come_fifty_at_a_time_back_to_the_first(client):
    community, owner, room = community_with_room()
    posts = say_many(room, 120)
    login(client, member_of(community))

    page = client.get(room_url(room)).content.decode()
    assert f'data-messages-url="{messages_url(room, before=71)}"' in page

    middle = client.get(messages_url(room, before=71)).json()
    assert message_ids(middle["html"]) == [post.pk for post in posts[20:70]]
    assert middle["older"] == messages_url(room, before=21)

    first = client.get(middle["older"]).json()
    assert message_ids(first["html"]) == [post.pk for post in posts[:20]]
    assert first["older"] is None


def without_csrf_values(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


def test_the_html_is_what_the_room_page_shows_before_that_message(client):
    community, owner, room = community_with_room()
    say_many(room, 60)
    login(client, member_of(community))

    html = client.get(messages_url(room, before=11)).json()["html"]
    page = client.get(room_url(room, before=11)).content.decode()

    list_html = page.split("data-room-messages")[1].split(">", 1)[1].split("</ol>")[0]
    # Each answer masks its CSRF token afresh (the reaction forms carry one).
    assert without_csrf_values(html).strip() == without_csrf_values(list_html).strip()
    # One day separator before the first message, as on the page.
    assert html.count('class="room-day"') == 1
    assert html.lstrip().startswith('<li class="room-day"')


def test_each_viewer_gets_the_actions_the_room_page_gives_them(client):
    community, owner, room = community_with_room()
    author = member_of(community)
    mine = threads.post_reply(actor=author, thread=room, body="Mio")
    threads.post_reply(actor=owner, thread=room, body="Dopo")

    def actions(user):
        client.logout()
        login(client, user)
        html = client.get(messages_url(room, before=mine.number + 1)).json()["html"]
        return set(re.findall(r'data-action="(\w+)"', html)), html

    author_actions, author_html = actions(author)
    assert author_actions == {"edit", "delete", "promote", "react"}
    # The delete form is ready to send: it carries this viewer's CSRF token.
    assert 'name="csrfmiddlewaretoken"' in author_html
    assert actions(member_of(community))[0] == {"report", "react"}
    assert actions(owner)[0] == {"promote", "moderate", "react"}

    author.memberships.update(muted_until=timezone.now() + timedelta(days=1))
    muted_actions, _html = actions(author)
    assert "edit" not in muted_actions and "promote" not in muted_actions
    assert "react" not in muted_actions


def test_without_a_number_it_answers_the_latest_messages(client):
    community, owner, room = community_with_room()
    posts = say_many(room, 3)

    for query in ("", "?before=abc", "?before=-2", "?before=0"):
        body = client.get(messages_url(room) + query).json()
        assert message_ids(body["html"]) == [post.pk for post in posts], query
        assert body["older"] is None


def test_an_empty_room_answers_no_messages(client):
    community, owner, room = community_with_room()

    body = client.get(messages_url(room)).json()

    assert body["html"].strip() == "" and body["older"] is None


# Upper bounds, the same for 5 and for 50 rows: the room, the room page's stream head,
# the messages and the room list (room.js needs neither of the last two, but this is
# the page's own query); signed in, also the session, the user and the membership.
# One of them reads the messages' reactions.
QUERIES = {"anonymous": 5, "member": 8}


@pytest.mark.parametrize("role", sorted(QUERIES))
@pytest.mark.parametrize("rows", [5, 50])
def test_its_queries_do_not_grow_with_the_messages(
    client, django_assert_max_num_queries, role, rows
):
    community, owner, room = community_with_room()
    organisations = OrganisationFactory.create_batch(3)
    authors = [UserFactory(organisation=organisations[n]) for n in range(3)]
    for n in range(rows):
        PostFactory(thread=room, author=authors[n % 3], number=n + 1)
    Thread.objects.filter(pk=room.pk).update(post_count=rows)
    if role == "member":
        login(client, member_of(community))

    with django_assert_max_num_queries(QUERIES[role]):
        response = client.get(messages_url(room, before=rows + 1))

    assert len(message_ids(response.json()["html"])) == rows


def test_message_text_stays_sanitised_in_the_json(client):
    community, owner, room = community_with_room()
    threads.post_reply(actor=owner, thread=room, body="<script>alert(1)</script>")

    response = client.get(messages_url(room))

    body = json.loads(response.content)
    assert "<script>" not in body["html"]  # Markdown without raw HTML, sanitised
    assert response["X-Content-Type-Options"] == "nosniff"
