"""Search results, counts and snippets show only what the reader may read now: never
the content of communities they cannot read, never deleted, hidden or removed posts,
nothing once they lost access, never a post's text before its last edit."""

import pytest

from community.models import Membership
from community.services import moderation, rooms, thread_tools, threads
from tests.search.helpers import Visibility, community_with, result_count, search_page
from tests.support.factories import CommunityFactory
from tests.support.roles import member_of, person_in, reads

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLES = (
    "anonymous",
    "outsider",
    "member",
    "moderator",
    "owner",
    "staff",
    "muted",
    "banned",
    "moderator_elsewhere",
)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def reader(community, role):
    if role == "moderator_elsewhere":
        return person_in(CommunityFactory(), "moderator")
    return person_in(community, role)


def may_read(visibility, role):
    if role == "muted":  # silenced members still read
        return True
    if role == "moderator_elsewhere":
        return visibility == Visibility.PUBLIC
    return reads(visibility, role)


@pytest.fixture
def content(commit):
    """Per visibility: a community with a thread, a visible reply, a hidden, a removed
    and a deleted one, and a room message, all sharing the word "ornitottero"."""

    def make(visibility):
        community, owner, thread = community_with(
            commit,
            visibility,
            title="Ornitottero leggero",
            body="Progetto ornitottero con ali battenti",
        )
        author = member_of(community)
        with commit(execute=True):
            room = rooms.room_create(actor=owner, community=community, name="Officina")
            threads.post_reply(actor=author, thread=thread, body="ornitottero visibile")
            hidden = threads.post_reply(
                actor=author, thread=thread, body="ornitottero nascosto"
            )
            removed = threads.post_reply(
                actor=author, thread=thread, body="ornitottero rimosso"
            )
            deleted = threads.post_reply(
                actor=author, thread=thread, body="ornitottero cancellato"
            )
            threads.post_reply(actor=author, thread=room, body="ornitottero in stanza")
        with commit(execute=True):
            moderation.post_hide(actor=owner, post=hidden, reason="fuori tema")
            thread_tools.post_remove(actor=owner, post=removed, reason="spam")
            threads.post_delete(actor=author, post=deleted)
        return community

    return make


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("role", ROLES)
def test_results_counts_and_snippets_show_only_what_the_reader_may_read(
    client, content, visibility, role
):
    community = content(visibility)
    person = reader(community, role)

    html = search_page(client, person, "ornitottero")

    # Hidden, removed and deleted posts: for nobody. (Whole words: a marker such as
    # "XYZ" can turn up inside the page's random CSRF token.)
    for word in ("nascosto", "rimosso", "cancellato"):
        assert word not in html
    if may_read(visibility, role):
        assert result_count(html) == 3
        assert "ali battenti" in html and "in stanza" in html and "visibile" in html
    else:
        assert result_count(html) == 0
        assert "Nothing found." in html
        assert "battenti" not in html and "stanza" not in html
        assert "Ornitottero leggero" not in html


def test_a_banned_member_no_longer_finds_the_private_community(client, commit):
    community, owner, thread = community_with(
        commit, Visibility.PRIVATE, title="Piano riservato", body="Budget quadrimestrale"
    )
    member = member_of(community)
    assert result_count(search_page(client, member, "quadrimestrale")) == 1

    membership = Membership.objects.get(user=member, community=community)
    with commit(execute=True):
        moderation.membership_ban(actor=owner, membership=membership, reason="x")

    html = search_page(client, member, "quadrimestrale")
    assert result_count(html) == 0
    assert "Budget" not in html and "Piano riservato" not in html


def test_after_an_edit_the_old_text_is_not_found(client, commit):
    community, owner, thread = community_with(commit, title="Bando", body="Apertura")
    member = member_of(community)
    with commit(execute=True):
        reply = threads.post_reply(actor=member, thread=thread, body="scadenza marzolina")
    with commit(execute=True):
        threads.post_edit(actor=member, post=reply, body="scadenza aprilina")

    assert result_count(search_page(client, member, "marzolina")) == 0
    html = search_page(client, member, "scadenza")
    assert result_count(html) == 1
    assert "aprilina" in html and "marzolina" not in html


def test_a_stale_index_row_is_still_filtered_at_query_time(client, commit):
    """Even if the index missed an event, a hidden post is not shown."""
    community, owner, thread = community_with(commit, title="Bando", body="Apertura")
    member = member_of(community)
    with commit(execute=True):
        reply = threads.post_reply(actor=member, thread=thread, body="parolasegreta")
    # Hidden without running the after-commit subscribers: the row stays.
    with commit(execute=False):
        moderation.post_hide(actor=owner, post=reply, reason="x")

    html = search_page(client, owner, "parolasegreta")
    assert result_count(html) == 0
    assert "parolasegreta</mark>" not in html
