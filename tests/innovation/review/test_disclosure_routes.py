"""The disclosure ladder's `<kind>/<pk>/…` routes, reached by guessing ids: a draft
challenge's or offer's NDA, documents and audit are its firm's, its own facilitator's
and staff's — not every facilitator of the desk (the validation queue is theirs,
drafts are not) and not a stranger's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.models import Challenge, ConfidentialDocument, TechnologyOffer
from tests.innovation.factories_offers import (
    ChallengeFactory,
    OfferFactory,
    facilitator,
    login,
    person_of,
)
from tests.support.factories import OrganisationFactory, UserFactory
from tests.workspaces import hostile_files

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "unrelated", "owner", "facilitator", "its_facilitator", "staff")
SEES = {"owner", "its_facilitator", "staff"}


def _world(kind, status):
    owner_org = OrganisationFactory(name="Fonderia Segreta")
    helper = facilitator()
    if kind == "challenge":
        subject = ChallengeFactory(
            organisation=owner_org, status=status, anonymous=True, facilitator=helper
        )
    else:
        subject = OfferFactory(
            organisation=owner_org,
            status=status,
            published_at=None,
            expires_at=None,
            facilitator=helper,
        )
    people = {
        "anonymous": None,
        "unrelated": person_of(OrganisationFactory(name="Unrelated Srl")),
        "owner": person_of(owner_org, admin=True),
        "facilitator": facilitator(),
        "its_facilitator": helper,
        "staff": UserFactory(is_staff=True),
    }
    return subject, people


def _upload(client, kind, subject, owner):
    login(client, owner)
    client.post(
        reverse("innovation:disclosure-upload", args=[kind, subject.pk]),
        {
            "file": SimpleUploadedFile("drawing.pdf", hostile_files.pdf()),
            "title": "Confidential drawing",
        },
    )
    client.logout()
    return ConfidentialDocument.objects.get()


DRAFTS = [
    ("challenge", Challenge.Status.DRAFT),
    ("offer", TechnologyOffer.Status.DRAFT),
]


@pytest.mark.parametrize("kind,status", DRAFTS)
@pytest.mark.parametrize("role", ROLES)
def test_a_drafts_confidential_step_is_not_reached_by_guessing_ids(
    client, kind, status, role
):
    subject, people = _world(kind, status)
    document = _upload(client, kind, subject, people["owner"])
    login(client, people[role])

    pages = [
        reverse("innovation:disclosure-nda", args=[kind, subject.pk]),
        reverse("innovation:disclosure-documents", args=[kind, subject.pk]),
        reverse("innovation:disclosure-audit", args=[kind, subject.pk]),
        reverse("innovation:disclosure-audit-csv", args=[kind, subject.pk]),
        reverse("innovation:disclosure-download", args=[kind, subject.pk, document.pk]),
    ]
    for url in pages:
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        if role in SEES:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (302, 404), url
            assert b"Confidential drawing" not in body
            assert subject.title.encode() not in body
            assert b"%PDF" not in body


@pytest.mark.parametrize("kind", ["challenge", "offer"])
def test_every_facilitator_reads_what_waits_in_the_validation_queue(client, kind):
    status = (
        Challenge.Status.IN_VALIDATION
        if kind == "challenge"
        else TechnologyOffer.Status.IN_VALIDATION
    )
    subject, people = _world(kind, status)
    _upload(client, kind, subject, people["owner"])
    login(client, people["facilitator"])

    response = client.get(
        reverse("innovation:disclosure-documents", args=[kind, subject.pk])
    )

    assert response.status_code == 200
    assert b"Confidential drawing" in response.content
