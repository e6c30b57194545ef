"""The funnel's streams: a funding call's (`fundingcall:`) is read by the server's
subscribers (notifications, search) only — no one, not even staff, may follow it.
Challenges' and offers' streams are followed by whoever may see their pages, each
event seen as the pages would show it: tests/innovation/live/test_item_streams.py."""

import pytest

from live.streams import may_subscribe
from tests.innovation.factories_offers import offer_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role", ["unrelated", "sender", "owner", "facilitator", "staff"]
)
def test_no_one_follows_a_funding_call_stream(role):
    world = offer_world()
    person = world.person(role)

    assert may_subscribe(person, f"fundingcall:{world.offer.pk}") is None
    # The offer's own stream follows its page: everyone may read a live offer.
    assert may_subscribe(person, f"offer:{world.offer.pk}") is not None
