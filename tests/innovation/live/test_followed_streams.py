"""Which item streams an innovation page follows, and who sees every entry of an
item: one rule each, asked by the pages and by the live layer alike. A page never
names a stream the live layer would refuse its reader (an interest's sender loses
nothing live when the offer expires or is withdrawn), and whoever sees every
proposal (interest) on the pages sees every such event on the stream."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from innovation import permissions
from innovation.live import authorize_offer
from innovation.models import TechnologyOffer
from tests.innovation.factories_challenges import ChallengeFactory, people_around
from tests.innovation.factories_offers import InterestFactory, offer_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OFFER_ROLES = ("sender", "owner", "facilitator", "staff")
OFFER_STATES = {
    "live": {},
    "expired": {"expires_at": timezone.now() - timedelta(days=1)},
    "withdrawn": {"status": TechnologyOffer.Status.WITHDRAWN},
}


def _streams(content):
    start = content.index('data-streams="') + len('data-streams="')
    return content[start : content.index('"', start)].split()


@pytest.mark.parametrize("state", list(OFFER_STATES))
@pytest.mark.parametrize("role", OFFER_ROLES)
def test_an_interest_page_follows_its_offer_only_if_the_reader_may(client, state, role):
    world = offer_world(**OFFER_STATES[state])
    person = world.person(role)
    client.force_login(person)

    page = client.get(reverse("innovation:interest-detail", args=[world.interest.pk]))

    assert page.status_code == 200
    follows = world.offer.stream in _streams(page.content.decode())
    # The page follows exactly what the live layer lets this reader follow.
    assert follows == (authorize_offer(person, world.offer.pk) is not None)
    # The sender (and a facilitator not assigned to the offer, who may read the
    # interest but not a gone offer's page) follow a live offer only.
    assert follows == (state == "live" or role in ("owner", "staff"))


def test_the_sent_interests_follow_neither_expired_nor_withdrawn_offers(client):
    world = offer_world()
    sender_org = world.interest.organisation
    expired = InterestFactory(
        organisation=sender_org, offer__expires_at=timezone.now() - timedelta(days=1)
    )
    withdrawn = InterestFactory(
        organisation=sender_org, offer__status=TechnologyOffer.Status.WITHDRAWN
    )
    client.force_login(world.person("sender"))

    page = client.get(reverse("innovation:interest-sent")).content.decode()

    assert _streams(page) == [world.offer.stream]
    for interest in (expired, withdrawn):
        assert authorize_offer(world.person("sender"), interest.offer_id) is None


CHALLENGE_ROLES = ("anonymous", "stranger", "solver", "seeker", "facilitator", "staff")


@pytest.mark.parametrize("role", CHALLENGE_ROLES)
def test_who_sees_every_proposal_on_the_pages_and_the_stream(role):
    challenge = ChallengeFactory()
    people, proposal = people_around(challenge)
    other = people_around(challenge)[1]  # another organisation's proposal
    person = people[role]

    every = permissions.sees_every_proposal(person, challenge)
    audience = permissions.challenge_stream_audience(person, challenge)

    assert every == (role in ("seeker", "facilitator", "staff"))
    assert permissions.can_see_proposal(person, other) == every
    assert permissions.can_see_proposal(person, proposal) == (every or role == "solver")
    assert audience.all_entries == every
    event = {"organisation": other.organisation_id}
    assert permissions.sees_stream_event(audience, "proposal.submitted", event) == every


@pytest.mark.parametrize("role", ("anonymous", "unrelated", *OFFER_ROLES))
def test_who_sees_every_interest_on_the_pages_and_the_stream(role):
    world = offer_world()
    person = world.person(role)
    if person is None:
        from django.contrib.auth.models import AnonymousUser

        person = AnonymousUser()
    other = InterestFactory(offer=world.offer)

    every = permissions.sees_every_interest(person, world.offer)
    audience = permissions.offer_stream_audience(person, world.offer)

    assert every == (role in ("owner", "facilitator", "staff"))
    assert permissions.can_see_interest(person, other) == every
    assert permissions.can_see_interest(person, world.interest) == (every or role == "sender")
    assert audience.all_entries == every
    event = {"organisation": other.organisation_id}
    assert permissions.sees_stream_event(audience, "interest.sent", event) == every
