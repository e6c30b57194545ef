"""A published challenge or offer that enters an organisation's top suggestions
reaches its people as one "new match" notification (and so the digests); never the
owner, never an unmatched organisation, and gone once the item is no longer public."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from live.events import event_record
from notifications import queries
from notifications.digests import digest_items
from notifications.models import Notification
from tests.innovation.factories_matching import ChallengeFactory, OfferFactory
from tests.support.factories import AffiliationFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    firm = OrganisationFactory(kind="enterprise", sector="Energia")
    firm.competences.add("idrogeno")
    firm.interests.add("elettrolizzatori", "membrane")
    people = [AffiliationFactory(organisation=firm).user for _ in range(2)]
    pending = AffiliationFactory(organisation=firm, state="pending").user
    stranger_org = OrganisationFactory(kind="enterprise", sector="Moda")
    stranger_org.competences.add("seta")
    stranger = AffiliationFactory(organisation=stranger_org).user
    for tag in ["vernici", "tessuti", "genomica", "robotica", "seta"]:
        ChallengeFactory(tags=[tag])
    return {"firm": firm, "people": people, "pending": pending, "stranger": stranger}


def publish(item, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            event_record(stream=item.stream, type=f"{kind}.published", payload={"id": item.pk})


def test_a_matching_offer_tells_the_organisations_people_once(world, django_capture_on_commit_callbacks):
    offer = OfferFactory(
        tags=["idrogeno", "elettrolizzatori", "membrane"], sectors=["energy"]
    )
    AffiliationFactory(organisation=offer.organisation)
    publish(offer, "offer", django_capture_on_commit_callbacks)

    rows = Notification.objects.filter(kind="new_match")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(p.pk for p in world["people"])
    person = world["people"][0]
    (shown,) = queries.visible(person, rows.filter(recipient=person))
    assert queries.target_url(shown) == "/innovation/suggestions/?tab=offers"
    since = timezone.now() - datetime.timedelta(days=7)
    assert [n.pk for n in digest_items(person, since, timezone.now())] == [shown.pk]

    # Once the offer is withdrawn, the notification shows no more (nor in digests).
    offer.status = "withdrawn"
    offer.save()
    assert queries.visible(person, rows.filter(recipient=person)) == []
    assert digest_items(person, since, timezone.now()) == []


def test_an_anonymous_challenge_names_nobody_and_skips_its_seeker(world, django_capture_on_commit_callbacks):
    seeker = AffiliationFactory(organisation=OrganisationFactory(name="Acciaierie Segrete"))
    seeker.organisation.competences.add("idrogeno", "elettrolizzatori", "membrane")
    university = OrganisationFactory(kind="university", sector="Energia")
    university.competences.add("idrogeno", "elettrolizzatori", "membrane")
    scientist = AffiliationFactory(organisation=university).user
    challenge = ChallengeFactory(
        organisation=seeker.organisation, anonymous=True,
        tags=["idrogeno", "elettrolizzatori", "membrane"], sectors=["energy"],
    )
    publish(challenge, "challenge", django_capture_on_commit_callbacks)
    recipients = set(Notification.objects.filter(kind="new_match").values_list("recipient_id", flat=True))
    assert scientist.pk in recipients
    assert seeker.user_id not in recipients
    assert world["stranger"].pk not in recipients
    assert world["pending"].pk not in recipients
    row = Notification.objects.get(recipient=scientist)
    assert "Acciaierie" not in row.detail


def test_the_sentence_says_what_was_published(client, world, django_capture_on_commit_callbacks):
    university = OrganisationFactory(kind="university", sector="Energia")
    university.competences.add("idrogeno", "elettrolizzatori", "membrane")
    scientist = AffiliationFactory(organisation=university).user
    challenge = ChallengeFactory(
        tags=["idrogeno", "elettrolizzatori", "membrane"], sectors=["energy"]
    )
    publish(challenge, "challenge", django_capture_on_commit_callbacks)
    client.force_login(scientist)

    page = client.get("/notifications/").content.decode()

    assert "A newly published challenge matches your organisation" in page
    assert "technology offer matches" not in page


def test_a_weak_match_notifies_nobody(world, django_capture_on_commit_callbacks):
    offer = OfferFactory(tags=["fotonica"], sectors=["energy"])
    publish(offer, "offer", django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind="new_match").exists()
