"""A firm's draft challenge or offer page carries the desk's panel: the reason it was
sent back, who helps, and the button to ask the desk."""

import pytest

from innovation.models import Challenge
from innovation.services import validation
from tests.innovation.factories_challenges import ChallengeFactory, facilitator
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_refused_draft_shows_why_and_offers_the_desks_help(client):
    challenge = ChallengeFactory(status=Challenge.Status.IN_VALIDATION)
    admin = person_of(challenge.organisation, admin=True)
    validation.item_refuse(
        actor=facilitator(), item=challenge, reason="Manca il volume annuo."
    )
    client.force_login(admin)

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert "The innovation desk sent this back to draft" in html
    assert "Manca il volume annuo." in html
    assert "Ask the innovation desk" in html


def test_an_open_challenge_has_no_desk_panel(client):
    challenge = ChallengeFactory(status=Challenge.Status.OPEN)
    client.force_login(person_of(challenge.organisation, admin=True))

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert "Ask the innovation desk" not in html
