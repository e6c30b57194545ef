"""Confidential documents are checked as workspace documents are: hostile files are
refused with their reason and nothing is stored; accepted ones are stored under a
random name and served as attachments. The same ladder works for a challenge
(shortlisted proposal → NDA → documents), and nothing of the document reaches the
event log's payloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.models import ConfidentialDocument
from live.models import Event
from tests.innovation.factories_offers import (
    ChallengeFactory,
    ProposalFactory,
    login,
    offer_world,
    person_of,
)
from tests.workspaces import hostile_files

pytestmark = pytest.mark.django_db

HOSTILE = [
    ("page.html", hostile_files.HTML_PAGE),
    ("drawing.svg", hostile_files.SVG_WITH_SCRIPT),
    ("report.pdf", hostile_files.PDF_HTML_POLYGLOT),
    ("setup.exe", hostile_files.WINDOWS_PROGRAM),
    ("notes.txt", hostile_files.WINDOWS_PROGRAM),
    ("clean.sh", hostile_files.SHELL_SCRIPT),
]


@pytest.fixture
def world():
    return offer_world()


def _upload_url(world):
    return reverse("innovation:disclosure-upload", args=["offer", world.offer.pk])


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_hostile_files_are_refused_and_nothing_is_stored(
    client, world, settings, name, content
):
    login(client, world.person("owner"))

    response = client.post(
        _upload_url(world), {"file": SimpleUploadedFile(name, content), "title": "x"}
    )

    assert response.status_code == 400
    assert name in response.content.decode()
    assert not ConfidentialDocument.objects.exists()
    stored = settings.MEDIA_ROOT / "innovation"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_files_past_the_size_limit_are_refused(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    login(client, world.person("owner"))

    response = client.post(
        _upload_url(world),
        {"file": SimpleUploadedFile("big.pdf", hostile_files.pdf() + b"0" * 2000)},
    )

    assert response.status_code == 413
    assert not ConfidentialDocument.objects.exists()


@pytest.mark.parametrize("role", ["sender", "facilitator", "staff", "unrelated"])
def test_only_the_owners_people_upload(client, world, role):
    login(client, world.person(role))

    response = client.post(
        _upload_url(world), {"file": SimpleUploadedFile("a.pdf", hostile_files.pdf())}
    )

    assert response.status_code == (404 if role == "unrelated" else 403)
    assert not ConfidentialDocument.objects.exists()


def test_an_accepted_upload_is_listed_served_safely_and_deleted(client, world):
    login(client, world.person("owner"))

    client.post(
        _upload_url(world),
        {"file": SimpleUploadedFile("plan.pdf", hostile_files.pdf()), "title": "Plan"},
    )

    document = ConfidentialDocument.objects.get()
    assert document.offer == world.offer and document.kind == "pdf"
    assert "plan" not in document.file and str(world.offer.pk) in document.file
    download = client.get(
        reverse(
            "innovation:disclosure-download",
            args=["offer", world.offer.pk, document.pk],
        )
    )
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    payloads = " ".join(str(e.payload) for e in Event.objects.all())
    assert "Plan" not in payloads and "plan.pdf" not in payloads
    client.post(
        reverse(
            "innovation:disclosure-delete", args=["offer", world.offer.pk, document.pk]
        )
    )
    assert not ConfidentialDocument.objects.exists()


def test_a_shortlisted_solver_reaches_a_challenges_documents_after_the_nda(client):
    challenge = ChallengeFactory()
    seeker = person_of(challenge.organisation, admin=True)
    proposal = ProposalFactory(challenge=challenge, status="submitted")
    solver = person_of(proposal.organisation)
    login(client, seeker)
    client.post(
        reverse("innovation:disclosure-upload", args=["challenge", challenge.pk]),
        {
            "file": SimpleUploadedFile("cad.pdf", hostile_files.pdf()),
            "title": "CAD-SECRET",
        },
    )
    documents = reverse(
        "innovation:disclosure-documents", args=["challenge", challenge.pk]
    )
    nda = reverse("innovation:disclosure-nda", args=["challenge", challenge.pk])
    login(client, solver)

    assert client.get(documents).status_code == 404  # only submitted: below the step
    proposal.status = "shortlisted"
    proposal.save()
    before = client.get(documents).content.decode()
    client.post(nda, {"agree": "on"})
    after = client.get(documents).content.decode()

    assert "CAD-SECRET" not in before and nda in before
    assert "CAD-SECRET" in after
    assert challenge.nda_acceptances.get().person == solver
