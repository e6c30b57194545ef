"""The suggestions page: who sees it, what a card says, "Not relevant" with and
without JavaScript, empty states, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovation.models import DismissedSuggestion, Facilitator
from tests.innovation.factories_matching import (
    ChallengeFactory,
    FundingCallFactory,
    OfferFactory,
)
from tests.support.factories import AffiliationFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = reverse("innovation:suggestions")
DISMISS = reverse("innovation:suggestion-dismiss")
RESTORE = reverse("innovation:suggestion-restore")


@pytest.fixture
def world():
    firm = OrganisationFactory(kind="enterprise", sector="Energia")
    firm.competences.add("idrogeno")
    firm.interests.add("elettrolizzatori")
    member = AffiliationFactory(organisation=firm).user
    seeker = OrganisationFactory(name="Acciaierie Segrete", kind="enterprise")
    challenge = ChallengeFactory(
        organisation=seeker, anonymous=True, title="Idrogeno per i forni",
        tags=["idrogeno", "forni"],
    )
    offer = OfferFactory(title="Elettrolizzatore compatto", tags=["elettrolizzatori", "idrogeno"], trl=6)
    call = FundingCallFactory(title="Voucher idrogeno", tags=["idrogeno"])
    for tag in ["vernici", "tessuti", "genomica"]:
        ChallengeFactory(tags=[tag])
    return {"firm": firm, "member": member, "challenge": challenge, "offer": offer, "call": call}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "unaffiliated", "pending", "facilitator", "staff", "member"])
def test_who_sees_the_suggestions(client, world, who):
    user = {
        "anonymous": None,
        "unaffiliated": UserFactory(),
        "pending": AffiliationFactory(organisation=world["firm"], state="pending").user,
        "facilitator": Facilitator.objects.create(person=UserFactory()).person,
        "staff": UserFactory(is_staff=True),
        "member": world["member"],
    }[who]
    response = _client(client, user).get(URL + "?tab=offers")
    page = response.content.decode()
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
        return
    if who == "member":
        assert response.status_code == 200
        assert "Elettrolizzatore compatto" in page
        assert "TRL 6" in page
        return
    assert response.status_code == 403
    assert "join yours" in page
    assert "Elettrolizzatore compatto" not in page


def test_a_card_says_why_and_hides_an_anonymous_seeker(client, world):
    page = _client(client, world["member"]).get(URL).content.decode()
    assert "Idrogeno per i forni" in page
    # The seeker as an anonymous challenge shows it to everyone it has not revealed
    # itself to (innovation.anonymity): a description, never the name.
    assert "a firm in Manifattura" in page
    assert "Acciaierie Segrete" not in page
    assert '<li class="tag">idrogeno</li>' in page
    assert "How suggestions are made" in page


def test_not_relevant_without_javascript(client, world):
    client = _client(client, world["member"])
    response = client.post(DISMISS, {"kind": "offer", "object_id": world["offer"].pk, "tab": "offers"})
    assert response.status_code == 302 and response["Location"].endswith("?tab=offers")
    page = client.get(response["Location"]).content.decode()
    assert "Marked not relevant: it will not be suggested again" in page
    # Listed only under "Marked not relevant", with a way back.
    assert page.count("Elettrolizzatore compatto") == 1
    assert "Suggest it again" in page
    assert "No published technology offer matches" in page
    client.post(RESTORE, {"kind": "offer", "object_id": world["offer"].pk, "tab": "offers"})
    assert not DismissedSuggestion.objects.exists()


def test_not_relevant_with_javascript_answers_json(client, world):
    client = _client(client, world["member"])
    response = client.post(
        DISMISS, {"kind": "funding_call", "object_id": world["call"].pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and "message" in response.json()
    assert DismissedSuggestion.objects.filter(kind="funding_call").count() == 1
    bad = client.post(DISMISS, {"kind": "offer", "object_id": 10**9}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["error"]


def test_an_outsider_cannot_dismiss_for_an_organisation(client, world):
    response = _client(client, UserFactory()).post(
        DISMISS, {"kind": "offer", "object_id": world["offer"].pk}
    )
    assert response.status_code == 302
    assert not DismissedSuggestion.objects.exists()


def test_empty_states_and_the_tabs(client):
    lonely = AffiliationFactory(organisation=OrganisationFactory(kind="university")).user
    client = _client(client, lonely)
    for tab, text in [
        ("challenges", "No open challenge"),
        ("offers", "No published technology offer"),
        ("organisations", "No organisation on the other side"),
        ("calls", "No open funding call"),
    ]:
        page = client.get(f"{URL}?tab={tab}").content.decode()
        assert text in page


def test_the_page_costs_a_fixed_number_of_queries(client, world):
    client = _client(client, world["member"])
    client.get(URL)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL + "?tab=offers").status_code == 200
        return len(queries)

    few = count()
    for index in range(12):
        OfferFactory(title=f"Idrogeno {index}", tags=["idrogeno", "elettrolizzatori"])
    assert count() == few
