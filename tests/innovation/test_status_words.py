"""Each step has its own Italian word, agreed with what it describes: a challenge
(la sfida) is "Aperta", a funding call (il bando) "Ritirato", a declined proposal
"Rifiutata" — not the button "Apri" or an affiliation's "Richiesta rifiutata"."""

import pytest
from django.utils import translation

from innovation.models import (
    Challenge,
    ExpressionOfInterest,
    FundingCall,
    Proposal,
    TechnologyOffer,
)


@pytest.mark.parametrize(
    "status, italian",
    [
        (Challenge.Status.OPEN, "Aperta"),
        (Challenge.Status.CLOSED, "Chiusa"),
        (Proposal.Status.DECLINED, "Rifiutata"),
        (Proposal.Status.ACCEPTED, "Accettata"),
        (TechnologyOffer.Status.PUBLISHED, "Pubblicata"),
        (ExpressionOfInterest.Status.DECLINED, "Rifiutata"),
        (FundingCall.Status.WITHDRAWN, "Ritirato"),
    ],
)
def test_steps_read_right_in_italian(status, italian):
    with translation.override("it"):
        assert str(status.label) == italian
    with translation.override("en"):
        assert str(status.label) != italian
