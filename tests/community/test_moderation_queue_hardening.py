"""The review queue does not get stuck and does not offer what it would refuse:
claims lapse, owners and staff take an item over (logged), and the decision form
offers only the decisions this moderator may take on this author."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import AuditEntry, Membership, Report, ReviewItem
from community.services import memberships, moderation, reports, threads
from tests.community.thread_helpers import community_with_thread
from tests.support.roles import member_of, person_in

pytestmark = pytest.mark.django_db

Decision = ReviewItem.Decision


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.REVIEW_CLAIM_MINUTES = 30


def _reported(author_role="member"):
    community, owner, thread = community_with_thread()
    author = person_in(community, author_role) if author_role != "owner" else owner
    post = threads.post_reply(actor=author, thread=thread, body="Testo segnalato")
    reports.post_report(
        actor=member_of(community), post=post, reason=Report.Reason.SPAM
    )
    return community, owner, author, ReviewItem.objects.get(post=post)


def _item_url(item):
    return reverse("community:review-item", args=[item.community.slug, item.pk])


def _age_claim(item, minutes):
    ReviewItem.objects.filter(pk=item.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_lapsed_claim_lets_another_moderator_decide(client):
    community, _owner, _author, item = _reported()
    first = member_of(community, "moderator")
    second = member_of(community, "moderator")
    reports.review_claim(actor=first, item=item)
    _age_claim(item, 29)
    with pytest.raises(ValidationError, match="already handling"):
        reports.review_claim(actor=second, item=item)
    _age_claim(item, 31)
    client.force_login(second)
    page = client.get(_item_url(item)).content.decode()
    assert "is handling this item" not in page
    reports.review_claim(actor=second, item=item)
    item.refresh_from_db()
    assert item.claimed_by == second


def test_a_claim_by_someone_no_longer_moderating_does_not_hold():
    community, owner, _author, item = _reported()
    first = member_of(community, "moderator")
    second = member_of(community, "moderator")
    reports.review_claim(actor=first, item=item)
    memberships.membership_set_role(
        actor=owner,
        membership=Membership.objects.get(user=first, community=community),
        role=Membership.Role.MEMBER,
    )
    reports.review_decide(actor=second, item=item, decision=Decision.DISMISSED)
    item.refresh_from_db()
    assert item.decided_by == second


@pytest.mark.parametrize("role", ["owner", "staff"])
def test_owners_and_staff_take_an_item_over_and_it_is_logged(client, role):
    community, owner, _author, item = _reported()
    holder = member_of(community, "moderator")
    reports.review_claim(actor=holder, item=item)
    boss = owner if role == "owner" else person_in(community, "staff")
    client.force_login(boss)
    page = client.get(_item_url(item)).content.decode()
    assert "Take it over" in page
    client.post(_item_url(item), {"action": "take_over"})
    item.refresh_from_db()
    assert item.claimed_by == boss
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_TAKEN_OVER)
    assert (entry.actor, entry.member, entry.post_id_ref) == (
        boss,
        holder,
        item.post_id,
    )


def test_a_moderator_cannot_take_over_another_moderators_item(client):
    community, _owner, _author, item = _reported()
    holder = member_of(community, "moderator")
    other = member_of(community, "moderator")
    reports.review_claim(actor=holder, item=item)
    client.force_login(other)
    assert "Take it over" not in client.get(_item_url(item)).content.decode()
    with pytest.raises(PermissionDenied):
        reports.review_take_over(actor=other, item=item)
    response = client.post(_item_url(item), {"action": "take_over"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.claimed_by == holder
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.REVIEW_TAKEN_OVER
    ).exists()


def _offered(client, viewer, item):
    client.force_login(viewer)
    page = client.get(_item_url(item)).content.decode()
    return {value for value in Decision.values if f'value="{value}"' in page}


@pytest.mark.parametrize(
    ("decider", "author_role", "offered"),
    [
        (
            "moderator",
            "member",
            {"dismissed", "hidden", "removed", "warned", "silenced", "banned"},
        ),
        ("moderator", "moderator", {"dismissed", "hidden", "removed", "warned"}),
        (
            "owner",
            "moderator",
            {"dismissed", "hidden", "removed", "warned", "silenced", "banned"},
        ),
        ("moderator", "owner", {"dismissed", "hidden", "removed", "warned"}),
        ("staff", "owner", {"dismissed", "hidden", "removed", "warned"}),
    ],
)
def test_the_form_offers_only_what_this_moderator_may_decide(
    client, decider, author_role, offered
):
    community, owner, _author, item = _reported(author_role)
    viewer = owner if decider == "owner" else person_in(community, decider)
    assert _offered(client, viewer, item) == offered


def test_a_decision_not_offered_is_a_form_error_not_a_403(client):
    community, _owner, author, item = _reported("moderator")
    moderator = member_of(community, "moderator")
    client.force_login(moderator)
    response = client.post(
        _item_url(item), {"action": "decide", "decision": "banned", "reason": "x"}
    )
    assert response.status_code == 200
    assert "You may not take this decision on this item." in response.content.decode()
    assert Membership.objects.get(user=author, community=community).is_active


def test_restoring_is_offered_only_for_a_hidden_post(client):
    _community, owner, _author, item = _reported()
    assert "restored" not in _offered(client, owner, item)
    moderation.post_hide(actor=owner, post=item.post, reason="in attesa")
    assert "restored" in _offered(client, owner, item)
