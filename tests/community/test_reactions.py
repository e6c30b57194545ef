"""Reactions on posts and room messages: who may react, toggling, what pages show,
what disappears with a hidden post or a deleted account, and that a reaction is not
a post (no unread mark, and no notification: tests/notifications/test_reactions.py)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import ALLOWED_EMOJI, Membership, Reaction, Thread
from community.ratelimit import RateLimited
from community.services import moderation, reactions, rooms, threads
from tests.community.thread_helpers import (
    add_replies,
    community_with_thread,
    login,
    thread_url,
)
from tests.support.factories import UserFactory
from tests.support.roles import (
    ROLES,
    VISIBILITIES,
    assert_status,
    person_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

THUMBS = "👍"
HEART = "❤️"


def react_url(post):
    return reverse("community:post-react", args=[post.pk])


def reply(thread, author, body="Una risposta"):
    return threads.post_reply(actor=author, thread=thread, body=body)


def named(name, community=None, role="member"):
    person = person_in(community, role) if community is not None else UserFactory()
    person.display_name = name
    person.save(update_fields=["display_name"])
    return person


def chips(html):
    """{emoji: (aria-label, aria-pressed, disabled)} of the reaction chips in `html`."""
    found = {}
    for tag in re.findall(r"<button [^>]*class=\"reaction\"[^>]*>", html):
        emoji = re.search(r'data-emoji="([^"]+)"', tag).group(1)
        label = re.search(r'aria-label="([^"]+)"', tag).group(1)
        pressed = re.search(r'aria-pressed="(\w+)"', tag).group(1) == "true"
        found[emoji] = (label, pressed, 'aria-disabled="true"' in tag)
    return found


# --- who may react --------------------------------------------------------------------

# Needs a login; allowed: those who may write in the thread (staff included outside
# workspaces); readers who may not write are refused with 403, others as for reading.
REACT_RULE = (True, 302, {"member", "moderator", "owner", "staff"})


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_react_is_who_may_write_in_the_thread(client, role, visibility):
    community, owner, thread = community_with_thread(visibility=visibility)
    post = thread.posts.get()
    person = person_in(community, role)

    response = login(client, person).post(react_url(post), {"emoji": THUMBS})

    status = assert_status(response, REACT_RULE, visibility, role)
    assert Reaction.objects.filter(post=post).exists() == (
        status == 302 and role != "anonymous"
    )


def test_a_silenced_member_is_told_why_and_sees_counts_only(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    reactions.reaction_toggle(actor=owner, post=post, emoji=THUMBS)
    silenced = person_in(community, "muted")

    refused = login(client, silenced).post(react_url(post), {"emoji": THUMBS})
    page = client.get(thread_url(thread)).content.decode()

    assert refused.status_code == 403
    assert "silenced you in this community" in refused.content.decode()
    label, pressed, disabled = chips(page)[THUMBS]
    assert disabled and not pressed
    assert 'data-action="react"' not in page


def test_a_locked_thread_takes_reactions_from_moderators_only():
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = person_in(community, "member")
    moderation.thread_lock(actor=owner, thread=thread)
    thread.refresh_from_db()
    post = thread.posts.select_related("thread__community").get()

    with pytest.raises(PermissionDenied, match="locked"):
        reactions.reaction_toggle(actor=member, post=post, emoji=THUMBS)
    assert reactions.reaction_toggle(actor=owner, post=post, emoji=THUMBS) is True


def test_a_hidden_or_deleted_post_takes_no_reactions_and_shows_none(client):
    community, owner, thread = community_with_thread()
    member = person_in(community, "member")
    hidden = reply(thread, member, "Da nascondere")
    deleted = reply(thread, member, "Da cancellare")
    for post in (hidden, deleted):
        reactions.reaction_toggle(actor=owner, post=post, emoji=THUMBS)
    moderation.post_hide(actor=owner, post=hidden)
    threads.post_delete(actor=member, post=deleted)

    page = login(client, person_in(community, "member")).get(thread_url(thread))
    refused = client.post(react_url(hidden), {"emoji": HEART})

    html = page.content.decode()
    for post in (hidden, deleted):
        item = html.split(f'id="p{post.pk}"')[1].split("</li>")[0]
        assert "data-reactions" not in item
    assert refused.status_code == 403
    assert "hidden or deleted" in refused.content.decode()
    # Shown again, its reactions come back with it.
    moderation.post_unhide(actor=owner, post=hidden)
    html = client.get(thread_url(thread)).content.decode()
    assert THUMBS in chips(html.split(f'id="p{hidden.pk}"')[1].split("</li>")[0])


def test_only_offered_emoji_are_accepted(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()

    with pytest.raises(ValidationError):
        reactions.reaction_toggle(actor=owner, post=post, emoji="bravo")
    answer = login(client, owner).post(
        react_url(post), {"emoji": "<b>x</b>"}, HTTP_X_REQUESTED_WITH="fetch"
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == "Choose one of the offered reactions."
    assert not Reaction.objects.exists()
    assert len(ALLOWED_EMOJI) == len(set(ALLOWED_EMOJI)) >= 40


def test_reacting_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "react": (2, 60)}
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = person_in(community, "member")

    reactions.reaction_toggle(actor=member, post=post, emoji=THUMBS)
    reactions.reaction_toggle(actor=member, post=post, emoji=HEART)
    with pytest.raises(RateLimited):
        reactions.reaction_toggle(actor=member, post=post, emoji="🎉")
    answer = login(client, member).post(
        react_url(post), {"emoji": "🎉"}, HTTP_X_REQUESTED_WITH="fetch"
    )

    assert answer.status_code == 429 and answer["Retry-After"]
    assert Reaction.objects.count() == 2


# --- toggling and what pages show ---------------------------------------------------


def test_a_click_adds_my_reaction_and_a_second_takes_it_back(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    ada = named("Ada", community)
    bruno = named("Bruno", community)
    carla = named("Carla", community)
    for person in (ada, bruno):
        reactions.reaction_toggle(actor=person, post=post, emoji=THUMBS)

    login(client, carla)
    back = client.post(react_url(post), {"emoji": THUMBS})
    page = client.get(thread_url(thread)).content.decode()

    assert back.status_code == 302 and back["Location"].endswith(f"#p{post.pk}")
    assert chips(page)[THUMBS] == ("👍 3: Ada, Bruno and Carla", True, False)
    # The chip is a button of the form that toggles it; choices and the picker too.
    assert f'action="{react_url(post)}"' in page
    assert "data-reaction-picker" in page

    client.post(react_url(post), {"emoji": THUMBS})
    page = client.get(thread_url(thread)).content.decode()
    assert chips(page)[THUMBS] == ("👍 2: Ada and Bruno", False, False)


def test_the_script_gets_the_bar_as_its_reader_sees_it(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    login(client, owner)

    added = client.post(
        react_url(post), {"emoji": HEART}, HTTP_X_REQUESTED_WITH="fetch"
    ).json()
    removed = client.post(
        react_url(post), {"emoji": HEART}, HTTP_X_REQUESTED_WITH="fetch"
    ).json()

    assert added["added"] is True
    assert chips(added["html"])[HEART][1] is True
    assert 'name="csrfmiddlewaretoken"' in added["html"]
    assert removed["added"] is False and HEART not in chips(removed["html"])


def test_many_names_are_cut_with_a_count_of_the_others(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    for index in range(13):
        reactions.reaction_toggle(
            actor=named(f"P{index:02d}", community), post=post, emoji=THUMBS
        )

    page = client.get(thread_url(thread)).content.decode()

    label = chips(page)[THUMBS][0]
    assert label.startswith("👍 13: P00, P01,") and label.endswith("P09 and 3 others")


def test_readers_who_may_not_write_see_counts_with_names_but_no_choices(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    reactions.reaction_toggle(actor=named("Ada", community), post=post, emoji=THUMBS)

    for person in (None, person_in(community, "outsider")):
        client.logout()
        html = login(client, person).get(thread_url(thread)).content.decode()
        assert chips(html) == {THUMBS: ("👍 1: Ada", False, True)}
        assert 'data-action="react"' not in html
        assert "data-reaction-form" not in html


def test_the_picker_page_offers_every_emoji_without_javascript(client):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    login(client, owner)

    page = client.get(react_url(post)).content.decode()
    client.post(react_url(post), {"emoji": ALLOWED_EMOJI[-1]})

    offered = re.findall(r'name="emoji" value="([^"]+)"', page)
    assert offered == list(ALLOWED_EMOJI)
    assert Reaction.objects.get().emoji == ALLOWED_EMOJI[-1]
    outsider = person_in(community, "outsider")
    client.logout()
    assert login(client, outsider).get(react_url(post)).status_code == 403


def test_room_messages_take_reactions_too(client):
    community, owner, thread = community_with_thread()
    room = rooms.room_create(actor=owner, community=community, name="Caffè")
    member = named("Ada", community)
    message = reply(room, owner, "Buongiorno")

    login(client, member).post(react_url(message), {"emoji": "☕"})
    page = client.get(
        reverse("community:room-detail", args=[community.slug, room.pk])
    ).content.decode()

    assert chips(page)["☕"] == ("☕ 1: Ada", True, False)


def test_deleting_an_account_removes_its_reactions():
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = person_in(community, "member")
    reactions.reaction_toggle(actor=member, post=post, emoji=THUMBS)
    reactions.reaction_toggle(actor=owner, post=post, emoji=THUMBS)

    member.delete()

    assert list(Reaction.objects.values_list("user", flat=True)) == [owner.pk]


# --- a reaction is not a post ---------------------------------------------------------


def test_a_reaction_changes_no_count_no_unread_mark_and_writes_one_event():
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = person_in(community, "member")
    before = Thread.objects.values_list("post_count", "last_activity_at").get(
        pk=thread.pk
    )

    reactions.reaction_toggle(actor=member, post=post, emoji=THUMBS)
    reactions.reaction_toggle(actor=member, post=post, emoji=THUMBS)

    assert (
        Thread.objects.values_list("post_count", "last_activity_at").get(pk=thread.pk)
        == before
    )
    from live.models import Event

    assert list(
        Event.objects.filter(stream=thread.stream).values_list("type", flat=True)
    ) == ["post.created", "reaction.added", "reaction.removed"]


# --- what pages cost ------------------------------------------------------------------


def test_the_thread_page_costs_the_same_queries_with_many_reactions(
    client, django_assert_num_queries
):
    community, owner, thread = community_with_thread()
    posts = add_replies(thread, 29)
    member = person_in(community, "member")
    login(client, member)
    client.get(thread_url(thread))  # the read position moves once
    with django_assert_num_queries(7) as bare:
        client.get(thread_url(thread))

    people = [person_in(community, "member") for _ in range(6)]
    for post in [thread.posts.first(), *posts]:
        post = type(post).objects.select_related("thread__community").get(pk=post.pk)
        for index, person in enumerate(people):
            for emoji in ALLOWED_EMOJI[: 1 + index % 3]:
                Reaction.objects.create(post=post, user=person, emoji=emoji)
    with django_assert_num_queries(len(bare.captured_queries)):
        page = client.get(thread_url(thread)).content.decode()

    assert len(chips(page)) == 3
    assert page.count('class="reaction"') == 30 * 3


@pytest.mark.parametrize("silenced_for", [timedelta(hours=1)])
def test_a_silence_ending_gives_the_choices_back(client, silenced_for):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = person_in(community, "member")
    Membership.objects.filter(user=member).update(
        muted_until=timezone.now() + silenced_for
    )
    login(client, member)
    assert 'data-action="react"' not in client.get(thread_url(thread)).content.decode()

    Membership.objects.filter(user=member).update(muted_until=None)
    html = client.get(thread_url(thread)).content.decode()
    assert 'data-action="react"' in html
    assert client.post(react_url(post), {"emoji": THUMBS}).status_code == 302
