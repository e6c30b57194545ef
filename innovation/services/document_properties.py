"""The properties a document carries about who made it, read without running anything.

What `workspaces.storage.file_inspect` accepts (it decides the kind; nothing here
repeats its checks) can name a person or an organisation outside its text: a PDF's
information dictionary and XMP packet, a photo's EXIF and PNG text chunks, an
OOXML file's docProps, an OpenDocument file's meta.xml, an older Office file's
SummaryInformation and DocumentSummaryInformation streams (OLE2), the authors of
comments and tracked changes (Word, Excel, PowerPoint, OpenDocument), a JPEG's or
WebP's XMP packet, and every such file inside a ZIP archive (and archives inside it,
three levels in all). `properties(file, kind)` returns them as `Property` rows for the
disclosure services to judge.

Everything is bounded: a property stream or XML part past `PART_MAX_BYTES` is not
read; every archive member read, at every level, is charged to one budget of
`upload_max_bytes()` bytes and `storage.ARCHIVE_MAX_ENTRIES` entries; an OLE2 file's
sector tables are bounded by its own size and every chain in it must end without a
loop. What could not be read within the bounds, or could not be parsed (damaged,
malformed, an unsupported compression), is reported as `Property(unreadable=True)`
(`damaged` says which) — the caller decides (an anonymous challenge refuses it);
nothing here raises on a hostile file. Parsers only parse: pypdfium2 reads the
information dictionary, Pillow the image header (no pixel is decoded), the rest is
plain byte reading and regular expressions.
"""

import array
import io
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass

from workspaces import storage

# The most read of one property stream or XML part.
PART_MAX_BYTES = 1024 * 1024
# How deep archives inside archives are opened.
ARCHIVE_MAX_DEPTH = 3
# A document body (word/document.xml, content.xml) is scanned for the authors of
# comments and tracked changes in chunks of this size (charged to the budget).
BODY_CHUNK_BYTES = 1024 * 1024
# What reading a damaged or hostile member may raise (zipfile and its decompressors).
_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
)


@dataclass(frozen=True)
class Property:
    """One property: where it was found, its name, its text, and whether it names
    a person or organisation by its very meaning (author, company...)."""

    where: str
    field: str
    value: str = ""
    names_someone: bool = False
    unreadable: bool = False
    # With `unreadable`: damaged or malformed (rather than too large or too deep).
    damaged: bool = False


def _damaged(where, field=""):
    return Property(where, field, unreadable=True, damaged=True)


def properties(file, kind, *, name=""):
    """The properties of `file` (an open binary file, of storage's `kind`). The file
    is read from the start and left at the start. Never raises on what the file
    holds: what cannot be read is an unreadable `Property`."""
    file.seek(0)
    try:
        if kind in ("zip", "office", "opendocument") and _is_zip(file):
            return _zip_properties(file, name, depth=0, budget=_Budget())
        return _single(file.read(storage.upload_max_bytes() + 1), name)
    except (*_READ_ERRORS, struct.error, MemoryError, RecursionError):
        return [_damaged(name)]
    finally:
        file.seek(0)


class _Budget:
    """What may still be read of one upload, across every level of its archives:
    bytes decompressed and entries listed."""

    def __init__(self):
        self.bytes = storage.upload_max_bytes()
        self.entries = storage.ARCHIVE_MAX_ENTRIES

    def charge(self, size):
        """Take `size` bytes; False (nothing taken) when they are not left."""
        if size > self.bytes:
            return False
        self.bytes -= size
        return True


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
    except Exception:  # noqa: BLE001 — any parser failure on a hostile file
        # Properties that could not be parsed may name anyone: unreadable, never
        # taken as naming no one.
        return [_damaged(name)]
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
        texts, packets = {}, []
        for key, value in image.info.items():
            # The XMP packet: bytes in a JPEG or WebP (Pillow's "xmp"), text in a
            # PNG's iTXt chunk "XML:com.adobe.xmp".
            if "xmp" in str(key).lower() and isinstance(value, (bytes, str)):
                packets.append(value.encode() if isinstance(value, str) else value)
            elif isinstance(value, str):
                texts[key] = value
    for packet in packets:
        if len(packet) > PART_MAX_BYTES:
            found.append(Property(name, "XMP", unreadable=True))
        else:
            found.extend(_xml(packet, name))
    for tag in _EXIF_TEXT_TAGS:
        value = _exif_text(exif.get(tag, "")).strip(" \x00")
        if value:
            found.append(Property(name, f"EXIF {tag}", value, tag in _EXIF_PERSON_TAGS))
    for key, value in texts.items():
        if value.strip():
            found.append(Property(name, key, value, key.lower() in _PNG_PERSON_KEYS))
    return found


# --- XML properties (OOXML docProps, OpenDocument meta.xml, XMP) -----------------------

# Parts read whole (at most PART_MAX_BYTES): document properties, and the people of
# comments and tracked changes (Word's comments and people, Excel's comments, persons
# and revision headers, PowerPoint's comment authors).
_XML_PARTS = re.compile(
    r"docProps/(?:core|app|custom)\.xml|meta\.xml"
    r"|word/(?:comments|people)\.xml"
    r"|xl/comments\d{0,6}\.xml|xl/persons/person\.xml"
    r"|xl/revisions/revisionHeaders\.xml"
    r"|ppt/(?:commentAuthors|authors)\.xml"
)
# Document bodies, scanned (in bounded chunks) for the authors of tracked changes
# (w:ins, w:del... w:author) and of annotations (ODF dc:creator) only.
_BODY_PARTS = re.compile(
    r"word/(?:document|footnotes|endnotes|header\d{0,6}|footer\d{0,6})\.xml"
    r"|content\.xml|styles\.xml"
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
# Attributes whose value is a person, in any case: w:author (comments, w:ins,
# w:del...), Word's people and Excel's persons (userId, displayName), Excel's
# revisions (userName), XMP's shorthand (pdf:Author="...").
_XML_PERSON_ATTRIBUTE = re.compile(
    rb"(?i)(?:^|\s)(?:[\w.-]{1,32}:)?"
    rb'(author|creator|lastModifiedBy|userId|displayName|userName)="([^"]{1,512})"'
)
# Elements whose name attribute is a person (PowerPoint's comment authors).
_XML_NAME_IS_PERSON = {"cmauthor", "author", "person"}
_XML_CREATOR = re.compile(
    rb"<(?:[\w.-]{1,32}:)?(creator|author)\b[^<>]{0,1024}>([^<]{1,4096})<"
)
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
        found.extend(_person_attributes(match.group(2), where))
        # A custom property's or a user-defined field's name says what it holds.
        named = _XML_ATTRIBUTE_TEXT.search(match.group(2))
        if named and element.lower() in _XML_NAME_IS_PERSON:
            found.append(
                Property(where, element, _text(named.group(1)), names_someone=True)
            )
            named = None
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
        value = _text(text)
        if value:
            found.append(Property(where, field, value, names_someone=person))
    return found


def _text(raw):
    return " ".join(_unescaped(raw.decode("utf-8", "replace")).split())


def _person_attributes(attributes, where):
    found = []
    for match in _XML_PERSON_ATTRIBUTE.finditer(attributes):
        value = _text(match.group(2))
        if value:
            found.append(Property(where, match.group(1).decode("ascii"), value, True))
    return found


def _body_people(archive, entry, where, budget):
    """The authors of tracked changes and annotations in a document body, read in
    chunks (each charged to `budget`; unreadable when it runs out)."""
    found, seen = [], set()
    tail = b""
    with archive.open(entry) as handle:
        while True:
            chunk = handle.read(BODY_CHUNK_BYTES)
            if not chunk:
                return found
            if not budget.charge(len(chunk)):
                return [*found, Property(where, entry.filename, unreadable=True)]
            # The tail of the chunk before: what straddles a boundary is read whole.
            window = tail + chunk
            people = [
                (match.group(1).decode("ascii"), _text(match.group(2)))
                for match in _XML_PERSON_ATTRIBUTE.finditer(window)
            ] + [
                (match.group(1).decode("ascii"), _text(match.group(2)))
                for match in _XML_CREATOR.finditer(window)
            ]
            for field, value in people:
                if value and (field, value) not in seen:
                    seen.add((field, value))
                    found.append(Property(where, field, value, names_someone=True))
            tail = window[-6 * 1024 :]


def _zip_properties(file, name, *, depth, budget):
    """An OOXML, OpenDocument or ZIP file's properties, and those of the documents,
    images and archives inside it (read within `budget`, shared by every level)."""
    try:
        archive = zipfile.ZipFile(file)
        entries = archive.infolist()
    except _READ_ERRORS:
        return [_damaged(name)]
    budget.entries -= len(entries)
    if budget.entries < 0:
        return [Property(name, "", unreadable=True)]
    found = []
    for entry in entries:
        if entry.is_dir() or entry.file_size == 0:
            continue
        where = f"{name} › {entry.filename}" if depth or name else entry.filename
        try:
            found.extend(_member_properties(archive, entry, where, depth, budget))
        except _READ_ERRORS:
            found.append(_damaged(where, entry.filename))
    return found


def _member_properties(archive, entry, where, depth, budget):
    if _XML_PARTS.fullmatch(entry.filename):
        if entry.file_size > PART_MAX_BYTES or not budget.charge(entry.file_size):
            return [Property(where, entry.filename, unreadable=True)]
        data = _read(archive, entry, entry.file_size)
        if data is None:
            return [_damaged(where, entry.filename)]
        return _xml(data, where)
    if _BODY_PARTS.fullmatch(entry.filename):
        return _body_people(archive, entry, where, budget)
    if not budget.charge(16):
        return [Property(where, entry.filename, unreadable=True)]
    with archive.open(entry) as handle:
        head = handle.read(16)
    if not _carries_properties(head):
        return []
    if (head.startswith(b"PK") and depth + 1 >= ARCHIVE_MAX_DEPTH) or (
        not budget.charge(entry.file_size)
    ):
        return [Property(where, entry.filename, unreadable=True)]
    data = _read(archive, entry, entry.file_size)
    if data is None:
        return [_damaged(where, entry.filename)]
    if data.startswith(b"PK"):
        return _zip_properties(io.BytesIO(data), where, depth=depth + 1, budget=budget)
    return _single(data, where)


def _carries_properties(head):
    return head.startswith(
        (b"%PDF-", _OLE_MAGIC, b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff")
    ) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _read(archive, entry, limit):
    """At most `limit` bytes of `entry` (None when it holds more or less — its
    header lied — or cannot be decompressed)."""
    try:
        with archive.open(entry) as handle:
            data = handle.read(limit + 1)
    except _READ_ERRORS:
        return None
    return data if len(data) == limit else None


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


class _Malformed(ValueError):
    """An OLE2 file whose tables or chains do not hold together."""


class _Compound:
    """The few parts of an OLE2 compound file needed to read two small streams.
    Every table is bounded by the file's own size and every chain is walked once:
    a loop, a link outside the file or a header past its bounds is `_Malformed`."""

    def __init__(self, data):
        self.data = data
        (self.sector_shift,) = struct.unpack_from("<H", data, 0x1E)
        (self.mini_shift,) = struct.unpack_from("<H", data, 0x20)
        if self.sector_shift not in (9, 12) or self.mini_shift != 6:
            raise _Malformed("Not an OLE2 file this reader knows.")
        self.sector_size = 1 << self.sector_shift
        # The sectors the file holds (the header takes the first sector's place; a
        # last sector some writers leave short counts, read as if zero-padded).
        self.sector_count = max(-(-len(data) // self.sector_size) - 1, 0)
        (fat_count, self.first_directory) = struct.unpack_from("<II", data, 0x2C)
        (self.mini_cutoff, self.first_mini_fat, mini_fat_count) = struct.unpack_from(
            "<III", data, 0x38
        )
        (first_difat, difat_count) = struct.unpack_from("<II", data, 0x44)
        if fat_count > self.sector_count or difat_count > self.sector_count:
            raise _Malformed("The header counts more sectors than the file holds.")
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))[:fat_count]
        per_sector = self.sector_size // 4
        seen, sector = set(), first_difat
        while len(fat_sectors) < fat_count:
            if sector > _MAX_SECTOR:
                raise _Malformed("The DIFAT ends before the FAT it announces.")
            if sector in seen or len(seen) >= difat_count:
                raise _Malformed("The DIFAT loops or runs past its count.")
            seen.add(sector)
            entries = struct.unpack(f"<{per_sector}I", self._sector(sector))
            fat_sectors.extend(
                entries[: min(per_sector - 1, fat_count - len(fat_sectors))]
            )
            sector = entries[-1]
        if len(set(fat_sectors)) != len(fat_sectors):
            raise _Malformed("A FAT sector is listed twice.")
        # 4 bytes an entry, never more entries than the file has sectors.
        fat = array.array("I", b"".join(self._sector(number) for number in fat_sectors))
        if sys.byteorder == "big":
            fat.byteswap()
        self.fat = fat[: self.sector_count]
        self.mini_fat = array.array("I")
        if mini_fat_count:
            if mini_fat_count > self.sector_count:
                raise _Malformed("The mini FAT is larger than the file.")
            block = self._chain_bytes(self.first_mini_fat, self.fat, PART_MAX_BYTES)
            self.mini_fat = array.array("I", block[: len(block) - len(block) % 4])
            if sys.byteorder == "big":
                self.mini_fat.byteswap()

    def _sector(self, number):
        if number >= self.sector_count:
            raise _Malformed("A sector lies outside the file.")
        start = (number + 1) * self.sector_size
        return self.data[start : start + self.sector_size].ljust(
            self.sector_size, b"\x00"
        )

    def _chain(self, first, table):
        """The sector numbers of a chain, each once (a loop or a link outside the
        table is _Malformed)."""
        seen, number = set(), first
        while number != _ENDOFCHAIN:
            if number > _MAX_SECTOR or number >= len(table) or number in seen:
                raise _Malformed("A chain loops or leaves the file.")
            seen.add(number)
            yield number
            number = table[number]

    def _chain_bytes(self, first, table, limit):
        out = bytearray()
        for number in self._chain(first, table):
            out += self._sector(number)
            if len(out) > limit:
                raise _Malformed("A stream is larger than this reader reads.")
        return bytes(out)

    def streams(self, wanted, limit):
        """{name: bytes} of the root's streams named in `wanted`; None for one
        longer than `limit` (not read)."""
        directory = self._chain_bytes(self.first_directory, self.fat, PART_MAX_BYTES)
        entries = []
        for offset in range(0, len(directory) - 127, 128):
            raw = directory[offset : offset + 128]
            (length,) = struct.unpack_from("<H", raw, 64)
            name = raw[: max(min(length, 64) - 2, 0)].decode("utf-16-le", "replace")
            kind = raw[66]
            start, size = struct.unpack_from("<IQ", raw, 116)
            if self.sector_shift == 9:
                # Version 3: old writers leave garbage in the size's high half.
                size &= 0xFFFFFFFF
            entries.append((name, kind, start, size))
        if not entries:
            return {}
        root = entries[0]
        root_sectors = None
        found = {}
        for name, kind, start, size in entries:
            if kind != 2 or name not in wanted:
                continue
            if size > limit:
                found[name] = None
            elif size < self.mini_cutoff:
                if root_sectors is None:
                    # The mini stream's sectors (walked once, read only as needed).
                    root_sectors = list(self._chain(root[2], self.fat))
                found[name] = self._mini_bytes(start, size, root_sectors)
            else:
                found[name] = self._chain_bytes(start, self.fat, limit)[:size]
        return found

    def _mini_bytes(self, first, size, root_sectors):
        out = bytearray()
        per_sector = self.sector_size // 64
        for number in self._chain(first, self.mini_fat):
            sector, within = divmod(number, per_sector)
            if sector >= len(root_sectors):
                raise _Malformed("A mini sector lies outside the mini stream.")
            block = self._sector(root_sectors[sector])
            out += block[within * 64 : within * 64 + 64]
            if len(out) >= size:
                break
        return bytes(out[:size])


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
    """A malformed file raises (unreadable, said by `_single`); a property stream
    too large or unparsable is unreadable too — never skipped."""
    compound = _Compound(data)
    found = []
    for stream, data in compound.streams(set(_STREAMS), PART_MAX_BYTES).items():
        label = stream.lstrip("\x05")
        if data is None:
            found.append(Property(name, label, unreadable=True))
            continue
        try:
            found.extend(_property_set(data, _OLE_FIELDS[stream], name))
        except struct.error:
            found.append(_damaged(name, label))
    return found
