"""Interest notifications reach only the organisations concerned, carry nothing of
the answers in their live frames, and drop out when the person leaves."""

import pytest
from django.urls import reverse

from community.models import Affiliation
from innovation.services import interests
from live.models import Event
from notifications.models import Notification
from tests.innovation.factories_offers import committed, login, offer_world

pytestmark = pytest.mark.django_db


def test_a_sent_interest_tells_the_owner_only_and_leaks_nothing_live(
    client, django_capture_on_commit_callbacks
):
    world = offer_world()
    world.interest.delete()
    sender = world.person("sender")
    with committed(django_capture_on_commit_callbacks):
        interests.interest_send(
            actor=sender,
            offer=world.offer,
            who_we_are="ANSWER-WHO",
            intended_use="ANSWER-USE",
            cooperation="ANSWER-COOP",
            collaboration_type="licence",
        )

    recipients = set(
        Notification.objects.filter(kind=Notification.Kind.INTEREST).values_list(
            "recipient_id", flat=True
        )
    )
    assert recipients == {world.person("owner").pk}
    payloads = " ".join(str(event.payload) for event in Event.objects.all())
    assert "ANSWER" not in payloads and world.offer.details not in payloads
    owner = world.person("owner")
    login(client, owner)
    assert (
        world.offer.title in client.get(reverse("notifications:list")).content.decode()
    )

    # Once the owner leaves the organisation, the notification no longer shows.
    Affiliation.objects.filter(user=owner).update(state=Affiliation.State.DECLINED)
    assert (
        world.offer.title
        not in client.get(reverse("notifications:list")).content.decode()
    )
