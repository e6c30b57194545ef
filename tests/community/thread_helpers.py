"""Shared set-up for the thread and post tests: people in every role, threads with posts."""

from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Community, Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ROLES = [
    "anonymous",
    "outsider",
    "pending",
    "member",
    "moderator",
    "owner",
    "banned",
    "staff",
]
VISIBILITIES = [
    Community.Visibility.PUBLIC,
    Community.Visibility.RESTRICTED,
    Community.Visibility.PRIVATE,
]
_MEMBERSHIP = {
    "pending": (Membership.Role.MEMBER, Membership.State.PENDING),
    "invited": (Membership.Role.MEMBER, Membership.State.INVITED),
    "muted": (Membership.Role.MEMBER, Membership.State.ACTIVE),
    "member": (Membership.Role.MEMBER, Membership.State.ACTIVE),
    "moderator": (Membership.Role.MODERATOR, Membership.State.ACTIVE),
    "owner": (Membership.Role.OWNER, Membership.State.ACTIVE),
    "banned": (Membership.Role.MEMBER, Membership.State.BANNED),
}


def person_in(community, role):
    """A user holding `role` in `community` (None for an anonymous visitor); a "muted"
    member is muted for a day."""
    if role == "anonymous":
        return None
    if role == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory(organisation=OrganisationFactory())
    if role in _MEMBERSHIP:
        member_role, state = _MEMBERSHIP[role]
        MembershipFactory(
            user=user,
            community=community,
            role=member_role,
            state=state,
            muted_until=(
                timezone.now() + timezone.timedelta(days=1) if role == "muted" else None
            ),
        )
    return user


def member_of(community, role="member"):
    return person_in(community, role)


def community_with_thread(visibility=Community.Visibility.PUBLIC, **thread_kwargs):
    """A community, its owner, and a thread the owner started through the service."""
    community = CommunityFactory(visibility=visibility)
    owner = person_in(community, "owner")
    thread = services.thread_create(
        actor=owner,
        community=community,
        title=thread_kwargs.pop("title", "Sensori per la manifattura"),
        body=thread_kwargs.pop("body", "Chi lavora su **sensori** a basso costo?"),
        **thread_kwargs,
    )
    return community, owner, thread


def add_replies(thread, count, authors=None):
    """`count` replies through the service, cycling over `authors` (members).

    By default a few members share the replies, staying under the posting rate limit.
    """
    authors = authors or [member_of(thread.community) for _ in range(count // 25 + 1)]
    posts = []
    for index in range(count):
        posts.append(
            services.post_reply(
                actor=authors[index % len(authors)],
                thread=thread,
                body=f"Risposta numero {index + 2}",
            )
        )
    return posts


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def thread_url(thread, **query):
    url = reverse("community:thread-detail", args=[thread.community.slug, thread.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def reply_url(thread):
    return reverse("community:thread-reply", args=[thread.community.slug, thread.pk])
