"""The desk's decisions, help and introductions reach the people concerned as
notifications, with a sentence and a link to what they are about."""

import pytest
from django.urls import reverse

from innovation.services import desk, validation
from notifications.models import Notification
from tests.innovation.factories_desk import (
    ChallengeFactory,
    OfferFactory,
    facilitator,
    person_of,
)
from tests.support.factories import OrganisationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def _page(client, person):
    client.force_login(person)
    return client.get(reverse("notifications:list")).content.decode()


def test_a_refusal_reaches_the_firms_people_with_a_link_to_the_reason(client):
    offer = OfferFactory(title="Graphene coating")
    member = person_of(offer.organisation)
    outsider = person_of(OrganisationFactory())

    validation.item_refuse(
        actor=facilitator(), item=offer, reason="Add the TRL evidence."
    )

    text = _page(client, member)
    assert "The innovation desk sent “Graphene coating” back to draft" in text
    row = Notification.objects.get(recipient=member)
    opened = client.get(reverse("notifications:open", args=[row.pk]))
    assert opened["Location"] == reverse(
        "innovation:desk-item", args=["offer", offer.pk]
    )
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_an_approval_reaches_the_firm():
    challenge = ChallengeFactory(title="Carbon fibre")
    member = person_of(challenge.organisation)
    validation.item_publish(actor=facilitator(), item=challenge)
    assert Notification.objects.filter(
        recipient=member, kind="desk_decision", event_type="desk.approved"
    ).exists()


def test_a_facilitator_taking_a_draft_is_told_to_the_firm(client):
    challenge = ChallengeFactory(status="draft", title="Smart irrigation")
    admin = person_of(challenge.organisation, "admin")
    helper = facilitator()
    desk.help_request(actor=admin, item=challenge)
    desk.draft_take(actor=helper, item=challenge)
    assert "now helps with your draft “Smart irrigation”" in _page(client, admin)


def test_both_introduced_people_are_told(client):
    first = person_of(OrganisationFactory())
    second = person_of(OrganisationFactory())
    desk.introduction_create(
        actor=facilitator(),
        first=first.username,
        second=second.username,
        message="Meet.",
    )
    for person in (first, second):
        assert "of the innovation desk introduced you" in _page(client, person)
        assert Notification.objects.filter(
            recipient=person, kind="introduction"
        ).exists()
