"""The content checks, display names and previews of uploaded documents, file by file."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from community import uploads
from tests.workspaces import hostile_files as files
from workspaces import previews, storage


@pytest.fixture(autouse=True)
def english():
    """Refusals in English, the words these tests look for."""
    from django.utils import translation

    with translation.override("en"):
        yield


def inspect(content, name):
    return storage.file_inspect(io.BytesIO(content), name)


def refusal(content, name):
    with pytest.raises(ValidationError) as caught:
        inspect(content, name)
    return caught.value.code, " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("content", "name", "kind", "content_type"),
    [
        (files.pdf(), "report.pdf", "pdf", "application/pdf"),
        (files.png_bytes(), "chart.png", "image", "image/png"),
        (files.jpeg_bytes(), "photo.jpg", "image", "image/jpeg"),
        (files.webp_bytes(), "photo.webp", "image", "image/webp"),
        (
            files.docx_bytes(),
            "contract.docx",
            "office",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (files.ole_bytes(), "old.doc", "office", "application/msword"),
        (files.ole_bytes(), "old.xls", "office", "application/vnd.ms-excel"),
        (
            files.odt_bytes(),
            "minutes.odt",
            "opendocument",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            files.zip_bytes({"a.txt": b"a", "b/c.csv": b"1,2"}),
            "data.zip",
            "zip",
            "application/zip",
        ),
        (files.CSV_TEXT, "people.csv", "text", "text/csv"),
        (files.MARKDOWN_TEXT, "notes.md", "text", "text/markdown"),
        (b"plain words\n", "readme", "text", "text/plain"),
        (b"plain words\n", "data.dat", "text", "text/plain"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(content, name, kind, content_type):
    inspection = inspect(content, name)
    assert (inspection.kind, inspection.content_type) == (kind, content_type)


@pytest.mark.parametrize(
    ("content", "name", "code", "words"),
    [
        (b"", "empty.pdf", "empty", "empty"),
        (files.HTML_PAGE, "report.pdf", "page", "HTML"),
        (files.HTML_PAGE, "page.html", "page", "web page"),
        (b"hello", "page.htm", "page", "web page"),
        (files.SVG_WITH_SCRIPT, "logo.svg", "page", "web page"),
        (files.SVG_WITH_SCRIPT, "logo.txt", "svg", "SVG"),
        (files.PDF_HTML_POLYGLOT, "report.pdf", "polyglot", "web page markup"),
        (
            files.png_bytes()[:40] + files.PNG_HTML_POLYGLOT_TAIL,
            "image.png",
            "polyglot",
            "web page markup",
        ),
        (b"Intro\n%PDF-1.4\n", "notes.txt", "polyglot", "PDF header"),
        (files.WINDOWS_PROGRAM, "setup.pdf", "program", "Windows program"),
        (files.WINDOWS_PROGRAM, "setup.exe", "program", "programs"),
        (files.SHELL_SCRIPT, "run.txt", "script", "Scripts"),
        (b"<script>alert(1)</script>", "x.md", "page", "HTML"),
        (b"Notes\n<script>alert(1)</script>", "x.md", "script", "script tag"),
        (b"name\x00,value\n", "data.csv", "binary", "control characters"),
        (b"\xff\xfe\x00broken", "data.csv", "type", "UTF-8"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", "type", "image/gif"),
        (files.ole_bytes(), "installer.msi", "program", "programs"),
        (files.ole_bytes(), "message.msg", "ole", ".doc, .xls or .ppt"),
        (files.CSV_TEXT, "people.pdf", "mismatch", "named .pdf"),
        (files.pdf(), "report.docx", "mismatch", "named .docx"),
        (files.zip_bomb(), "bomb.zip", "zip_bomb", "ZIP bomb"),
        (files.zip_slip(), "slip.zip", "zip_path", "outside its folder"),
        (files.zip_absolute(), "abs.zip", "zip_path", "outside its folder"),
        (files.zip_symlink(), "link.zip", "zip_link", "symbolic link"),
        (
            files.zip_bytes({"META-INF/MANIFEST.MF": b"Main-Class: X"}),
            "tool.zip",
            "program",
            "Java",
        ),
        (b"PK\x03\x04garbage", "broken.zip", "zip_damaged", "damaged"),
    ],
)
def test_hostile_and_unaccepted_files_are_refused_with_their_reason(
    content, name, code, words
):
    refused_code, message = refusal(content, name)
    assert refused_code == code
    assert words in message


def test_the_kind_of_program_is_named_in_the_readers_language():
    from django.utils import translation

    with translation.override("it"):
        _code, message = refusal(files.WINDOWS_PROGRAM, "setup.pdf")
    assert "programma Windows" in message


def test_a_zip_with_too_many_entries_is_refused_from_its_directory(monkeypatch):
    # The checks are shared with attachments (`community.uploads`).
    monkeypatch.setattr(uploads, "ARCHIVE_MAX_ENTRIES", 5)
    content = files.zip_bytes({f"f{number}.txt": b"x" for number in range(6)})
    code, message = refusal(content, "many.zip")
    assert code == "zip_entries"
    assert "5" in message


def test_the_inspected_file_is_left_at_its_start():
    handle = io.BytesIO(files.CSV_TEXT)
    handle.read(5)
    storage.file_inspect(handle, "people.csv")
    assert handle.tell() == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("evil\x00.pdf", "evil.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2066name\u2069.txt", "name.txt"),
        ("line\nbreak.txt", "linebreak.txt"),
        ("..", "document"),
        ("   ", "document"),
        (".hidden", "hidden"),
        ("città.pdf", "città.pdf"),
    ],
)
def test_display_names_lose_paths_and_invisible_characters(raw, clean):
    assert storage.display_name_clean(raw) == clean


def test_long_display_names_are_cut_to_255_characters_keeping_the_extension():
    name = storage.display_name_clean("a" * 300 + ".pdf")
    assert len(name) == 255
    assert name.endswith("a.pdf")


def test_sha256_is_read_from_the_start():
    import hashlib

    handle = io.BytesIO(b"abc" * 1000)
    handle.read(10)
    assert storage.file_sha256(handle) == hashlib.sha256(b"abc" * 1000).hexdigest()


# --- previews --------------------------------------------------------------------------


def test_an_image_preview_is_a_new_png_no_wider_than_the_page():
    png = previews.preview_build("image", files.jpeg_bytes(size=(3000, 1000)))
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (previews.PREVIEW_WIDTH, 300)


def test_a_pdf_preview_draws_its_first_pages():
    png = previews.preview_build("pdf", files.pdf())
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    # Two A4 pages one below the other.
    assert image.height > 2 * image.width


def test_a_pixel_flood_gets_no_preview_and_is_never_decoded():
    with pytest.raises(previews.PreviewRefused):
        previews.preview_build("image", files.pixel_flood_png())


def test_a_damaged_pdf_gets_no_preview():
    with pytest.raises(previews.PreviewUnreadable):
        previews.preview_build("pdf", b"%PDF-1.4\nthis is not a PDF body")


def test_a_file_that_is_not_the_image_it_claims_gets_no_preview():
    with pytest.raises(previews.PreviewUnreadable):
        previews.preview_build("image", files.CSV_TEXT)
