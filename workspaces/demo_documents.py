"""Demo documents for `seed_demo`: small generated files, a real PDF among them, some
with several versions, uploaded through the document services."""

from django.core.files.base import ContentFile

# --- a real PDF, written by hand -------------------------------------------------------


def _pdf_text(text):
    """A PDF string literal (WinAnsi text: Italian accents included)."""
    raw = text.encode("cp1252", "replace")
    return (
        b"("
        + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        + b")"
    )


def pdf_bytes(*, title, pages):
    """A small valid PDF: A4 pages of Helvetica lines, `title` large on the first.

    `pages` is a list of pages, each a list of lines."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for index, lines in enumerate(pages):
        stream = [b"BT", b"/F1 22 Tf", b"72 770 Td"]
        if index == 0:
            stream += [_pdf_text(title) + b" Tj", b"/F1 12 Tf", b"0 -36 Td"]
        else:
            stream += [b"/F1 12 Tf"]
        for line in lines:
            stream += [_pdf_text(line) + b" Tj", b"0 -18 Td"]
        stream += [b"ET"]
        content = b"\n".join(stream)
        objects.append(
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        )
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % content_number
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(kids),
        len(kids),
    )
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        output += b"%010d 00000 n \n" % offset
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(output)


def _named(content, name):
    return ContentFile(content, name=name)
