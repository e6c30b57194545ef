"""The offer list costs the same queries whatever it shows, filtered or not."""

import pytest
from django.urls import reverse

from tests.innovation.factories_offers import OfferFactory, login, person_of
from tests.support.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
@pytest.mark.parametrize("query", [{}, {"sector": "materials", "trl_min": "3"}])
def test_the_offer_list_costs_the_same_queries_for_3_or_20_rows(
    client, django_assert_max_num_queries, viewer, query
):
    person = person_of(OrganisationFactory()) if viewer == "member" else None
    login(client, person)

    def make(count):
        for n in range(count):
            offer = OfferFactory(organisation=OrganisationFactory())
            offer.tags.set([f"tag-{n % 3}", "coating"])

    make(3)
    client.get(reverse("innovation:offer-list"))  # the session's first visit
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("innovation:offer-list"), query)
    assert page.content.decode().count("data-offer-row=") == 3
    make(17)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("innovation:offer-list"), query)
    assert page.content.decode().count("data-offer-row=") == 20


def test_the_list_filters_and_has_an_empty_state(client):
    OfferFactory(
        title="Materials offer",
        sectors=["materials"],
        trl=7,
        ip_status="know_how",
        patent_number="",
    )
    OfferFactory(
        title="Energy offer",
        sectors=["energy"],
        trl=2,
        collaboration_types=["spin_off"],
    )
    url = reverse("innovation:offer-list")

    by_sector = client.get(url, {"sector": "energy"}).content.decode()
    by_trl = client.get(url, {"trl_min": "5"}).content.decode()
    by_ip = client.get(url, {"ip_status": "know_how"}).content.decode()
    by_cooperation = client.get(url, {"cooperation": "spin_off"}).content.decode()
    nothing = client.get(url, {"sector": "aerospace"}).content.decode()

    assert "Energy offer" in by_sector and "Materials offer" not in by_sector
    assert "Materials offer" in by_trl and "Energy offer" not in by_trl
    assert "Materials offer" in by_ip and "Energy offer" not in by_ip
    assert "Energy offer" in by_cooperation and "Materials offer" not in by_cooperation
    assert "data-offer-row=" not in nothing and "empty-state" in nothing
