"""Reading a document's properties for an anonymous seeker must hold against hostile
and damaged files: an OLE2 file whose sector tables loop or lie is refused as
unreadable without allocating more than the file could hold; a damaged or
unsupported ZIP member is a clear refusal (on upload and on making a challenge
anonymous), never a server error; archives inside archives share one read budget
and one entry count; refused uploads count against the upload rate limit; and the
authors of comments and tracked changes, and a JPEG's or WebP's XMP creator, are
read like the other properties."""

import io
import struct
import tracemalloc
import warnings
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from community.ratelimit import RateLimited
from innovation.models import Challenge, ConfidentialDocument
from innovation.services import challenges, document_properties
from tests.innovation.factories_challenges import ChallengeFactory
from tests.innovation.review.test_document_metadata_formats import (
    _FAT,
    _upload,
    doc_bytes,
    docx_bytes,
    pdf_bytes,
    seeker_admin,  # noqa: F401 — a fixture
    zip_of,
)
from tests.workspaces import hostile_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DAMAGED = "is damaged or in a form this site cannot read"
TOO_LARGE = "is too large or nested too deep to check"
REFUSED = "would tell solvers who you are"


def _page(response):
    return response.content.decode()


# --- OLE2 files whose tables loop or lie ----------------------------------------------


def looping_difat_doc(*, fat_count=0x00100000, difat_count=1024):
    """The review's 12 KB .doc: 4096-byte sectors, a FAT count far past the file and
    one DIFAT sector that points to itself (every entry names sector 0 too)."""
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 4, 0xFFFE, 12, 6)
        + b"\x00" * 6
        + struct.pack(
            "<IIIIIIIII", 0, fat_count, 1, 0, 4096, 0xFFFFFFFE, 0, 0, difat_count
        )
        + struct.pack("<109I", *([0] * 109))
    ).ljust(4096, b"\x00")
    difat = struct.pack("<1024I", *([0] * 1024))  # the last entry: itself
    return header + difat + b"\x00" * 4096


def looping_difat_within_bounds():
    """512-byte sectors, 400 of them: the counts fit the file, but the DIFAT chain
    comes back to its first sector before it has listed the FAT's 300 sectors."""
    sectors = 400
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 300, 1, 0, 4096, 0xFFFFFFFE, 0, 0, 2)
        + struct.pack("<109I", *range(1, 110))
    )
    difat = struct.pack("<127I", *range(110, 237)) + struct.pack("<I", 0)
    return header + difat + b"\x00" * (512 * (sectors - 1))


def looping_directory_doc():
    """A well-formed .doc but for its directory chain, which points to itself."""
    data = bytearray(doc_bytes({4: "Mario Rossi"}))
    # The FAT is sector 0 (just after the 512-byte header); entry 1 is the directory.
    struct.pack_into("<I", data, 512 + 4, 1)
    assert struct.unpack_from("<I", data, 512)[0] == _FAT
    return bytes(data)


def huge_property_stream_doc():
    """A .doc whose SummaryInformation says it is 2 MiB long (more than is read)."""
    data = bytearray(doc_bytes({2: "Plan"}))
    # Directory at sector 1 (offset 1024), SummaryInformation its second entry.
    struct.pack_into("<Q", data, 1024 + 128 + 120, 2 * 1024 * 1024)
    return bytes(data)


def _read_properties(name, content):
    return document_properties.properties(io.BytesIO(content), "office", name=name)


@pytest.mark.parametrize(
    "make",
    [looping_difat_doc, looping_difat_within_bounds, looping_directory_doc],
    ids=["review's 12 KB doc", "loop within bounds", "directory loop"],
)
def test_an_ole_file_whose_chains_loop_is_unreadable_without_a_big_allocation(make):
    content = make()
    tracemalloc.start()
    try:
        found = _read_properties("spec.doc", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 50 * 1024 * 1024
    assert [(row.unreadable, row.damaged) for row in found] == [(True, True)]


def test_a_sector_shift_other_than_9_or_12_is_unreadable():
    data = bytearray(doc_bytes({2: "Plan"}))
    struct.pack_into("<H", data, 0x1E, 16)
    assert [row.damaged for row in _read_properties("spec.doc", bytes(data))] == [True]


def test_a_property_stream_too_large_to_read_is_not_skipped():
    found = _read_properties("spec.doc", huge_property_stream_doc())
    assert any(row.unreadable and row.field == "SummaryInformation" for row in found)


def test_an_ole_file_old_writers_leave_untidy_is_still_read():
    """A last sector left short, and garbage in a version 3 size's high half, are
    what old writers do: the author is still found."""
    data = bytearray(doc_bytes({4: "Mario Rossi"}))
    struct.pack_into("<I", data, 1024 + 128 + 124, 0xDEADBEEF)
    content = bytes(data).rstrip(b"\x00")
    assert len(content) % 512

    found = _read_properties("spec.doc", content)

    assert [(row.field, row.value) for row in found if row.names_someone] == [
        ("author", "Mario Rossi")
    ]


def test_the_review_doc_is_refused_with_a_clear_message(client, seeker_admin):  # noqa: F811
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    response = _upload(client, seeker_admin, challenge, "spec.doc", looping_difat_doc())

    assert response.status_code == 400
    assert REFUSED in _page(response) and DAMAGED in _page(response)
    assert not ConfidentialDocument.objects.exists()


# --- damaged ZIP members ---------------------------------------------------------------


def _member_data_offset(content, member):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
    name_length, extra_length = struct.unpack_from(
        "<HH", content, info.header_offset + 26
    )
    return info.header_offset, info.header_offset + 30 + name_length + extra_length


def corrupt_deflate_zip():
    """A ZIP whose PDF member's deflate stream starts with an invalid block type."""
    content = bytearray(zip_of(drawing_pdf=pdf_bytes(title="Gearbox")))
    _header, start = _member_data_offset(bytes(content), "drawing.pdf")
    content[start : start + 4] = b"\xff\xff\xff\xff"
    return bytes(content)


def corrupt_docx_body():
    content = bytearray(docx_bytes(title="Gearbox"))
    _header, start = _member_data_offset(bytes(content), "word/document.xml")
    content[start : start + 2] = b"\xff\xff"
    return bytes(content)


def unsupported_compression_zip():
    """A ZIP whose member says it is compressed with method 99 (AES)."""
    content = bytearray(
        hostile_files.zip_bytes(
            {"drawing.pdf": pdf_bytes(title="Gearbox")}, compression=zipfile.ZIP_STORED
        )
    )
    header, _start = _member_data_offset(bytes(content), "drawing.pdf")
    struct.pack_into("<H", content, header + 8, 99)
    central = bytes(content).rindex(b"PK\x01\x02")
    struct.pack_into("<H", content, central + 10, 99)
    return bytes(content)


BROKEN = {
    "corrupt deflate member": ("pack.zip", corrupt_deflate_zip),
    "corrupt docx body": ("spec.docx", corrupt_docx_body),
    "unsupported compression": ("pack.zip", unsupported_compression_zip),
    "pdf that cannot be parsed": ("drawing.pdf", lambda: b"%PDF-1.7\n\x00garbage"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_damaged_document_is_refused_clearly_not_a_server_error(
    client,
    seeker_admin,  # noqa: F811
    case,
):
    name, make = BROKEN[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    response = _upload(client, seeker_admin, challenge, name, make())

    assert response.status_code == 400
    assert DAMAGED in _page(response)
    assert not ConfidentialDocument.objects.exists()


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_stored_damaged_document_keeps_a_challenge_named_with_a_clear_message(
    client,
    seeker_admin,  # noqa: F811
    case,
):
    name, make = BROKEN[case]
    challenge = ChallengeFactory(
        organisation=seeker_admin.organisation,
        anonymous=False,
        status=Challenge.Status.DRAFT,
    )
    _upload(client, seeker_admin, challenge, name, make(), title="Broken")
    _upload(client, seeker_admin, challenge, "d.pdf", pdf_bytes(title="G"), title="Ok")
    assert ConfidentialDocument.objects.count() == 2

    with pytest.raises(ValidationError) as refused:
        challenges.challenge_update(
            actor=seeker_admin, challenge=challenge, anonymous=True
        )
    [message] = refused.value.message_dict["anonymous"]
    assert "cannot be checked" in message and "“Broken”" in message
    assert "“Ok”" not in message

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
    assert "cannot be checked" in _page(page)
    challenge.refresh_from_db()
    assert challenge.anonymous is False


# --- archives inside archives: one budget ---------------------------------------------


def _many_meta_zip(count, size):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the repeated meta.xml
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for _index in range(count):
                archive.writestr("meta.xml", b"<meta>" + b" " * size + b"</meta>")
    return buffer.getvalue()


def test_archives_inside_archives_share_one_read_budget(settings, monkeypatch):
    settings.UPLOAD_MAX_BYTES = 4 * 1024 * 1024
    parsed = []
    real_xml = document_properties._xml
    monkeypatch.setattr(
        document_properties,
        "_xml",
        lambda data, where: parsed.append(len(data)) or real_xml(data, where),
    )
    inner = _many_meta_zip(40, 1024 * 1024 - 20)
    content = zip_of(inner_zip=inner)
    assert len(content) < 1024 * 1024

    found = document_properties.properties(io.BytesIO(content), "zip", name="p.zip")

    assert sum(parsed) + len(inner) <= settings.UPLOAD_MAX_BYTES
    assert 1 <= len(parsed) < 40
    assert any(row.unreadable and not row.damaged for row in found)


def test_entries_are_counted_across_levels(monkeypatch):
    monkeypatch.setattr(document_properties.storage, "ARCHIVE_MAX_ENTRIES", 50)
    inner = hostile_files.zip_bytes({f"n{index}.txt": b"x" for index in range(30)})
    content = zip_of(one_zip=inner, two_zip=inner)

    found = document_properties.properties(io.BytesIO(content), "zip", name="p.zip")

    assert any(row.unreadable for row in found)
    monkeypatch.setattr(document_properties.storage, "ARCHIVE_MAX_ENTRIES", 100)
    assert document_properties.properties(io.BytesIO(content), "zip") == []


def test_a_nested_archive_past_the_budget_is_refused_on_upload(
    client,
    seeker_admin,  # noqa: F811
    settings,
):
    settings.UPLOAD_MAX_BYTES = 4 * 1024 * 1024
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    content = zip_of(inner_zip=_many_meta_zip(40, 1024 * 1024 - 20))
    response = _upload(client, seeker_admin, challenge, "pack.zip", content)

    assert response.status_code == 400
    assert TOO_LARGE in _page(response)
    assert not ConfidentialDocument.objects.exists()


def test_refused_uploads_count_against_the_upload_limit(client, seeker_admin, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (1, 3600)}
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    refused = _upload(client, seeker_admin, challenge, "spec.doc", looping_difat_doc())
    assert REFUSED in _page(refused)

    clean = _upload(client, seeker_admin, challenge, "d.pdf", pdf_bytes(title="G"))
    assert clean.status_code == 400
    assert "You are doing that too often" in _page(clean)
    assert not ConfidentialDocument.objects.exists()


def test_rechecking_stored_documents_counts_against_the_upload_limit(
    client,
    seeker_admin,  # noqa: F811
    settings,
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (2, 3600)}
    challenge = ChallengeFactory(
        organisation=seeker_admin.organisation,
        anonymous=False,
        status=Challenge.Status.DRAFT,
    )
    _upload(client, seeker_admin, challenge, "spec.doc", doc_bytes({4: "Ada"}))
    with pytest.raises(ValidationError) as first:
        challenges.challenge_update(
            actor=seeker_admin, challenge=challenge, anonymous=True
        )
    assert not isinstance(first.value, RateLimited)
    with pytest.raises(RateLimited):
        challenges.challenge_update(
            actor=seeker_admin, challenge=challenge, anonymous=True
        )
    challenge.refresh_from_db()
    assert challenge.anonymous is False


# --- authors of comments and tracked changes, XMP in photos ---------------------------


def _docx_with(**parts):
    return hostile_files.zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "word/document.xml": b"<w:document><w:body>Gearbox</w:body></w:document>",
            **{
                name.replace("__", "/").replace("_", "."): data
                for name, data in parts.items()
            },
        }
    )


def _xlsx_with(comments):
    return hostile_files.zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b"<workbook/>",
            "xl/comments1.xml": comments,
        }
    )


def _odt_content(content):
    return hostile_files.zip_bytes(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": content,
            "meta.xml": b"<office:document-meta><office:meta/></office:document-meta>",
        },
        compression=zipfile.ZIP_STORED,
    )


def _xmp(creator):
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description>'
        f"<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _photo(fmt, xmp):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format=fmt, xmp=xmp)
    return buffer.getvalue()


AUTHORS = {
    "word comment author": (
        "spec.docx",
        lambda: _docx_with(
            word__comments_xml=b'<w:comments><w:comment w:id="0" w:author="Mario '
            b'Rossi" w:initials="MR"><w:p>Check</w:p></w:comment></w:comments>'
        ),
    ),
    "word people": (
        "spec.docx",
        lambda: _docx_with(
            word__people_xml=b'<w15:people><w15:person w15:author="Mario Rossi">'
            b'<w15:presenceInfo w15:providerId="None" w15:userId="Mario Rossi"/>'
            b"</w15:person></w15:people>"
        ),
    ),
    "word tracked change": (
        "spec.docx",
        lambda: hostile_files.zip_bytes(
            {
                "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                "word/document.xml": b"<w:document><w:body>"
                # Over a megabyte: the author is in the body's second chunk.
                + b"".join(b"<w:p>Gearbox %d</w:p>" % index for index in range(60000))
                + b'<w:ins w:id="1" w:author="Mario Rossi" w:date="2026-01-01">'
                b"<w:r><w:t>more</w:t></w:r></w:ins></w:body></w:document>",
            }
        ),
    ),
    "excel comment author": (
        "costs.xlsx",
        lambda: _xlsx_with(
            b"<comments><authors><author>Mario Rossi</author></authors>"
            b"<commentList/></comments>"
        ),
    ),
    "odt annotation creator": (
        "spec.odt",
        lambda: _odt_content(
            b"<office:document-content><office:body><text:p>Gearbox"
            b"<office:annotation><dc:creator>Mario Rossi</dc:creator>"
            b"<text:p>Check</text:p></office:annotation></text:p>"
            b"</office:body></office:document-content>"
        ),
    ),
    "jpeg xmp creator": ("photo.jpg", lambda: _photo("JPEG", _xmp("Mario Rossi"))),
    "webp xmp creator": ("photo.webp", lambda: _photo("WEBP", _xmp("Mario Rossi"))),
    "jpeg xmp author attribute": (
        "photo.jpg",
        lambda: _photo(
            "JPEG",
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
            b'pdf:Author="Mario Rossi" xmp:CreatorTool="Camera"/></rdf:RDF>'
            b"</x:xmpmeta>",
        ),
    ),
}


@pytest.mark.parametrize("case", list(AUTHORS))
def test_the_authors_of_comments_changes_and_photos_are_refused(
    client,
    seeker_admin,  # noqa: F811
    case,
):
    name, make = AUTHORS[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    response = _upload(client, seeker_admin, challenge, name, make())

    assert response.status_code == 400
    page = _page(response)
    assert REFUSED in page and "names its author in its properties" in page
    assert not ConfidentialDocument.objects.exists()


CLEAN = {
    "docx with body text": ("spec.docx", lambda: _docx_with()),
    "odt with body text": (
        "spec.odt",
        lambda: _odt_content(
            b"<office:document-content><text:p>Gearbox</text:p>"
            b"</office:document-content>"
        ),
    ),
    "jpeg xmp without a person": (
        "photo.jpg",
        lambda: _photo(
            "JPEG",
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>Gearbox</dc:title>'
            b"</x:xmpmeta>",
        ),
    ),
}


@pytest.mark.parametrize("case", list(CLEAN))
def test_clean_documents_with_bodies_and_xmp_are_taken(client, seeker_admin, case):  # noqa: F811
    name, make = CLEAN[case]
    challenge = ChallengeFactory(organisation=seeker_admin.organisation, anonymous=True)
    _upload(client, seeker_admin, challenge, name, make())

    assert ConfidentialDocument.objects.count() == 1
