"""What creates a notification, for whom, and what never does."""

import pytest
from django.utils import timezone

from community.models import Community, Membership, NotificationLevel, ReadPosition
from community.services import memberships, moderation, threads
from live.models import Event
from notifications.models import Notification
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in

from .helpers import kinds_of, sentences, shown

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run an action with its after-commit subscribers, as in production."""

    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def test_a_mention_notifies_the_person_mentioned(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    post = run(
        threads.post_reply, actor=owner, thread=thread, body=f"Ciao @{ada.username}"
    )
    notification = Notification.objects.get(recipient=ada)
    assert notification.kind == Kind.MENTION
    assert notification.post == post and notification.actor == owner
    assert notification.read_at is None


def test_replies_tell_the_thread_author_in_one_row_not_earlier_posters(run):
    """Earlier posters who chose to track the thread (replying otherwise watches it)
    hear nothing of later replies (the old rule, one row per earlier poster per reply,
    is what slowed posting down)."""
    community, owner, thread = community_with_thread()
    first, second = member_of(community), member_of(community)
    for person in (first, second):
        ReadPosition.objects.create(
            user=person, thread=thread, level=NotificationLevel.TRACKING
        )
    earliest = run(threads.post_reply, actor=first, thread=thread, body="Primo")
    run(threads.post_reply, actor=second, thread=thread, body="Secondo")
    (told,) = Notification.objects.filter(recipient=owner)
    # The row starts at the first reply; the owner sees both, the latest by second.
    assert (told.kind, told.post) == (Kind.REPLY_THREAD, earliest)
    assert shown(owner) == [(Kind.REPLY_THREAD, 2, second, False)]
    assert sentences(owner) == [
        f"2 new replies in your thread “{thread.title}”, the latest by {second.name}"
    ]
    assert kinds_of(first) == [] and kinds_of(second) == []


def test_a_mention_inside_a_reply_notifies_once_as_a_mention(run):
    community, owner, thread = community_with_thread()
    replier = member_of(community)
    run(
        threads.post_reply,
        actor=replier,
        thread=thread,
        body=f"Vero, @{owner.username}!",
    )
    assert kinds_of(owner) == [Kind.MENTION]


def test_nobody_is_notified_of_their_own_post_or_mention(run):
    community, owner, thread = community_with_thread()
    run(threads.post_reply, actor=owner, thread=thread, body=f"Io, @{owner.username}")
    assert Notification.objects.count() == 0


def test_a_mention_of_someone_who_cannot_read_the_thread_notifies_nobody(run):
    community, owner, thread = community_with_thread(
        visibility=Community.Visibility.PRIVATE
    )
    outsider = UserFactory()
    run(
        threads.post_reply,
        actor=owner,
        thread=thread,
        body=f"Ciao @{outsider.username}",
    )
    assert kinds_of(outsider) == []


def test_an_invitation_notifies_the_invitee(run):
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    owner = person_in(community, "owner")
    guest = UserFactory()
    run(memberships.membership_invite, actor=owner, community=community, invitee=guest)
    notification = Notification.objects.get(recipient=guest)
    assert (notification.kind, notification.community, notification.actor) == (
        Kind.INVITATION,
        community,
        owner,
    )


@pytest.mark.parametrize(
    ("decide", "kind"),
    [
        (memberships.membership_approve, Kind.JOIN_APPROVED),
        (memberships.membership_decline, Kind.JOIN_DECLINED),
    ],
)
def test_a_join_decision_notifies_the_requester(run, decide, kind):
    community = CommunityFactory(visibility=Community.Visibility.RESTRICTED)
    owner = person_in(community, "owner")
    asker = person_in(community, "pending")
    membership = Membership.objects.get(user=asker, community=community)
    run(decide, actor=owner, membership=membership)
    assert kinds_of(asker) == [kind]
    assert kinds_of(owner) == []


def test_a_role_change_notifies_the_member(run):
    community = CommunityFactory()
    owner = person_in(community, "owner")
    ada = member_of(community)
    membership = Membership.objects.get(user=ada, community=community)
    run(
        memberships.membership_set_role,
        actor=owner,
        membership=membership,
        role=Membership.Role.MODERATOR,
    )
    assert kinds_of(ada) == [Kind.ROLE_CHANGED]


def test_joining_on_ones_own_notifies_nobody(run):
    community = CommunityFactory()
    person_in(community, "owner")
    ada = UserFactory()
    run(memberships.community_join, actor=ada, community=community)
    assert Notification.objects.count() == 0


def test_a_ban_and_a_hidden_post_tell_the_member_the_outcome(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    post = run(threads.post_reply, actor=ada, thread=thread, body="Testo da nascondere")
    run(moderation.post_hide, actor=owner, post=post, reason="Fuori tema")
    hidden = Notification.objects.get(recipient=ada, kind=Kind.MODERATION)
    assert hidden.post == post and hidden.event_type == "post.hidden"
    membership = Membership.objects.get(user=ada, community=community)
    run(moderation.membership_ban, actor=owner, membership=membership, reason="Spam")
    assert sorted(
        Notification.objects.filter(recipient=ada).values_list("event_type", flat=True)
    ) == ["member.banned", "post.hidden"]


def test_each_notification_is_told_on_the_recipients_own_stream(run):
    community, owner, thread = community_with_thread()
    ada = member_of(community)
    run(threads.post_reply, actor=owner, thread=thread, body=f"@{ada.username} guarda")
    notification = Notification.objects.get(recipient=ada)
    event = Event.objects.get(stream=f"user:{ada.pk}", type="notification.created")
    assert event.payload == {"id": notification.pk, "kind": "mention"}


def test_a_silenced_member_is_told(run):
    community = CommunityFactory()
    owner = person_in(community, "owner")
    ada = member_of(community)
    membership = Membership.objects.get(user=ada, community=community)
    until = timezone.now() + timezone.timedelta(days=1)
    run(moderation.membership_mute, actor=owner, membership=membership, until=until)
    notification = Notification.objects.get(recipient=ada)
    assert (notification.kind, notification.event_type) == (
        Kind.MODERATION,
        "member.muted",
    )
