"""The fragments the live innovation pages read again (`X-Requested-With: fetch`):
the same permission checks as the pages, rendered for the reader (an anonymous seeker
stays unnamed, a solver reads its own proposal only), what changed shown, and a cost
in queries that does not grow with the rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovation.models import Challenge, ExpressionOfInterest, TechnologyOffer
from innovation.services import challenges as challenge_services
from innovation.services import interests as interest_services
from innovation.services import proposals as proposal_services
from tests.innovation.factories_challenges import (
    ChallengeFactory,
    ProposalFactory,
    people_around,
)
from tests.innovation.factories_offers import InterestFactory, offer_world
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
ROLES = ("anonymous", "stranger", "solver", "seeker", "facilitator", "staff")


def _fetch(client, person, url):
    if person is not None and person.is_authenticated:
        client.force_login(person)
    return client.get(url, **FETCH)


def _html(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json"
    html = response.json()["html"]
    assert "<html" not in html  # the fragment alone, not the page
    return html


def _refused(response):
    """Refused as the page refuses: not found, forbidden, or off to log in."""
    return response.status_code in (302, 403, 404)


# --- the challenge page -----------------------------------------------------------------

DETAIL_ACCESS = {
    Challenge.Status.DRAFT: {"seeker", "staff"},
    Challenge.Status.OPEN: set(ROLES),
}


@pytest.mark.parametrize("status", list(DETAIL_ACCESS))
@pytest.mark.parametrize("role", ROLES)
def test_the_challenge_fragment_is_refused_as_the_page_is(client, status, role):
    challenge = ChallengeFactory(status=status, anonymous=True)
    people, _proposal = people_around(challenge)
    url = reverse("innovation:challenge-detail", args=[challenge.pk])

    response = _fetch(client, people[role], url)
    page = client.get(url)

    assert page.status_code == (200 if role in DETAIL_ACCESS[status] else 404)
    if role not in DETAIL_ACCESS[status]:
        assert response.status_code == 404
        return
    html = _html(response)
    assert challenge.title in html
    # The anonymous seeker is named to its own people and the desk only.
    named = challenge.organisation.name in html
    assert named == (role in ("seeker", "facilitator", "staff"))


def test_the_challenge_fragment_shows_a_new_answer(client):
    challenge = ChallengeFactory()
    people, _proposal = people_around(challenge)
    url = reverse("innovation:challenge-detail", args=[challenge.pk])
    question = challenge_services.question_ask(
        actor=people["solver"], challenge=challenge, question="How many tonnes?"
    )
    before = _html(_fetch(client, people["stranger"], url))
    challenge_services.question_answer(
        actor=people["seeker"], question=question, answer="Forty tonnes a year."
    )

    after = _html(client.get(url, **FETCH))

    assert "Not answered yet." in before and "Forty tonnes" not in before
    assert "Forty tonnes a year." in after
    assert 'data-live-part="questions"' in after


def test_the_page_names_its_stream_for_the_script(client):
    challenge = ChallengeFactory()
    page = client.get(reverse("innovation:challenge-detail", args=[challenge.pk]))

    content = page.content.decode()
    assert f'data-streams="challenge:{challenge.pk}"' in content
    assert "js/innovation_live.js" in content


# --- the evaluation board -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_board_fragment_is_the_seeker_s_and_staff_s(client, role):
    challenge = ChallengeFactory()
    people, proposal = people_around(challenge)
    url = reverse("innovation:challenge-board", args=[challenge.pk])

    response = _fetch(client, people[role], url)

    if role in ("seeker", "staff"):
        assert proposal.title in _html(response)
    else:
        assert _refused(response)
        assert proposal.title not in response.content.decode()


def test_a_new_proposal_appears_on_the_board_fragment(client):
    challenge = ChallengeFactory()
    people, made = people_around(challenge)
    made.delete()
    url = reverse("innovation:challenge-board", args=[challenge.pk])
    before = _html(_fetch(client, people["seeker"], url))

    proposal_services.proposal_submit(
        actor=people["solver"],
        challenge=challenge,
        title="Low-temperature pyrolysis",
        summary="A patented process.",
    )
    after = _html(client.get(url, **FETCH))

    assert "Low-temperature pyrolysis" not in before
    assert "Low-temperature pyrolysis" in after
    assert 'data-live-part="column-submitted"' in after


def test_the_board_fragment_costs_the_same_queries_for_2_or_8_proposals(
    client, django_assert_max_num_queries
):
    challenge = ChallengeFactory()
    people, _proposal = people_around(challenge)
    ProposalFactory(challenge=challenge)
    url = reverse("innovation:challenge-board", args=[challenge.pk])
    _fetch(client, people["seeker"], url)  # the session's first visit

    with CaptureQueriesContext(connection) as few:
        assert _html(client.get(url, **FETCH)).count('class="card proposal-card"') == 2
    for _ in range(6):
        ProposalFactory(challenge=challenge)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _html(client.get(url, **FETCH)).count('class="card proposal-card"') == 8


# --- the proposal page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_proposal_fragment_follows_the_page_s_rule_and_shows_the_step(client, role):
    challenge = ChallengeFactory(anonymous=True)
    people, proposal = people_around(challenge)
    seeker = people["seeker"]
    proposal_services.proposal_shortlist(
        actor=seeker, proposal=proposal, message="We like the process."
    )
    url = reverse("innovation:proposal-detail", args=[proposal.pk])

    response = _fetch(client, people[role], url)

    if role in ("anonymous", "stranger"):
        assert _refused(response)
        assert "We like the process." not in response.content.decode()
        return
    html = _html(response)
    assert "Shortlisted" in html and "We like the process." in html
    if role == "solver":
        assert challenge.organisation.name not in html


def test_the_proposal_fragment_costs_no_more_than_the_page(client):
    challenge = ChallengeFactory()
    people, proposal = people_around(challenge)
    url = reverse("innovation:proposal-detail", args=[proposal.pk])
    client.force_login(people["solver"])
    client.get(url)

    with CaptureQueriesContext(connection) as page:
        client.get(url)
    with CaptureQueriesContext(connection) as fragment:
        _html(client.get(url, **FETCH))

    assert len(fragment.captured_queries) <= len(page.captured_queries)


# --- offers and interests ----------------------------------------------------------------

OFFER_ROLES = ("anonymous", "unrelated", "sender", "owner", "facilitator", "staff")


@pytest.mark.parametrize("status", [TechnologyOffer.Status.DRAFT, TechnologyOffer.Status.PUBLISHED])
@pytest.mark.parametrize("role", OFFER_ROLES)
def test_the_offer_fragment_is_refused_as_the_page_is(client, status, role):
    world = offer_world(status=status)
    url = reverse("innovation:offer-detail", args=[world.offer.pk])

    response = _fetch(client, world.person(role), url)

    allowed = status == TechnologyOffer.Status.PUBLISHED or role in ("owner", "staff")
    if not allowed:
        assert response.status_code == 404
        return
    html = _html(response)
    assert world.offer.title in html
    # The details step: the owner's side and the accepted sender only.
    assert ("SECRET-DETAILS" in html) == (role in ("sender", "owner", "facilitator", "staff"))


@pytest.mark.parametrize("role", OFFER_ROLES)
def test_the_interest_fragment_shows_the_decision_to_both_organisations(client, role):
    world = offer_world(interest_status=ExpressionOfInterest.Status.SENT)
    interest_services.interest_decline(
        actor=world.person("owner"), interest=world.interest, message="Not our field."
    )
    url = reverse("innovation:interest-detail", args=[world.interest.pk])

    response = _fetch(client, world.person(role), url)

    if role in ("anonymous", "unrelated"):
        assert _refused(response)
        assert "Not our field." not in response.content.decode()
        return
    html = _html(response)
    assert "Declined" in html and "Not our field." in html


def test_the_received_interests_follow_the_organisation_s_live_offers(client):
    world = offer_world()
    url = reverse("innovation:interest-received")
    client.force_login(world.person("owner"))

    page = client.get(url).content.decode()

    assert f'data-streams="offer:{world.offer.pk}"' in page


def test_the_interest_list_fragment_costs_the_same_for_3_or_12_rows(
    client, django_assert_max_num_queries
):
    world = offer_world()
    url = reverse("innovation:interest-received")
    client.force_login(world.person("owner"))
    for _ in range(2):
        InterestFactory(offer=world.offer, organisation=OrganisationFactory())
    client.get(url, **FETCH)

    with CaptureQueriesContext(connection) as few:
        assert _html(client.get(url, **FETCH)).count("data-interest-row=") == 3
    for _ in range(9):
        InterestFactory(offer=world.offer, organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _html(client.get(url, **FETCH)).count("data-interest-row=") == 12


def test_a_new_interest_appears_in_the_received_fragment(client):
    world = offer_world()
    url = reverse("innovation:interest-received")
    client.force_login(world.person("owner"))
    sender = person_of(OrganisationFactory(name="Nuova Meccanica"))

    interest_services.interest_send(
        actor=sender,
        offer=world.offer,
        who_we_are="Us",
        intended_use="Tractors",
        cooperation="Licence",
        collaboration_type="licence",
    )
    html = _html(client.get(url, **FETCH))

    assert "Nuova Meccanica" in html


def test_the_sent_interests_follow_their_live_offers_only(client):
    world = offer_world()
    gone = InterestFactory(
        organisation=world.interest.organisation,
        offer__status=TechnologyOffer.Status.WITHDRAWN,
    )
    client.force_login(world.person("sender"))

    page = client.get(reverse("innovation:interest-sent")).content.decode()

    assert f'data-streams="offer:{world.offer.pk}"' in page
    assert f"offer:{gone.offer_id}" not in page


# --- a page re-rendered with a form's errors keeps reading its own address ---------------


def _fragment_url(content):
    match = re.search(r'data-fragment-url="([^"]*)"', content)
    assert match, "the live page names no fragment address"
    return match.group(1)


def _question_error(client):
    challenge = ChallengeFactory()
    people, _proposal = people_around(challenge)
    client.force_login(people["stranger"])
    response = client.post(
        reverse("innovation:question-ask", args=[challenge.pk]), {"question": ""}
    )
    return response, challenge.get_absolute_url(), "This field is required."


def _interest_send_error(client):
    world = offer_world()
    client.force_login(world.person("unrelated"))
    response = client.post(reverse("innovation:interest-send", args=[world.offer.pk]), {})
    return response, world.offer.get_absolute_url(), "This field is required."


def _interest_decide_error(client):
    world = offer_world(interest_status=ExpressionOfInterest.Status.SENT)
    client.force_login(world.person("owner"))
    response = client.post(
        reverse("innovation:interest-decide", args=[world.interest.pk]),
        {"action": "accept", "message": "x" * 3001},
    )
    return response, world.interest.get_absolute_url(), "at most 3000 characters"


@pytest.mark.parametrize(
    "error_page", [_question_error, _interest_send_error, _interest_decide_error]
)
def test_a_page_re_rendered_with_errors_reads_its_own_fragment(client, error_page):
    response, page_url, error = error_page(client)

    assert response.status_code == 400
    content = response.content.decode()
    assert error in content  # the reader sees why, on the live page
    fragment_url = _fragment_url(content)
    assert fragment_url == page_url  # not the POST-only address just answered
    assert _html(client.get(fragment_url, **FETCH))
