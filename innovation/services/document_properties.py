"""The properties a document carries about who made it, read without running anything.

What `workspaces.storage.file_inspect` accepts (it decides the kind; nothing here
repeats its checks) can name a person or an organisation outside its text: a PDF's
information dictionary and XMP packet, a photo's EXIF and PNG text chunks, an
OOXML file's docProps, an OpenDocument file's meta.xml, an older Office file's
SummaryInformation and DocumentSummaryInformation streams (OLE2), and every such file
inside a ZIP archive (and archives inside it, three levels in all). `properties(file,
kind)` returns them as `Property` rows for the disclosure services to judge.

Everything is bounded: a property stream or XML part past `PART_MAX_BYTES` is not
read, an archive's members are read up to `upload_max_bytes()` in all, and what could
not be read within the bounds is reported as `Property(unreadable=True)` — the caller
decides (an anonymous challenge refuses it). Parsers only parse: pypdfium2 reads the
information dictionary, Pillow the image header (no pixel is decoded), the rest is
plain byte reading and regular expressions.
"""

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from workspaces import storage

# The most read of one property stream or XML part.
PART_MAX_BYTES = 1024 * 1024
# How deep archives inside archives are opened.
ARCHIVE_MAX_DEPTH = 3


@dataclass(frozen=True)
class Property:
    """One property: where it was found, its name, its text, and whether it names
    a person or organisation by its very meaning (author, company...)."""

    where: str
    field: str
    value: str = ""
    names_someone: bool = False
    unreadable: bool = False


def properties(file, kind, *, name=""):
    """The properties of `file` (an open binary file, of storage's `kind`). The file
    is read from the start and left at the start."""
    file.seek(0)
    try:
        if kind in ("zip", "office", "opendocument") and _is_zip(file):
            return _zip_properties(file, name, depth=0, budget=[_budget()])
        return _single(file.read(storage.upload_max_bytes() + 1), name)
    finally:
        file.seek(0)


def _budget():
    return storage.upload_max_bytes()


def _is_zip(file):
    head = file.read(4)
    file.seek(0)
    return head in (b"PK\x03\x04", b"PK\x05\x06")


def _single(data, name):
    """The properties of one file held in memory, by what its first bytes say."""
    try:
        if data.startswith(b"%PDF-"):
            return _pdf(data, name)
        if data.startswith(_OLE_MAGIC):
            return _ole(data, name)
        if data.startswith((b"\x89PNG", b"\xff\xd8\xff")) or (
            data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        ):
            return _image(data, name)
    except Exception:  # noqa: BLE001 — damaged properties name no one
        return []
    return []


# --- PDF -------------------------------------------------------------------------------

_PDF_PERSON_KEYS = {"Author"}
# The most XMP packets looked for in one PDF.
_XMP_MAX_PACKETS = 8


def _pdf(data, name):
    import pypdfium2

    found = []
    document = pypdfium2.PdfDocument(data)
    try:
        info = document.get_metadata_dict()
    finally:
        document.close()
    for key, value in info.items():
        if str(value or "").strip():
            found.append(
                Property(name, key, str(value), names_someone=key in _PDF_PERSON_KEYS)
            )
    # The XMP packet (dc:creator, pdf:Author...) is stored uncompressed by
    # convention so that tools can find it without parsing the PDF.
    position = 0
    for _packet in range(_XMP_MAX_PACKETS):
        start = data.find(b"<x:xmpmeta", position)
        if start == -1:
            break
        end = data.find(b"</x:xmpmeta>", start, start + PART_MAX_BYTES)
        if end == -1:
            found.append(Property(name, "XMP", unreadable=True))
            break
        found.extend(_xml(data[start:end], name))
        position = end
    return found


# --- images ----------------------------------------------------------------------------

# EXIF tags: 270 ImageDescription, 315 Artist, 33432 Copyright, Windows' XP tags
# (UTF-16LE): 40091 title, 40092 comment, 40093 author, 40094 keywords, 40095 subject.
_EXIF_PERSON_TAGS = {315, 33432, 40093}
_EXIF_TEXT_TAGS = {270, 315, 33432, 40091, 40092, 40093, 40094, 40095}
_PNG_PERSON_KEYS = {"author", "copyright", "artist"}


def _exif_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-16-le", "replace")
    if isinstance(value, tuple):  # Pillow gives XP tags as tuples of byte values
        return bytes(value).decode("utf-16-le", "replace")
    return str(value)


def _image(data, name):
    from PIL import Image

    found = []
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        texts = {
            key: value for key, value in image.info.items() if isinstance(value, str)
        }
    for tag in _EXIF_TEXT_TAGS:
        value = _exif_text(exif.get(tag, "")).strip(" \x00")
        if value:
            found.append(Property(name, f"EXIF {tag}", value, tag in _EXIF_PERSON_TAGS))
    for key, value in texts.items():
        if value.strip():
            found.append(Property(name, key, value, key.lower() in _PNG_PERSON_KEYS))
    return found


# --- XML properties (OOXML docProps, OpenDocument meta.xml, XMP) -----------------------

_XML_PARTS = (
    "docProps/core.xml",
    "docProps/app.xml",
    "docProps/custom.xml",
    "meta.xml",
)
# The elements whose very meaning is a person or an organisation.
_XML_PERSON_ELEMENTS = {
    "creator",
    "lastmodifiedby",
    "company",
    "manager",
    "initial-creator",
    "author",
    "rights",
    "publisher",
    "contributor",
}
# Every quantifier bounded: a hostile part costs a bounded amount per position.
_XML_OPEN = re.compile(rb"<(?:[\w.-]{1,32}:)?([\w.-]{1,64})\b([^<>]{0,1024})>")
_XML_ATTRIBUTE_TEXT = re.compile(rb'(?:[\w.-]{1,32}:)?name="([^"]{1,256})"')
_XML_TAG = re.compile(rb"<[^<>]{0,1024}>")
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}
# The most elements read in one part, and the most text read in one element.
_XML_MAX_ELEMENTS = 5000
_XML_TEXT_MAX = 4096


def _unescaped(text):
    return re.sub(
        r"&(?:lt|gt|quot|apos|amp);", lambda m: _XML_ENTITIES[m.group(0)], text
    )


def _xml(data, where):
    """Each element's text in an XML part (no parser: nothing is resolved or
    fetched), with the person-naming elements marked — their whole content, for
    XMP holds `dc:creator` in an `rdf:Seq` of `rdf:li`."""
    found = []
    for count, match in enumerate(_XML_OPEN.finditer(data)):
        if count >= _XML_MAX_ELEMENTS:
            found.append(Property(where, "", unreadable=True))
            break
        element = match.group(1).decode("ascii", "replace")
        # A custom property's or a user-defined field's name says what it holds.
        named = _XML_ATTRIBUTE_TEXT.search(match.group(2))
        field = named.group(1).decode("utf-8", "replace") if named else element
        person = (
            element.lower() in _XML_PERSON_ELEMENTS
            or field.lower() in _XML_PERSON_ELEMENTS
        )
        end = match.end()
        if person:
            close = re.compile(
                rb"</(?:[\w.-]{1,32}:)?" + re.escape(match.group(1)) + rb">"
            ).search(data, end, end + _XML_TEXT_MAX)
            text = _XML_TAG.sub(
                b" ", data[end : close.start() if close else end + _XML_TEXT_MAX]
            )
        else:
            stop = data.find(b"<", end, end + _XML_TEXT_MAX)
            text = data[end:stop] if stop != -1 else b""
        value = " ".join(_unescaped(text.decode("utf-8", "replace")).split())
        if value:
            found.append(Property(where, field, value, names_someone=person))
    return found


def _zip_properties(file, name, *, depth, budget):
    """An OOXML, OpenDocument or ZIP file's properties, and those of the documents,
    images and archives inside it (read within `budget`, a one-item list of the
    bytes still allowed)."""
    found = []
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return found
    for entry in entries:
        if entry.is_dir() or entry.file_size == 0:
            continue
        where = f"{name} › {entry.filename}" if depth or name else entry.filename
        if entry.filename in _XML_PARTS:
            if entry.file_size > PART_MAX_BYTES:
                found.append(Property(where, entry.filename, unreadable=True))
                continue
            data = _read(archive, entry, PART_MAX_BYTES)
            if data is None:
                found.append(Property(where, entry.filename, unreadable=True))
            else:
                found.extend(_xml(data, where))
            continue
        try:
            with archive.open(entry) as handle:
                head = handle.read(16)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
            continue
        if not _carries_properties(head):
            continue
        if entry.file_size > budget[0] or (
            head.startswith(b"PK") and depth + 1 >= ARCHIVE_MAX_DEPTH
        ):
            found.append(Property(where, entry.filename, unreadable=True))
            continue
        budget[0] -= entry.file_size
        data = _read(archive, entry, entry.file_size)
        if data is None:
            found.append(Property(where, entry.filename, unreadable=True))
        elif data.startswith(b"PK"):
            found.extend(
                _zip_properties(io.BytesIO(data), where, depth=depth + 1, budget=budget)
            )
        else:
            found.extend(_single(data, where))
    return found


def _carries_properties(head):
    return head.startswith(
        (b"%PDF-", _OLE_MAGIC, b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff")
    ) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _read(archive, entry, limit):
    """At most `limit` bytes of `entry` (None when it holds more: its header lied)."""
    try:
        with archive.open(entry) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
        return None
    return data if len(data) <= limit else None


# --- older Office files (OLE2 compound files) -----------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA
_STREAMS = ("\x05SummaryInformation", "\x05DocumentSummaryInformation")
# Property ids: SummaryInformation 2 title, 3 subject, 4 author, 5 keywords,
# 6 comments, 8 last saved by; DocumentSummaryInformation 2 category, 14 manager,
# 15 company.
_OLE_FIELDS = {
    "\x05SummaryInformation": {
        2: ("title", False),
        3: ("subject", False),
        4: ("author", True),
        5: ("keywords", False),
        6: ("comments", False),
        8: ("last author", True),
    },
    "\x05DocumentSummaryInformation": {
        2: ("category", False),
        14: ("manager", True),
        15: ("company", True),
    },
}
_VT_LPSTR, _VT_LPWSTR, _VT_I2 = 0x1E, 0x1F, 0x02


class _Compound:
    """The few parts of an OLE2 compound file needed to read two small streams."""

    def __init__(self, data):
        self.data = data
        (self.sector_shift,) = struct.unpack_from("<H", data, 0x1E)
        (self.mini_shift,) = struct.unpack_from("<H", data, 0x20)
        if self.sector_shift not in (9, 12) or self.mini_shift != 6:
            raise ValueError("Not an OLE2 file this reader knows.")
        self.sector_size = 1 << self.sector_shift
        (fat_count, self.first_directory) = struct.unpack_from("<II", data, 0x2C)
        (self.mini_cutoff, self.first_mini_fat, mini_fat_count) = struct.unpack_from(
            "<III", data, 0x38
        )
        (first_difat, difat_count) = struct.unpack_from("<II", data, 0x44)
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        sector = first_difat
        for _step in range(min(difat_count, 1024)):
            if sector > _MAX_SECTOR:
                break
            block = self._sector(sector)
            entries = struct.unpack(f"<{self.sector_size // 4}I", block)
            fat_sectors.extend(entries[:-1])
            sector = entries[-1]
        self.fat = []
        for sector in fat_sectors[:fat_count]:
            if sector > _MAX_SECTOR:
                break
            self.fat.extend(
                struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector))
            )
        self.mini_fat = []
        if mini_fat_count:
            block = self._chain_bytes(self.first_mini_fat, self.fat, PART_MAX_BYTES)
            self.mini_fat = list(struct.unpack(f"<{len(block) // 4}I", block))

    def _sector(self, number):
        start = (number + 1) * self.sector_size
        block = self.data[start : start + self.sector_size]
        if len(block) != self.sector_size:
            raise ValueError("A sector lies outside the file.")
        return block

    def _chain(self, first, table):
        """The sector numbers of a chain (a loop or a bad link ends it)."""
        seen, number = set(), first
        while number <= _MAX_SECTOR and number < len(table) and number not in seen:
            seen.add(number)
            yield number
            number = table[number]

    def _chain_bytes(self, first, table, limit):
        out = bytearray()
        for number in self._chain(first, table):
            out += self._sector(number)
            if len(out) > limit:
                raise ValueError("A stream is larger than this reader reads.")
        return bytes(out)

    def streams(self, wanted, limit):
        """{name: bytes} of the root's streams named in `wanted`, each at most
        `limit` bytes long."""
        directory = self._chain_bytes(self.first_directory, self.fat, PART_MAX_BYTES)
        entries = []
        for offset in range(0, len(directory) - 127, 128):
            raw = directory[offset : offset + 128]
            (length,) = struct.unpack_from("<H", raw, 64)
            name = raw[: max(length - 2, 0)].decode("utf-16-le", "replace")
            kind = raw[66]
            start, size = struct.unpack_from("<IQ", raw, 116)
            entries.append((name, kind, start, size))
        if not entries:
            return {}
        root = entries[0]
        mini_stream = None
        found = {}
        for name, kind, start, size in entries:
            if kind != 2 or name not in wanted or size > limit:
                continue
            if size < self.mini_cutoff:
                if mini_stream is None:
                    mini_stream = self._chain_bytes(root[2], self.fat, PART_MAX_BYTES)
                out = bytearray()
                for number in self._chain(start, self.mini_fat):
                    out += mini_stream[number * 64 : number * 64 + 64]
                    if len(out) >= size:
                        break
                found[name] = bytes(out[:size])
            else:
                found[name] = self._chain_bytes(start, self.fat, limit)[:size]
        return found


def _property_set(data, fields, where):
    """The text properties of a property-set stream's first section."""
    found = []
    (sections,) = struct.unpack_from("<I", data, 24)
    if not sections:
        return found
    (offset,) = struct.unpack_from("<I", data, 28 + 16)
    (_size, count) = struct.unpack_from("<II", data, offset)
    pairs = [
        struct.unpack_from("<II", data, offset + 8 + 8 * index)
        for index in range(min(count, 1024))
    ]
    codepage = "cp1252"
    for pid, position in pairs:
        (vtype,) = struct.unpack_from("<H", data, offset + position)
        if pid == 1 and vtype == _VT_I2:
            (number,) = struct.unpack_from("<H", data, offset + position + 4)
            codepage = "utf-8" if number == 65001 else f"cp{number}"
    for pid, position in pairs:
        if pid not in fields:
            continue
        start = offset + position
        (vtype,) = struct.unpack_from("<H", data, start)
        (length,) = struct.unpack_from("<I", data, start + 4)
        if vtype == _VT_LPSTR:
            raw = data[start + 8 : start + 8 + min(length, PART_MAX_BYTES)]
            try:
                value = raw.decode(codepage, "replace")
            except LookupError:
                value = raw.decode("cp1252", "replace")
        elif vtype == _VT_LPWSTR:
            raw = data[start + 8 : start + 8 + 2 * min(length, PART_MAX_BYTES)]
            value = raw.decode("utf-16-le", "replace")
        else:
            continue
        value = value.strip(" \x00")
        if value:
            label, names_someone = fields[pid]
            found.append(Property(where, label, value, names_someone))
    return found


def _ole(data, name):
    compound = _Compound(data)
    found = []
    for stream, data in compound.streams(set(_STREAMS), PART_MAX_BYTES).items():
        try:
            found.extend(_property_set(data, _OLE_FIELDS[stream], name))
        except struct.error:
            continue
    return found
