"""The challenge's page shows its confidential step (the NDA, then the documents) to a
shortlisted solver and the seeker, and nothing of it to anyone below the details step."""

import pytest

from innovation.models import Proposal
from tests.innovation.factories_challenges import ChallengeFactory, people_around

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize(
    "role, shortlisted, shown",
    [
        ("anonymous", True, False),
        ("stranger", True, False),
        ("solver", False, False),
        ("solver", True, True),
        ("seeker", False, True),
        ("staff", False, True),
    ],
)
def test_the_confidential_section_follows_the_ladder(client, role, shortlisted, shown):
    challenge = ChallengeFactory(nda_text="Non divulgare nulla.")
    people, proposal = people_around(challenge)
    if shortlisted:
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.SHORTLISTED)
    if role != "anonymous":
        client.force_login(people[role])

    html = client.get(challenge.get_absolute_url()).content.decode()

    assert ("data-confidential-documents" in html) is shown
    assert ("Confidential documents" in html) is shown
