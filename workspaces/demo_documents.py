"""Demo documents for `seed_demo`: small generated files, a real PDF among them, some
with several versions, uploaded through the document services."""

from django.core.files.base import ContentFile

from .models import Document, Participant
from .services import documents as document_services

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


def _chart_png():
    """A small bar chart, drawn with Pillow."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 16), "Prototipi consegnati per trimestre", fill="black")
    for index, value in enumerate((3, 5, 8, 6)):
        left = 80 + index * 130
        draw.rectangle((left, 320 - value * 30, left + 80, 320), fill="#2b6cb0")
        draw.text((left + 20, 328), f"T{index + 1}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _documents(workspace):
    """(category, title, [(file name, bytes, note), ...]) of the demo documents: each
    list is a document's versions, oldest first."""
    name = workspace.name
    return [
        (
            Document.Category.NDA,
            "Accordo di riservatezza",
            [
                (
                    "accordo-riservatezza.pdf",
                    pdf_bytes(
                        title="Accordo di riservatezza",
                        pages=[
                            [
                                f"Progetto: {name}",
                                "Le parti si impegnano a non divulgare le informazioni",
                                "tecniche e commerciali scambiate nel progetto.",
                                "Durata: tre anni dalla firma.",
                            ]
                        ],
                    ),
                    "Bozza del legale.",
                ),
                (
                    "accordo-riservatezza-v2.pdf",
                    pdf_bytes(
                        title="Accordo di riservatezza (rev. 2)",
                        pages=[
                            [
                                f"Progetto: {name}",
                                "Le parti si impegnano a non divulgare le informazioni",
                                "tecniche e commerciali scambiate nel progetto.",
                                "Durata: cinque anni dalla firma.",
                            ],
                            ["Allegato A: elenco delle informazioni riservate."],
                        ],
                    ),
                    "Durata portata a cinque anni, come chiesto dal partner.",
                ),
            ],
        ),
        (
            Document.Category.TERM_SHEET,
            "Term sheet",
            [
                (
                    "term-sheet.md",
                    f"# Term sheet: {name}\n\n- Royalty: 3%\n- Esclusiva: Italia\n".encode(),
                    "",
                ),
                (
                    "term-sheet.md",
                    f"# Term sheet: {name}\n\n- Royalty: 4%\n- Esclusiva: UE\n".encode(),
                    "Royalty e territorio rivisti dopo la call.",
                ),
                (
                    "term-sheet.md",
                    f"# Term sheet: {name}\n\n- Royalty: 3.5%\n- Esclusiva: UE\n"
                    "- Milestone: prototipo entro giugno\n".encode(),
                    "Versione concordata.",
                ),
            ],
        ),
        (
            Document.Category.TECHNICAL_REPORT,
            "Relazione tecnica",
            [
                (
                    "relazione-tecnica.pdf",
                    pdf_bytes(
                        title="Relazione tecnica",
                        pages=[
                            ["1. Obiettivi", "Ridurre del 20% i consumi della linea."],
                            ["2. Metodo", "Prove su banco con tre configurazioni."],
                            ["3. Risultati", "La configurazione B risparmia il 23%."],
                        ],
                    ),
                    "",
                )
            ],
        ),
        (
            Document.Category.DATA,
            "Misure di laboratorio",
            [
                (
                    "misure.csv",
                    b"prova,configurazione,consumo_kwh\n1,A,12.4\n2,B,9.6\n3,C,11.1\n",
                    "Dati grezzi delle prove.",
                )
            ],
        ),
        (
            Document.Category.PRESENTATION,
            "Avanzamento prototipi",
            [("avanzamento.png", _chart_png(), "Grafico per la riunione di kick-off.")],
        ),
    ]


def seed_documents(workspace):
    """Upload the demo documents to `workspace` through the services (several
    versions, uploaded by people of different partners); return the documents.
    Does nothing when the workspace already has documents or nobody may upload."""
    if workspace.documents.exists():
        return []
    uploaders = [
        participant.user
        for participant in workspace.participants.select_related("user")
        .filter(role__in=[Participant.Role.LEAD, Participant.Role.MEMBER])
        .order_by("joined_at")
    ]
    if not uploaders:
        return []
    created = []
    for index, (category, title, versions) in enumerate(_documents(workspace)):
        first_name, first_content, first_note = versions[0]
        (document,) = document_services.document_upload(
            actor=uploaders[index % len(uploaders)],
            workspace=workspace,
            files=[_named(first_content, first_name)],
            title=title,
            category=category,
            note=first_note,
        )
        for number, (file_name, content, note) in enumerate(versions[1:], start=1):
            document.workspace = workspace
            document_services.document_version_upload(
                actor=uploaders[(index + number) % len(uploaders)],
                document=document,
                file=_named(content, file_name),
                note=note,
            )
        created.append(document)
    return created
