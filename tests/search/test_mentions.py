"""Mention suggestions: typing "@gi" in a composer lists people who may read the
thread, never to someone who may not read it themselves (404 for a private community
they cannot see, 403 when they see but may not read), never banned members or people
outside a community that is not public; at most eight, rate-limited."""

import pytest
from django.urls import reverse

from community.models import Community, Membership, User
from community.services import rooms
from tests.search.helpers import community_with
from tests.support.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.support.roles import person_in, reads, sees

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Visibility = Community.Visibility
ROLES = (
    "anonymous",
    "outsider",
    "invited",
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


def requester(community, role):
    if role == "moderator_elsewhere":
        return person_in(CommunityFactory(), "moderator")
    return person_in(community, role)


def expected(visibility, role):
    if role == "moderator_elsewhere":
        role = "outsider"
    if role == "muted":
        role = "member"
    if not sees(visibility, role):
        return 404
    if not reads(visibility, role):
        return 403
    if role == "anonymous":
        return 403  # reads, but writes nothing
    return 200


def mentions(client, user, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("search:mentions"), params)


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("role", ROLES)
def test_only_readers_of_the_thread_get_names(client, commit, visibility, role):
    community, owner, thread = community_with(
        commit, visibility, title="Officina", body="Primo"
    )
    MembershipFactory(
        user=UserFactory(username="gianna", display_name="Gianna Ferri"),
        community=community,
    )
    person = requester(community, role)

    response = mentions(client, person, thread=thread.pk, q="gi")

    status = expected(visibility, role)
    assert response.status_code == status
    assert (b"gianna" in response.content) is (status == 200)
    assert b"Ferri" not in response.content or status == 200
    by_community = mentions(client, person, community=community.slug, q="gi")
    assert by_community.status_code == status
    assert (b"gianna" in by_community.content) is (status == 200)


@pytest.mark.parametrize("visibility", list(Visibility))
def test_banned_members_and_people_who_cannot_read_are_not_suggested(
    client, commit, visibility
):
    community, owner, thread = community_with(
        commit, visibility, title="Officina", body="Primo"
    )
    member = person_in(community, "member")
    MembershipFactory(user=UserFactory(username="gianna"), community=community)
    MembershipFactory(
        user=UserFactory(username="giorgio"),
        community=community,
        state=Membership.State.BANNED,
    )
    MembershipFactory(
        user=UserFactory(username="gilda"),
        community=community,
        state=Membership.State.INVITED,
    )
    UserFactory(username="gino")  # belongs nowhere
    UserFactory(username="giacomo", is_active=False)
    # The factory's random names could begin with "Gi" too: only the people above may.
    User.objects.filter(username__startswith="person").update(
        display_name="Ottavio Neri"
    )

    response = mentions(client, member, thread=thread.pk, q="gi")

    assert response.status_code == 200
    names = {person["username"] for person in response.json()["people"]}
    if visibility == Visibility.PUBLIC:
        assert names == {"gianna", "gilda", "gino"}  # anyone reads a public thread
    else:
        assert names == {"gianna"}


def test_names_match_by_username_or_any_word_of_the_name_at_most_eight(client, commit):
    community, owner, thread = community_with(
        commit, Visibility.PRIVATE, title="Officina", body="Primo"
    )
    member = person_in(community, "member")
    MembershipFactory(
        user=UserFactory(username="rossi", display_name="Anna Gilardoni"),
        community=community,
    )
    for number in range(10):
        MembershipFactory(
            user=UserFactory(username=f"bianchi{number}", display_name="Bianca Neri"),
            community=community,
        )
    # The factory's random names could hold a word beginning with "Gil" too.
    User.objects.filter(username__startswith="person").update(
        display_name="Ottavio Neri"
    )

    found = mentions(client, member, thread=thread.pk, q="gil").json()["people"]
    assert [person["username"] for person in found] == ["rossi"]
    assert found[0]["name"] == "Anna Gilardoni"
    assert found[0]["initials"] == "AG"
    assert (
        len(mentions(client, member, thread=thread.pk, q="bian").json()["people"]) == 8
    )
    assert mentions(client, member, thread=thread.pk, q="").json()["people"] == []


def test_suggestions_are_rate_limited(client, commit, settings):
    # A day's window: three requests never straddle the windows' boundary.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "mentions": (2, 86400)}
    community, owner, thread = community_with(commit, title="Officina", body="Primo")
    client.force_login(owner)
    url = reverse("search:mentions")

    statuses = [
        client.get(url, {"thread": thread.pk, "q": "ab"}).status_code for _ in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_every_composer_asks_for_mentions(client, commit):
    community, owner, thread = community_with(commit, title="Officina", body="Primo")
    client.force_login(owner)

    pages = {
        thread.get_absolute_url(): f'data-mentions-thread="{thread.pk}"',
        reverse("community:thread-reply", args=[community.slug, thread.pk]): (
            f'data-mentions-thread="{thread.pk}"'
        ),
        reverse("community:thread-create", args=[community.slug]): (
            f'data-mentions-community="{community.slug}"'
        ),
        reverse("community:post-edit", args=[thread.posts.get().pk]): (
            f'data-mentions-thread="{thread.pk}"'
        ),
    }
    with commit(execute=True):
        room = rooms.room_create(actor=owner, community=community, name="Bar")
    pages[room.get_absolute_url()] = f'data-mentions-thread="{room.pk}"'
    for url, marker in pages.items():
        html = client.get(url).content.decode()
        assert marker in html, url
        assert 'data-mentions-url="/search/mentions/"' in html


def test_workspace_discussions_ask_for_mentions_among_the_workspace(client, commit):
    from tests.support.workspaces import make_workspace
    from tests.workspaces.document_helpers import make_document

    workspace = make_workspace()
    lead = workspace.created_by
    with commit(execute=True):
        document = make_document(workspace, lead)
    client.force_login(lead)

    html = client.get(
        reverse("workspaces:document-detail", args=[workspace.pk, document.pk])
    ).content.decode()

    assert f'data-mentions-community="{workspace.community.slug}"' in html


def test_a_deleted_documents_thread_suggests_only_those_who_still_read_it(
    client, commit
):
    """A lead writing in the thread of a deleted document (hidden from everyone but
    the leads) is not offered the members who can no longer read it."""
    from tests.support.workspaces import add_participant, make_workspace, person_of
    from tests.workspaces.document_helpers import make_document
    from workspaces.models import Participant
    from workspaces.services import documents

    workspace = make_workspace()
    lead = workspace.created_by
    member = person_of(username="giuliana_member", display_name="Giuliana Verdi")
    other_lead = person_of(username="giulio_lead", display_name="Giulio Neri")
    add_participant(workspace, member)
    add_participant(workspace, other_lead, role=Participant.Role.LEAD)
    with commit(execute=True):
        document = make_document(workspace, lead)
        documents.document_comment(actor=member, document=document, body="Ci sono.")
    document.refresh_from_db()
    client.force_login(lead)

    def suggested():
        answer = client.get(
            reverse("search:mentions"), {"thread": document.thread_id, "q": "giul"}
        )
        return [person["username"] for person in answer.json()["people"]]

    assert suggested() == ["giuliana_member", "giulio_lead"]
    documents.document_delete(actor=lead, document=document)
    assert suggested() == ["giulio_lead"]
