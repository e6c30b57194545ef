"""Moderation services: who may ban, remove, mute, lock, pin and hide, and what follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community.models import Membership
from community.services import memberships, moderation, threads
from live.models import Event
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import UserFactory
from tests.support.roles import member_of

pytestmark = pytest.mark.django_db

Role = Membership.Role
State = Membership.State


def _row(person, community):
    return Membership.objects.select_related("user", "community").get(
        user=person, community=community
    )


def _actor(community, owner, kind):
    if kind == "owner":
        return owner
    if kind == "staff":
        return UserFactory(is_staff=True)
    return member_of(community, kind)


SANCTIONS = {
    "ban": lambda actor, m: moderation.membership_ban(actor=actor, membership=m),
    "remove": lambda actor, m: moderation.membership_remove(actor=actor, membership=m),
    "mute": lambda actor, m: moderation.membership_mute(
        actor=actor, membership=m, until=timezone.now() + timedelta(hours=1)
    ),
}


@pytest.mark.parametrize("sanction", list(SANCTIONS))
@pytest.mark.parametrize(
    "actor_kind, target_kind, allowed",
    [
        ("member", "member", False),
        ("moderator", "member", True),
        ("moderator", "moderator", False),
        ("owner", "moderator", True),
        ("owner", "member", True),
        ("staff", "moderator", True),
    ],
)
def test_who_may_sanction_whom(sanction, actor_kind, target_kind, allowed):
    community, owner, _thread = community_with_thread()
    actor = _actor(community, owner, actor_kind)
    target = member_of(community, target_kind)
    events_before = Event.objects.count()

    if allowed:
        SANCTIONS[sanction](actor, _row(target, community))
        assert Event.objects.count() > events_before
    else:
        with pytest.raises(PermissionDenied):
            SANCTIONS[sanction](actor, _row(target, community))
        assert _row(target, community).state == State.ACTIVE
        assert Event.objects.count() == events_before


@pytest.mark.parametrize("sanction", list(SANCTIONS))
def test_nobody_sanctions_an_owner_or_themselves(sanction):
    community, owner, _thread = community_with_thread()
    moderator = member_of(community, "moderator")
    staff = UserFactory(is_staff=True)
    for actor, target in ((staff, owner), (moderator, moderator), (owner, owner)):
        with pytest.raises(PermissionDenied):
            SANCTIONS[sanction](actor, _row(target, community))


def test_a_ban_counts_the_member_out_and_only_owners_lift_it():
    community, owner, _thread = community_with_thread()
    moderator = member_of(community, "moderator")
    person = member_of(community)
    moderation.membership_ban(actor=moderator, membership=_row(person, community))
    community.refresh_from_db()
    assert _row(person, community).state == State.BANNED
    assert community.member_count == Membership.objects.filter(
        community=community, state=State.ACTIVE
    ).count()

    with pytest.raises(PermissionDenied):
        moderation.membership_unban(actor=moderator, membership=_row(person, community))
    with pytest.raises(PermissionDenied):
        memberships.community_join(actor=person, community=community)

    moderation.membership_unban(actor=owner, membership=_row(person, community))
    assert not Membership.objects.filter(user=person, community=community).exists()
    memberships.community_join(actor=_fresh(person), community=community)
    assert _row(person, community).state == State.ACTIVE


def test_a_removed_member_may_come_back_and_a_muted_one_reads_but_cannot_post():
    community, owner, thread = community_with_thread()
    person = member_of(community)
    moderation.membership_mute(
        actor=owner, membership=_row(person, community), until=timezone.now() + timedelta(days=1)
    )
    with pytest.raises(PermissionDenied):
        threads.post_reply(actor=_fresh(person), thread=thread, body="x")
    moderation.membership_unmute(actor=owner, membership=_row(person, community))
    threads.post_reply(actor=_fresh(person), thread=thread, body="Eccomi")

    moderation.membership_remove(actor=owner, membership=_row(person, community))
    assert not Membership.objects.filter(user=person, community=community).exists()
    memberships.community_join(actor=_fresh(person), community=community)


def _fresh(person):
    return type(person).objects.get(pk=person.pk)


def test_a_mute_must_end_in_the_future():
    community, owner, _thread = community_with_thread()
    person = member_of(community)
    with pytest.raises(ValidationError):
        moderation.membership_mute(
            actor=owner, membership=_row(person, community), until=timezone.now()
        )
    assert _row(person, community).muted_until is None


@pytest.mark.parametrize("actor_kind, allowed", [("member", False), ("moderator", True), ("staff", True)])
def test_thread_tools_are_for_moderators(actor_kind, allowed):
    community, owner, thread = community_with_thread()
    actor = _actor(community, owner, actor_kind)
    post = thread.posts.get()
    tools = (
        lambda: moderation.thread_lock(actor=actor, thread=thread),
        lambda: moderation.thread_pin(actor=actor, thread=thread),
        lambda: moderation.post_hide(actor=actor, post=post, reason="Spam"),
    )
    for tool in tools:
        if allowed:
            tool()
        else:
            with pytest.raises(PermissionDenied):
                tool()
    thread.refresh_from_db()
    post.refresh_from_db()
    assert (thread.is_locked, thread.is_pinned, post.is_hidden) == (allowed,) * 3


def test_locking_twice_records_one_event_and_unlocking_reopens_replies():
    community, owner, thread = community_with_thread()
    person = member_of(community)
    moderation.thread_lock(actor=owner, thread=thread)
    moderation.thread_lock(actor=owner, thread=thread)
    assert Event.objects.filter(stream=thread.stream, type="thread.locked").count() == 1
    with pytest.raises(PermissionDenied):
        threads.post_reply(actor=person, thread=thread, body="Posso?")
    moderation.thread_unlock(actor=owner, thread=thread)
    threads.post_reply(actor=_fresh(person), thread=thread, body="Ora sì")


def test_a_hide_reason_is_bounded():
    community, owner, thread = community_with_thread()
    with pytest.raises(ValidationError):
        moderation.post_hide(actor=owner, post=thread.posts.get(), reason="x" * 301)
    assert not thread.posts.get().is_hidden
