"""The validation queue: who sees it, who approves or refuses, what the firm reads."""

import pytest
from django.urls import reverse

from innovation.models import Challenge, TechnologyOffer
from innovation.services import validation
from live.models import Event
from tests.innovation.desk.roles import ROLES, login, person
from tests.innovation.factories_desk import (
    ChallengeFactory,
    OfferFactory,
    facilitator,
    person_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DESK_ROLES = {"facilitator", "staff"}


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_is_the_desks_only(client, role):
    item = ChallengeFactory(title="Waiting challenge")
    page = login(client, person(role, item)).get(reverse("innovation:desk-home"))

    if role == "anonymous":
        assert page.status_code == 302 and "login" in page["Location"]
    elif role in DESK_ROLES:
        assert page.status_code == 200 and "Waiting challenge" in page.content.decode()
    else:
        assert page.status_code == 403
        assert "Waiting challenge" not in page.content.decode()


def test_the_queue_lists_both_kinds_oldest_first_and_only_those_waiting(client):
    older = OfferFactory(title="Older offer")
    newer = ChallengeFactory(title="Newer challenge")
    TechnologyOffer.objects.filter(pk=older.pk).update(
        updated_at=newer.updated_at.replace(year=2025)
    )
    ChallengeFactory(title="A draft", status=Challenge.Status.DRAFT)
    ChallengeFactory(title="Already open", status=Challenge.Status.OPEN)
    client.force_login(facilitator())

    text = client.get(reverse("innovation:desk-home")).content.decode()

    assert text.index("Older offer") < text.index("Newer challenge")
    assert "A draft" not in text and "Already open" not in text


def test_an_empty_queue_says_so(client):
    client.force_login(facilitator())
    text = client.get(reverse("innovation:desk-home")).content.decode()
    assert "Nothing is waiting for validation." in text


def test_the_queue_is_paginated(client):
    for _ in range(23):
        ChallengeFactory()
    client.force_login(facilitator())
    first = client.get(reverse("innovation:desk-home")).content.decode()
    second = client.get(reverse("innovation:desk-home") + "?page=2").content.decode()
    assert first.count('class="card"') >= 20
    assert "23 items waiting" in first and 'rel="prev"' in second


@pytest.mark.parametrize("size", [3, 30])
def test_the_queue_costs_the_same_few_queries_whatever_its_length(
    client, django_assert_max_num_queries, size
):
    for n in range(size):
        (ChallengeFactory if n % 2 else OfferFactory)()
    client.force_login(facilitator())
    # session user, facilitator check, two item lists, the helped drafts (2), the
    # help requests (2), navigation (communities, workspaces, moderation figures).
    with django_assert_max_num_queries(14):
        assert client.get(reverse("innovation:desk-home")).status_code == 200


@pytest.mark.parametrize(
    "kind, factory", [("challenge", ChallengeFactory), ("offer", OfferFactory)]
)
@pytest.mark.parametrize("role", ROLES)
def test_only_the_desk_approves(client, role, kind, factory):
    item = factory()
    response = login(client, person(role, item)).post(
        reverse("innovation:desk-item-publish", args=[kind, item.pk])
    )
    item.refresh_from_db()

    if role in DESK_ROLES:
        assert item.status in ("open", "published") and item.published_at is not None
    else:
        assert item.status == "in_validation" and item.published_at is None
        assert not Event.objects.filter(type="desk.approved").exists()
        if role in ("firm_admin", "firm_member"):
            # The firm reads its item: it is told why nothing happened.
            page = client.get(response["Location"]).content.decode()
            assert "Only the innovation desk" in page
        else:
            assert response.status_code in (302, 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_desk_refuses(client, role):
    item = ChallengeFactory()
    login(client, person(role, item)).post(
        reverse("innovation:desk-item-refuse", args=["challenge", item.pk]),
        {"reason": "Too vague"},
    )
    item.refresh_from_db()
    if role in DESK_ROLES:
        assert item.status == "draft" and item.refusal_reason == "Too vague"
    else:
        assert item.status == "in_validation" and item.refusal_reason == ""


def test_approving_an_offer_publishes_it_for_its_lifetime(settings):
    settings.OFFER_LIFETIME_DAYS = 90
    offer = OfferFactory()
    desk = facilitator()

    validation.item_publish(actor=desk, item=offer)

    offer.refresh_from_db()
    assert offer.status == "published" and offer.validated_by == desk
    assert (offer.expires_at - offer.published_at).days == 90


def test_approving_a_challenge_opens_it_and_tells_the_firm():
    challenge = ChallengeFactory()
    member = person_of(challenge.organisation)

    validation.item_publish(actor=facilitator(), item=challenge)

    challenge.refresh_from_db()
    assert challenge.status == "open" and challenge.published_at is not None
    assert Event.objects.filter(
        stream=f"user:{member.pk}", type="desk.approved"
    ).exists()
    assert Event.objects.filter(
        stream=challenge.stream, type="challenge.published"
    ).exists()


def test_a_refusal_without_a_reason_is_refused_with_a_message(client):
    item = ChallengeFactory()
    client.force_login(facilitator())

    page = client.post(
        reverse("innovation:desk-item-refuse", args=["challenge", item.pk]),
        {"reason": "  "},
    )

    item.refresh_from_db()
    assert page.status_code == 400
    assert "Say why it is refused: the firm reads it." in page.content.decode()
    assert item.status == "in_validation"


def test_the_firm_reads_the_refusal_reason_on_its_draft_page_and_is_told(client):
    item = OfferFactory()
    admin = person_of(item.organisation, "admin")
    desk = facilitator()
    validation.item_refuse(
        actor=desk, item=item, reason="Add the patent number, please."
    )

    client.force_login(admin)
    text = client.get(
        reverse("innovation:desk-item", args=["offer", item.pk])
    ).content.decode()

    assert "Add the patent number, please." in text and "Innovation desk" in text
    assert Event.objects.filter(stream=f"user:{admin.pk}", type="desk.refused").exists()


def test_an_item_already_decided_cannot_be_decided_again(client):
    item = ChallengeFactory(status=Challenge.Status.OPEN)
    client.force_login(facilitator())
    client.post(
        reverse("innovation:desk-item-refuse", args=["challenge", item.pk]),
        {"reason": "No"},
    )
    item.refresh_from_db()
    assert item.status == "open" and item.refusal_reason == ""


@pytest.mark.parametrize("role", ROLES)
def test_the_full_draft_in_validation_is_read_by_the_firm_and_the_desk_only(
    client, role
):
    item = ChallengeFactory()
    page = login(client, person(role, item)).get(
        reverse("innovation:desk-item", args=["challenge", item.pk])
    )
    text = page.content.decode()
    if role in DESK_ROLES | {"firm_admin", "firm_member"}:
        assert "Confidential process constraints" in text
    else:
        assert page.status_code in (302, 404)
        assert "Confidential process constraints" not in text
