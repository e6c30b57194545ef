"""The funnel of an offer: a draft created and validated through the services, an
interest sent through the page, reviewed, accepted — a workspace opens for both
organisations — with each step's notification to the people concerned."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from innovation.models import ExpressionOfInterest, StatusChange, TechnologyOffer
from innovation.services import interests, offers, validation
from notifications.models import Notification
from tests.innovation.factories_offers import committed, facilitator, login, person_of
from tests.support.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Graphene heat spreader",
    "summary": "A graphene film that spreads heat in power electronics.",
    "details": "PRIVATE: produced by CVD on copper foil.",
    "trl": 6,
    "ip_status": TechnologyOffer.IpStatus.PENDING_APPLICATION,
    "patent_number": "IT102024000001",
    "licensing_terms": "Exclusive licence negotiable.",
    "collaboration_types": ["licence"],
    "sectors": ["materials", "energy"],
    "nda_text": "Keep it confidential.",
}


@pytest.fixture
def people():
    owner_org = OrganisationFactory(name="Università Demo")
    sender_org = OrganisationFactory(name="Elettronica Srl")
    return {
        "owner": person_of(owner_org, admin=True),
        "colleague": person_of(owner_org),
        "sender": person_of(sender_org, admin=True),
        "sender_colleague": person_of(sender_org),
        "desk": facilitator(),
    }


def test_a_granted_patent_or_pending_application_needs_its_number(people):
    with pytest.raises(ValidationError) as refused:
        offers.offer_create(actor=people["owner"], **{**FIELDS, "patent_number": ""})

    assert "patent_number" in refused.value.message_dict
    know_how = offers.offer_create(
        actor=people["owner"],
        **{
            **FIELDS,
            "ip_status": TechnologyOffer.IpStatus.KNOW_HOW,
            "patent_number": "",
        },
    )
    assert know_how.status == TechnologyOffer.Status.DRAFT


def test_the_trl_is_between_1_and_9(people):
    with pytest.raises(ValidationError) as refused:
        offers.offer_create(actor=people["owner"], **{**FIELDS, "trl": 10})

    assert "trl" in refused.value.message_dict


def test_publish_interest_review_accept_opens_a_workspace(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.OFFER_LIFETIME_DAYS = 90
    offer = offers.offer_create(actor=people["owner"], tags=["graphene"], **FIELDS)
    offers.offer_submit(actor=people["owner"], offer=offer)
    with pytest.raises(PermissionDenied):
        validation.item_publish(actor=people["owner"], item=offer)
    validation.item_publish(actor=people["desk"], item=offer)
    offer.refresh_from_db()
    assert offer.status == TechnologyOffer.Status.PUBLISHED
    assert (offer.expires_at - offer.published_at).days == 90
    assert offer.title in client.get(reverse("innovation:offer-list")).content.decode()

    login(client, people["sender"])
    with committed(django_capture_on_commit_callbacks):
        sent = client.post(
            reverse("innovation:interest-send", args=[offer.pk]),
            {
                "who_we_are": "Power electronics maker.",
                "intended_use": "Cool our inverters.",
                "cooperation": "A field-of-use licence.",
                "collaboration_type": "licence",
            },
        )
    interest = ExpressionOfInterest.objects.get(offer=offer)
    assert sent.status_code == 302 and sent["Location"] == interest.get_absolute_url()
    # One per organisation: the colleague's form is gone and a second send refused.
    login(client, people["sender_colleague"])
    again = client.post(reverse("innovation:interest-send", args=[offer.pk]), {})
    assert again.status_code == 403
    told = Notification.objects.filter(kind=Notification.Kind.INTEREST)
    assert set(told.values_list("recipient_id", flat=True)) == {
        people["owner"].pk,
        people["colleague"].pk,
    }

    login(client, people["owner"])
    with committed(django_capture_on_commit_callbacks):
        client.post(
            reverse("innovation:interest-decide", args=[interest.pk]),
            {"action": "review", "message": "We are looking at it."},
        )
    with committed(django_capture_on_commit_callbacks):
        accepted = client.post(
            reverse("innovation:interest-decide", args=[interest.pk]),
            {"action": "accept", "message": "Welcome aboard."},
        )

    interest.refresh_from_db()
    assert accepted.status_code == 302
    assert interest.status == ExpressionOfInterest.Status.ACCEPTED
    assert interest.workspace is not None
    assert list(
        StatusChange.objects.filter(interest=interest).values_list("status", "message")
    ) == [
        ("sent", ""),
        ("under_review", "We are looking at it."),
        ("accepted", "Welcome aboard."),
    ]
    decided = Notification.objects.filter(
        kind=Notification.Kind.INTEREST, event_type="interest.status"
    )
    assert set(decided.values_list("recipient_id", "detail")) == {
        (people["sender"].pk, "under_review"),
        (people["sender_colleague"].pk, "under_review"),
        (people["sender"].pk, "accepted"),
        (people["sender_colleague"].pk, "accepted"),
    }
    # The sender now reads the details and sees its interest's status and messages.
    login(client, people["sender"])
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "PRIVATE: produced by CVD" in page
    status_page = client.get(interest.get_absolute_url()).content.decode()
    assert "Welcome aboard." in status_page
    # The notification leads to the interest and names the offer.
    listing = client.get(reverse("notifications:list")).content.decode()
    assert offer.title in listing


def test_only_owner_admins_decide_and_only_the_sender_withdraws(
    people, django_capture_on_commit_callbacks
):
    offer = offers.offer_create(actor=people["owner"], **FIELDS)
    offers.offer_submit(actor=people["owner"], offer=offer)
    validation.item_publish(actor=people["desk"], item=offer)
    interest = interests.interest_send(
        actor=people["sender"],
        offer=offer,
        who_we_are="x",
        intended_use="y",
        cooperation="z",
        collaboration_type="licence",
    )

    for actor in (people["colleague"], people["sender"], people["desk"]):
        with pytest.raises(PermissionDenied):
            interests.interest_accept(actor=actor, interest=interest)
    with pytest.raises(PermissionDenied):
        interests.interest_withdraw(actor=people["owner"], interest=interest)
    with committed(django_capture_on_commit_callbacks):
        interests.interest_withdraw(actor=people["sender_colleague"], interest=interest)
    assert interest.status == ExpressionOfInterest.Status.WITHDRAWN
    withdrawn = Notification.objects.filter(detail="withdrawn")
    assert set(withdrawn.values_list("recipient_id", flat=True)) == {
        people["owner"].pk,
        people["colleague"].pk,
    }


def test_the_owner_cannot_express_interest_in_its_own_offer(client, people):
    offer = offers.offer_create(actor=people["owner"], **FIELDS)
    offers.offer_submit(actor=people["owner"], offer=offer)
    validation.item_publish(actor=people["desk"], item=offer)
    login(client, people["colleague"])

    page = client.get(offer.get_absolute_url()).content.decode()

    assert reverse("innovation:interest-send", args=[offer.pk]) not in page


def test_refusing_sends_the_draft_back_with_its_reason(client, people):
    offer = offers.offer_create(actor=people["owner"], **FIELDS)
    offers.offer_submit(actor=people["owner"], offer=offer)
    with pytest.raises(ValidationError):
        validation.item_refuse(actor=people["desk"], item=offer, reason="")
    validation.item_refuse(actor=people["desk"], item=offer, reason="Say which field of use.")
    login(client, people["owner"])

    page = client.get(offer.get_absolute_url()).content.decode()

    assert offer.status == TechnologyOffer.Status.DRAFT
    assert "Say which field of use." in page


def test_the_form_creates_a_draft_and_shows_errors_by_field(client, people):
    login(client, people["owner"])
    url = reverse("innovation:offer-create")

    refused = client.post(
        url, {"title": "", "summary": "", "trl": "4", "ip_status": "know_how"}
    )
    created = client.post(
        url,
        {
            "title": "Bio-based adhesive",
            "summary": "Glue from whey.",
            "trl": "4",
            "ip_status": "granted_patent",
            "patent_number": "EP99",
            "collaboration_types": ["licence"],
            "sectors": ["agrifood"],
            "tags": "adhesive, whey",
        },
    )

    assert refused.status_code == 400
    offer = TechnologyOffer.objects.get(title="Bio-based adhesive")
    assert created["Location"] == offer.get_absolute_url()
    assert offer.status == TechnologyOffer.Status.DRAFT
    assert sorted(tag.name for tag in offer.tags.all()) == ["adhesive", "whey"]
    assert offer.sectors == ["agrifood"]
