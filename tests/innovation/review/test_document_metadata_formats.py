"""Every kind of file the upload allow-list accepts is read for the names that would
give an anonymous seeker away — older Office files (OLE2 property sets), ZIP
archives and the documents inside them, OpenDocument's meta.xml, PNG and EXIF text,
a PDF's XMP packet, the file name and title — and refused with what to remove; a
challenge made anonymous after its documents were uploaded is refused (nothing
changes) while one of them names the seeker; and a solver never reads the seeker in
a document's shown name or download file name before the seeker reveals itself."""

import io
import struct
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from community.models import Organisation
from innovation.models import Challenge, ConfidentialDocument, NdaAcceptance, Proposal
from innovation.services import challenges, disclosure
from tests.innovation.factories_challenges import ChallengeFactory, ProposalFactory
from tests.support.factories import OrganisationFactory
from tests.support.workspaces import person_of
from tests.workspaces import hostile_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SEEKER = "Fonderia Segreta"

# --- crafted files ---------------------------------------------------------------------

_SUMMARY = uuid.UUID("f29f85e0-4ff9-1068-ab91-08002b27b3d9").bytes_le
_DOC_SUMMARY = uuid.UUID("d5cdd502-2e9c-101b-9397-08002b2cf9ae").bytes_le
_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def property_set(fmtid, texts, *, pad_to=0):
    """A property-set stream: code page 1252 and `texts` ({pid: str}, VT_LPSTR)."""
    values = [(1, struct.pack("<HHH2x", 0x02, 0, 1252))]
    for pid, text in texts.items():
        raw = text.encode("cp1252") + b"\x00"
        raw += b"\x00" * (-len(raw) % 4)
        values.append((pid, struct.pack("<HHI", 0x1E, 0, len(raw)) + raw))
    offset = 8 + 8 * len(values)
    table, body = b"", b""
    for pid, value in values:
        table += struct.pack("<II", pid, offset + len(body))
        body += value
    section = struct.pack("<II", 8 + len(table) + len(body), len(values)) + table
    section += body
    stream = struct.pack("<HHI16sI", 0xFFFE, 0, 0, b"\x00" * 16, 1)
    stream += fmtid + struct.pack("<I", 48) + section
    return stream + b"\x00" * max(pad_to - len(stream), 0)


def _entry(name, kind, start, size, *, child=_NONE, right=_NONE):
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NONE, right, child)
        + b"\x00" * 36
        + struct.pack("<IQ", start, size)
    )


def ole_bytes(streams):
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding `streams`
    ({name: bytes}): those under 4096 bytes in the mini stream, as Office writes
    them, the others in sectors of their own."""
    sector = 512
    fat = [_FAT, _END, _END]  # 0 FAT, 1 directory, 2 mini FAT
    data = b""
    mini_stream, mini_fat = b"", []
    entries = []
    for name, content in streams.items():
        if len(content) < 4096:
            start = len(mini_stream) // 64
            count = -(-len(content) // 64)
            mini_fat += [start + index + 1 for index in range(count - 1)] + [_END]
            mini_stream += content.ljust(count * 64, b"\x00")
            entries.append((name, start, len(content)))
        else:
            start = 3 + len(data) // sector
            count = -(-len(content) // sector)
            fat += [start + index + 1 for index in range(count - 1)] + [_END]
            data += content.ljust(count * sector, b"\x00")
            entries.append((name, start, len(content)))
    root_start = _END
    if mini_stream:
        root_start = 3 + len(data) // sector
        count = -(-len(mini_stream) // sector)
        fat += [root_start + index + 1 for index in range(count - 1)] + [_END]
        data += mini_stream.ljust(count * sector, b"\x00")
    directory = _entry("Root Entry", 5, root_start, len(mini_stream), child=1)
    for index, (name, start, size) in enumerate(entries):
        following = index + 2 if index + 1 < len(entries) else _NONE
        directory += _entry(name, 2, start, size, right=following)
    directory = directory.ljust(sector, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2, 1, _END, 0)
        + struct.pack("<109I", 0, *([_FREE] * 108))
    )
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    mini_fat_sector = struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(
        sector, b"\xff"
    )
    return header + fat_sector + directory + mini_fat_sector + data


def doc_bytes(summary=None, document_summary=None, *, large=False):
    streams = {}
    pad = 4096 if large else 0
    if summary is not None:
        streams["\x05SummaryInformation"] = property_set(_SUMMARY, summary, pad_to=pad)
    if document_summary is not None:
        streams["\x05DocumentSummaryInformation"] = property_set(
            _DOC_SUMMARY, document_summary, pad_to=pad
        )
    streams["WordDocument"] = b"\xec\xa5" + b"\x00" * 200
    return ole_bytes(streams)


def pdf_bytes(**info):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PDF", **info)
    return buffer.getvalue()


def pdf_with_xmp(creator):
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    data = pdf_bytes(title="Gearbox")
    # An XMP packet as a (here unreferenced) stream object before the trailer.
    end = data.rindex(b"xref")
    return (
        data[:end]
        + b"99 0 obj\n<<>>stream\n"
        + packet
        + b"\nendstream\n"
        + (data[end:])
    )


def png_bytes(**texts):
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_bytes(tag, value):
    exif = Image.Exif()
    exif[tag] = value
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def odt_bytes(meta=""):
    return hostile_files.zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
            "meta.xml": (
                '<?xml version="1.0"?><office:document-meta><office:meta>'
                f"{meta}</office:meta></office:document-meta>"
            ).encode(),
        },
        compression=0,
    )


def docx_bytes(title=""):
    return hostile_files.zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b"<w:document/>",
            "docProps/core.xml": (
                '<?xml version="1.0"?><cp:coreProperties>'
                f"<dc:title>{title}</dc:title></cp:coreProperties>"
            ).encode(),
        }
    )


def zip_of(**members):
    return hostile_files.zip_bytes(
        {name.replace("_", "."): data for name, data in members.items()}
    )


NAMING = {
    "doc author": ("spec.doc", lambda: doc_bytes({4: "Mario Rossi", 2: "Plan"})),
    "doc last author": ("spec.doc", lambda: doc_bytes({8: "m.rossi"})),
    "xls company": ("costs.xls", lambda: doc_bytes({}, {15: "Acme"})),
    "ppt title naming the seeker": (
        "slides.ppt",
        lambda: doc_bytes({2: f"{SEEKER} roadmap"}),
    ),
    "doc in large sectors": ("spec.doc", lambda: doc_bytes({4: "Ada"}, large=True)),
    "zip holding a pdf with an author": (
        "pack.zip",
        lambda: zip_of(drawing_pdf=pdf_bytes(author="Mario Rossi")),
    ),
    "zip holding a docx naming the seeker": (
        "pack.zip",
        lambda: zip_of(spec_docx=docx_bytes(title=f"Offerta {SEEKER}")),
    ),
    "zip holding an old doc with an author": (
        "pack.zip",
        lambda: zip_of(spec_doc=doc_bytes({4: "Mario Rossi"})),
    ),
    "zip in a zip": (
        "pack.zip",
        lambda: zip_of(inner_zip=zip_of(photo_jpg=jpeg_bytes(315, "Ada"))),
    ),
    "odt initial creator": (
        "spec.odt",
        lambda: odt_bytes("<meta:initial-creator>Mario Rossi</meta:initial-creator>"),
    ),
    "odt title naming the seeker": (
        "spec.odt",
        lambda: odt_bytes(f"<dc:title>Capitolato {SEEKER.upper()}</dc:title>"),
    ),
    "png author": ("photo.png", lambda: png_bytes(Author="Mario Rossi")),
    "png comment naming the seeker": (
        "photo.png",
        lambda: png_bytes(Comment=f"Foto di {SEEKER}"),
    ),
    "jpeg windows author": (
        "photo.jpg",
        lambda: jpeg_bytes(40093, "Ada".encode("utf-16-le")),
    ),
    "jpeg description naming a username": (
        "photo.jpg",
        lambda: jpeg_bytes(270, "shot by giulia_seeker"),
    ),
    "pdf title naming a person": (
        "drawing.pdf",
        lambda: pdf_bytes(title="Giulia Bianchi's drawing"),
    ),
    "pdf xmp creator": ("drawing.pdf", lambda: pdf_with_xmp("Mario Rossi")),
    "file name naming the seeker": (
        f"{SEEKER} - spec.pdf",
        lambda: pdf_bytes(title="Gearbox"),
    ),
}
CLEAN = {
    "doc": ("spec.doc", lambda: doc_bytes({2: "Gearbox plan"}, {2: "Specs"})),
    "zip": ("pack.zip", lambda: zip_of(drawing_pdf=pdf_bytes(title="Gearbox"))),
    "odt": ("spec.odt", lambda: odt_bytes("<dc:title>Gearbox</dc:title>")),
    "png": ("photo.png", lambda: png_bytes(Comment="Gearbox housing")),
    "jpeg": ("photo.jpg", lambda: jpeg_bytes(270, "Gearbox housing")),
    "pdf": ("drawing.pdf", lambda: pdf_bytes(title="Gearbox")),
    "text": ("notes.txt", lambda: b"Notes on the gearbox housing."),
}


@pytest.fixture
def seeker_admin():
    organisation = OrganisationFactory(
        name=SEEKER,
        kind=Organisation.Kind.ENTERPRISE,
        sector="Manifattura",
        region="Lombardia",
    )
    person_of(organisation, display_name="Giulia Bianchi", username="giulia_seeker")
    return person_of(organisation, admin=True)


def _upload(client, person, challenge, name, content, title="Spec"):
    client.force_login(person)
    return client.post(
        reverse("innovation:disclosure-upload", args=["challenge", challenge.pk]),
        {"file": SimpleUploadedFile(name, content), "title": title},
    )


@pytest.mark.parametrize("case", list(NAMING))
def test_an_anonymous_challenge_refuses_every_format_naming_the_seeker(
    client, seeker_admin, case
):
    name, make = NAMING[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    response = _upload(client, seeker_admin, challenge, name, make())

    assert response.status_code == 400
    assert not ConfidentialDocument.objects.exists()
    assert "would tell solvers who you are" in response.content.decode()


@pytest.mark.parametrize("case", list(NAMING))
def test_a_named_challenge_takes_them(client, seeker_admin, case):
    name, make = NAMING[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation)
    _upload(client, seeker_admin, challenge, name, make())

    assert ConfidentialDocument.objects.count() == 1


@pytest.mark.parametrize("case", list(CLEAN))
def test_an_anonymous_challenge_takes_clean_files_of_every_format(
    client, seeker_admin, case
):
    name, make = CLEAN[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    _upload(client, seeker_admin, challenge, name, make())

    assert ConfidentialDocument.objects.count() == 1


def test_a_title_naming_the_seeker_is_refused(client, seeker_admin):
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    response = _upload(
        client,
        seeker_admin,
        challenge,
        "drawing.pdf",
        pdf_bytes(title="Gearbox"),
        title="Disegno Fonderia  segreta",
    )
    assert "its file name or title names your organisation" in (
        response.content.decode()
    )
    assert not ConfidentialDocument.objects.exists()


# --- making a challenge anonymous later ----------------------------------------------


def _draft_with(client, seeker_admin, files):
    challenge = ChallengeFactory(
        organisation=seeker_admin.organisation,
        anonymous=False,
        status=Challenge.Status.DRAFT,
    )
    for title, (name, content) in files.items():
        _upload(client, seeker_admin, challenge, name, content, title=title)
    assert ConfidentialDocument.objects.filter(challenge=challenge).count() == len(
        files
    )
    return challenge


def test_making_a_challenge_anonymous_is_refused_while_a_document_names_it(
    client, seeker_admin
):
    challenge = _draft_with(
        client,
        seeker_admin,
        {
            "Old spec": ("spec.doc", doc_bytes({4: "Mario Rossi"})),
            "Drawing": ("drawing.pdf", pdf_bytes(title="Gearbox")),
            "Photos": ("pack.zip", zip_of(photo_png=png_bytes(Author="Ada"))),
        },
    )
    with pytest.raises(ValidationError) as refused:
        challenges.challenge_update(
            actor=seeker_admin, challenge=challenge, anonymous=True
        )
    [message] = refused.value.message_dict["anonymous"]
    assert "“Old spec”" in message and "“Photos”" in message
    assert "Drawing" not in message
    challenge.refresh_from_db()
    assert challenge.anonymous is False
    assert ConfidentialDocument.objects.filter(challenge=challenge).count() == 3

    # Through the edit form: the same refusal, shown by the field.
    data = {
        "title": challenge.title,
        "summary": challenge.summary,
        "details": challenge.details,
        "challenge_type": challenge.challenge_type,
        "collaboration_types": ["joint_development"],
        "sectors": ["manufacturing"],
        "anonymous": "on",
        "nda_text": "Keep it secret.",
    }
    page = client.post(reverse("innovation:challenge-edit", args=[challenge.pk]), data)
    assert page.status_code == 400
    assert "cannot become anonymous yet" in page.content.decode()
    challenge.refresh_from_db()
    assert challenge.anonymous is False

    # Once they are gone, it may.
    for document in ConfidentialDocument.objects.exclude(title="Drawing"):
        disclosure.document_delete(
            actor=seeker_admin, subject=challenge, document=document
        )
    challenges.challenge_update(actor=seeker_admin, challenge=challenge, anonymous=True)
    challenge.refresh_from_db()
    assert challenge.anonymous is True


# --- what a solver reads of a document's name ----------------------------------------


def test_a_solver_never_reads_the_seeker_in_a_documents_name(client, seeker_admin):
    challenge = ChallengeFactory(
        organisation=seeker_admin.organisation,
        anonymous=True,
        nda_text="Keep it secret.",
    )
    _upload(client, seeker_admin, challenge, "drawing.pdf", pdf_bytes(title="G"))
    document = ConfidentialDocument.objects.get()
    # Named after the firm's new brand, taken after the upload was checked.
    ConfidentialDocument.objects.filter(pk=document.pk).update(
        title="Acme Castings drawing", original_name="acme-castings.pdf"
    )
    Organisation.objects.filter(pk=seeker_admin.organisation_id).update(
        name="Acme Castings"
    )
    proposal = ProposalFactory(challenge=challenge, status=Proposal.Status.SHORTLISTED)
    solver = person_of(proposal.organisation)
    NdaAcceptance.objects.create(
        person=solver,
        organisation=proposal.organisation,
        challenge=challenge,
        text=challenge.nda_text,
    )
    documents_url = reverse(
        "innovation:disclosure-documents", args=["challenge", challenge.pk]
    )
    download_url = reverse(
        "innovation:disclosure-download",
        args=["challenge", challenge.pk, document.pk],
    )

    client.force_login(solver)
    page = client.get(documents_url).content.decode()
    download = client.get(download_url)
    b"".join(download.streaming_content)
    assert f"Confidential document {document.pk}" in page
    assert "Acme" not in page and "acme" not in page
    assert seeker_admin.name not in page
    assert download["Content-Disposition"] == (
        f'attachment; filename="document-{document.pk}.pdf"'
    )

    # The seeker's own people, and the solver once revealed, read the real name.
    client.force_login(seeker_admin)
    assert "Acme Castings drawing" in client.get(documents_url).content.decode()
    Proposal.objects.filter(pk=proposal.pk).update(seeker_revealed=True)
    client.force_login(solver)
    assert "acme-castings.pdf" in client.get(download_url)["Content-Disposition"]
