"""Reactions notify a post's author at most once per post while unread ("Ada and 3
others reacted to your post"), never for their own reactions, never for a post
hidden since, a thread they muted or one they may no longer read."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community.models import Community, Membership, Post
from community.services import direct, levels, moderation, reactions, threads
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.roles import member_of

from .helpers import sentences, shown

pytestmark = pytest.mark.django_db

THUMBS = "👍"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run an action with its after-commit subscribers, as in production."""

    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def named(community, name):
    person = member_of(community)
    person.display_name = name
    person.save(update_fields=["display_name"])
    return person


def test_the_author_gets_one_grouped_notification_per_post_while_unread(run):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    ada, bruno, carla = (named(community, name) for name in ("Ada", "Bruno", "Carla"))

    run(reactions.reaction_toggle, actor=ada, post=post, emoji=THUMBS)
    run(reactions.reaction_toggle, actor=ada, post=post, emoji="❤️")  # same person
    run(reactions.reaction_toggle, actor=bruno, post=post, emoji=THUMBS)
    run(reactions.reaction_toggle, actor=carla, post=post, emoji="🎉")
    run(reactions.reaction_toggle, actor=owner, post=post, emoji=THUMBS)  # their own

    assert shown(owner) == [("reaction", 3, carla, False)]
    assert sentences(owner) == [
        "Carla and 2 others reacted to your post in “Sensori per la manifattura”"
    ]
    # Nobody else hears of it, and the bell heard of the row once.
    assert not Notification.objects.exclude(recipient=owner).exists()

    # Once read, the next reaction starts a new row.
    Notification.objects.filter(recipient=owner).update(
        read_at=timezone.now(), unread_key=None
    )
    run(
        reactions.reaction_toggle,
        actor=named(community, "Dario"),
        post=post,
        emoji=THUMBS,
    )
    assert sentences(owner)[0] == (
        "Dario reacted to your post in “Sensori per la manifattura”"
    )
    assert Notification.objects.filter(recipient=owner).count() == 2


def test_two_people_read_as_one_other(run):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    for name in ("Ada", "Bruno"):
        run(
            reactions.reaction_toggle,
            actor=named(community, name),
            post=post,
            emoji=THUMBS,
        )

    assert sentences(owner) == [
        "Bruno and 1 other reacted to your post in “Sensori per la manifattura”"
    ]


def test_no_notification_for_a_muted_thread_or_a_hidden_post(run):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    member = member_of(community)
    mine = run(threads.post_reply, actor=member, thread=thread, body="Mia")
    levels.thread_level_set(actor=owner, thread=thread, level="muted")

    run(reactions.reaction_toggle, actor=member, post=post, emoji=THUMBS)
    run(moderation.post_hide, actor=owner, post=mine)
    with pytest.raises(PermissionDenied):
        run(reactions.reaction_toggle, actor=owner, post=mine, emoji=THUMBS)

    assert not Notification.objects.filter(kind="reaction").exists()


def test_a_post_hidden_after_the_reaction_drops_the_notification(run):
    community, owner, thread = community_with_thread()
    member = member_of(community)
    mine = run(threads.post_reply, actor=member, thread=thread, body="Mia")
    run(reactions.reaction_toggle, actor=owner, post=mine, emoji=THUMBS)
    assert [row[0] for row in shown(member)] == ["reaction"]

    run(moderation.post_hide, actor=owner, post=mine)

    assert "reaction" not in [row[0] for row in shown(member)]


def test_an_author_who_may_no_longer_read_the_thread_is_not_told(run):
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    member = member_of(community)
    post = run(threads.post_reply, actor=member, thread=thread, body="Mia")
    membership = Membership.objects.select_related("user", "community").get(
        user=member, community=community
    )
    run(moderation.membership_ban, actor=owner, membership=membership)
    post = Post.objects.select_related("thread__community").get(pk=post.pk)

    run(reactions.reaction_toggle, actor=owner, post=post, emoji=THUMBS)

    assert not Notification.objects.filter(recipient=member, kind="reaction").exists()


def test_reactions_of_someone_the_author_blocked_are_not_told(run):
    community, owner, thread = community_with_thread()
    post = thread.posts.get()
    pest, friend = named(community, "Pest"), named(community, "Ada")
    direct.person_block(actor=owner, person=pest)

    run(reactions.reaction_toggle, actor=pest, post=post, emoji=THUMBS)
    assert not Notification.objects.filter(recipient=owner, kind="reaction").exists()

    run(reactions.reaction_toggle, actor=friend, post=post, emoji=THUMBS)
    assert sentences(owner) == [
        "Ada reacted to your post in “Sensori per la manifattura”"
    ]
