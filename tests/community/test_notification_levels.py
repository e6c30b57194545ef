"""Notification levels: who may choose how they follow a thread, a room, a community
or a workspace; auto-watch when creating and replying (muted stays muted, a chosen
tracking stays); rooms never auto-watch; the selectors on each page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.models import Community, Membership, ReadPosition
from community.services import levels, threads
from tests.community.room_helpers import community_with_room, room_url, say
from tests.community.thread_helpers import community_with_thread, login, thread_url
from tests.support.roles import member_of, person_in
from tests.support.workspaces import make_workspace, workspace_roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Visibility = Community.Visibility


def level_of(user, thread):
    return (
        ReadPosition.objects.filter(user=user, thread=thread)
        .values_list("level", flat=True)
        .first()
    )


# --- auto-watch ---------------------------------------------------------------------------


def test_creating_a_thread_watches_it_and_reads_its_first_post():
    community, owner, thread = community_with_thread()

    position = ReadPosition.objects.get(user=owner, thread=thread)
    assert (position.level, position.last_read_number) == ("watching", 1)


def test_replying_watches_the_thread_and_reads_it_up_to_the_reply():
    community, owner, thread = community_with_thread()
    member = member_of(community)

    post = threads.post_reply(actor=member, thread=thread, body="Ci sono anch'io")

    position = ReadPosition.objects.get(user=member, thread=thread)
    assert (position.level, position.last_read_number) == ("watching", post.number)


@pytest.mark.parametrize("chosen", ["muted", "tracking"])
def test_a_level_chosen_before_replying_stays(chosen):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    levels.thread_level_set(actor=member, thread=thread, level=chosen)

    threads.post_reply(actor=member, thread=thread, body="Rispondo comunque")

    assert level_of(member, thread) == chosen


def test_posting_in_a_room_never_watches_it():
    community, owner, room = community_with_room()
    member = member_of(community)

    message = say(room, member, "Ciao a tutti")

    position = ReadPosition.objects.get(user=member, thread=room)
    assert (position.level, position.last_read_number) == ("", message.number)


def test_a_group_of_replies_watches_for_each_poster_in_one_statement():
    community, owner, thread = community_with_thread()
    people = [member_of(community) for _ in range(4)]
    muted = people[0]
    levels.thread_level_set(actor=muted, thread=thread, level="muted")

    posts = threads.post_replies(
        [threads.NewReply(person, thread, f"Da {n}") for n, person in enumerate(people)]
        + [threads.NewReply(people[1], thread, "E ancora")]
    )

    assert level_of(muted, thread) == "muted"
    assert {level_of(person, thread) for person in people[1:]} == {"watching"}
    # Two posts of one person in one group: their position is the later one.
    assert ReadPosition.objects.get(user=people[1], thread=thread).last_read_number == (
        posts[-1].number
    )


# --- who may choose ----------------------------------------------------------------------

# A thread's level: signed-in readers of it, members or not (as Discourse lets anyone
# watch a topic they can read), except people banned from its community.
THREAD_LEVEL = {
    (Visibility.PUBLIC, "outsider"): True,
    (Visibility.PUBLIC, "pending"): True,
    (Visibility.PUBLIC, "member"): True,
    (Visibility.PUBLIC, "muted"): True,
    (Visibility.PUBLIC, "moderator"): True,
    (Visibility.PUBLIC, "owner"): True,
    (Visibility.PUBLIC, "staff"): True,
    (Visibility.PUBLIC, "banned"): False,
    (Visibility.PRIVATE, "outsider"): False,
    (Visibility.PRIVATE, "pending"): False,
    (Visibility.PRIVATE, "member"): True,
    (Visibility.PRIVATE, "muted"): True,
    (Visibility.PRIVATE, "moderator"): True,
    (Visibility.PRIVATE, "owner"): True,
    (Visibility.PRIVATE, "staff"): True,
    (Visibility.PRIVATE, "banned"): False,
}


@pytest.mark.parametrize("visibility, role", sorted(THREAD_LEVEL))
def test_who_may_choose_a_threads_level(client, visibility, role):
    community, owner, thread = community_with_thread(visibility)
    person = person_in(community, role)
    allowed = THREAD_LEVEL[visibility, role]
    login(client, person)

    response = client.post(
        reverse("community:thread-level", args=[thread.pk]), {"level": "watching"}
    )

    assert (level_of(person, thread) == "watching") is allowed
    if allowed:
        assert response.status_code == 302
        page = client.get(thread_url(thread)).content.decode()
        assert "data-level-selector" in page
        assert "You are told of every new post." in page
    else:
        # Invisible: 404; visible but refused (banned from a public one, waiting for
        # approval in a private one): 403.
        invisible = visibility == Visibility.PRIVATE and role in ("outsider", "banned")
        assert response.status_code == (404 if invisible else 403)
        page = client.get(thread_url(thread))
        assert b"data-level-selector" not in page.content


def test_anonymous_visitors_have_no_selector_and_cannot_choose(client):
    community, owner, thread = community_with_thread()

    page = client.get(thread_url(thread)).content.decode()
    response = client.post(
        reverse("community:thread-level", args=[thread.pk]), {"level": "watching"}
    )

    assert "data-level-selector" not in page
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ReadPosition.objects.exclude(user=owner).exists()


# A community's (or workspace's) level lives on the membership: active members only.
COMMUNITY_LEVEL = {
    "outsider": False,
    "pending": False,
    "invited": False,
    "banned": False,
    "staff": False,
    "member": True,
    "muted": True,
    "moderator": True,
    "owner": True,
}


@pytest.mark.parametrize("role", sorted(COMMUNITY_LEVEL))
def test_who_may_choose_a_communitys_level(client, role):
    community, owner, thread = community_with_thread()
    person = person_in(community, role)
    login(client, person)

    client.post(
        reverse("community:community-level", args=[community.slug]), {"level": "muted"}
    )

    levels_now = set(
        Membership.objects.filter(user=person, community=community).values_list(
            "level", flat=True
        )
    )
    page = client.get(community.get_absolute_url()).content.decode()
    if COMMUNITY_LEVEL[role]:
        assert levels_now == {"muted"}
        assert "How you follow this community" in page
        assert "Mark all read" in page
    else:
        assert "muted" not in levels_now
        assert "How you follow this community" not in page


def test_an_unknown_level_is_refused_with_a_message(client):
    community, owner, thread = community_with_thread()
    with pytest.raises(ValidationError) as refused:
        levels.thread_level_set(actor=owner, thread=thread, level="loud")
    assert "Choose watching, tracking or muted." in str(refused.value)

    login(client, owner)
    response = client.post(
        reverse("community:thread-level", args=[thread.pk]),
        {"level": "loud"},
        follow=True,
    )
    assert "Choose watching, tracking or muted." in response.content.decode()
    assert level_of(owner, thread) == "watching"


def test_a_stranger_cannot_set_a_level_on_a_private_thread_through_the_service():
    community, owner, thread = community_with_thread(Visibility.PRIVATE)
    stranger = person_in(community, "outsider")

    with pytest.raises(PermissionDenied):
        levels.thread_level_set(actor=stranger, thread=thread, level="watching")
    with pytest.raises(PermissionDenied):
        levels.community_level_set(actor=stranger, community=community, level="muted")
    assert not ReadPosition.objects.filter(user=stranger).exists()


# --- the selectors -----------------------------------------------------------------------


def test_the_thread_selector_shows_the_level_in_force_and_keeps_the_position(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    threads.post_reply(actor=owner, thread=thread, body="Seconda")
    login(client, member)
    client.get(thread_url(thread))  # read up to #2

    page = client.get(thread_url(thread)).content.decode()
    assert '<input type="radio" name="level" value="tracking" checked>' in page
    assert "(as the community)" in page

    Membership.objects.filter(user=member).update(level="muted")
    page = client.get(thread_url(thread)).content.decode()
    assert '<input type="radio" name="level" value="muted" checked>' in page

    response = client.post(
        reverse("community:thread-level", args=[thread.pk]),
        {"level": "watching", "next": thread_url(thread)},
    )
    assert response["Location"] == thread_url(thread)
    position = ReadPosition.objects.get(user=member, thread=thread)
    assert (position.level, position.last_read_number) == ("watching", 2)
    page = client.get(thread_url(thread)).content.decode()
    assert '<input type="radio" name="level" value="watching" checked>' in page
    assert "(as the community)" not in page


def test_the_room_selector_sets_the_rooms_level(client):
    community, owner, room = community_with_room()
    member = member_of(community)
    login(client, member)

    page = client.get(room_url(room)).content.decode()
    assert "How you follow this room" in page
    assert "You are told of every new message." in page
    client.post(reverse("community:thread-level", args=[room.pk]), {"level": "muted"})

    assert level_of(member, room) == "muted"


@pytest.mark.parametrize(
    "role, allowed",
    [("lead", True), ("member", True), ("guest", True), ("staff", False),
     ("removed", False)],
)
def test_the_workspace_selector_sets_the_discussions_membership_level(
    client, role, allowed
):
    workspace = make_workspace()
    person = workspace_roles(workspace)[role]
    login(client, person)

    page = client.get(workspace.get_absolute_url())
    response = client.post(
        reverse("workspaces:workspace-level", args=[workspace.pk]), {"level": "watching"}
    )

    membership = Membership.objects.filter(user=person, community=workspace.community)
    if allowed:
        assert "How you follow this workspace" in page.content.decode()
        assert response.status_code == 302
        assert membership.get().level == "watching"
    else:
        assert b"How you follow this workspace" not in page.content
        assert not membership.filter(level="watching").exists()


def test_marking_a_community_read_reads_every_thread_and_room(client):
    community, owner, thread = community_with_thread()
    room = community_with_room_in(community, owner)
    member = member_of(community)
    other = community_with_thread()[2]
    writer = member_of(community)
    for n in range(3):
        threads.post_reply(actor=writer, thread=thread, body=f"R{n}")
        say(room, writer, f"M{n}")
    login(client, member)

    response = client.post(reverse("community:community-read", args=[community.slug]))

    assert response.status_code == 302
    read = dict(
        ReadPosition.objects.filter(user=member).values_list("thread_id", "last_read_number")
    )
    assert read == {thread.pk: 4, room.pk: 3}
    assert other.pk not in read


def community_with_room_in(community, owner):
    from community.services import rooms

    return rooms.room_create(actor=owner, community=community, name="Generale")


def test_the_selectors_script_gets_the_new_levels_label_or_the_refusal(client):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    login(client, member)
    url = reverse("community:thread-level", args=[thread.pk])
    fetch = {"X-Requested-With": "fetch"}

    chosen = client.post(url, {"level": "muted"}, headers=fetch)
    refused = client.post(url, {"level": "loud"}, headers=fetch)

    assert chosen.json() == {"level": "muted", "label": "Muted"}
    assert refused.status_code == 400
    assert refused.json() == {"error": "Choose watching, tracking or muted."}
    assert level_of(member, thread) == "muted"
