"""Files people upload by mistake or on purpose: valid documents of every accepted
kind and the hostile ones the checks must refuse or store safely."""

import io
import stat
import struct
import zipfile
import zlib

from PIL import Image

from workspaces.demo_documents import pdf_bytes


def png_bytes(size=(64, 48), color="teal"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="JPEG")
    return buffer.getvalue()


def webp_bytes(size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "purple").save(buffer, format="WEBP")
    return buffer.getvalue()


def pdf(text="Quarterly report"):
    return pdf_bytes(title=text, pages=[[text, "Second line"], ["Page two"]])


def zip_bytes(entries, *, compression=zipfile.ZIP_DEFLATED):
    """A ZIP of `entries` (name -> bytes, or name -> (bytes, ZipInfo tweaks))."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            b"application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest/>")
    return buffer.getvalue()


def ole_bytes():
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024


def zip_bomb(megabytes=60):
    """A ZIP of a few dozen kilobytes that expands to `megabytes` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                entry.write(block)
    return buffer.getvalue()


def zip_slip():
    return zip_bytes({"ok.txt": b"fine", "../../etc/cron.d/evil": b"* * * * * root sh"})


def zip_absolute():
    return zip_bytes({"/etc/passwd": b"root:x:0:0"})


def zip_symlink():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def pixel_flood_png(side=100_000):
    """A PNG of a few kilobytes that declares side x side pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 20, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )


HTML_PAGE = (
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>"
)
# Valid PDF head, but a browser sniffing it would find a page.
PDF_HTML_POLYGLOT = (
    b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"
)
PNG_HTML_POLYGLOT_TAIL = b"<html><script>alert(1)</script></html>"
WINDOWS_PROGRAM = b"MZ\x90\x00" + b"\x00" * 200
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
CSV_TEXT = "name,città\nAda,Milano\nBruno,Pavia\n".encode()
MARKDOWN_TEXT = b"# Notes\n\nFirst meeting: **Tuesday**.\n"
