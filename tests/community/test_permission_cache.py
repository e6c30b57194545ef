"""Permission decisions are cached for one request or one socket operation, never longer.

A middleware opens the scope for every request (under WSGI and ASGI alike), the socket
opens one per operation with `permissions.operation()`; outside a scope nothing is
cached. A membership or affiliation written by a service is forgotten at once, whoever
holds the Python objects, and services decide on locked rows with `fresh()`.
"""

import contextvars

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import AsyncClient
from django.urls import path
from django.utils import timezone

from community import permissions
from community.models import Affiliation, Community, Membership
from community.services import memberships, moderation, organisations
from tests.support.factories import (
    AffiliationFactory,
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

Role = Membership.Role


def member_and_moderator():
    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    moderator = MembershipFactory(community=community, role=Role.MODERATOR).user
    return community, member, moderator


def outside_any_scope(function, **kwargs):
    """Run `function` as another request or process would: without this scope."""
    return contextvars.Context().run(function, **kwargs)


@pytest.mark.django_db
def test_outside_any_scope_every_question_reads_the_database():
    community, member, moderator = member_and_moderator()
    assert permissions.can_post_in_community(member, community)

    moderation.membership_ban(
        actor=moderator, membership=Membership.objects.get(user=member)
    )

    # The same Python object: nothing of the earlier answer stuck to it.
    assert not permissions.can_post_in_community(member, community)


@pytest.mark.django_db
def test_an_operation_reads_each_row_once(django_assert_num_queries):
    community, member, _ = member_and_moderator()

    with permissions.operation():
        with django_assert_num_queries(2):  # the membership, the verified address
            for _ in range(3):
                assert permissions.can_post_in_community(member, community)
                assert permissions.can_join_community(member, community) is False
                assert permissions.is_member(member, community)


@pytest.mark.django_db
def test_the_cache_ends_with_the_operation(django_assert_num_queries):
    community, member, _ = member_and_moderator()
    with permissions.operation():
        permissions.membership_of(member, community)

    with django_assert_num_queries(1):
        permissions.membership_of(member, community)


@pytest.mark.django_db
def test_nested_operations_share_the_outer_scope(django_assert_num_queries):
    community, member, _ = member_and_moderator()

    with permissions.operation():
        permissions.membership_of(member, community)
        with permissions.operation(), django_assert_num_queries(0):
            permissions.membership_of(member, community)
        with django_assert_num_queries(0):
            permissions.membership_of(member, community)


@pytest.mark.django_db
def test_a_ban_applies_to_the_next_decision_of_the_same_operation():
    community, member, moderator = member_and_moderator()

    with permissions.operation():
        assert permissions.can_post_in_community(member, community)
        # The service works on rows of its own (a fresh copy of the member's user).
        moderation.membership_ban(
            actor=moderator, membership=Membership.objects.get(user=member)
        )

        assert not permissions.can_post_in_community(member, community)
        assert permissions.membership_of(member, community).state == Membership.State.BANNED


@pytest.mark.django_db
def test_a_mute_and_a_promotion_apply_within_the_operation():
    community, member, moderator = member_and_moderator()
    owner = MembershipFactory(community=community, role=Role.OWNER).user

    with permissions.operation():
        assert permissions.can_post_in_community(member, community)
        moderation.membership_mute(
            actor=moderator,
            membership=Membership.objects.get(user=member),
            until=timezone.now() + timezone.timedelta(hours=1),
        )
        assert permissions.is_muted(member, community)
        moderation.membership_unmute(
            actor=owner, membership=Membership.objects.get(user=member)
        )
        memberships.membership_set_role(
            actor=owner,
            membership=Membership.objects.get(user=member),
            role=Role.MODERATOR,
        )

        assert permissions.can_moderate_community(member, community)


@pytest.mark.django_db
def test_joining_and_leaving_apply_within_the_operation():
    community = CommunityFactory()
    person = UserFactory()

    with permissions.operation():
        assert permissions.can_join_community(person, community)
        memberships.community_join(actor=person, community=community)
        assert permissions.can_post_in_community(person, community)
        memberships.community_leave(actor=person, community=community)

        assert not permissions.is_member(person, community)
        assert permissions.can_join_community(person, community)


@pytest.mark.django_db
def test_a_new_owner_frees_the_last_owner_within_the_operation():
    community = CommunityFactory()
    owner = MembershipFactory(community=community, role=Role.OWNER).user
    member = MembershipFactory(community=community).user

    with permissions.operation():
        assert permissions.is_last_owner(owner, community)
        memberships.community_transfer_ownership(
            actor=owner, community=community, username=member.username
        )

        assert not permissions.is_last_owner(owner, community)
        assert permissions.is_last_owner(member, community)


@pytest.mark.django_db
def test_affiliation_changes_apply_within_the_operation():
    organisation = OrganisationFactory()
    admin = AffiliationFactory(organisation=organisation, role=Affiliation.Role.ADMIN)
    member = AffiliationFactory(organisation=organisation)

    with permissions.operation():
        assert not permissions.can_leave_organisation(admin.user, organisation)
        assert not permissions.is_organisation_admin(member.user, organisation)
        organisations.affiliation_set_role(
            actor=admin.user, affiliation=member, role=Affiliation.Role.ADMIN
        )

        assert permissions.is_organisation_admin(member.user, organisation)
        assert permissions.can_leave_organisation(admin.user, organisation)


@pytest.mark.django_db
def test_fresh_reads_the_rows_again_and_keeps_the_new_answer(
    django_assert_num_queries,
):
    community, member, moderator = member_and_moderator()

    with permissions.operation():
        assert permissions.can_post_in_community(member, community)
        # Banned by another process: this scope heard nothing of it.
        outside_any_scope(
            moderation.membership_ban,
            actor=moderator,
            membership=Membership.objects.get(user=member),
        )
        assert permissions.can_post_in_community(member, community)  # stale, by design

        with permissions.fresh():
            assert not permissions.can_post_in_community(member, community)
        with django_assert_num_queries(0):
            assert not permissions.can_post_in_community(member, community)


@pytest.mark.django_db
def test_queries_seed_the_scope_with_the_memberships_they_fetched(
    django_assert_num_queries,
):
    from community.queries import communities

    joined, other = CommunityFactory(), CommunityFactory()
    member = MembershipFactory(community=joined).user

    with permissions.operation():
        communities.attach_viewer_memberships(member, [joined, other])
        with django_assert_num_queries(0):
            assert permissions.is_member(member, joined)
            assert permissions.membership_of(member, other) is None


@pytest.mark.django_db
def test_kept_decisions_answer_again_without_the_database(django_assert_num_queries):
    """A live subscription keeps its answers between re-checks and renews them there."""
    community, member, moderator = member_and_moderator()
    decisions = permissions.Decisions()
    with permissions.operation(decisions):
        assert permissions.can_post_in_community(member, community)
    outside_any_scope(
        moderation.membership_ban,
        actor=moderator,
        membership=Membership.objects.get(user=member),
    )

    with permissions.operation(decisions), django_assert_num_queries(0):
        assert permissions.can_post_in_community(member, community)
    # The re-check after the ban starts from new decisions.
    with permissions.operation(permissions.Decisions()):
        assert not permissions.can_post_in_community(member, community)


# --- the request scope -----------------------------------------------------------------


def probe(request, pk):
    """Answer whether two questions in this request share one lookup."""
    community = Community.objects.filter(pk=pk).first()
    first = permissions.membership_of(request.user, community)
    second = permissions.membership_of(request.user, community)
    return HttpResponse("shared" if first is second else "separate")


urlpatterns = [path("probe/<int:pk>/", probe)]


@pytest.mark.django_db
def test_every_request_has_its_own_scope(client, settings):
    settings.ROOT_URLCONF = __name__
    community, member, moderator = member_and_moderator()
    client.force_login(member)

    assert client.get(f"/probe/{community.pk}/").content == b"shared"
    # The scope ended with the response.
    assert permissions.membership_of(member, community) is not (
        permissions.membership_of(member, community)
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_asgi_requests_have_their_scope_too(settings):
    settings.ROOT_URLCONF = __name__
    community, member, _ = await sync_to_async(member_and_moderator)()
    client = AsyncClient()
    await client.aforce_login(member)

    response = await client.get(f"/probe/{community.pk}/")

    assert response.content == b"shared"


@pytest.mark.django_db
def test_anonymous_visitors_are_never_looked_up(django_assert_num_queries):
    community = CommunityFactory()
    with permissions.operation(), django_assert_num_queries(0):
        assert permissions.membership_of(AnonymousUser(), community) is None
        assert not permissions.is_verified(AnonymousUser())


@pytest.mark.django_db
def test_a_refused_service_leaves_the_scope_as_it_was():
    community, member, _ = member_and_moderator()

    with permissions.operation():
        with pytest.raises(PermissionDenied):
            moderation.membership_ban(
                actor=member, membership=Membership.objects.get(user=member)
            )
        assert permissions.can_post_in_community(member, community)
