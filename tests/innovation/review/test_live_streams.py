"""The funnel's own streams (`challenge:`, `offer:`, `fundingcall:`) carry ids of
proposals, interests, NDA acceptances and confidential documents: they are read by
the server's subscribers (notifications, search), never followed by a browser —
no one, not even the owner's people or staff, may subscribe to them."""

import pytest

from live.streams import may_subscribe
from tests.innovation.factories_offers import offer_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role", ["unrelated", "sender", "owner", "facilitator", "staff"]
)
def test_no_one_follows_a_challenge_or_offer_stream(role):
    world = offer_world()
    person = world.person(role)

    for stream in (
        f"offer:{world.offer.pk}",
        f"challenge:{world.offer.pk}",
        f"fundingcall:{world.offer.pk}",
    ):
        assert may_subscribe(person, stream) is None, stream
