"""An anonymous challenge's confidential documents must not name the seeker through
their properties (a PDF's author, a Word file's creator or company, a photo's
artist): such a file is refused with the reason and nothing is stored, so a solver
past the NDA cannot read the seeker off a download. A named challenge's documents,
and clean files, are accepted as before."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from innovation.models import ConfidentialDocument
from tests.innovation.factories_offers import ChallengeFactory, login, person_of
from tests.support.factories import OrganisationFactory
from tests.workspaces import hostile_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _pdf(**info):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PDF", **info)
    return buffer.getvalue()


def _jpeg(artist):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[315] = artist  # Artist
    Image.new("RGB", (20, 20), "red").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _docx(creator="", company=""):
    return hostile_files.zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
            "docProps/core.xml": (
                '<?xml version="1.0"?><cp:coreProperties '
                'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>Plan</dc:title><dc:creator>{creator}</dc:creator>"
                "</cp:coreProperties>"
            ).encode(),
            "docProps/app.xml": (
                '<?xml version="1.0"?><Properties>'
                f"<Company>{company}</Company></Properties>"
            ).encode(),
        }
    )


NAMING = [
    ("drawing.pdf", lambda: _pdf(author="Mario Rossi, Fonderia Segreta")),
    ("photo.jpg", lambda: _jpeg("Fonderia Segreta")),
    ("spec.docx", lambda: _docx(creator="Mario Rossi")),
    ("spec.docx", lambda: _docx(company="Fonderia Segreta")),
]
CLEAN = [
    ("drawing.pdf", lambda: _pdf(title="Gearbox")),
    ("drawing.pdf", hostile_files.pdf),
    ("photo.jpg", hostile_files.jpeg_bytes),
    ("spec.docx", _docx),
]


def _upload(client, anonymous, name, content):
    seeker = OrganisationFactory(name="Fonderia Segreta")
    challenge = ChallengeFactory(organisation=seeker, anonymous=anonymous)
    login(client, person_of(seeker, admin=True))
    return client.post(
        reverse("innovation:disclosure-upload", args=["challenge", challenge.pk]),
        {"file": SimpleUploadedFile(name, content), "title": "Spec"},
    )


@pytest.mark.parametrize("name,make", NAMING)
def test_an_anonymous_challenge_refuses_a_document_naming_its_author(
    client, name, make
):
    response = _upload(client, True, name, make())

    assert not ConfidentialDocument.objects.exists()
    assert "names its author" in response.content.decode()


@pytest.mark.parametrize("name,make", NAMING + CLEAN)
def test_a_named_challenge_takes_the_same_documents(client, name, make):
    _upload(client, False, name, make())

    assert ConfidentialDocument.objects.count() == 1


@pytest.mark.parametrize("name,make", CLEAN)
def test_an_anonymous_challenge_takes_clean_documents(client, name, make):
    _upload(client, True, name, make())

    assert ConfidentialDocument.objects.count() == 1
