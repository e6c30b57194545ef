"""Who sees what of an offer, role by role: the public summary, the details after an
accepted interest, the interest's page, the NDA, the confidential documents (list and
download), the NDA audit and its CSV, and search results."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.models import NdaAcceptance, TechnologyOffer
from innovation.services import disclosure
from tests.innovation.factories_offers import ROLES, login, offer_world
from tests.workspaces.hostile_files import pdf

pytestmark = pytest.mark.django_db

SEES_DETAILS = {"sender", "owner", "facilitator", "staff"}
SEES_INTEREST = {"sender", "owner", "facilitator", "staff"}


@pytest.fixture
def world():
    world = offer_world()
    disclosure.document_upload(
        actor=world.person("owner"),
        subject=world.offer,
        file=SimpleUploadedFile("drawings.pdf", pdf("Drawings")),
        title="CONFIDENTIAL-DRAWINGS",
    )
    return world


def _document(world):
    return world.offer.documents.get()


@pytest.mark.parametrize("role", ROLES)
def test_offer_page_shows_the_summary_to_all_and_details_at_their_step(
    client, world, role
):
    login(client, world.person(role))

    page = client.get(world.offer.get_absolute_url())

    text = page.content.decode()
    assert page.status_code == 200
    assert world.offer.summary in text
    assert ("SECRET-DETAILS" in text) == (role in SEES_DETAILS)


@pytest.mark.parametrize("role", ROLES)
def test_draft_offers_are_seen_only_by_the_owner_its_facilitator_and_staff(
    client, world, role
):
    offer = world.offer
    offer.status = TechnologyOffer.Status.DRAFT
    offer.facilitator = world.person("facilitator")
    offer.save()
    login(client, world.person(role))

    page = client.get(offer.get_absolute_url())

    expected = 200 if role in {"owner", "facilitator", "staff"} else 404
    assert page.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_interest_page_is_for_the_two_organisations_and_the_desk(
    client, world, role
):
    login(client, world.person(role))

    page = client.get(world.interest.get_absolute_url())

    if role == "anonymous":
        assert page.status_code == 302
    elif role in SEES_INTEREST:
        assert page.status_code == 200
        assert world.interest.intended_use in page.content.decode()
    else:
        assert page.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_documents_before_the_nda_reach_only_owner_and_desk(client, world, role):
    login(client, world.person(role))
    document = _document(world)

    listing = client.get(
        reverse("innovation:disclosure-documents", args=["offer", world.offer.pk])
    )
    download = client.get(
        reverse(
            "innovation:disclosure-download",
            args=["offer", world.offer.pk, document.pk],
        )
    )

    if role == "anonymous":
        assert listing.status_code == download.status_code == 302
        return
    if role == "unrelated":
        assert listing.status_code == download.status_code == 404
        return
    assert listing.status_code == 200
    reads = role in {"owner", "facilitator", "staff"}
    assert ("CONFIDENTIAL-DRAWINGS" in listing.content.decode()) == reads
    assert download.status_code == (200 if reads else 404)
    if role == "sender":
        assert reverse("innovation:disclosure-nda", args=["offer", world.offer.pk]) in (
            listing.content.decode()
        )


def test_the_sender_reads_the_documents_after_accepting_the_nda(client, world):
    sender = world.person("sender")
    login(client, sender)
    nda_url = reverse("innovation:disclosure-nda", args=["offer", world.offer.pk])

    assert world.offer.nda_text in client.get(nda_url).content.decode()
    refused = client.post(nda_url, {})
    accepted = client.post(nda_url, {"agree": "on"})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    document = _document(world)
    download = client.get(
        reverse(
            "innovation:disclosure-download",
            args=["offer", world.offer.pk, document.pk],
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    acceptance = NdaAcceptance.objects.get(offer=world.offer)
    assert (acceptance.person, acceptance.organisation) == (
        sender,
        world.interest.organisation,
    )
    assert acceptance.text == world.offer.nda_text


@pytest.mark.parametrize("role", ROLES)
def test_the_nda_page_is_refused_below_the_step(client, world, role):
    login(client, world.person(role))

    page = client.get(
        reverse("innovation:disclosure-nda", args=["offer", world.offer.pk])
    )

    expected = {"anonymous": 302, "unrelated": 404}.get(role, 200)
    assert page.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_nda_audit_and_csv_are_for_the_owner_and_the_desk(client, world, role):
    sender = world.person("sender")
    disclosure.nda_accept(actor=sender, subject=world.offer)
    login(client, world.person(role))

    audit = client.get(
        reverse("innovation:disclosure-audit", args=["offer", world.offer.pk])
    )
    export = client.get(
        reverse("innovation:disclosure-audit-csv", args=["offer", world.offer.pk])
    )

    if role in {"owner", "facilitator", "staff"}:
        assert audit.status_code == export.status_code == 200
        assert sender.name in audit.content.decode()
        rows = export.content.decode().splitlines()
        assert len(rows) == 2
        assert sender.name in rows[1] and "Officine Sender" in rows[1]
    else:
        expected = {"anonymous": 302, "unrelated": 404, "sender": 403}[role]
        assert audit.status_code == export.status_code == expected


def test_the_nda_is_accepted_once_and_each_text_version_is_recorded(world):
    sender = world.person("sender")
    first = disclosure.nda_accept(actor=sender, subject=world.offer)
    with pytest.raises(PermissionDenied):
        disclosure.nda_accept(actor=sender, subject=world.offer)
    world.offer.nda_text = "Second version of the agreement."
    world.offer.save()
    colleague = type(sender).objects.create(username="colleague", email="c@example.org")
    from community.models import Affiliation

    Affiliation.objects.create(
        user=colleague,
        organisation=world.interest.organisation,
        state=Affiliation.State.ACTIVE,
    )
    second = disclosure.nda_accept(actor=colleague, subject=world.offer)

    assert NdaAcceptance.objects.filter(offer=world.offer).count() == 2
    assert first.text != second.text == "Second version of the agreement."


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_the_summary_never_the_details(client, world, role):
    from search import indexing

    indexing.rebuild()
    login(client, world.person(role))

    by_summary = client.get(reverse("search:search"), {"q": "scratches"})
    by_details = client.get(reverse("search:search"), {"q": "dicyclopentadiene"})

    assert world.offer.title in by_summary.content.decode()
    assert world.offer.title not in by_details.content.decode()
