"""The e-mail versions of the funnel's notifications: a solver's digest (text and
HTML, subject included) names an anonymous seeker only by its description — never
the organisation, its people or the challenge's details — until the seeker reveals
itself; the seeker's own people read the solver's name."""

import pytest
from django.utils import timezone

from innovation.services import challenges, proposals
from notifications import digests
from notifications.email_models import EmailPreference
from tests.innovation.factories_challenges import ChallengeFactory
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DESCRIPTION = "a firm in Manifattura, 50-249 people, Lombardia"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def _digest(person):
    items = digests.digest_items(person, None, timezone.now())
    message = digests.digest_message(person, items, EmailPreference.Digest.DAILY)
    html = message.alternatives[0][0]
    return len(items), " ".join([message.subject, message.body, html])


def test_a_solvers_digest_never_names_an_anonymous_seeker(run):
    challenge = ChallengeFactory(anonymous=True, details="SECRET-DETAILS-XYZ")
    seeker = person_of(
        challenge.organisation, admin=True, display_name="Giulia Seeker", language="en"
    )
    solver = person_of(display_name="Sara Solver", language="en")
    asker = person_of(display_name="Ugo Asker", language="en")
    proposal = run(
        proposals.proposal_submit,
        actor=solver,
        challenge=challenge,
        title="Pirolisi",
        summary="Un processo.",
    )
    question = run(
        challenges.question_ask, actor=asker, challenge=challenge, question="Volumi?"
    )
    run(challenges.question_answer, actor=seeker, question=question, answer="40 t.")
    run(proposals.proposal_shortlist, actor=seeker, proposal=proposal, message="Sì")

    for person in (solver, asker):
        count, text = _digest(person)
        assert count == 1
        assert DESCRIPTION in text
        for secret in (challenge.organisation.name, seeker.name, "SECRET-DETAILS-XYZ"):
            assert secret not in text

    count, text = _digest(seeker)
    assert count == 1 and solver.organisation.name in text

    run(proposals.proposal_reveal_seeker, actor=seeker, proposal=proposal)
    _count, text = _digest(solver)
    assert challenge.organisation.name in text
    _count, text = _digest(asker)
    assert challenge.organisation.name not in text


def test_the_description_is_in_the_recipients_language(run):
    challenge = ChallengeFactory(anonymous=True)
    seeker = person_of(challenge.organisation, admin=True)
    solver = person_of(language="it")
    proposal = run(
        proposals.proposal_submit,
        actor=solver,
        challenge=challenge,
        title="Pirolisi",
        summary="Un processo.",
    )
    run(proposals.proposal_shortlist, actor=seeker, proposal=proposal)

    items = digests.digest_items(solver, None, timezone.now())
    message = digests.digest_message(solver, items, EmailPreference.Digest.DAILY)

    assert "un'impresa del settore Manifattura" in message.body
    assert DESCRIPTION not in message.body
