"""A proposal submitted tells the seeker's people, a status change tells the solver's
people, an answer tells the asker — and an anonymous seeker is never named to those
who may not know it, in the notifications page or the dropdown."""

import pytest
from django.urls import reverse

from innovation.services import challenges, proposals
from notifications.models import Notification
from tests.innovation.factories_challenges import ChallengeFactory
from tests.notifications.helpers import sentences
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DESCRIPTION = "a firm in Manifattura, 50-249 people, Lombardia"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def test_each_step_tells_the_other_side_and_never_names_an_anonymous_seeker(
    client, run
):
    challenge = ChallengeFactory(anonymous=True)
    seeker = person_of(challenge.organisation, admin=True)
    colleague = person_of(challenge.organisation)
    solver = person_of()
    teammate = person_of(solver.organisation)
    proposal = run(
        proposals.proposal_submit,
        actor=solver,
        challenge=challenge,
        title="Pirolisi",
        summary="Un processo.",
    )
    assert sentences(colleague) == [
        f"{solver.organisation.name} sent a proposal to your challenge “{challenge.title}”"
    ]
    assert not Notification.objects.filter(recipient__in=[solver, teammate]).exists()

    run(proposals.proposal_shortlist, actor=seeker, proposal=proposal, message="Sì")
    expected = f"{DESCRIPTION} shortlisted your proposal to “{challenge.title}”"
    assert sentences(teammate) == [expected]
    assert sentences(solver) == [expected]
    for page in ("notifications:list", "notifications:latest"):
        client.force_login(teammate)
        html = client.get(reverse(page)).content.decode()
        assert DESCRIPTION in html
        assert challenge.organisation.name not in html
        assert seeker.name not in html

    run(proposals.proposal_reveal_seeker, actor=seeker, proposal=proposal)
    assert sentences(teammate) == [
        f"{challenge.organisation.name} shortlisted your proposal to “{challenge.title}”"
    ]


def test_the_asker_hears_the_answer_without_the_seekers_name(client, run):
    challenge = ChallengeFactory(anonymous=True)
    seeker = person_of(challenge.organisation)
    asker = person_of()
    question = run(
        challenges.question_ask, actor=asker, challenge=challenge, question="Volumi?"
    )
    assert sentences(asker) == []
    run(challenges.question_answer, actor=seeker, question=question, answer="40 t.")
    assert sentences(asker) == [
        f"{DESCRIPTION} answered your question on “{challenge.title}”"
    ]
    notification = Notification.objects.get(recipient=asker)
    client.force_login(asker)
    opened = client.get(reverse("notifications:open", args=[notification.pk]))
    assert opened["Location"] == challenge.get_absolute_url() + "#questions"
