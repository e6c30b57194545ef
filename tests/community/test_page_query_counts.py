"""The thread page and the home page cost a fixed number of queries, pinned exactly:
the same on the first and the last page of a long thread and for 5 or 40 threads on
the home page, so a query per post, per author or per row fails here."""

import re

import pytest
from django.urls import reverse

from community.models import Membership, ReadPosition
from community.services import threads
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    ThreadFactory,
    UserFactory,
)
from tests.support.roles import person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Role = Membership.Role
State = Membership.State

# Anonymous: the thread with its community (its post counter gives the pages); the
# page's posts with their authors and organisations and the stream head (one
# statement); the thread's tags; the posts' reactions. A member adds the user (their session comes from the
# sessions' cache), the navigation (its communities and moderation figures: one
# statement) and the sidebar's workspaces; their membership comes with the thread
# (every permission of the page is answered from it), and so do their read position
# and notification level. Reading a page further than before adds one statement:
# the read position's upsert (`READ_ADVANCES`); reading it again adds nothing.
THREAD_PAGE_QUERIES = {"anonymous": 4, "member": 7}
READ_ADVANCES = 1

# Anonymous: the three figures, the featured communities and their themes, the latest
# threads and their tags. A member: the user (the session is cached), the threads of their
# communities and their tags, their invitations and requests, whether they joined
# any community, the requests waiting for them as a moderator, the verified address
# (may they create a community?), the navigation (communities and moderation figures)
# and the sidebar's workspaces. Both: the listed threads' recent participants (one
# query, `queries.thread_lists`).
HOME_QUERIES = {"anonymous": 8, "member": 10}


def post_anchors(response):
    return re.findall(r'<li class="post[^"]*" id="(p\d+)"', response.content.decode())


@pytest.fixture
def long_thread(db):
    """A thread of 65 posts (pages of 30, 30 and 5) by six members of six
    organisations, one post edited and one deleted; and one of its authors."""
    community, owner, thread = community_with_thread()
    authors = [owner]
    for _ in range(5):
        author = UserFactory(organisation=OrganisationFactory())
        MembershipFactory(user=author, community=community)
        authors.append(author)
    posts = [
        threads.post_reply(
            actor=authors[number % len(authors)],
            thread=thread,
            body=f"Risposta **{number}** con [un link](https://example.org/{number})",
        )
        for number in range(2, 66)
    ]
    threads.post_edit(actor=posts[0].author, post=posts[0], body="Riveduta")
    threads.post_delete(actor=posts[40].author, post=posts[40])
    return thread, authors[1]


@pytest.mark.parametrize("page, posts_shown", [(1, 30), (2, 30), (3, 5)])
@pytest.mark.parametrize("viewer", sorted(THREAD_PAGE_QUERIES))
def test_every_page_of_a_long_thread_costs_the_same_queries(
    client, django_assert_num_queries, long_thread, viewer, page, posts_shown
):
    thread, author = long_thread
    login(client, author if viewer == "member" else None)
    client.get(thread_url(thread))  # the session's first visit is not the case here

    # Page 1 was read just above (and the author read their own posts when they wrote
    # them): a page showing later posts moves the member's read position.
    shown_last = (page - 1) * 30 + posts_shown
    before = ReadPosition.objects.filter(user=author, thread=thread).first()
    advances = viewer == "member" and shown_last > before.last_read_number
    with django_assert_num_queries(THREAD_PAGE_QUERIES[viewer] + advances * READ_ADVANCES):
        response = client.get(thread_url(thread, page=page))
    with django_assert_num_queries(THREAD_PAGE_QUERIES[viewer]):
        again = client.get(thread_url(thread, page=page))

    assert response.status_code == 200 and again.status_code == 200
    if viewer == "member":
        position = ReadPosition.objects.get(user=author, thread=thread)
        assert position.last_read_number == max(shown_last, before.last_read_number)
    if page == 3:
        assert advances == (viewer == "member")  # the case is covered
    assert len(post_anchors(response)) == posts_shown
    content = response.content.decode()
    if viewer == "member":
        # The author's own posts carry their actions: the count covers rendering them.
        assert 'data-action="edit"' in content
        assert 'data-action="quote"' in content
    else:
        assert 'data-action="quote"' not in content


@pytest.fixture
def home_viewer(db):
    """Someone active in three communities (moderating one, with a request to
    decide), invited to a fourth, waiting for approval in a fifth."""
    user = UserFactory(organisation=OrganisationFactory())
    communities = CommunityFactory.create_batch(3)
    MembershipFactory(user=user, community=communities[0], role=Role.MODERATOR)
    MembershipFactory(user=UserFactory(), community=communities[0], state=State.PENDING)
    for community in communities[1:]:
        MembershipFactory(user=user, community=community)
    MembershipFactory(
        user=user,
        community=CommunityFactory(visibility="private"),
        state=State.INVITED,
        invited_by=person_in(communities[1], "member"),
    )
    MembershipFactory(
        user=user,
        community=CommunityFactory(visibility="restricted"),
        state=State.PENDING,
    )
    return user, communities


@pytest.mark.parametrize("rows", [5, 40])
@pytest.mark.parametrize("viewer", sorted(HOME_QUERIES))
def test_the_home_page_costs_the_same_queries_whatever_it_lists(
    client, django_assert_num_queries, home_viewer, viewer, rows
):
    user, communities = home_viewer
    organisations = OrganisationFactory.create_batch(3)
    for n in range(rows):
        thread = ThreadFactory(
            community=communities[n % 3],
            author=UserFactory(organisation=organisations[n % 3]),
            last_poster=UserFactory(organisation=organisations[(n + 1) % 3]),
        )
        thread.tags.set(["energia", f"tema-{n % 4}"])
    login(client, user if viewer == "member" else None)
    client.get(reverse("community:home"))

    with django_assert_num_queries(HOME_QUERIES[viewer]):
        response = client.get(reverse("community:home"))

    assert response.status_code == 200
    content = response.content.decode()
    shown = 24 if viewer == "member" else 12  # the home page's list lengths
    assert content.count('<li class="thread-row') == min(rows, shown)
    assert "tema-3" in content
    if viewer == "member":
        assert "You are invited to" in content
        assert "Waiting for approval" in content
