"""The confirmations of a challenge's and a proposal's steps are in the reader's
language, not in the one active when the views module was first imported."""

import pytest
from django.utils import translation

from innovation.views import challenges as views

STEPS = [
    *(("challenge", step) for step in views._CHALLENGE_STEPS),
    *(("proposal", step) for step in views._PROPOSAL_STEPS),
]


@pytest.mark.parametrize(("kind", "step"), STEPS)
def test_a_step_confirmation_follows_the_active_language(kind, step):
    table = views._CHALLENGE_STEPS if kind == "challenge" else views._PROPOSAL_STEPS
    done = table[step][1]
    with translation.override("en"):
        english = str(done)
    with translation.override("it"):
        italian = str(done)
    assert english != italian
    assert english.isascii() and english.endswith(".")
