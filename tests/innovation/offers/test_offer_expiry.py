"""Offers expire: an expired offer leaves the list and search, its owner is told once
(within 14 days of expiry and once expired), and renewing brings it back."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from innovation.services import offers
from notifications.models import Notification
from search import indexing
from tests.innovation.factories_offers import OfferFactory, committed, login, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired():
    offer = OfferFactory(
        title="Expired sensor", expires_at=timezone.now() - timedelta(days=1)
    )
    return offer, person_of(offer.organisation, admin=True)


def test_an_expired_offer_leaves_the_list_and_search_and_renewal_brings_it_back(
    client, expired, django_capture_on_commit_callbacks
):
    offer, owner = expired
    indexing.rebuild()
    listing = reverse("innovation:offer-list")
    search = reverse("search:search")

    assert "Expired sensor" not in client.get(listing).content.decode()
    assert (
        "Expired sensor" not in client.get(search, {"q": "scratches"}).content.decode()
    )
    assert client.get(offer.get_absolute_url()).status_code == 404

    with committed(django_capture_on_commit_callbacks):
        offers.offer_renew(actor=owner, offer=offer)

    assert "Expired sensor" in client.get(listing).content.decode()
    assert "Expired sensor" in client.get(search, {"q": "scratches"}).content.decode()


def test_renewal_is_for_the_owner_and_only_near_expiry(expired):
    offer, owner = expired
    fresh = OfferFactory(
        organisation=offer.organisation, expires_at=timezone.now() + timedelta(days=100)
    )
    stranger = person_of(OfferFactory().organisation)

    with pytest.raises(PermissionDenied):
        offers.offer_renew(actor=owner, offer=fresh)
    with pytest.raises(PermissionDenied):
        offers.offer_renew(actor=stranger, offer=offer)


def test_my_offers_page_shows_expiry_and_renew(client, expired):
    offer, owner = expired
    login(client, owner)

    page = client.get(reverse("innovation:offer-mine")).content.decode()
    renewed = client.post(
        reverse("innovation:offer-renew", args=[offer.pk]), {"next": "mine"}
    )

    assert reverse("innovation:offer-renew", args=[offer.pk]) in page
    assert renewed["Location"] == reverse("innovation:offer-mine")
    offer.refresh_from_db()
    assert offer.expires_at > timezone.now() + timedelta(days=300)


def test_the_command_tells_owners_once_per_offer_and_date(
    expired, django_capture_on_commit_callbacks
):
    offer, owner = expired
    soon = OfferFactory(
        organisation=offer.organisation, expires_at=timezone.now() + timedelta(days=5)
    )
    OfferFactory(expires_at=timezone.now() + timedelta(days=60))

    for _run in range(2):
        with committed(django_capture_on_commit_callbacks):
            call_command("expire_offers", stdout=StringIO())

    told = Notification.objects.filter(kind=Notification.Kind.OFFER_EXPIRY)
    assert sorted(told.values_list("recipient_id", "item_ref", "event_type")) == sorted(
        [(owner.pk, offer.pk, "offer.expired"), (owner.pk, soon.pk, "offer.expiring")]
    )
    # Renewed, then expiring again later: told again at the new date.
    offers.offer_renew(actor=owner, offer=soon)
    soon.expires_at = timezone.now() + timedelta(days=3)
    soon.save()
    with committed(django_capture_on_commit_callbacks):
        call_command("expire_offers", stdout=StringIO())
    assert told.filter(item_ref=soon.pk).count() == 2
