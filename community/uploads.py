"""Uploaded files on disk, for every app that takes them (workspace documents,
proposals, post attachments): the streaming upload handler, the content checks, the
display names, the storage calls and the private download response.

Uploads are streamed to a temporary file by `DocumentUploadHandler`, which counts
the bytes and computes the SHA-256 on the way and stops the request's parsing as soon
as a file passes `UPLOAD_MAX_BYTES` (nothing beyond the limit is ever written; the
temporary file is deleted). `file_inspect` then decides by the content, never by the
name or the browser's content type, whether the file is one of the accepted kinds;
refusals are `ValidationError`s whose message names the reason. Accepted files are
saved through Django's storage API (the `default` storage, private, outside static
files) under random names chosen by each app (`workspaces.storage`,
`community.services.attachments`); `private_file_response` serves them back so that a
browser never runs them.
"""

import codecs
import errno
import hashlib
import io
import logging
import os
import re
import stat
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# --- limits ----------------------------------------------------------------------------

# A ZIP (ODF and OOXML documents are ZIPs too) is refused past these, read from its
# central directory only: nothing is extracted.
ARCHIVE_MAX_ENTRIES = 10_000
# Total uncompressed size, as a multiple of the upload limit.
ARCHIVE_MAX_EXPANSION = 20
# An entry whose uncompressed size passes this many times its compressed size (and
# ARCHIVE_RATIO_FLOOR bytes) is the core of a ZIP bomb.
ARCHIVE_MAX_RATIO = 200
ARCHIVE_RATIO_FLOOR = 1024 * 1024
NAME_MAX_LENGTH = 255
# Browsers sniff the first 1445 bytes; a little more costs nothing.
SNIFF_WINDOW = 4096
CHUNK_SIZE = 64 * 1024


def upload_max_bytes():
    """The largest file accepted, in bytes (setting `UPLOAD_MAX_BYTES`)."""
    return settings.UPLOAD_MAX_BYTES


def too_large_message(name):
    """The refusal of a file larger than `UPLOAD_MAX_BYTES`."""
    return _(
        "“%(name)s” is larger than %(limit)s, the largest file accepted; "
        "the upload was stopped."
    ) % {"name": name, "limit": filesizeformat(upload_max_bytes())}


# --- the upload handler ----------------------------------------------------------------


class DocumentUploadHandler(FileUploadHandler):
    """Stream each uploaded file to a temporary file, counting its bytes and hashing
    it on the way; stop the upload at the first file larger than `UPLOAD_MAX_BYTES`.

    Install it as the request's only handler before anything reads `request.POST`
    (the view is `csrf_exempt` and checks CSRF itself afterwards). A refused upload
    leaves its reason in `refusals` (file name, message) and its temporary file
    deleted; the view shows the reason. Each accepted file carries `sha256`.
    """

    chunk_size = CHUNK_SIZE

    def __init__(self, request=None):
        super().__init__(request)
        self.max_bytes = upload_max_bytes()
        self.refusals = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.hasher = hashlib.sha256()
        # Named `file`: Django's parser closes (so deletes) `handler.file` when the
        # upload stops.
        self.file = TemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            # Checked before writing: the disk never holds more than the limit.
            self.refusals.append((self.file_name, too_large_message(self.file_name)))
            self.file.close()
            raise StopUpload(connection_reset=False)
        self.hasher.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self.hasher.hexdigest()
        return self.file

    def upload_interrupted(self):
        if getattr(self, "file", None) is not None:
            self.file.close()


# --- display names ---------------------------------------------------------------------

# Characters that reorder what people read (a "right-to-left override" makes
# "invoice\u202egpj.exe" look like "invoiceexe.jpg") and other invisible controls.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,16}$")


def display_name_clean(name, *, default="document"):
    """A file name safe to show and to offer as a download name: no path parts, no
    NUL, control or bidi override characters, no leading dots, at most 255
    characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        char
        for char in name
        if char not in _BIDI_CONTROLS and unicodedata.category(char) != "Cc"
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return default
    if len(name) > NAME_MAX_LENGTH:
        match = _EXTENSION.search(name)
        extension = match.group(0) if match else ""
        name = name[: NAME_MAX_LENGTH - len(extension)].rstrip(" .") + extension
    return name


def name_extension(name):
    """The lower-case extension of `name` without its dot ("" for none)."""
    match = _EXTENSION.search(name or "")
    return match.group(0)[1:].lower() if match else ""


# --- content checks --------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """What a file is, by its content: its kind (pdf, image, office, opendocument,
    text, zip) and the content type it is served with."""

    kind: str
    content_type: str

    @property
    def previewable(self):
        return self.kind in ("pdf", "image")


def accepted_kinds_text():
    """The accepted kinds of files, as refusals list them."""
    return _(
        "PDF, Word, Excel and PowerPoint, OpenDocument, PNG, JPEG and WebP images, "
        "plain text, CSV, Markdown and ZIP archives"
    )

# The extensions a name may carry for each kind. A name with another kind's
# extension is refused ("report.pdf" that is really text); an unknown extension is
# kept (the file is served with the type its content has).
KIND_EXTENSIONS = {
    "pdf": {"pdf"},
    "image": {"png", "jpg", "jpeg", "jpe", "jfif", "webp"},
    "office": {
        "doc", "dot", "xls", "xlt", "ppt", "pot", "pps",
        "docx", "docm", "dotx", "xlsx", "xlsm", "xltx", "pptx", "pptm", "potx", "ppsx",
    },
    "opendocument": {"odt", "ott", "ods", "ots", "odp", "otp", "odg", "otg"},
    "zip": {"zip"},
    "text": {
        "txt", "text", "csv", "tsv", "md", "markdown", "log", "json", "yaml", "yml",
        "ini", "cfg", "conf", "toml", "tex", "bib", "rst",
    },
}  # fmt: skip
_KNOWN_EXTENSIONS = frozenset().union(*KIND_EXTENSIONS.values())

# Names refused whatever the content: pages a browser would run and programs.
_PAGE_EXTENSIONS = frozenset(
    {"html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xml",
     "xsl", "xslt", "hta"}
)  # fmt: skip
_PROGRAM_EXTENSIONS = frozenset(
    {"exe", "com", "scr", "bat", "cmd", "msi", "msp", "dll", "cpl", "pif", "lnk",
     "js", "mjs", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "sh", "bash",
     "zsh", "csh", "py", "pyc", "pl", "rb", "php", "phtml", "cgi", "asp", "aspx",
     "jsp", "jar", "class", "apk", "app", "dmg", "pkg", "deb", "rpm", "appimage",
     "elf", "bin", "run", "swf", "reg", "inf", "scf", "url", "desktop", "wasm"}
)  # fmt: skip

_OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE_TYPES = {
    "doc": "application/msword",
    "dot": "application/msword",
    "xls": "application/vnd.ms-excel",
    "xlt": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "pot": "application/vnd.ms-powerpoint",
    "pps": "application/vnd.ms-powerpoint",
}
_TEXT_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "md": "text/markdown",
    "markdown": "text/markdown",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PROGRAM_MAGIC = (
    (b"MZ", gettext_lazy("Windows program")),
    (b"\x7fELF", gettext_lazy("Linux program")),
    (b"\xfe\xed\xfa\xce", gettext_lazy("macOS program")),
    (b"\xfe\xed\xfa\xcf", gettext_lazy("macOS program")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("macOS program")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("macOS program")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("Java or macOS program")),
    (b"\x00asm", gettext_lazy("WebAssembly program")),
    (b"dex\n", gettext_lazy("Android program")),
)
# What browsers take for a page when they sniff (WHATWG MIME sniffing, "HTML" and
# "XML" patterns), and markup that runs script wherever it appears in the head.
_PAGE_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title"
    rb"|b|body|br|p|!--|\?xml|svg|object|embed|meta|link|img|form|math)[\s>/]",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(
    rb"<(?:script|html|svg|iframe|object|embed|body)[\s>/]|<!doctype\s+html",
    re.IGNORECASE,
)
_SVG = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_SCRIPT = re.compile(rb"<script[\s>/]", re.IGNORECASE)
# Control characters no text document holds (tab, line feeds, form feed are fine).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _refuse(message, code):
    raise ValidationError(message, code=code)


def file_inspect(file, name):
    """Decide what `file` (an open binary file, read from the start) is by its
    content and return its `Inspection`; raise ValidationError naming the reason
    for anything outside the allow-list, or whose name says another type.

    Accepted: PDF; PNG, JPEG, WebP; Word, Excel and PowerPoint (OOXML and the older
    OLE files); OpenDocument; ZIP archives (checked from their directory, never
    extracted); UTF-8 text (plain, CSV, Markdown) that does not look like a page or
    a script. Refused with their reason: HTML and XML pages, SVG, scripts,
    programs, polyglots (a PDF or an image whose first bytes are also a page),
    archives that would expand too far or write outside their folder.
    """
    extension = name_extension(name)
    if extension in _PAGE_EXTENSIONS:
        _refuse(
            _(
                "Files named .%(extension)s are not accepted: a browser would open "
                "them as a web page."
            )
            % {"extension": extension},
            "page",
        )
    if extension in _PROGRAM_EXTENSIONS:
        _refuse(
            _("Files named .%(extension)s are not accepted: they are programs.")
            % {"extension": extension},
            "program",
        )
    file.seek(0)
    head = file.read(SNIFF_WINDOW)
    file.seek(0)
    if not head:
        _refuse(_("The file is empty."), "empty")
    inspection = _inspect_content(file, head, extension)
    _check_extension(inspection, extension)
    file.seek(0)
    return inspection


def _inspect_content(file, head, extension):
    for magic, what in _PROGRAM_MAGIC:
        if head.startswith(magic):
            _refuse(
                _("Programs are not accepted (this file is a %(what)s).")
                % {"what": what},
                "program",
            )
    if head.startswith(b"%PDF-"):
        _refuse_polyglot(head, _("PDF"))
        return Inspection("pdf", "application/pdf")
    image = _image_type(head)
    if image:
        _refuse_polyglot(head, _("image"))
        return Inspection("image", image)
    if head.startswith(_OLE_MAGIC):
        return _inspect_ole(head, extension)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _inspect_zip(file)
    guess = filetype.guess(head)
    if guess is not None:
        _refuse(
            _("This type of file (%(type)s) is not accepted. Accepted: %(accepted)s.")
            % {"type": guess.mime, "accepted": accepted_kinds_text()},
            "type",
        )
    return _inspect_text(file, head, extension)


def _image_type(head):
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _refuse_polyglot(head, what):
    """A PDF or image whose first bytes also hold page markup is a polyglot: a
    browser that ignored its type would run it."""
    if _MARKUP_ANYWHERE.search(head):
        _refuse(
            _(
                "This %(what)s also contains web page markup (HTML or script) at its "
                "start; such mixed files are not accepted."
            )
            % {"what": what},
            "polyglot",
        )


def _inspect_ole(head, extension):
    # Word, Excel and PowerPoint before 2007; Windows installers (.msi) and Outlook
    # messages share the container, so the name must say which Office file it is.
    content_type = _OLE_TYPES.get(extension)
    if content_type is None:
        _refuse(
            _(
                "Older Office files are accepted only when named .doc, .xls or .ppt "
                "(this one is named “.%(extension)s”)."
            )
            % {"extension": extension},
            "ole",
        )
    return Inspection("office", content_type)


def _inspect_text(file, head, extension):
    # Text a browser could take for a page or a program: refused by how it starts
    # and by the markup anywhere in the sniffed window.
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"#!"):
        _refuse(_("Scripts are not accepted (the file starts with “#!”)."), "script")
    if _SVG.search(head) or (start[:5].lower() == b"<?xml" and b"<svg" in head.lower()):
        _refuse(_("SVG images are not accepted: they can contain scripts."), "svg")
    looks_like_page = _PAGE_START.match(start) is not None
    if looks_like_page or _MARKUP_ANYWHERE.search(head):
        if not looks_like_page and _SCRIPT.search(head):
            _refuse(
                _("Scripts are not accepted (the file contains a script tag)."),
                "script",
            )
        _refuse(_("HTML and XML pages are not accepted."), "page")
    if b"%PDF-" in head[:1024]:
        _refuse(
            _(
                "This text file contains a PDF header; such mixed files are not accepted."
            ),
            "polyglot",
        )
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
            control = _CONTROL.search(decoder.decode(chunk))
            if control:
                _refuse(
                    _(
                        "This file contains control characters (such as NUL), so it "
                        "is not a text file. Accepted: %(accepted)s."
                    )
                    % {"accepted": accepted_kinds_text()},
                    "binary",
                )
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _refuse(
            _(
                "This type of file is not recognised: it is not one of %(accepted)s "
                "(text must be UTF-8)."
            )
            % {"accepted": accepted_kinds_text()},
            "type",
        )
    content_type = _TEXT_TYPES.get(extension, "text/plain")
    return Inspection("text", content_type)


def _check_extension(inspection, extension):
    """A name may not claim another accepted type than its content's."""
    if not extension or extension not in _KNOWN_EXTENSIONS:
        return
    if extension in KIND_EXTENSIONS[inspection.kind]:
        return
    _refuse(
        _(
            "The file is named .%(extension)s but its content is %(kind)s; rename it "
            "to match what it is."
        )
        % {"extension": extension, "kind": kind_label(inspection.kind)},
        "mismatch",
    )


def kind_label(kind):
    """What a kind is called on pages and in refusals."""
    return {
        "pdf": _("a PDF document"),
        "image": _("an image"),
        "office": _("an Office document"),
        "opendocument": _("an OpenDocument file"),
        "zip": _("a ZIP archive"),
        "text": _("text"),
    }[kind]


# --- archives --------------------------------------------------------------------------


def _archive_entry_count(file):
    """The number of entries a ZIP declares in its end record (read before Python's
    zipfile builds an object per entry)."""
    file.seek(0, os.SEEK_END)
    size = file.tell()
    tail_size = min(size, 65_557)  # the end record and the longest comment
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        _refuse(
            _("This ZIP archive is damaged: its directory is missing."), "zip_damaged"
        )
    (count,) = struct.unpack("<H", tail[end + 10 : end + 12])
    locator = end - 20
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        # ZIP64: the real count is in the ZIP64 end record.
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        if offset + 56 <= size:
            file.seek(offset)
            record = file.read(56)
            if record[:4] == b"PK\x06\x06":
                (count,) = struct.unpack("<Q", record[32:40])
    return count


def _unsafe_path(name):
    parts = re.split(r"[\\/]", name)
    return (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name) is not None
        or ".." in parts
    )


def _inspect_zip(file):
    if _archive_entry_count(file) > ARCHIVE_MAX_ENTRIES:
        _refuse(
            _("This archive has more than %(count)d entries, the most accepted.")
            % {"count": ARCHIVE_MAX_ENTRIES},
            "zip_entries",
        )
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        _refuse(_("This ZIP archive is damaged and cannot be read."), "zip_damaged")
    total = 0
    limit = upload_max_bytes() * ARCHIVE_MAX_EXPANSION
    for entry in entries:
        if _unsafe_path(entry.filename):
            _refuse(
                _(
                    "This archive has an entry that would be written outside its "
                    "folder (“%(name)s”); such archives are not accepted."
                )
                % {"name": display_name_clean(entry.filename)[:80]},
                "zip_path",
            )
        if entry.create_system == 3 and stat.S_ISLNK(entry.external_attr >> 16):
            _refuse(
                _("This archive contains a symbolic link (“%(name)s”); not accepted.")
                % {"name": display_name_clean(entry.filename)[:80]},
                "zip_link",
            )
        total += entry.file_size
        ratio_exceeded = entry.file_size > ARCHIVE_RATIO_FLOOR and (
            entry.file_size > ARCHIVE_MAX_RATIO * max(entry.compress_size, 1)
        )
        if ratio_exceeded or total > limit:
            _refuse(
                _(
                    "This archive would expand to far more than it weighs (a “ZIP "
                    "bomb”): at most %(limit)s uncompressed and %(ratio)d times "
                    "compressed are accepted."
                )
                % {"limit": filesizeformat(limit), "ratio": ARCHIVE_MAX_RATIO},
                "zip_bomb",
            )
    names = {entry.filename for entry in entries}
    if names & {"META-INF/MANIFEST.MF", "classes.dex", "AndroidManifest.xml"}:
        _refuse(_("Java and Android programs are not accepted."), "program")
    if "[Content_Types].xml" in names:
        for prefix, content_type in _OOXML_TYPES.items():
            if any(name.startswith(prefix) for name in names):
                return Inspection("office", content_type)
    if entries and entries[0].filename == "mimetype" and entries[0].file_size < 100:
        with archive.open(entries[0]) as handle:
            mimetype = handle.read(100).decode("ascii", "replace").strip()
        if re.fullmatch(r"application/vnd\.oasis\.opendocument\.[a-z.-]+", mimetype):
            return Inspection("opendocument", mimetype)
    return Inspection("zip", "application/zip")


# --- storage ---------------------------------------------------------------------------


class StorageFailed(ValidationError):
    """The storage could not keep a file (disk full, over quota, an I/O error):
    nothing of it was kept. Its message tells the person so, and to try again."""


# The errors that mean "no room left" rather than a broken disk.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def storage_failed_message(error):
    """What a person is told when the storage refused a file with OSError `error`."""
    if error.errno in _NO_SPACE:
        return _(
            "The server could not store the file (disk full). Nothing was saved; "
            "try again later."
        )
    return _("The server could not store the file. Nothing was saved; try again later.")


def file_save(name, content, *, storage=None):
    """Save `content` (a Django File) under `name` in `storage` (the default one
    unless given); return the name it was stored under. A temporary upload is moved,
    not copied.

    The one door every upload and generated file goes through to the storage. When
    the storage raises OSError part-way (the disk fills up while the file is written
    or copied), whatever part of the file reached the disk is removed and
    StorageFailed is raised, so a caller only has to forget the files it stored
    before (and roll back its rows) to leave nothing behind. The name is chosen
    before saving, so the part removed is the one this call wrote: names are random,
    and nobody else writes under a name that did not exist a moment before (a
    sized avatar drawn by two requests at once is the exception; losing it costs a
    redraw).
    """
    storage = storage or default_storage
    chosen = None
    try:
        chosen = storage.get_available_name(name)
        return storage.save(chosen, content)
    except OSError as error:
        logger.error("Storing %s failed: %s", name, error)
        if chosen is not None:
            try:
                storage.delete(chosen)
            except OSError as cleanup:
                logger.error("Removing the part of %s failed: %s", chosen, cleanup)
        raise StorageFailed(storage_failed_message(error), code="storage") from error


def file_delete(name):
    """Remove a stored file (no error when it is already gone)."""
    if name:
        default_storage.delete(name)


def file_open(name):
    """Open a stored file for reading (binary)."""
    return default_storage.open(name, "rb")


def file_sha256(file):
    """The SHA-256 of an open file, read in chunks from the start."""
    hasher = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
        hasher.update(chunk)
    file.seek(0)
    return hasher.hexdigest()


# --- images ----------------------------------------------------------------------------

# The formats `file_inspect` accepts as images, by the content type it gives them.
_IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class Reencoded:
    """An image drawn again by Pillow: its bytes, type and size in pixels."""

    content: bytes
    content_type: str
    width: int
    height: int


def image_too_large_message(width, height):
    """The refusal of an image that declares more pixels than may be decoded."""
    return _(
        "This image is too large to show: %(width)d × %(height)d pixels (at most "
        "%(limit)d million pixels)."
    ) % {
        "width": width,
        "height": height,
        "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
    }


def image_reencode(file, content_type, sides):
    """Decode the image `file` (of `content_type`, as `file_inspect` found it) and
    return it redrawn once per entry of `sides`, each at most that many pixels a
    side: upright, its first frame only, without metadata (EXIF, GPS, comments),
    in its own format. Raise ValidationError for an image whose declared size passes
    `settings.IMAGE_MAX_PIXELS` (checked from its header, before anything is
    decoded: a "decompression bomb" is never expanded) or that cannot be decoded.
    """
    source_format = _IMAGE_FORMATS[content_type]
    largest = max(sides)
    file.seek(0)
    try:
        with Image.open(file, formats=[source_format]) as image:
            if source_format == "JPEG":
                # A JPEG is decoded at the smallest scale (down to 1/8) that still
                # covers the largest side wanted: less memory for big photos.
                image.draft("RGB", (largest, largest))
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                _refuse(image_too_large_message(width, height), "image_pixels")
            image.load()
            upright = ImageOps.exif_transpose(image)
            return [_image_encode(upright, source_format, side) for side in sides]
    except Image.DecompressionBombError:
        # Pillow's own limit, met when opening an image of billions of pixels.
        _refuse(
            _("This image is too large to show (at most %(limit)d million pixels).")
            % {"limit": settings.IMAGE_MAX_PIXELS // 1_000_000},
            "image_pixels",
        )
    except (OSError, SyntaxError, UnidentifiedImageError, ValueError):
        _refuse(_("This image is damaged and cannot be shown."), "image_invalid")
    finally:
        file.seek(0)


def _image_encode(image, source_format, side):
    image = image.copy()
    if image.mode in ("P", "PA", "1", "I", "I;16", "F", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGBA" if "A" in image.getbands() or
                              "transparency" in image.info else "RGB")
    image.thumbnail((side, side))
    if source_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options = {"quality": 85, "optimize": True}
    elif source_format == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        options = {"quality": 85}
    else:
        if image.mode not in ("L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA")
        options = {"optimize": True}
    buffer = io.BytesIO()
    # Nothing of the source's metadata is passed on: no exif, icc or comments.
    image.save(buffer, format=source_format, **options)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return Reencoded(
        buffer.getvalue(), content_type[source_format], image.width, image.height
    )


# --- serving ---------------------------------------------------------------------------


class StreamedFileResponse(FileResponse):
    """A FileResponse that daphne sends chunk by chunk.

    Under ASGI, Django reads a synchronous file iterator whole into memory before
    sending it (`StreamingHttpResponse.__aiter__`): a 25 MB download would cost the
    server 25 MB and more. Here each chunk is read in a worker thread as it is sent.
    """

    block_size = 256 * 1024

    async def __aiter__(self):
        chunks = iter(self.streaming_content)
        read = sync_to_async(next, thread_sensitive=False)
        while (chunk := await read(chunks, None)) is not None:
            yield chunk


def private_file_response(name, *, filename, content_type, as_attachment=True):
    """Stream the stored file `name` (404 when it is gone) so that the browser never
    runs it: typed, nosniff, a sandboxing CSP, never cached by a shared cache."""
    try:
        handle = file_open(name)
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    response = StreamedFileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened directly, the response may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
